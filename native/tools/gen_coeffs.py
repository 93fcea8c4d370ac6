#!/usr/bin/env python3
"""Generates the polynomial coefficients and constants shared by every GELU backend.

Writes native/src/gelu_coeffs.h and java/src/main/java/dev/gelu/internal/Coefficients.java.
Both get the same doubles as exact hexadecimal literals, so the C and Java kernels start
from identical bits. Needs mpmath (Debian: python3-mpmath). Re-run after changing a degree
or a range; the exhaustive checker (native/tools) must be re-run afterwards.

Why this shape:
  Q(a) = Phi(-a) = exp(-a^2/2) * G(a) for a = |x| >= 0.  G (a scaled erfcx) is smooth and
  slowly varying on [0, 15], so a few pieces of a polynomial in (a - centre) approximate it
  to ~2^-52; exp(-a^2/2) has an exact argument because a float's square is exact in double.
  The fits are Chebyshev interpolants computed at 60 digits, then rounded to double; the
  script prints the worst relative error of the rounded polynomial on a dense grid.
"""
import os
import sys
import mpmath as mp

mp.mp.dps = 60
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

G_PIECES = 15        # pieces of width 1 covering a in [0, 15]
G_DEGREE = 14
EXP_DEGREE = 11      # exp(r) on |r| <= ln2/2
TABLE_WIDTH = 16     # one AVX-512 two-register permute covers 16 entries
ERF_AMAX = 15.0      # Q(15)*15 < 2^-150: every x <= -15 gives -0, every x >= 15 gives x
# The fast tier of the AVX-512 kernels: accurate to about 2^-36 and checked by a wider
# rounding test, so that the rare lanes it cannot decide take the path above.
#   erf:  Q(a) = u * exp(-a^2/2 + P(u)), u = 0.5/(1 + FAST_P a): no table, one division
#   both: exp(t) = 2^(k/16) * e^r, |r| <= ln2/32, 2^(j/16) from a 16-entry table
FAST_P = 0.28125
FAST_ERF_DEGREE = 14
FAST_EXP_DEGREE = 5
TANH_WMAX = 12.0     # v(12) = 142: exp(-142)*12 < 2^-150, and 1 - exp(-142) == 1 in double
# quick form x*sigma(1.702 x): |GELU(-a)| = a/(1 + e^(1.702 a)) falls below 2^-150 (half the least
# subnormal) at a = 63.5 (main() finds and checks it); at 64, v = 109: 1 - exp(-109) == 1 in
# double, and exp(-109) = 2^-157.2 keeps 2^k a normal double in exp_neg.
QUICK_WMAX = 64.0
QUICK_C = mp.mpf("1.702")  # the exact decimal


def G(a):
    return mp.erfc(a / mp.sqrt(2)) / 2 * mp.exp(a * a / 2)


def cheb_monomial(f, lo, hi, deg, centred=True):
    """Chebyshev interpolant of f on [lo, hi] as monomial coefficients in s = x - centre
    (or in x itself when centred is False)."""
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
    mono = [mp.mpf(0)] * n
    for j in range(n):
        for i, t in enumerate(T[j]):
            mono[i] += cc[j] * t
    mono = [mono[i] / h ** i for i in range(n)]
    if not centred:  # expand sum m_i (x - c)^i into powers of x before rounding
        mono = [mp.fsum(mono[i] * mp.binomial(i, j) * (-c) ** (i - j) for i in range(j, n))
                for j in range(n)]
    return [float(m) for m in mono]


def worst_rel_err(f, coefs, lo, hi, centre, samples=400):
    worst = mp.mpf(0)
    for i in range(samples + 1):
        x = mp.mpf(lo) + (mp.mpf(hi) - lo) * i / samples
        p = mp.mpf(0)
        for cf in reversed(coefs):
            p = p * (x - centre) + cf
        worst = max(worst, abs(p / f(x) - 1))
    return float(mp.log(worst, 2))


def d(v):
    return float(v)


def quick_zero_bound():
    """The a beyond which x*sigma(1.702 x) at x = -a rounds to -0: a/(1 + e^(1.702 a)) = 2^-150."""
    f = lambda a: mp.log(a) - mp.log1p(mp.exp(QUICK_C * a)) + 150 * mp.log(2)
    return mp.findroot(f, 63.5)


def main():
    zb = quick_zero_bound()
    assert zb < QUICK_WMAX and QUICK_WMAX * QUICK_C < 1022 * mp.log(2) - 40
    print(f"quick: every x <= -{float(zb):.6f} gives -0; clamp QUICK_WMAX = {QUICK_WMAX}", file=sys.stderr)
    g = [cheb_monomial(G, i, i + 1, G_DEGREE) for i in range(G_PIECES)]
    for i, cs in enumerate(g):
        e = worst_rel_err(G, cs, i, i + 1, i + 0.5, 120)
        print(f"G piece {i:2d}: worst relative error 2^{e:.1f}", file=sys.stderr)
    half_ln2 = mp.log(2) / 2
    ex = cheb_monomial(mp.exp, -half_ln2, half_ln2, EXP_DEGREE)
    print(f"exp: worst relative error 2^{worst_rel_err(mp.exp, ex, -half_ln2, half_ln2, 0):.1f}",
          file=sys.stderr)

    ln2 = mp.log(2)
    fp = mp.mpf(FAST_P)

    def fast_f(u):  # log(Q(a)/u) + a^2/2 where u = 0.5/(1 + p a)
        a = (1 / (2 * u) - 1) / fp
        return mp.log(mp.erfc(a / mp.sqrt(2)) / 2 / u) + a * a / 2
    u_lo = mp.mpf(0.5) / (1 + ERF_AMAX * fp)
    fast_erf = cheb_monomial(fast_f, u_lo, 0.5, FAST_ERF_DEGREE, centred=False)
    worst = mp.mpf(0)
    for i in range(401):
        u = u_lo + (mp.mpf(0.5) - u_lo) * i / 400
        worst = max(worst, abs(mp.polyval([mp.mpf(c) for c in reversed(fast_erf)], u) - fast_f(u)))
    print(f"fast erf P(u): worst absolute error 2^{float(mp.log(worst, 2)):.1f}", file=sys.stderr)
    r16 = ln2 / 32
    fast_exp = cheb_monomial(mp.exp, -r16, r16, FAST_EXP_DEGREE)
    print(f"fast exp: worst relative error 2^{worst_rel_err(mp.exp, fast_exp, -r16, r16, 0):.1f}",
          file=sys.stderr)
    exp2_16 = [d(mp.mpf(2) ** (mp.mpf(j) / 16)) for j in range(16)]
    ln2_hi = d(ln2)
    consts = [
        ("EXP_SHIFT", 6755399441055744.0, "0x1.8p52: adding it rounds to an integer in the low bits"),
        ("LOG2E", d(1 / ln2), "1/ln 2"),
        ("LN2_HI", ln2_hi, "ln 2 rounded to double"),
        ("LN2_LO", d(ln2 - mp.mpf(ln2_hi)), "ln 2 - LN2_HI"),
        ("ERF_AMAX", ERF_AMAX, "|x| clamp of the erf form; beyond it the result is x or -0"),
        ("TANH_WMAX", TANH_WMAX, "|x| clamp of the tanh form; beyond it the result is x or -0"),
        ("TANH_C1", d(2 * mp.sqrt(2 / mp.pi)), "2*sqrt(2/pi): v = x*(C1 + C3*x^2) is twice the tanh argument"),
        ("TANH_C3", d(2 * mp.sqrt(2 / mp.pi) * mp.mpf("0.044715")), "2*sqrt(2/pi)*0.044715"),
        ("QUICK_WMAX", QUICK_WMAX, "|x| clamp of the quick form (-0 from x <= -63.53); beyond it the result is x or -0"),
        ("QUICK_C", d(QUICK_C), "1.702 rounded to double: v = 1.702 x, the quick form's sigmoid argument"),
        ("Q_MAX", 0.5 - 2.0 ** -50, "caps Q below 1/2 so tiny |x| round as x/2 + (positive nudge)"),
        ("FLAG_LO", 1 - 2.0 ** -40, "rounding test: y*(1 -+ 2^-40) must round to the same float"),
        ("FLAG_HI", 1 + 2.0 ** -40, ""),
        ("FAST_P", FAST_P, "fast erf tier: u = 0.5/(1 + FAST_P a)"),
        ("FAST_EXP_SCALE", d(16 / ln2), "16/ln 2: k = round(t * 16/ln2)"),
        ("FAST_LN2_16", d(ln2 / 16), "ln 2 / 16 rounded to double; k*error < 2^-46 for |t| < 150"),
        ("FAST_FLAG_ERF_LO", 1 - 2.0 ** -34, "fast-tier rounding tests: wider than the fast tier's error"),
        ("FAST_FLAG_ERF_HI", 1 + 2.0 ** -34, ""),
        ("FAST_FLAG_TANH_LO", 1 - 2.0 ** -38, "also the quick form's: the same exp and division"),
        ("FAST_FLAG_TANH_HI", 1 + 2.0 ** -38, ""),
    ]

    hexs = lambda v: float(v).hex()
    # ---- C header
    out = ["/* Generated by native/tools/gen_coeffs.py: do not edit. */",
           "#ifndef GELU_COEFFS_H", "#define GELU_COEFFS_H", "",
           f"#define GELU_G_PIECES {G_PIECES}", f"#define GELU_G_DEGREE {G_DEGREE}",
           f"#define GELU_EXP_DEGREE {EXP_DEGREE}", f"#define GELU_TABLE_WIDTH {TABLE_WIDTH}", ""]
    for name, v, why in consts:
        if why:
            out.append(f"/* {why} */")
        out.append(f"#define GELU_{name} {hexs(v)}")
    out.append("")
    def c_array(doc, decl, values):
        return [f"/* {doc} */", f"static const double {decl} = {{"] + [f"    {hexs(c)}," for c in values] + ["};"]

    out += c_array("exp(r) ~ sum EXP[k] r^k on |r| <= ln2/2", "gelu_exp_coef[GELU_EXP_DEGREE + 1]", ex)
    out.append("")
    out.append(f"#define GELU_FAST_ERF_DEGREE {FAST_ERF_DEGREE}")
    out.append(f"#define GELU_FAST_EXP_DEGREE {FAST_EXP_DEGREE}")
    out += c_array("fast erf tier: log(Q(a)/u) + a^2/2 ~ sum FAST_ERF[k] u^k, u = 0.5/(1 + FAST_P a)",
                   "gelu_fast_erf_coef[GELU_FAST_ERF_DEGREE + 1]", fast_erf)
    out += c_array("e^r ~ sum FAST_EXP[k] r^k on |r| <= ln2/32",
                   "gelu_fast_exp_coef[GELU_FAST_EXP_DEGREE + 1]", fast_exp)
    out += c_array("2^(j/16)", "gelu_exp2_16[16] __attribute__((aligned(64)))", exp2_16)
    out.append("")
    out.append("/* G(a) on piece i = [i, i+1): sum G[k][i] s^k with s = (a - i) - 0.5.")
    out.append("   Coefficient-major and padded to 16 entries, so one row is one 16-entry table. */")
    out.append(f"static const double gelu_g_coef[GELU_G_DEGREE + 1][GELU_TABLE_WIDTH] "
               f"__attribute__((aligned(64))) = {{")
    for k in range(G_DEGREE + 1):
        row = [g[i][k] for i in range(G_PIECES)] + [0.0] * (TABLE_WIDTH - G_PIECES)
        out.append("    {" + ", ".join(hexs(c) for c in row) + "},")
    out.append("};")
    out += ["", "#endif", ""]
    with open(os.path.join(ROOT, "native/src/gelu_coeffs.h"), "w") as fh:
        fh.write("\n".join(out))

    # ---- Java class
    j = ["// Generated by native/tools/gen_coeffs.py: do not edit.",
         "package dev.gelu.internal;", "",
         "/** Constants and polynomial coefficients shared bit for bit with the C kernels. */",
         "public final class Coefficients {", "    private Coefficients() {}", "",
         f"    public static final int G_PIECES = {G_PIECES};",
         f"    public static final int G_DEGREE = {G_DEGREE};",
         f"    public static final int EXP_DEGREE = {EXP_DEGREE};",
         f"    public static final int TABLE_WIDTH = {TABLE_WIDTH};", ""]
    for name, v, why in consts:
        if why:
            j.append(f"    /** {why} */")
        j.append(f"    public static final double {name} = {hexs(v)};")
    j.append("")
    def java_array(doc, name, values):
        return ([f"    /** {doc} */", f"    public static final double[] {name} = {{"]
                + [f"        {hexs(c)}," for c in values] + ["    };"])

    j += java_array("exp(r) ~ sum EXP[k] r^k on |r| <= ln2/2.", "EXP", ex)
    j.append("")
    # the Java first tier uses the reference exp (see VectorKernels), so no FAST_EXP or EXP2_16
    j.append(f"    public static final int FAST_ERF_DEGREE = {FAST_ERF_DEGREE};")
    j += java_array("Fast erf tier: log(Q(a)/u) + a^2/2 ~ sum FAST_ERF[k] u^k, u = 0.5/(1 + FAST_P a).",
                    "FAST_ERF", fast_erf)
    j.append("")
    j.append("    /** G on piece i: sum G[k*TABLE_WIDTH + i] s^k, s = (a - i) - 0.5; coefficient-major. */")
    j.append("    public static final double[] G = {")
    for k in range(G_DEGREE + 1):
        row = [g[i][k] for i in range(G_PIECES)] + [0.0] * (TABLE_WIDTH - G_PIECES)
        j.append("        " + ", ".join(hexs(c) for c in row) + ",")
    j.append("    };")
    j += ["}", ""]
    jdir = os.path.join(ROOT, "java/src/main/java/dev/gelu/internal")
    os.makedirs(jdir, exist_ok=True)
    with open(os.path.join(jdir, "Coefficients.java"), "w") as fh:
        fh.write("\n".join(j))


if __name__ == "__main__":
    main()
