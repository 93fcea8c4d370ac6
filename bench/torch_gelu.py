#!/usr/bin/python3
"""Times PyTorch's GELU on CPU, the way bench/gelu_cbench times the native kernels.

    /usr/bin/python3 bench/torch_gelu.py [--sizes 1,16,...] [--threads 1,2] [--rounds 5] [--min-ms 20]

Out of place into a preallocated tensor (torch._C._nn.gelu(x, out=y) where it exists, else
F.gelu), f32, x ~ N(0, 1) (or --dist uniform8: uniform in [-8, 8]) from a fixed seed. For each (threads, n) both forms are
calibrated to a round of >= min-ms, then the rounds alternate between them and each reports
its median. Threads are PyTorch's own intra-op pool (torch.set_num_threads). With 1 thread,
the same x rounded to bfloat16 (to nearest even, x.to(torch.bfloat16)) gives the rows
'pytorch-bf16': F.gelu on bf16 in and out, timed in the same rounds. PyTorch 1.13 has no
float16 GELU on CPU ("GeluKernelImpl" not implemented for 'Half'), so there is no f16 row.
Also at 1 thread, the composed operations the way a PyTorch model writes them: 'pytorch-bias'
is F.gelu(x + b) for x of rows of 4096 (when n divides) and b of 4096 draws times 0.1, as
torch.add(x, b, out=y) then GELU in place (two kernels, no allocation); 'pytorch-geglu' is
a * F.gelu(g) as GELU into y then y.mul_(a), a a second array of draws (the rows
gelu-ffm-bias and gelu-ffm-geglu of gelu_cbench compute the same).
Prints '# key=value' lines, then CSV rows: impl,form,isa,threads,n,gelem_per_s,ns_per_elem.
"""
import argparse
import re
import statistics
import time

import torch
import torch.nn.functional as F

SIZES = [1, 16, 256, 4096, 65536, 1 << 20, 1 << 24]
FORMS = {"erf": "none", "tanh": "tanh"}


def gelu_fn(approximate, dtype=torch.float32):
    """y = GELU(x) without allocating: that is what the C kernels are timed doing."""
    try:
        probe = torch.zeros(1, dtype=dtype)
        torch._C._nn.gelu(probe, approximate=approximate, out=probe)
        return lambda x, y: torch._C._nn.gelu(x, approximate=approximate, out=y)
    except (AttributeError, TypeError, RuntimeError):
        return lambda x, y: F.gelu(x, approximate=approximate)


def composed_runs(x, gen):
    """bias + GELU and GEGLU as two PyTorch kernels each, into preallocated outputs."""
    n = x.numel()
    cols = 4096 if n % 4096 == 0 else n
    b = torch.randn(cols, generator=gen) * 0.1
    a = torch.randn(n, generator=gen)
    runs = {}
    for form, approx in FORMS.items():
        gelu = gelu_fn(approx)

        def bias(x, y, gelu=gelu):
            torch.add(x.view(-1, cols), b, out=y.view(-1, cols))
            gelu(y, y)

        def geglu(x, y, gelu=gelu):
            gelu(x, y)
            y.mul_(a)

        runs[("pytorch-bias", form)] = (bias, x, torch.empty(n))
        runs[("pytorch-geglu", form)] = (geglu, x, torch.empty(n))
    return runs


def round_time(fn, x, y, reps):
    t0 = time.perf_counter()
    for _ in range(reps):
        fn(x, y)
    return time.perf_counter() - t0


def cpu_capability():
    """The kernel set ATen dispatches to ("AVX2", "AVX512", ...), as torch reports it."""
    m = re.search(r"CPU capability usage: (\w+)", torch.__config__.show())
    return m.group(1).lower() if m else "auto"


def main():
    ap = argparse.ArgumentParser()
    ints = lambda s: [int(v) for v in s.split(",")]
    ap.add_argument("--sizes", type=ints, default=SIZES)
    ap.add_argument("--threads", type=ints, default=[1, 2])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--min-ms", type=float, default=20)
    ap.add_argument("--dist", choices=["normal", "uniform8", "student3"], default="normal")
    a = ap.parse_args()

    isa = cpu_capability()
    print(f"# torch={torch.__version__} ({isa})")
    print(f"# dist={a.dist}")
    print("impl,form,isa,threads,n,gelem_per_s,ns_per_elem")
    fns = {("pytorch", form): gelu_fn(approx) for form, approx in FORMS.items()}
    fns16 = {("pytorch-bf16", form): gelu_fn(approx, torch.bfloat16) for form, approx in FORMS.items()}
    gen = torch.Generator().manual_seed(12345)
    for threads in a.threads:
        torch.set_num_threads(threads)
        for n in a.sizes:
            if a.dist == "uniform8":
                x = torch.rand(n, generator=gen) * 16 - 8
            elif a.dist == "student3":
                x = torch.randn(n, generator=gen) / (torch.randn(3, n, generator=gen).pow(2).mean(0)).sqrt()
            else:
                x = torch.randn(n, generator=gen)
            # (fn, x, y) per row; the bf16 rows at 1 thread only.
            runs = {k: (fn, x, torch.empty(n)) for k, fn in fns.items()}
            if threads == 1:
                x16 = x.to(torch.bfloat16)
                runs.update({k: (fn, x16, torch.empty(n, dtype=torch.bfloat16)) for k, fn in fns16.items()})
                runs.update(composed_runs(x, gen))
            reps, times = {}, {k: [] for k in runs}
            for k, run in runs.items():  # warm-up and calibration
                reps[k] = 1
                while round_time(*run, reps[k]) < a.min_ms * 1e-3:
                    reps[k] *= 2
            for _ in range(a.rounds):
                for k, run in runs.items():
                    times[k].append(round_time(*run, reps[k]) / reps[k])
            for (impl, form), ts in times.items():
                t = statistics.median(ts)
                print(f"{impl},{form},{isa},{threads},{n},{n / t * 1e-9:.6g},{t / n * 1e9:.6g}", flush=True)


if __name__ == "__main__":
    main()
