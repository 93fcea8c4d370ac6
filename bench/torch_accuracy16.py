#!/usr/bin/python3
"""How often PyTorch's CPU F.gelu on bf16 is not the correctly rounded bf16 GELU.

    /usr/bin/python3 bench/torch_accuracy16.py [--oracle FILE]

Every one of the 65,536 bf16 bit patterns goes through F.gelu (approximate='none' and
'tanh') as one bf16 tensor, 1 thread, and each result is compared bit for bit with MPFR's
GELU rounded once to bf16: the golden tables of the Java tests,
java/src/test/resources/dev/gelu/golden16.bin.gz (native/tools/gelu_golden_half through
scripts/make-golden.sh), or --oracle FILE in that format. NaN inputs are left out of the count
and reported on their own; +-inf are counted. A 65,536-element tensor takes ATen's vector
loop only; the scalar path (what the tail of a length that is not a multiple of the vector
width takes) is measured too, one element per call. The f16 inputs are tried the same way:
PyTorch 1.13 has no float16 GELU on CPU and says so.
"""
import argparse
import gzip
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPES = {"bf16": (torch.bfloat16, 0x7F80), "f16": (torch.float16, 0x7C00)}  # dtype, exponent mask
FORMS = {"erf": "none", "tanh": "tanh"}


def oracle_tables(args):
    """{(type, form): 65536 uint16}, in golden16.bin.gz's order: erf bf16, erf f16, tanh bf16, tanh f16
    (then quick bf16 and f16, which PyTorch's F.gelu has no form for)."""
    path = args.oracle or os.path.join(ROOT, "java/src/test/resources/dev/gelu/golden16.bin.gz")
    with gzip.open(path, "rb") as f:
        data = np.frombuffer(f.read(), dtype="<u2")
    if data.size != 6 * 65536:
        sys.exit(f"torch_accuracy16: the oracle has {data.size} entries, want {6 * 65536}")
    keys = [(t, f) for f in FORMS for t in TYPES]
    return {k: data[i * 65536:(i + 1) * 65536] for i, k in enumerate(keys)}


def run(dtype, approximate, bits, one_by_one):
    """F.gelu on the inputs with these bit patterns; the output's bit patterns."""
    x = torch.from_numpy(bits.astype(np.int16)).view(dtype)
    if one_by_one:
        y = torch.cat([F.gelu(x[i:i + 1], approximate=approximate) for i in range(x.numel())])
    else:
        y = F.gelu(x, approximate=approximate)
    return y.view(torch.int16).numpy().astype(np.uint16)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--oracle", help="the golden tables (gzip), default the Java tests' golden16.bin.gz")
    args = ap.parse_args()
    torch.set_num_threads(1)
    want = oracle_tables(args)
    bits = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    print(f"# torch={torch.__version__}")
    print("| implementation | form | format | path | inputs (no NaN) | not correctly rounded | NaN inputs giving NaN |")
    print("|---|---|---|---|---:|---:|---:|")
    for tname, (dtype, exp) in TYPES.items():
        nan_in = (bits & exp) == exp
        nan_in &= (bits & (0x7FFF ^ exp)) != 0
        for form, approximate in FORMS.items():
            for path, one_by_one in (("vector (one 65,536-element tensor)", False), ("scalar (1 element per call)", True)):
                try:
                    got = run(dtype, approximate, bits, one_by_one)
                except RuntimeError as e:
                    print(f"| PyTorch F.gelu | {form} | {tname} | {path} | - | not implemented: {e} | - |")
                    break
                nan_out = ((got & exp) == exp) & ((got & (0x7FFF ^ exp)) != 0)
                wrong = int(np.count_nonzero((got != want[(tname, form)]) & ~nan_in))
                print(f"| PyTorch F.gelu | {form} | {tname} | {path} | {int(np.count_nonzero(~nan_in))} | "
                      f"{wrong} | {int(np.count_nonzero(nan_out & nan_in))} of {int(np.count_nonzero(nan_in))} |",
                      flush=True)


if __name__ == "__main__":
    main()
