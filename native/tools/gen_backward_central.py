#!/usr/bin/env python3
"""Generates native/src/gelu_backward_central.h: the backward kernels' first tier (AVX-512 looks
the table up by permutes, AVX2 by rows of the piece-major copy).

Why: the backward's general sequence (gelu_backward_body.h) pays one exp per lane, and a division
for tanh and quick, so that it holds its relative accuracy over the whole float range. On the
central range, where nearly all pre-activations fall, a table needs neither. With a = |x| and
D(a) = GELU'(-a) (both forms' derivative is even about the crossing in this sense: GELU'(a) =
1 - D(a) for every form, since Phi(a) = 1 - Phi(-a), sigma(v) = 1 - sigma(-v) and the second
term is odd times odd), one table of D on a in [0, HI) serves both signs:
  GELU'(x) = D(a) for x < 0,  1 - D(a) for x >= 0.
D is fitted on the 16 pieces the forward kernels use (k = round(fma(a, A, B)), the constants of
gen_cr_central.py, recomputed here), as D = P_k(s), s = a - CENTRE[k], one polynomial of degree
DEGREES[form] per piece. On the piece holding the zero crossing a = r (x = -0.7518 for erf, about the
same for the others) CENTRE = R_HI, where s is exact (Sterbenz, as in gen_backward.py), and
P = (s - R_LO) K(s) with K fitted to D/(a - r) at one degree less and multiplied out: its
constant term is -R_LO K(0), tiny, and Horner's last step fma(p, s, c0) rounds once, so D
keeps its relative accuracy however close a is to r. On every other piece P fits D itself.

For x < 0 the result is D itself, so the pieces that negative lanes reach (a <= -LO, pieces
0..9) are fitted and judged relative to D; for x >= 0 an error e in D is an error e in
1 - D >= 1/2, so pieces 10..15 (positive lanes only) are judged in absolute terms. The tier
takes a group only when every x is in (LO, HI), and keeps a lane only when GELU' lies at least
2^15 double ulps (2^-38 relative at least) from a midpoint between floats, which needs the total
error under that; the worst measured fit error is printed and checked against 2^BOUND = 2^-40.5
(a third of it: the error is relative on pieces 0..9, and on 10..15 absolute against a result
of at least 1/2). Each form takes the least degree that fits (erf and tanh 9, quick 10: its
logistic has poles nearer the real axis); the AVX-512 kernel runs 1.05-1.13 times as fast as
at degree 11 with the test at 2^12 ulps. The exhaustive run of gelu_exhaustive_deriv (or
gelu_bitcompare against the last proven build) proves the results; this bound only keeps the
share of lanes the test sends back small.
Needs mpmath (Debian: python3-mpmath).
"""
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_backward import cheb_monomial, horner, root_split  # noqa: E402

mp.mp.dps = 50
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PIECES = 16
# Each form's degree: the least whose worst fit error stays under 2^BOUND (sampled below). The
# kernel keeps a lane when GELU' is not within 2^15 double ulps (2^-38 relative at least) of a
# midpoint between floats, above 2^-40.5 (2^13.5 ulps at most) by about 3x; a smaller degree saves
# two permutes and two FMAs per coefficient per 16 lanes.
DEGREES = {"erf": 9, "tanh": 9, "quick": 10}
DEGREE = max(DEGREES.values())  # the table's rows: coefficients up to DEGREE, then CENTRE
BOUND = -40.5
HI = 5.5
LO = -10 * HI / PIECES  # -3.4375: pieces 0..9 hold every a of a negative lane
A = float(mp.mpf(PIECES) / HI * (1 - mp.mpf(2) ** -20))
B = float(-mp.mpf(HI) / 2 * A + (PIECES - 1) / mp.mpf(2))
NEG_PIECES = 10
ROW = 16  # doubles a row of the piece-major copy: DEGREE + 2 used, a power of 2 for the index
C1T = 2 * mp.sqrt(2 / mp.pi)
K_TANH = mp.mpf("0.044715")
K_QUICK = mp.mpf("1.702")


def sig_neg(v):  # sigma(-v)
    return 1 / (1 + mp.exp(v))


def d_erf(a):
    return mp.erfc(a / mp.sqrt(2)) / 2 - a * mp.exp(-a * a / 2) / mp.sqrt(2 * mp.pi)


def d_tanh(a):
    v, vp = C1T * (a + K_TANH * a ** 3), C1T * (1 + 3 * K_TANH * a * a)
    s = sig_neg(v)
    return s - a * vp * s * (1 - s)


def d_quick(a):
    s = sig_neg(K_QUICK * a)
    return s - a * K_QUICK * s * (1 - s)


FORMS = [("erf", d_erf), ("tanh", d_tanh), ("quick", d_quick)]  # the order of enum gelu_form


def piece_bounds(k):
    """a with round(fma(a, A, B)) = k, widened by 2^-30 for the rounding of fma's result"""
    lo = (k - mp.mpf(1) / 2 - mp.mpf(B)) / mp.mpf(A)
    hi = (k + mp.mpf(1) / 2 - mp.mpf(B)) / mp.mpf(A)
    return max(mp.mpf(0), lo - mp.mpf(2) ** -30), hi + mp.mpf(2) ** -30


def worst_error(f, cs, lo, hi, centre, relative, samples=400):
    w = mp.mpf(0)
    for i in range(samples + 1):
        a = lo + (hi - lo) * (i + mp.mpf(0.377)) / (samples + 1)
        s = a - mp.mpf(centre)
        got = horner(cs, s)
        w = max(w, abs(got / f(a) - 1) if relative else abs(got - f(a)))
    return float(mp.log(w, 2))


def fit_form(name, f):
    degree = DEGREES[name]
    r, r_hi, r_lo = root_split(f, 0.75)
    rows = {"centre": [], "coef": []}
    worst = -999.0
    for k in range(PIECES):
        lo, hi = piece_bounds(k)
        if lo <= r < hi:
            kc = [mp.mpf(c) for c in cheb_monomial(lambda a: f(a) / (a - r), lo, hi, degree - 1, r_hi)] + [0]
            r_lo_exact = r - mp.mpf(r_hi)  # a - r = s - r_lo_exact
            cs = [float(-r_lo_exact * kc[0])] + [float(kc[j - 1] - r_lo_exact * kc[j]) for j in range(1, degree + 1)]
            centre = r_hi
        else:
            centre = float((lo + hi) / 2)
            cs = cheb_monomial(f, lo, hi, degree, centre)
        e = worst_error(f, cs, lo, hi, centre, k < NEG_PIECES)
        print(f"{name} piece {k:2d}: worst {'relative' if k < NEG_PIECES else 'absolute'} error 2^{e:.1f}",
              file=sys.stderr)
        worst = max(worst, e)
        rows["centre"].append(centre), rows["coef"].append(list(cs) + [0.0] * (DEGREE - degree))
    if worst > BOUND:
        sys.exit(f"{name}: the fit's worst error 2^{worst:.1f} is above 2^{BOUND}")
    return rows, worst


def main():
    hexs = lambda v: float(v).hex()
    row = lambda vals: "{" + ", ".join(hexs(v) for v in vals) + "}"
    out = ["/* Generated by native/tools/gen_backward_central.py: do not edit. */",
           "#ifndef GELU_BACKWARD_CENTRAL_H", "#define GELU_BACKWARD_CENTRAL_H", "",
           f"#define GELU_BWD_C_DEGREE {DEGREE}",
           "/* each form's degree (erf, tanh, quick): its coefficients above it are zeros */",
           "#define GELU_BWD_C_DEGREES {" + ", ".join(str(DEGREES[n]) for n, _ in FORMS) + "}",
           "/* a lane is kept when GELU' is not within ULPS double ulps of a midpoint between floats */",
           "#define GELU_BWD_C_ULPS (1 << 15)",
           "/* the tier takes x in (LO, HI); piece k = round(fma(|x|, A, B)) */",
           f"#define GELU_BWD_C_LO {hexs(LO)}", f"#define GELU_BWD_C_HI {hexs(HI)}",
           f"#define GELU_BWD_C_A {hexs(A)}", f"#define GELU_BWD_C_B {hexs(B)}",
           "/* rows of a form's table: the coefficients of s^0..s^DEGREE, then CENTRE */",
           "#define GELU_BWD_C_CENTRE (GELU_BWD_C_DEGREE + 1)", "",
           "/* D(a) = GELU'(-a) on piece k: sum [j][k] s^j, s = a - CENTRE[k]; one table per form",
           "   (erf, tanh, quick), one row per 16-entry permute. */",
           "static const double gelu_bwd_central[3][GELU_BWD_C_DEGREE + 2][16] __attribute__((aligned(64))) = {"]
    fits = [(name,) + fit_form(name, f) for name, f in FORMS]
    for name, rows, worst in fits:
        out.append(f"    /* {name}: worst fit error 2^{worst:.1f} */")
        out.append("    {")
        for j in range(DEGREE + 1):
            out.append("        " + row(rows["coef"][k][j] for k in range(PIECES)) + ",")
        out.append("        " + row(rows["centre"]) + ",")
        out.append("    },")
    out += ["};", "",
            "/* The same numbers piece-major, for ISAs that load a lane's row (AVX2): row k holds piece k's",
            "   coefficients of s^0..s^DEGREE, then CENTRE, then zeros to a power-of-2 length. */",
            f"#define GELU_BWD_C_ROW {ROW}",
            "static const double gelu_bwd_central_rows[3][16][GELU_BWD_C_ROW] __attribute__((aligned(64))) = {"]
    for name, rows, worst in fits:
        out.append(f"    /* {name} */")
        out.append("    {")
        for k in range(PIECES):
            vals = list(rows["coef"][k]) + [rows["centre"][k]]
            out.append("        " + row(vals + [0.0] * (ROW - len(vals))) + ",")
        out.append("    },")
    out += ["};", "", "#endif", ""]
    with open(os.path.join(ROOT, "native/src/gelu_backward_central.h"), "w") as fh:
        fh.write("\n".join(out))


if __name__ == "__main__":
    main()
