#!/usr/bin/env python3
"""Generates the coefficient tables of the faithful kernels (native/src/gelu_faithful_coeffs.h
and java/src/main/java/dev/gelu/internal/FaithfulCoefficients.java), bit for bit the same doubles.

Why this shape: the faithful mode promises one of the two floats around the exact value, so
the value before the one rounding to float needs only a relative error below 2^-25. Every
form is y = x (1 - Q(|x|)) for x >= 0 and x Q(|x|) for x < 0, Q(a) = Phi(-a), sigma(-2u(a))
or sigma(-1.702 a), so one table of Q on a in [0, HI) serves both signs: y = fma(-a, Q, max(0, x)),
one rounding in double. On that range Q is smooth enough for 16 pieces of one polynomial of
degree DEGREE in t, evaluated in double, with no exp at all: the piece is chosen from
r = fma(a, A, B) as k = round(r), t = r - k in [-1/2, 1/2], and a coefficient is one
16-entry table lookup (an AVX-512 two-register permute). For x >= 0 an error e of Q moves y
by only e Q/(1 - Q) relative, so the fit is judged relative to y (about 2^-27): relative to Q
where x may be negative (a <= -LO), and to Q/(1 - Q) beyond. Above HI the erf and tanh kernels
hold a at HI: Q(HI) < 2^-25, so y is x or the float below it, both faithful. The quick form's Q
falls slowly (Q(HI) = 8.6e-5), so above HI it takes its exp path (below). NaN and the
infinities take the correctly rounded kernel, which is faithful too.

The negative tail x < LO has its own path, exp-based and also held to about 2^-30: down to
-AMAX (the correctly rounded kernels' clamp, beyond which every result is -0) the erf form is
x exp(-a^2/2 + H(a)), H(a) = ln(Q(a)) + a^2/2 smooth, from 16 pieces of degree TAIL_DEGREE on
[-LO, ERF_AMAX]; the tanh form is x e (1 - e + e^2), e = exp(-2u(a)) (sigma(-2u) = e/(1 + e)
and e < 2^-10 here). The quick form, on both sides outside [LO, HI), has Q = e/(1 + e),
e = exp(-1.702 a) with a held at WMAX = 64: one division, correctly rounded on every backend.
exp(v) = 2^k p(r), |r| <= ln2/2, p of degree EXP_DEGREE.

The same pieces with degree CR_DEGREE give the correctly rounded kernels a first tier on the
central range: Q within 2^-42 of the exact value, so that a rounding test at 2^-40 accepts all
but about one lane in 2^15 (C only: a correctly rounded result does not depend on the path).

A is 16/HI shrunk by 2^-20 so that every a in [0, HI) gives r strictly inside (-1/2, 15.5)
despite rounding, hence k in [0, 15]. Needs mpmath (Debian: python3-mpmath).
The exhaustive checker (native/tools/gelu_exhaustive --faithful) must be rerun afterwards.
"""
import os
import sys
import mpmath as mp

mp.mp.dps = 50
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PIECES = 16
DEGREE = 6
CR_DEGREE = 9
HI = 5.5
LO = -10 * HI / PIECES  # a piece boundary: -3.4375; below it x < 0 needs no piece
A = float(mp.mpf(PIECES) / HI * (1 - mp.mpf(2) ** -20))
B = float(-mp.mpf(HI) / 2 * A + (PIECES - 1) / mp.mpf(2))
SQRT_2_PI = mp.sqrt(2 / mp.pi)
TAIL_DEGREE = 5
TAIL_LO, TAIL_HI = -LO, 15.0  # a = |x|; 15 = ERF_AMAX of gen_coeffs.py
TAIL_A = float(mp.mpf(PIECES) / (TAIL_HI - TAIL_LO) * (1 - mp.mpf(2) ** -20))
TAIL_B = float(-(mp.mpf(TAIL_LO) + TAIL_HI) / 2 * TAIL_A + (PIECES - 1) / mp.mpf(2))
EXP_DEGREE = 7


def q_erf(a):
    return mp.erfc(a / mp.sqrt(2)) / 2


def q_tanh(a):
    return 1 / (1 + mp.exp(2 * SQRT_2_PI * (a + mp.mpf("0.044715") * a ** 3)))


def q_quick(a):
    return 1 / (1 + mp.exp(mp.mpf("1.702") * a))


FORMS = [("erf", "Phi(-a)", q_erf), ("tanh", "sigma(-2 sqrt(2/pi) (a + 0.044715 a^3))", q_tanh),
         ("quick", "sigma(-1.702 a)", q_quick)]
CR_FORMS = ("erf", "tanh")  # the correctly rounded quick kernels have no central tier


def tail_h(a):
    return mp.log(q_erf(a)) + a * a / 2


def tail_a_of(k, t):
    return (k + mp.mpf(t) - mp.mpf(TAIL_B)) / mp.mpf(TAIL_A)


def cheb(f, lo, hi, deg):
    """Chebyshev interpolant of f on [lo, hi] as monomial coefficients in x, rounded to double."""
    n = deg + 1
    nodes = [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (j + mp.mpf(1) / 2) / n) for j in range(n)]
    m = mp.matrix([[u ** p for p in range(n)] for u in nodes])
    c = mp.lu_solve(m, mp.matrix([f(u) for u in nodes]))
    return [float(c[p]) for p in range(n)]


def a_of(k, t):
    return (k + mp.mpf(t) - mp.mpf(B)) / mp.mpf(A)


def fit_piece(f, k, degree=DEGREE):
    """Chebyshev interpolant in t on [-1/2, 1/2], as monomial coefficients rounded to double."""
    n = degree + 1
    nodes = [mp.cos(mp.pi * (j + mp.mpf(1) / 2) / n) / 2 for j in range(n)]
    m = mp.matrix([[u ** p for p in range(n)] for u in nodes])
    c = mp.lu_solve(m, mp.matrix([f(a_of(k, u)) for u in nodes]))
    return [float(c[p]) for p in range(n)]


def horner(coefs, t):
    p = mp.mpf(0)
    for c in reversed(coefs):
        p = p * t + mp.mpf(c)
    return p


def worst_log2(f, k, coefs, samples=200):
    """The worst error that the piece's Q causes in y, relative to y, for either sign of x."""
    worst = mp.mpf(0)
    for s in range(samples + 1):
        t = -0.5 + s / samples
        p = mp.mpf(0)
        for c in reversed(coefs):
            p = p * t + mp.mpf(c)
        a = a_of(k, t)
        q = f(a)
        e = abs(p / q - 1)
        worst = max(worst, e * q / (1 - q), e if a <= -LO else 0)
    return float(mp.log(worst, 2))


def main():
    tables = {}
    for name, _, f in FORMS:
        pieces = [fit_piece(f, k) for k in range(PIECES)]
        errs = [worst_log2(f, k, pieces[k]) for k in range(PIECES)]
        print(f"{name}: worst relative error of y from Q 2^{max(errs):.1f} (piece {errs.index(max(errs))})",
              file=sys.stderr)
        tables[name] = [[pieces[k][p] for k in range(PIECES)] for p in range(DEGREE + 1)]
        if name not in CR_FORMS:
            continue
        pieces = [fit_piece(f, k, CR_DEGREE) for k in range(PIECES)]
        errs = [worst_log2(f, k, pieces[k]) for k in range(PIECES)]
        print(f"{name}, correctly rounded tier: worst relative error of y from Q 2^{max(errs):.1f}", file=sys.stderr)
        tables["cr_" + name] = [[pieces[k][p] for k in range(PIECES)] for p in range(CR_DEGREE + 1)]
    half = mp.mpf(1) / 2
    tail = [cheb(lambda t, k=k: tail_h(tail_a_of(k, t)), -half, half, TAIL_DEGREE) for k in range(PIECES)]
    worst = max(abs(horner(tail[k], -half + s / mp.mpf(100)) - tail_h(tail_a_of(k, -half + s / mp.mpf(100))))
                for k in range(PIECES) for s in range(101))
    print(f"erf tail: worst absolute error of H (relative of Q) 2^{float(mp.log(worst, 2)):.1f}", file=sys.stderr)
    ln2 = mp.log(2)
    expc = cheb(mp.exp, -ln2 / 2, ln2 / 2, EXP_DEGREE)
    worst = max(abs(horner(expc, -ln2 / 2 + ln2 * s / 400) / mp.exp(-ln2 / 2 + ln2 * s / 400) - 1) for s in range(401))
    print(f"exp: worst relative error 2^{float(mp.log(worst, 2)):.1f}", file=sys.stderr)
    tables["tail"] = [[tail[k][p] for k in range(PIECES)] for p in range(TAIL_DEGREE + 1)]
    h = lambda v: float(v).hex()
    consts = [("A", A, "r = fma(|x|, A, B); piece k = round(r), t = r - k"), ("B", B, ""),
              ("LO", LO, "lanes below LO (and NaN) take the correctly rounded kernel"),
              ("HI", HI, "erf, tanh: |x| is held at HI for the table, Q(HI) < 2^-25; quick: lanes from HI on take exp"),
              ("TAIL_A", TAIL_A, "erf tail, a = |x| in (-LO, ERF_AMAX]: r = fma(a, TAIL_A, TAIL_B)"),
              ("TAIL_B", TAIL_B, "")]

    c = ["/* Generated by native/tools/gen_faithful.py: do not edit. */",
         "#ifndef GELU_FAITHFUL_COEFFS_H", "#define GELU_FAITHFUL_COEFFS_H", "",
         f"#define GELU_FAITHFUL_DEGREE {DEGREE}", f"#define GELU_FAITHFUL_TAIL_DEGREE {TAIL_DEGREE}",
         f"#define GELU_FAITHFUL_EXP_DEGREE {EXP_DEGREE}", f"#define GELU_CR_CENTRAL_DEGREE {CR_DEGREE}", ""]
    for n, v, why in consts:
        if why:
            c.append(f"/* {why} */")
        c.append(f"#define GELU_FAITHFUL_{n} {h(v)}")
    for name, what, _ in FORMS:
        c += ["", f"/* Q(a) = {what} on piece k: sum [p][k] t^p. Coefficient-major: a row is one table. */",
              f"static const double gelu_faithful_{name}_coef[GELU_FAITHFUL_DEGREE + 1][16] "
              "__attribute__((aligned(64))) = {"]
        c += ["    {" + ", ".join(h(v) for v in row) + "}," for row in tables[name]]
        c.append("};")
    for name, what, _ in (f for f in FORMS if f[0] in CR_FORMS):
        c += ["", f"/* The correctly rounded kernels' central tier: Q(a) = {what}, the same pieces, degree CR. */",
              f"static const double gelu_cr_central_{name}_coef[GELU_CR_CENTRAL_DEGREE + 1][16] "
              "__attribute__((aligned(64))) = {"]
        c += ["    {" + ", ".join(h(v) for v in row) + "}," for row in tables["cr_" + name]]
        c.append("};")
    c += ["", "/* erf tail: H(a) = ln(Phi(-a)) + a^2/2 on piece k: sum [p][k] t^p. */",
          "static const double gelu_faithful_tail_coef[GELU_FAITHFUL_TAIL_DEGREE + 1][16] "
          "__attribute__((aligned(64))) = {"]
    c += ["    {" + ", ".join(h(v) for v in row) + "}," for row in tables["tail"]]
    c += ["};", "", "/* exp(r) ~ sum [p] r^p on |r| <= ln2/2 */",
          "static const double gelu_faithful_exp_coef[GELU_FAITHFUL_EXP_DEGREE + 1] = {"]
    c += [f"    {h(v)}," for v in expc]
    c += ["};", "", "#endif", ""]
    with open(os.path.join(ROOT, "native/src/gelu_faithful_coeffs.h"), "w") as fh:
        fh.write("\n".join(c))

    j = ["// Generated by native/tools/gen_faithful.py: do not edit.", "package dev.gelu.internal;", "",
         "/** The faithful kernels' tables, bit for bit those of the C kernels. */",
         "public final class FaithfulCoefficients {", "    private FaithfulCoefficients() {}", "",
         f"    public static final int DEGREE = {DEGREE};", f"    public static final int TAIL_DEGREE = {TAIL_DEGREE};",
         f"    public static final int EXP_DEGREE = {EXP_DEGREE};"]
    for n, v, why in consts:
        if why:
            j.append(f"    /** {why} */")
        j.append(f"    public static final double {n} = {h(v)};")
    for name, what, _ in FORMS:
        j += ["", f"    /** Q(a) = {what} on piece k: sum [16p + k] t^p. */",
              f"    public static final double[] {name.upper()} = {{"]
        j += ["        " + ", ".join(h(v) for v in row) + "," for row in tables[name]]
        j.append("    };")
    j += ["", "    /** erf tail: H(a) = ln(Phi(-a)) + a^2/2 on piece k: sum [16p + k] t^p. */",
          "    public static final double[] TAIL = {"]
    j += ["        " + ", ".join(h(v) for v in row) + "," for row in tables["tail"]]
    j += ["    };", "", "    /** exp(r) ~ sum [p] r^p on |r| <= ln2/2. */", "    public static final double[] EXP = {"]
    j += [f"        {h(v)}," for v in expc]
    j += ["    };", "}", ""]
    with open(os.path.join(ROOT, "java/src/main/java/dev/gelu/internal/FaithfulCoefficients.java"), "w") as fh:
        fh.write("\n".join(j))


if __name__ == "__main__":
    main()
