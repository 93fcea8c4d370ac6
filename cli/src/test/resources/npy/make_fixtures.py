"""Regenerates the .npy fixtures that NpyTest reads: files written by numpy itself.

Run from any directory: python3 make_fixtures.py (needs numpy). The values are exact in
float32 so the tests can recompute them: element i of the 3x5x7 array is (i - 52) / 8.
"""
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def main():
    a = ((np.arange(105) - 52) / 8).astype(np.float32).reshape(3, 5, 7)
    np.save(HERE / "numpy_f4_3x5x7.npy", a)
    np.save(HERE / "numpy_f8_2.npy", np.array([1.5, -2.5], dtype=np.float64))
    np.save(HERE / "numpy_f4_fortran_2x3.npy",
            np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    np.save(HERE / "numpy_f4_bigendian_4.npy", np.arange(4, dtype=">f4"))


if __name__ == "__main__":
    main()
