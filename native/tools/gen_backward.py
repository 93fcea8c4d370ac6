#!/usr/bin/env python3
"""Generates the tables of the backward kernels, GELU'(x) correctly rounded to float.

Writes native/src/gelu_backward_coeffs.h and java/src/main/java/dev/gelu/internal/BackwardCoefficients.java,
the same doubles as exact hexadecimal literals. Needs mpmath. Re-run the exhaustive checker
(native/tools/gelu_exhaustive_deriv) after any change.

Why this shape (a = |x|, x < 0 unless said):
  erf:   GELU' = Phi(x) + x phi(x). With E = exp(-a^2/2) (a^2 exact in double) and
         Phi(-a) = E G(a), GELU' = E H(a) for x < 0 and 1 - E H(a) for x >= 0, where
         H(a) = G(a) - a/sqrt(2 pi). H vanishes at a = r (x = -0.7518...), where
         G and a/sqrt(2 pi) cancel, so on the piece [0, 1) that holds r the table fits
         K(a) = H(a)/(a - r) instead, in s = a - R_HI (exact by Sterbenz for a >= R_HI/2), and
         H = (s - R_LO) K: s - R_LO is one rounding, K has no zero, so H keeps its relative
         accuracy however close a is to r. Every piece is written as H = fma(s, M1, M0) * P(s)
         with s = a - CENTRE[i]: M1 = 1, M0 = -R_LO on piece 0, M1 = 0, M0 = 1 elsewhere,
         so a vector lane never branches on the piece.
  tanh:  s = sigma(v), v = x (C1 + C3 x^2); with e = exp(-|v|),
         GELU' = [(1 + e) + x v' m] / (1 + e)^2 * (x < 0 ? e : 1), m = (x < 0 ? 1 : e),
         v' = C1 + D3 x^2. For x < 0 the bracket B = 1 + e - a v' vanishes at a = r; within
         ROOT_W of r it is taken from B = (s - R_LO) K(s), s = a - R_HI, K fitted here.
  quick: the same with v = 1.702 x, v' = 1.702.
"""
import os
import sys
import mpmath as mp

mp.mp.dps = 60
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

H_PIECES = 15          # [i, i+1) for i < 15: the erf clamp is a = 15, as in the forward
H_DEGREE = 14
ROOT_DEGREE = 10       # K of tanh and quick on |a - r| <= ROOT_W
ROOT_W = mp.mpf(1) / 16
TABLE_WIDTH = 16
H_ROW = 32  # doubles a row of the piece-major copy: H_DEGREE + 4 used
QUICK_WMAX = 88.0      # v = 1.702*88 = 149.8 keeps exp's argument in [-150, 0]; e(88) 150 < 2^-200
K_TANH = mp.mpf("0.044715")
K_QUICK = mp.mpf("1.702")
C1T = 2 * mp.sqrt(2 / mp.pi)
SQ2PI = mp.sqrt(2 * mp.pi)


def G(a):
    return mp.erfc(a / mp.sqrt(2)) / 2 * mp.exp(a * a / 2)


def H(a):
    return G(a) - a / SQ2PI


def B_tanh(a):  # 1 + e - a v', the bracket of the tanh form at x = -a
    v = C1T * (a + K_TANH * a ** 3)
    return 1 + mp.exp(-v) - a * C1T * (1 + 3 * K_TANH * a * a)


def B_quick(a):
    return 1 + mp.exp(-K_QUICK * a) - K_QUICK * a


def cheb_monomial(f, lo, hi, deg, centre):
    """Chebyshev interpolant of f on [lo, hi] as monomial coefficients in s = x - centre
    (expanded at full precision before rounding to double)."""
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    c, h, n = (lo + hi) / 2, (hi - lo) / 2, deg + 1
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    vals = [f(c + h * u) for u in nodes]
    cc = [2 * mp.fsum(vals[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / n) for k in range(n)) / n
          for j in range(n)]
    cc[0] /= 2
    T = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]
    for j in range(2, n):
        a = [mp.mpf(0)] + [2 * t for t in T[j - 1]]
        b = T[j - 2] + [mp.mpf(0)] * (len(a) - len(T[j - 2]))
        T.append([a[i] - b[i] for i in range(len(a))])
    mono = [mp.mpf(0)] * n  # in u = (x - c)/h
    for j in range(n):
        for i, t in enumerate(T[j]):
            mono[i] += cc[j] * t
    mono = [mono[i] / h ** i for i in range(n)]  # in (x - c)
    d = mp.mpf(centre) - c  # x - c = s + d
    out = [mp.fsum(mono[i] * mp.binomial(i, j) * d ** (i - j) for i in range(j, n)) for j in range(n)]
    return [float(m) for m in out]


def horner(cs, s):
    p = mp.mpf(0)
    for c in reversed(cs):
        p = p * s + mp.mpf(c)
    return p


def worst(f, cs, lo, hi, centre, samples=300):
    w = mp.mpf(0)
    for i in range(samples + 1):
        x = mp.mpf(lo) + (mp.mpf(hi) - lo) * (i + mp.mpf(0.377)) / (samples + 1)  # never the root itself
        w = max(w, abs(horner(cs, x - mp.mpf(centre)) / f(x) - 1))
    return float(mp.log(w, 2)) if w else -999.0


def root_split(f, guess):
    r = mp.findroot(f, mp.mpf(guess))
    hi = float(r)
    lo = float(r - mp.mpf(hi))
    # the nearest float to r: H's relative accuracy needs |a - r| far above |r - R_HI - R_LO| (2^-107)
    ulp = mp.mpf(2) ** -24
    k = mp.floor(r / ulp)
    dist = min(abs(r - k * ulp), abs(r - (k + 1) * ulp))
    print(f"root {mp.nstr(r, 20)}: nearest float at 2^{float(mp.log(dist, 2)):.1f}", file=sys.stderr)
    return r, hi, lo


def main():
    r_erf, rh_erf, rl_erf = root_split(H, 0.75)
    r_t, rh_t, rl_t = root_split(B_tanh, 0.75)
    r_q, rh_q, rl_q = root_split(B_quick, 0.75)

    h_tab, centres, m1, m0 = [], [], [], []
    K = lambda a: H(a) / (a - r_erf)
    cs = cheb_monomial(K, 0, 1, H_DEGREE, rh_erf)
    print(f"erf K piece 0: worst relative error 2^{worst(K, cs, 0, 1, rh_erf):.1f}", file=sys.stderr)
    h_tab.append(cs), centres.append(rh_erf), m1.append(1.0), m0.append(-rl_erf)
    for i in range(1, H_PIECES):
        cs = cheb_monomial(H, i, i + 1, H_DEGREE, i + 0.5)
        print(f"erf H piece {i:2d}: worst relative error 2^{worst(H, cs, i, i + 1, i + 0.5, 120):.1f}",
              file=sys.stderr)
        h_tab.append(cs), centres.append(i + 0.5), m1.append(0.0), m0.append(1.0)

    roots = {}
    for name, f, r, rh in (("TANH", B_tanh, r_t, rh_t), ("QUICK", B_quick, r_q, rh_q)):
        Kf = lambda a, f=f, r=r: f(a) / (a - r)
        cs = cheb_monomial(Kf, rh - ROOT_W, rh + ROOT_W, ROOT_DEGREE, rh)  # no node at r itself
        print(f"{name} root K: worst relative error 2^{worst(Kf, cs, rh - ROOT_W, rh + ROOT_W, rh):.1f}",
              file=sys.stderr)
        # |B| outside the root window: the bracket's absolute error (~2^-52) over it
        bmin = min(abs(f(rh - ROOT_W)), abs(f(rh + ROOT_W)))
        print(f"{name}: |B| >= 2^{float(mp.log(bmin, 2)):.2f} outside the window", file=sys.stderr)
        roots[name] = cs

    consts = [
        ("ERF_R_HI", rh_erf, "erf: H(a) = 0 at a = R_HI + R_LO (GELU' = 0 at x = -a)"),
        ("ERF_R_LO", rl_erf, ""),
        ("INV_SQRT_2PI", float(1 / SQ2PI), "1/sqrt(2 pi)"),
        ("TANH_D3", float(3 * C1T * K_TANH), "tanh: v' = C1 + D3 x^2, D3 = 3 * 0.044715 * 2 sqrt(2/pi)"),
        ("TANH_R_HI", rh_t, "tanh: the bracket 1 + e - a v' vanishes at a = R_HI + R_LO"),
        ("TANH_R_LO", rl_t, ""),
        ("QUICK_C1", float(K_QUICK), "quick: v = C1 x, v' = C1 (1.702 rounded to double)"),
        ("QUICK_WMAX", QUICK_WMAX, "quick: |x| clamp; beyond it GELU' rounds to 1 or -0"),
        ("QUICK_R_HI", rh_q, "quick: the bracket 1 + e - 1.702 a vanishes at a = R_HI + R_LO"),
        ("QUICK_R_LO", rl_q, ""),
        ("ROOT_W", float(ROOT_W), "tanh, quick: |a - R_HI| < ROOT_W takes the bracket from the root polynomial"),
    ]
    hexs = lambda v: float(v).hex()
    out = ["/* Generated by native/tools/gen_backward.py: do not edit. */",
           "#ifndef GELU_BACKWARD_COEFFS_H", "#define GELU_BACKWARD_COEFFS_H", "",
           f"#define GELU_BWD_H_PIECES {H_PIECES}", f"#define GELU_BWD_H_DEGREE {H_DEGREE}",
           f"#define GELU_BWD_ROOT_DEGREE {ROOT_DEGREE}", ""]
    for name, v, why in consts:
        if why:
            out.append(f"/* {why} */")
        out.append(f"#define GELU_BWD_{name} {hexs(v)}")
    out.append("")

    def row16(vals):
        return "{" + ", ".join(hexs(c) for c in list(vals) + [0.0] * (TABLE_WIDTH - len(vals))) + "}"
    out.append("/* erf: H on piece i = [i, i+1) is fma(s, M1[i], M0[i]) * sum H[k][i] s^k, s = a - CENTRE[i].")
    out.append("   Coefficient-major and padded to 16 entries: one row is one 16-entry table; rows 0..DEGREE")
    out.append("   hold the coefficients of s^0..s^DEGREE, then CENTRE, M0 and M1. */")
    out.append("#define GELU_BWD_H_CENTRE (GELU_BWD_H_DEGREE + 1)")
    out.append("#define GELU_BWD_H_M0 (GELU_BWD_H_DEGREE + 2)")
    out.append("#define GELU_BWD_H_M1 (GELU_BWD_H_DEGREE + 3)")
    out.append("static const double gelu_bwd_h[GELU_BWD_H_DEGREE + 4][16] __attribute__((aligned(64))) = {")
    for k in range(H_DEGREE + 1):
        out.append("    " + row16([h_tab[i][k] for i in range(H_PIECES)]) + ",")
    out += ["    " + row16(centres) + ",", "    " + row16(m0) + ",", "    " + row16(m1) + ",", "};"]
    out.append("/* The same numbers piece-major, for ISAs that load a lane's row (AVX2): row i holds piece i's")
    out.append("   entries in the order above, then zeros to a power-of-2 length. */")
    out.append(f"#define GELU_BWD_H_ROW {H_ROW}")
    out.append("static const double gelu_bwd_h_rows[16][GELU_BWD_H_ROW] __attribute__((aligned(64))) = {")
    for i in range(TABLE_WIDTH):
        vals = list(h_tab[i]) + [centres[i], m0[i], m1[i]] if i < H_PIECES else []
        out.append("    {" + ", ".join(hexs(c) for c in vals + [0.0] * (H_ROW - len(vals))) + "},")
    out.append("};")
    for name in ("TANH", "QUICK"):
        out.append(f"/* {name.lower()}: bracket = (s - R_LO) * sum K[k] s^k on |s| < ROOT_W, s = a - R_HI */")
        out.append(f"static const double gelu_bwd_{name.lower()}_root[GELU_BWD_ROOT_DEGREE + 1] = {{")
        out += [f"    {hexs(c)}," for c in roots[name]]
        out.append("};")
    out += ["", "#endif", ""]
    with open(os.path.join(ROOT, "native/src/gelu_backward_coeffs.h"), "w") as fh:
        fh.write("\n".join(out))

    j = ["// Generated by native/tools/gen_backward.py: do not edit.", "package dev.gelu.internal;", "",
         "/** The backward kernels' constants and tables, bit for bit those of the C kernels. */",
         "public final class BackwardCoefficients {", "    private BackwardCoefficients() {}", "",
         f"    public static final int H_PIECES = {H_PIECES};", f"    public static final int H_DEGREE = {H_DEGREE};",
         f"    public static final int ROOT_DEGREE = {ROOT_DEGREE};", ""]
    for name, v, why in consts:
        if why:
            j.append(f"    /** {why} */")
        j.append(f"    public static final double {name} = {hexs(v)};")

    def jarr(name, vals):
        return [f"    public static final double[] {name} = {{"] + [f"        {hexs(c)}," for c in vals] + ["    };"]
    j += jarr("H_CENTRE", centres) + jarr("H_M1", m1) + jarr("H_M0", m0)
    j.append("    /** H on piece i: sum H[k*16 + i] s^k; coefficient-major, padded to 16. */")
    j.append("    public static final double[] H = {")
    for k in range(H_DEGREE + 1):
        j.append("        " + ", ".join(hexs(h_tab[i][k]) if i < H_PIECES else "0x0.0p+0" for i in range(16)) + ",")
    j.append("    };")
    j += jarr("TANH_ROOT", roots["TANH"]) + jarr("QUICK_ROOT", roots["QUICK"])
    j += ["}", ""]
    jdir = os.path.join(ROOT, "java/src/main/java/dev/gelu/internal")
    os.makedirs(jdir, exist_ok=True)
    with open(os.path.join(jdir, "BackwardCoefficients.java"), "w") as fh:
        fh.write("\n".join(j))


if __name__ == "__main__":
    main()
