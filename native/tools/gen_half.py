#!/usr/bin/env python3
"""Generates the float32 tables of the 16-bit kernels' fast path: native/src/gelu_half_coeffs.h
(the C kernels) and java/src/main/java/dev/gelu/internal/HalfCoefficients.java (the Java Vector
API kernels: the same tables and constants; they leave x below -A_SCALE to their double path).

Why this shape: a bf16 result has 8 significant bits and an f16 result 11, so a float32
evaluation a few float ulps from the exact value decides the 16-bit rounding of all but a
small fraction of inputs (the rest, flagged by a window test on the low bits, take the
double-precision path). As in the faithful kernels, y = fma(-|x|, Q(|x|), max(0, x)) with
Q(a) = Phi(-a) or sigma(-2u(a)), here in float, one 32-entry table lookup per coefficient (an
AVX-512 two-register permute), each piece a Chebyshev interpolant of degree DEGREE in t in
[-1/2, 1/2), its coefficients rounded to float; the error printed is that of the float Horner
evaluation, relative to the piece's function.

Pieces 0..15: Q itself on a in [0, 4), width 1/4 (r = 4a exact, k = trunc(r), t = r - k - 1/2).
Pieces 16..31, the tail, a in [4, 20), width 1 (r = a + 12, k = trunc(r), t = r - k - 1/2, r
rounded by at most 2^-20): Q(a) = R(a) E(a), E(a) = exp(-(G(a) - G4)) computed in float with its
argument split exactly (G(a) = a^2/2 for erf, C3 a^3 + a for tanh (the rest of its C1 a goes to R) and a C for
quick, with float constants C3, C; G4 the float evaluation of G(4), so that E(4) = 1 exactly and lanes
below 4 in a register that takes the tail are unchanged) and R(a) = Q(a) e^(G(a) - G4) smooth
(about 1/a for erf, about e^(-G4) for the others), held at a = 20 (Q(20) < 2^-49 relative for
quick, where R is still 1 within that; the other forms are zero there). E needs a float normal
result: for x >= -A_SCALE (Q(A_SCALE) >= 2^-123) a is held at A_SCALE; below it, down to -A_MAX
(where the bf16 result turns -0, and every f16 result is -0 already), E is 2^DEEP_SCALE times
its value, so that Q and y stay float normal (the kernel takes the scale back out of y's bits:
bf16's subnormal results among them, with no subnormal float arithmetic). exp(-r),
|r| <= ln2/2, is 1 + r S(r), S of degree EXP_DEGREE.
Needs mpmath and numpy (Debian: python3-mpmath, python3-numpy).
"""
import os
import mpmath as mp
import numpy as np

mp.mp.dps = 40
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PIECES, DEGREE, GOAL = 32, 6, -22.0
DIRECT = 16  # pieces of width 1/4 on [0, 4); then the tail's pieces of width 1
# The window of the rounding test, in float ulps of y, for x > -4 and in the negative tail
# x <= -4 (per form; a register with a tail lane takes the tail's for all its lanes).
# gelu_half_ulps measures both (2026-12-06, the negative tail whole, the rest every 101st float):
# for x > -4, worst 1.8 ulps (erf), 2.4 (tanh), 2.0 (quick) (x >= 4 adds little: Q < 2^-9.8
# there); for x <= -4, 7.0 (erf), 15.5 (tanh: t = r - k - 1/2 is off by up to 2^-20 and its R
# changes by 0.6 per unit of a) and 14.2 (quick, at -50: R is held at a = 20, where quick's still
# changes by a (1.702 - C)).
ULPS = 4
TAIL_ULPS = {"erf": 8, "tanh": 16, "quick": 16}
A_SCALE = {"erf": 12.5, "tanh": 9.5, "quick": 50.0}
# x at or below -A_MAX: the correctly rounded bf16 result is -0 (|GELU(x)| below half of bf16's least
# subnormal, 2^-134; MPFR by bisection: -13.5615 erf, -10.3332 tanh, -56.9470 quick), rounded outward
A_MAX = {"erf": 13.625, "tanh": 10.375, "quick": 57.0}
# the same for f16 (half of its least subnormal, 2^-25; MPFR: -5.7239 erf, -5.2886 tanh, -11.6226 quick)
F16_ZERO_BELOW = {"erf": 5.75, "tanh": 5.3125, "quick": 11.625}
DEEP_SCALE = 64
EXP_DEGREE, EXP_R = 4, mp.mpf("0.3466") + mp.mpf(2) ** -10  # |r| <= ln2/2, a little more
SQRT_2_PI = mp.sqrt(2 / mp.pi)
f32 = lambda v: np.float32(float(v))
C3, CQ = f32(2 * SQRT_2_PI * mp.mpf("0.044715")), f32(mp.mpf("1.702"))
m32 = lambda v: mp.mpf(float(v))


def fma32(a, b, c):  # one rounding
    return f32(m32(a) * m32(b) + m32(c))


def g_float(name, a):
    """G(a) as the kernel evaluates it (the rounded head; its exact tail is kept apart)."""
    a = f32(a)
    if name == "erf":
        return f32(m32(f32(a * f32(0.5))) * m32(a))
    if name == "tanh":
        return f32(m32(f32(m32(C3) * m32(f32(m32(a) * m32(f32(m32(a) * m32(a))))))) + m32(a))
    return f32(m32(a) * m32(CQ))


def g_exact(name, a):
    """The function G whose float evaluation the kernel takes (its constants as floats)."""
    if name == "erf":
        return a * a / 2
    if name == "tanh":
        return m32(C3) * a ** 3 + a
    return a * m32(CQ)


FORMS = [("erf", "Phi(-a)", lambda a: mp.erfc(a / mp.sqrt(2)) / 2),
         ("tanh", "sigma(-2 sqrt(2/pi) (a + 0.044715 a^3))",
          lambda a: 1 / (1 + mp.exp(2 * SQRT_2_PI * (a + mp.mpf("0.044715") * a ** 3)))),
         ("quick", "sigma(-1.702 a)", lambda a: 1 / (1 + mp.exp(mp.mpf("1.702") * a)))]


def piece_a(k, t, tail):
    """a at t of piece k: width 1/4 below 4, width 1 in the tail (tail=False: width 1/4 throughout)."""
    return (k - 12 + mp.mpf(1) / 2 + t) if tail and k >= DIRECT else (k + mp.mpf(1) / 2 + t) / 4


def fit(f, k, tail):
    n = DEGREE + 1
    nodes = [mp.cos(mp.pi * (j + mp.mpf(1) / 2) / n) / 2 for j in range(n)]
    m = mp.matrix([[u ** p for p in range(n)] for u in nodes])
    c = mp.lu_solve(m, mp.matrix([f(piece_a(k, u, tail)) for u in nodes]))
    return [f32(c[p]) for p in range(n)]


def horner32(c, t):
    q = c[-1]
    for cj in reversed(c[:-1]):  # one rounding per fma
        q = fma32(q, t, cj)
    return q


def worst_log2(f, k, c, tail, samples=512):
    w = mp.mpf(0)
    for s in range(samples + 1):
        t = np.float32(-0.5 + s / samples)
        w = max(w, abs(m32(horner32(c, t)) / f(piece_a(k, m32(t), tail)) - 1))
    return float(mp.log(w, 2))


def exp_poly():
    """S of exp(-r) = 1 + r S(r) on |r| <= EXP_R, and the relative error of 1 + r S(r)."""
    n = EXP_DEGREE + 1
    nodes = [EXP_R * mp.cos(mp.pi * (j + mp.mpf(1) / 2) / n) for j in range(n)]
    m = mp.matrix([[u ** p for p in range(n)] for u in nodes])
    c = [f32(v) for v in mp.lu_solve(m, mp.matrix([mp.expm1(-u) / u for u in nodes]))]
    w = max(abs((1 + r * sum(m32(c[i]) * r ** i for i in range(n))) / mp.exp(-r) - 1)
            for r in (EXP_R * (2 * mp.mpf(s) / 2000 - 1) for s in range(2001)))
    return c, float(mp.log(w, 2))


def main():
    out = {}
    for name, _, f in FORMS:
        g4 = g_float(name, 4)
        r = lambda a, f=f, g4=g4: f(a) * mp.exp(g_exact(name, a) - m32(g4))
        pieces = [fit(f, k, True) if k < DIRECT else fit(r, k, True) for k in range(PIECES)]
        errs = [worst_log2(f if k < DIRECT else r, k, pieces[k], True) for k in range(PIECES)]
        assert max(errs) <= GOAL, (name, errs)
        a_scale, a_max = mp.mpf(A_SCALE[name]), mp.mpf(A_MAX[name])
        assert mp.log(f(a_scale), 2) >= -123  # Q and E normal above -A_SCALE
        assert a_max * f(a_max) < mp.mpf(2) ** -134  # bf16 -0 from -A_MAX down
        z16 = mp.mpf(F16_ZERO_BELOW[name])
        assert z16 * f(z16) < mp.mpf(2) ** -25  # f16 -0 from -F16_ZERO_BELOW down
        # scaled, Q, E and y normal down to -A_MAX, and y far below overflow
        assert mp.log(f(a_max), 2) + DEEP_SCALE >= -123 and a_scale * f(a_scale) * 2 ** DEEP_SCALE < 1
        print(f"{name}: worst relative error of Q 2^{max(errs[:DIRECT]):.1f} on [0, 4), of R "
              f"2^{max(errs[DIRECT:]):.1f} on [4, 20); G4 = {float(g4)}, A_SCALE = {A_SCALE[name]}, "
              f"A_MAX = {A_MAX[name]}")
        out[name] = ([[float(pieces[k][p]) for k in range(PIECES)] for p in range(DEGREE + 1)], g4)
    s, s_err = exp_poly()
    print(f"exp(-r) = 1 + r S(r): relative error 2^{s_err:.1f}")
    ln2 = mp.log(2)
    ln2_hi = f32(mp.floor(ln2 * 2 ** 16) / 2 ** 16)  # 16 bits: n ln2_hi is exact for n < 2^8
    ln2_lo = f32(ln2 - m32(ln2_hi))
    h = lambda v: float(v).hex()
    c = ["/* Generated by native/tools/gen_half.py: do not edit. */", "#ifndef GELU_HALF_COEFFS_H",
         "#define GELU_HALF_COEFFS_H", "", f"#define GELU_HALF_DEGREE {DEGREE}",
         "/* y is within this many float ulps of the exact value on the fast path, x > -4 */",
         f"#define GELU_HALF_ULPS {ULPS}",
         "/* r = min(4a, a + 12) is held below 32 (the last piece); the largest float below 32 */",
         f"#define GELU_HALF_R_MAX {h(np.nextafter(np.float32(32), np.float32(0)))}f",
         f"/* the tail's E(a) = exp(-(G(a) - G4)) = 2^-n (1 + r S(r)): S, ln 2 in two parts (n ln2_hi exact) */",
         f"#define GELU_HALF_EXP_DEGREE {EXP_DEGREE}",
         "static const float gelu_half_exp_s[GELU_HALF_EXP_DEGREE + 1] = {" + ", ".join(h(v) + "f" for v in s) + "};",
         f"#define GELU_HALF_LN2_HI {h(ln2_hi)}f", f"#define GELU_HALF_LN2_LO {h(ln2_lo)}f",
         f"#define GELU_HALF_LOG2E {h(f32(1 / ln2))}f",
         f"/* tanh's G(a) = C3 a^3 + a, quick's a C */",
         f"#define GELU_HALF_TANH_C3 {h(C3)}f",
         f"#define GELU_HALF_QUICK_C {h(CQ)}f",
         "/* below -A_SCALE, E, Q and y are 2^DEEP_SCALE times their values */",
         f"#define GELU_HALF_DEEP_SCALE {DEEP_SCALE}"]
    for name, _, _ in FORMS:
        N = name.upper()
        c.append(f"/* {name}: E scaled below -A_SCALE; x at or below -A_MAX gives -0 (bf16 and f16), at or */")
        c.append("/* below F16_ZERO_BELOW (f16); G4; */")
        c.append("/* y within TAIL_ULPS float ulps for x <= -4 */")
        c.append(f"#define GELU_HALF_{N}_A_SCALE {h(A_SCALE[name])}f")
        c.append(f"#define GELU_HALF_{N}_A_MAX {h(A_MAX[name])}f")
        c.append(f"#define GELU_HALF_{N}_F16_ZERO_BELOW {h(-F16_ZERO_BELOW[name])}f")
        c.append(f"#define GELU_HALF_{N}_G4 {h(out[name][1])}f")
        c.append(f"#define GELU_HALF_{N}_TAIL_ULPS {TAIL_ULPS[name]}")
    for name, what, _ in FORMS:
        c += ["", f"/* Q(a) = {what}: piece k < 16 is Q on [k/4, (k+1)/4), piece k >= 16 R on [k-12, k-11), */",
              "/* sum [p][k] t^p */",
              f"static const float gelu_half_{name}_coef[GELU_HALF_DEGREE + 1][32] __attribute__((aligned(64))) = {{"]
        c += ["    {" + ", ".join(h(v) + "f" for v in row) + "}," for row in out[name][0]]
        c.append("};")
    c += ["", "#endif", ""]
    with open(os.path.join(ROOT, "native/src/gelu_half_coeffs.h"), "w") as fh:
        fh.write("\n".join(c))
    j = ["// Generated by native/tools/gen_half.py: do not edit.", "package dev.gelu.internal;", "",
         "/** The 16-bit kernels' float fast path: the tables and constants of native/src/gelu_half_coeffs.h. */",
         "public final class HalfCoefficients {", "    private HalfCoefficients() {}", "",
         f"    public static final int DEGREE = {DEGREE};",
         "    /** y is within this many float ulps of the exact value on the fast path, x > -4. */",
         f"    public static final int ULPS = {ULPS};",
         "    /** r = min(4a, a + 12) is held below 32 (the last piece): the largest float below 32. */",
         f"    public static final float R_MAX = {h(np.nextafter(np.float32(32), np.float32(0)))}f;",
         "    /** The tail's E(a) = 2^-n (1 + r S(r)): S, ln 2 in two parts (n ln2_hi exact), log2(e). */",
         "    public static final float[] EXP_S = {" + ", ".join(h(v) + "f" for v in s) + "};",
         f"    public static final float LN2_HI = {h(ln2_hi)}f;",
         f"    public static final float LN2_LO = {h(ln2_lo)}f;",
         f"    public static final float LOG2E = {h(f32(1 / ln2))}f;",
         "    /** tanh's G(a) = C3 a^3 + a; quick's a C. */",
         f"    public static final float TANH_C3 = {h(C3)}f;",
         f"    public static final float QUICK_C = {h(CQ)}f;"]
    for name, _, _ in FORMS:
        N = name.upper()
        j += [f"    // {name}: a is held at A_SCALE in E (x below -A_SCALE takes the double path); G(4) in float;",
              "    // y within TAIL_ULPS float ulps for |x| >= 4; x at or below ZERO_BELOW gives -0 (bf16, f16)",
              f"    public static final float {N}_A_SCALE = {h(A_SCALE[name])}f;",
              f"    public static final float {N}_G4 = {h(out[name][1])}f;",
              f"    public static final int {N}_TAIL_ULPS = {TAIL_ULPS[name]};",
              f"    public static final float {N}_BF16_ZERO_BELOW = {h(-A_MAX[name])}f;",
              f"    public static final float {N}_F16_ZERO_BELOW = {h(-F16_ZERO_BELOW[name])}f;"]
    for name, what, _ in FORMS:
        j += ["", f"    /** Q(a) = {what}: piece k < 16 Q on [k/4, (k+1)/4), k >= 16 R on [k-12, k-11); coefficient p of piece k at [32p + k]. */",
              f"    public static final float[] {name.upper()} = {{"]
        j += ["        " + ", ".join(h(v) + "f" for v in row) + "," for row in out[name][0]]
        j.append("    };")
    j += ["}", ""]
    with open(os.path.join(ROOT, "java/src/main/java/dev/gelu/internal/HalfCoefficients.java"), "w") as fh:
        fh.write("\n".join(j))


if __name__ == "__main__":
    main()
