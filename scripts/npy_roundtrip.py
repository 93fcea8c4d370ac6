#!/usr/bin/env python3
"""End-to-end check of `gelu apply` against numpy: files numpy writes go in, numpy reads the
results back, and sampled elements are compared with a double-precision reference.

Usage: python3 scripts/npy_roundtrip.py [LAUNCHER]   (LAUNCHER defaults to ./gelu)

The library is correctly rounded, so nearly every element should equal the reference rounded
to float32. The double reference misrounds results within a double rounding error of a float32
tie, such as GELU(2^-149), just above half the smallest subnormal: up to 1 ulp is tolerated.
Then float16: every one of the 2^16 bit patterns as '<f2' in (float16 out), and the same values
as float32 with --out-dtype f16, which must give the same bits; the reference is the double
rounded once to float16, again within 1 ulp.

Needs only numpy. Exits non-zero on the first failure.
"""
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

SAMPLE = 100_000
SQRT_HALF = math.sqrt(0.5)
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def gelu_erf(x):
    if math.isnan(x) or math.isinf(x):
        return x if x > 0 or math.isnan(x) else -0.0
    return x * math.erfc(-x * SQRT_HALF) / 2


def gelu_tanh(x):
    if math.isnan(x) or math.isinf(x):
        return x if x > 0 or math.isnan(x) else -0.0
    u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)
    # x/2*(1 + tanh(u)) rewritten as x/(1 + e^(-2u)): the same value, but without the
    # cancellation in 1 + tanh(u) that would zero the reference for x below about -6.
    e = math.exp(min(-2 * u, 709.0))
    return x / (1 + e)


REFERENCES = {"erf": gelu_erf, "tanh": gelu_tanh}


def ordered(bits):
    """Maps float32 bit patterns to integers whose differences count ulps (-0 and +0 both map to 0)."""
    bits = bits.astype(np.int64)
    return np.where(bits < 0, -(bits & 0x7FFFFFFF), bits)


def ordered16(bits):
    """The same for float16 bit patterns."""
    bits = bits.astype(np.int64)
    return np.where(bits < 0, -(bits & 0x7FFF), bits)


def check_f16(launcher, work, form):
    src, dst, narrowed = (os.path.join(work, n) for n in ("in.npy", "out.npy", "narrowed.npy"))
    x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16).reshape(256, 256)
    np.save(src, x)
    np.save(os.path.join(work, "in32.npy"), x.astype(np.float32))  # exact: every float16 is a float32
    for args, out in (([src], dst), (["--out-dtype", "f16", os.path.join(work, "in32.npy")], narrowed)):
        run = subprocess.run([launcher, "apply", "--form", form, *args, out], capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"{form} f16 {args[:-1]}: gelu apply exited {run.returncode}: {run.stderr.strip()}")
    y = np.load(dst)
    if y.dtype != np.float16 or y.shape != x.shape:
        fail(f"{form} f16: output is {y.dtype} {y.shape}, expected float16 {x.shape}")
    if not np.array_equal(np.load(narrowed).view(np.uint16), y.view(np.uint16)):
        fail(f"{form} f16: float32 --out-dtype f16 differs from float16 in, float16 out")
    xs, ys = x.reshape(-1), y.reshape(-1)
    # numpy rounds a double to float16 once, straight from its bits
    ref = np.array([REFERENCES[form](float(v)) for v in xs], dtype=np.float64).astype(np.float16)
    both_nan = np.isnan(ys) & np.isnan(ref)
    exact = (ys.view(np.int16) == ref.view(np.int16)) | both_nan
    ulps = np.abs(ordered16(ys.view(np.int16)) - ordered16(ref.view(np.int16)))
    bad = ~both_nan & ((ulps > 1) | (np.isnan(ys) != np.isnan(ref)))
    print(f"{form:4} f16 {xs.size:7} compared, {exact.mean() * 100:7.3f}% exact, max {int(ulps[~both_nan].max())} ulp")
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        fail(f"{form} f16: GELU({xs[i]!r}) = {ys[i]!r}, reference {ref[i]!r}")
    left = sorted(set(os.listdir(work)) - {"in.npy", "in32.npy", "out.npy", "narrowed.npy"})
    if left:
        fail(f"{form} f16: files left behind: {left}")
    for name in ("in.npy", "in32.npy", "out.npy", "narrowed.npy"):
        os.remove(os.path.join(work, name))


def inputs(rng, shape):
    n = math.prod(shape)
    x = (rng.standard_normal(n, dtype=np.float32) * 4).astype(np.float32)
    if n >= 1000:
        # Every corner of the range once: tails, subnormals, specials.
        specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 3.4e38, -3.4e38,
                    -10.0, -13.0, -20.0, 10.0, 1e-20]
        x[:len(specials)] = np.array(specials, dtype=np.float32)
    return x.reshape(shape)


def check(launcher, work, rng, form, shape):
    src = os.path.join(work, "in.npy")
    dst = os.path.join(work, "out.npy")
    x = inputs(rng, shape)
    np.save(src, x)
    run = subprocess.run([launcher, "apply", "--form", form, src, dst], capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"{form} {shape}: gelu apply exited {run.returncode}: {run.stderr.strip()}")
    left = sorted(set(os.listdir(work)) - {"in.npy", "out.npy"})
    if left:
        fail(f"{form} {shape}: files left behind: {left}")

    y = np.load(dst)
    if y.dtype != np.float32 or y.shape != tuple(shape):
        fail(f"{form} {shape}: output is {y.dtype} {y.shape}, expected float32 {tuple(shape)}")

    flat_x, flat_y = x.reshape(-1), y.reshape(-1)
    n = flat_x.size
    if n > SAMPLE:
        idx = np.sort(rng.choice(n, size=SAMPLE, replace=False))
        # Always include the special values at the start.
        idx = np.union1d(idx, np.arange(min(n, 64)))
    else:
        idx = np.arange(n)
    xs, ys = flat_x[idx], flat_y[idx]
    ref = np.array([REFERENCES[form](float(v)) for v in xs], dtype=np.float64).astype(np.float32)

    both_nan = np.isnan(ys) & np.isnan(ref)
    exact = (ys.view(np.int32) == ref.view(np.int32)) | both_nan
    ulps = np.abs(ordered(ys.view(np.int32)) - ordered(ref.view(np.int32)))
    bad = ~both_nan & ((ulps > 1) | (np.isnan(ys) != np.isnan(ref)))
    share = exact.mean() * 100 if idx.size else 100.0
    worst = int(ulps[~both_nan].max()) if (~both_nan).any() else 0
    print(f"{form:4} {str(tuple(shape)):13} {idx.size:7} compared, {share:7.3f}% exact, max {worst} ulp")
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        fail(f"{form} {shape}: GELU({xs[i]!r}) = {ys[i]!r}, reference {ref[i]!r}"
             f" ({int(bad.sum())} elements off by more than 1 ulp)")
    os.remove(src)
    os.remove(dst)


def fail(message):
    print(f"npy round trip: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    launcher = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "./gelu")
    rng = np.random.default_rng(20240613)
    with tempfile.TemporaryDirectory(prefix="gelu-npy-") as work:
        for shape in [(0,), (7,), (3, 5, 7), (16_777_216,)]:
            check(launcher, work, rng, "erf", shape)
        check(launcher, work, rng, "tanh", (3, 5, 7))
        for form in REFERENCES:
            check_f16(launcher, work, form)
    print("npy round trip: OK")


if __name__ == "__main__":
    main()
