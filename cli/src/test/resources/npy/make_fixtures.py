"""Regenerates the .npy fixtures that NpyTest reads: files written by numpy itself.

Run from any directory: python3 make_fixtures.py (needs numpy). The values are exact in
float32 (and float16) so the tests can recompute them: element i of the 3x5x7 array is (i - 52) / 8.
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
    # 16-bit: the same values in float16 (exact there too), big-endian float16, and uint16
    np.save(HERE / "numpy_f2_3x5x7.npy", a.astype(np.float16))
    np.save(HERE / "numpy_f2_bigendian_4.npy", np.arange(4, dtype=">f2"))
    np.save(HERE / "numpy_u2_4.npy", np.arange(4, dtype=np.uint16))


if __name__ == "__main__":
    main()
