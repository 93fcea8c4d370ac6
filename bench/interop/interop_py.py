"""The Python side of the cross-language call-cost comparison (issue #13).

    python3 interop_py.py LIBGELU LIBINTEROP_C [--rounds R] [--min-us U] [--sizes 1,16,256,4096]

gelu_erf_f32 of build/libgelu.so through ctypes on numpy float32 arrays, timed with
time.perf_counter_ns over many calls per round:

  c_loop_in_python    the C driver's loop (libinterop_c.so) run from here: this process's C reference
  py_ctypes           f(px, py, n) with the pointers converted once (c_void_p), argtypes declared
  py_ctypes_data_as   f(x.ctypes.data_as(P), y.ctypes.data_as(P), x.size): the usual idiom, per call
  numpy_negative      np.negative(x, out=y): numpy's own per-call floor for a ufunc, no GELU
  py_loop_only        the empty timing loop: the floor under every Python row

Prints CSV on stdout (path,n,ns_per_call, one line per round and cell); rounds go round-robin
over the cells. One thread.
"""
import ctypes
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    libgelu, libc_loop = args[0], args[1]
    rounds, min_us, sizes = 101, 200.0, [1, 16, 256, 4096]
    i = 2
    while i < len(args):
        if args[i] == "--rounds":
            rounds = int(args[i + 1])
        elif args[i] == "--min-us":
            min_us = float(args[i + 1])
        elif args[i] == "--sizes":
            sizes = [int(s) for s in args[i + 1].split(",")]
        else:
            sys.exit("unknown argument " + args[i])
        i += 2

    lib = ctypes.CDLL(libgelu)
    erf = lib.gelu_erf_f32
    erf.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    erf.restype = ctypes.c_int
    cl = ctypes.CDLL(libc_loop).interop_c_ns_per_call
    cl.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_long]
    cl.restype = ctypes.c_double
    P = ctypes.POINTER(ctypes.c_float)

    rng = np.random.default_rng(13)
    xs = [rng.uniform(-5, 5, n).astype(np.float32) for n in sizes]
    ys = [np.zeros(n, np.float32) for n in sizes]

    def c_loop(x, y, n, reps):
        t = cl(0, x.ctypes.data, y.ctypes.data, n, reps)
        if t < 0:
            raise RuntimeError("gelu_erf_f32 failed")
        return t

    def py_ctypes(x, y, n, reps):
        px, py, f = ctypes.c_void_p(x.ctypes.data), ctypes.c_void_p(y.ctypes.data), erf
        acc = 0
        t0 = time.perf_counter_ns()
        for _ in range(reps):
            acc |= f(px, py, n)
        t1 = time.perf_counter_ns()
        if acc:
            raise RuntimeError("gelu_erf_f32 failed")
        return (t1 - t0) / reps

    def py_ctypes_data_as(x, y, n, reps):
        f = erf
        acc = 0
        t0 = time.perf_counter_ns()
        for _ in range(reps):
            acc |= f(x.ctypes.data_as(P), y.ctypes.data_as(P), x.size)
        t1 = time.perf_counter_ns()
        if acc:
            raise RuntimeError("gelu_erf_f32 failed")
        return (t1 - t0) / reps

    def numpy_negative(x, y, n, reps):
        neg = np.negative
        t0 = time.perf_counter_ns()
        for _ in range(reps):
            neg(x, out=y)
        t1 = time.perf_counter_ns()
        return (t1 - t0) / reps

    def py_loop_only(x, y, n, reps):
        t0 = time.perf_counter_ns()
        for _ in range(reps):
            pass
        t1 = time.perf_counter_ns()
        return (t1 - t0) / reps

    paths = [("c_loop_in_python", c_loop), ("py_ctypes", py_ctypes), ("py_ctypes_data_as", py_ctypes_data_as),
             ("numpy_negative", numpy_negative), ("py_loop_only", py_loop_only)]

    # every ctypes path gives the bits of the C loop
    for j, n in enumerate(sizes):
        ref = np.zeros(n, np.float32)
        c_loop(xs[j], ref, n, 1)
        for name, fn in paths[1:3]:
            ys[j][:] = 0
            fn(xs[j], ys[j], n, 1)
            if not np.array_equal(ys[j].view(np.uint32), ref.view(np.uint32)):
                raise SystemExit(f"{name} n={n}: other bits than C")

    reps = {}
    for name, fn in paths:
        for j, n in enumerate(sizes):
            r, start = 16, time.perf_counter_ns()
            while True:  # warm-up: >= 20 ms and until a pass lasts min_us / 8
                short = fn(xs[j], ys[j], n, r) * r < min_us * 1e3 / 8
                if not short and time.perf_counter_ns() - start > 20e6:
                    break
                if short:
                    r *= 2
            per = min(fn(xs[j], ys[j], n, r) for _ in range(5))
            reps[name, j] = max(1, int(min_us * 1e3 / per))

    out = ["path,n,ns_per_call"]
    for _ in range(rounds):
        for name, fn in paths:
            for j, n in enumerate(sizes):
                out.append(f"{name},{n},{fn(xs[j], ys[j], n, reps[name, j]):.3f}")
    print("\n".join(out))
    print(f"interop_py: Python {sys.version.split()[0]}, numpy {np.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
