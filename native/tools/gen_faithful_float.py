#!/usr/bin/env python3
"""Generates the float tables of the faithful kernels' central range
(native/src/gelu_faithful_float_coeffs.h and
java/src/main/java/dev/gelu/internal/FaithfulFloatCoefficients.java), bit for bit the same floats.

Why this shape: a faithful float needs the value before its one rounding within 2^-25 of the
exact value, relative. The kernel works in float, 16 lanes an AVX-512 instruction, on
y = x P(x) with P = Phi, sigma(2u) or sigma(1.702 x): P is a polynomial of degree DEGREE in
t = x - m_k on each of 32 pieces, so a coefficient is one 32-entry table lookup (a two-register
permute). The piece is k = trunc(K0 + x (BETA + GAMMA x + DELTA |x|)), three fmas in float: the
pieces are narrow where P changes fast relative to itself (x < 0, where y carries P's relative
error in full) and wide where it does not (x > 0, where P is near 1).

Where the float rounding errors go: with P = c0 + c1 t + t^2 q2(t),
  q2        Horner in float from c_DEGREE down to c2;
  c0 + c1 t exactly, as sh + sl + l1: h1 = t c1, l1 = fma(t, c1, -h1), sh = c0 + h1 (Fast2Sum:
            |h1| < |c0|), sl = (c0 - sh) + h1;
  lo        fma(t q2, t, l1 + sl), the small part of P;
  y         fma(x, sh, x lo): the product x sh exact inside the fma, x lo (below 2^-4 of y)
            rounded once more, under 2^-28 of y.
So only t^2 q2 (below 1/16 of P) carries float rounding errors, and t = x - m_k is exact (m_k is
within a factor 2 of every x of its piece, or 0 on the piece around 0). c0 and c1 are single
floats, so each piece's m_k is chosen (near its middle) where the fitted c0 and c1 fall within
2^-31 of a float and 2^-30 of P over the piece; on the piece around 0, m = 0 and c0 = 1/2
exactly; where P is within 2^-24 of 1, m is where P = 1 - 2^-24, a float. Every error is printed per form; the exhaustive checker
(native/tools/gelu_exhaustive --accuracy faithful) is the proof and must be rerun afterwards.

x >= HI: Q = 1 - P(HI) < 2^-24, so y is x or the float below it: the kernel returns x. x < LO
takes the negative tail (gelu_forward_faithful.h). Needs mpmath (Debian: python3-mpmath).
"""
import os
import sys
from fractions import Fraction

import mpmath as mp
import numpy as np

mp.mp.dps = 30
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PIECES = 32
DEGREE = 6
SQRT_2_PI = mp.sqrt(2 / mp.pi)


def p_erf(x):
    return mp.ncdf(x)


def p_tanh(x):
    return 1 / (1 + mp.exp(-2 * SQRT_2_PI * (x + mp.mpf("0.044715") * x ** 3)))


def p_quick(x):
    return 1 / (1 + mp.exp(-mp.mpf("1.702") * x))


# name, what, P, LO, HI, K0, BETA, slope below 0, slope above 0 (the x^2 coefficient of the map)
FORMS = [("erf", "Phi(x)", p_erf, -5.5, 5.5, 24.5, 1.8, -0.48264, -0.09752),
         ("tanh", "sigma(2 sqrt(2/pi) (x + 0.044715 x^3))", p_tanh, -4.0, 5.5, 22.5, 2.5, -0.78, -0.16),
         ("quick", "sigma(1.702 x)", p_quick, -6.0, 10.0, 15.5, 2.5, -0.0133, -0.1)]
# the negative tail holds a = -x at TAIL_AMAX: every result from there on rounds to -0, and
# exp's argument stays below 113 (gelu_fwd_ftail_exp)
TAIL_AMAX = {"erf": 15.0, "tanh": 10.8, "quick": 64.0}


def f32(v):
    """v (a Fraction or int) rounded to the nearest float32, ties to even (normal range)."""
    v = Fraction(v)
    if v == 0:
        return np.float32(0)
    f = np.float32(float(v))  # may be off by one ulp (double rounding): fix below
    best = f
    for g in (np.nextafter(f, np.float32(-np.inf)), np.nextafter(f, np.float32(np.inf))):
        d, db = abs(Fraction(float(g)) - v), abs(Fraction(float(best)) - v)
        if d < db or (d == db and (int(g.view(np.uint32)) & 1) == 0):
            best = g
    return best


def fma32(a, b, c):
    return f32(Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c)))


class Map:
    def __init__(self, k0, beta, neg, pos):
        self.k0, self.beta = np.float32(k0), np.float32(beta)
        self.gamma, self.delta = np.float32((neg + pos) / 2), np.float32((pos - neg) / 2)

    def r(self, x):
        """The kernel's r in float: s = fma(x, G, B); s = fma(|x|, D, s); r = fma(x, s, K0)."""
        x = np.float32(x)
        s = fma32(x, self.gamma, self.beta)
        s = fma32(abs(x), self.delta, s)
        return fma32(x, s, self.k0)

    def exact(self, x):
        x = mp.mpf(x)
        return mp.mpf(float(self.k0)) + x * (mp.mpf(float(self.beta)) + mp.mpf(float(self.gamma)) * x +
                                             mp.mpf(float(self.delta)) * abs(x))


def piece_domains(mp_, lo, hi):
    """[first, last] float of each piece: the boundaries by bisection on the exact map, then the
    128 floats around each with the kernel's float map. Near a boundary the rounding of r may
    send neighbouring floats to either piece, so the pieces' ranges may overlap by a few floats."""
    lo32, hi32 = np.float32(lo), np.nextafter(np.float32(hi), np.float32(-np.inf))
    assert -1 < mp_.r(lo32) and mp_.r(np.float32(hi)) < PIECES, (mp_.r(lo32), mp_.r(np.float32(hi)))
    ks = (int(mp_.r(lo32)), int(mp_.r(hi32)))
    first, last = {ks[0]: lo32}, {ks[1]: hi32}
    for j in range(ks[0] + 1, ks[1] + 1):
        a, b = mp.mpf(lo), mp.mpf(hi)
        for _ in range(80):
            mid = (a + b) / 2
            if mp_.exact(mid) < j:
                a = mid
            else:
                b = mid
        x = np.float32(float(a))
        for _ in range(64):
            x = np.nextafter(x, np.float32(-np.inf))
        seen = {}
        for _ in range(128):
            k = int(mp_.r(x))
            seen.setdefault(k, []).append(x)
            x = np.nextafter(x, np.float32(np.inf))
        assert set(seen) == {j - 1, j}, (j, set(seen))
        last[j - 1], first[j] = max(seen[j - 1]), min(seen[j])
    return {k: (first[k], last[k]) for k in range(ks[0], ks[1] + 1)}


def cheb(fn, a, b, m, deg):
    """Chebyshev interpolant of fn on [a, b] as coefficients in t = x - m."""
    n = deg + 1
    ts = [(a + b) / 2 - m + (b - a) / 2 * mp.cos(mp.pi * (j + mp.mpf(1) / 2) / n) for j in range(n)]
    mat = mp.matrix([[t ** p for p in range(n)] for t in ts])
    c = mp.lu_solve(mat, mp.matrix([fn(m + t) for t in ts]))
    return [c[p] for p in range(n)]


def shift(c, d):
    """The coefficients of sum c_i (t + d)^i in t."""
    n = len(c)
    return [sum(mp.binomial(i, j) * c[i] * d ** (i - j) for i in range(j, n)) for j in range(n)]


def fit_piece(fn, a, b):
    """(m, [c0 .. cDEGREE] as float32) for the piece [a, b] of floats."""
    A, B = mp.mpf(float(a)), mp.mpf(float(b))
    if A <= 0 <= B:  # m = 0: t = x exactly; c0 = 1/2, the rest fitted to (P - 1/2)/t
        rest = cheb(lambda t: (fn(t) - mp.mpf(1) / 2) / t, A, B, 0, DEGREE - 1)
        return np.float32(0), [np.float32(0.5)] + [np.float32(float(v)) for v in rest]
    if fn(B) > 1 - mp.mpf(2) ** -22:  # P(m) = 1 - 2^-24, a float, where the piece reaches it
        lo_, hi_ = A, B
        for _ in range(100):
            mid = (lo_ + hi_) / 2
            lo_, hi_ = (mid, hi_) if fn(mid) < 1 - mp.mpf(2) ** -24 else (lo_, mid)
        if A < lo_ < B:
            m = np.float32(float(lo_))
            c = cheb(fn, A, B, mp.mpf(float(m)), DEGREE)
            return m, [np.float32(float(v)) for v in c]
    # m within a factor 2 of every x of the piece, so that x - m is exact (Sterbenz)
    lim, low = min(abs(a), abs(b)) * 2, max(abs(a), abs(b)) / 2
    mid = min(max(abs(float((A + B) / 2)), low * (1 + 2 ** -10)), lim * (1 - 2 ** -10))
    m0 = np.float32(mid if a > 0 else -mid)
    c = cheb(fn, A, B, mp.mpf(float(m0)), DEGREE)
    tmax = max(B - mp.mpf(float(m0)), mp.mpf(float(m0)) - A)
    best, cand, up, down = None, [], m0, m0
    for i in range(40000):
        for m in ((up, down) if i else (m0,)):
            if not low <= abs(m) <= lim or not a <= m <= b:
                continue
            d = mp.mpf(float(m)) - mp.mpf(float(m0))
            v0, v1 = mp.polyval(c[::-1], d), mp.polyval([i * c[i] for i in range(DEGREE, 0, -1)], d)
            e0 = abs(v0 - mp.mpf(float(np.float32(float(v0))))) / abs(v0) * mp.mpf(2) ** 31
            e1 = abs(v1 - mp.mpf(float(np.float32(float(v1))))) * tmax / abs(v0) * mp.mpf(2) ** 30
            score = max(e0, e1)
            if best is None or score < best[0]:
                best = (score, m, d)
        if best is not None and best[0] <= 1:
            break
        up, down = np.nextafter(up, np.float32(np.inf)), np.nextafter(down, np.float32(-np.inf))
    score, m, d = best
    print(f"  piece [{a}, {b}]: m = {m}, c0 and c1 within {float(score):.2f} of their bounds", file=sys.stderr)
    return m, [np.float32(float(v)) for v in shift(c, d)]


def evaluate(m, c, x):
    """P at float x the kernel's way, exactly but for the roundings the kernel makes (Fractions)."""
    F = lambda v: Fraction(float(v))
    t = np.float32(x) - m  # exact by construction
    assert F(t) == F(x) - F(m)
    q = c[DEGREE]
    for j in range(DEGREE - 1, 1, -1):
        q = fma32(q, t, c[j])
    h1 = f32(F(t) * F(c[1]))
    l1 = fma32(t, c[1], -h1)
    sh = f32(F(c[0]) + F(h1))
    sl = f32(F(f32(F(c[0]) - F(sh))) + F(h1))
    assert F(sh) + F(sl) == F(c[0]) + F(h1)
    v = f32(F(t) * F(q))
    lo = fma32(v, t, f32(F(l1) + F(sl)))
    return F(sh) + F(lo), F(t) * F(t) * F(q) / (F(sh) + F(lo))


# ---- the negative tail in float: x < LO (see gelu_forward_faithful.h) ----
TAIL_DEGREE = 4
ERF_TAIL_LO, ERF_TAIL_HI = 4.0, 15.0  # a = -x; 15 is the correctly rounded kernels' clamp
V_MAX = 110.0  # exp(-v) is held at exp(-110): every result there rounds to -0
MAGIC = np.float32(1.5 * 2 ** 23)


class LinearMap:
    """r = fma(a, s1, s0) in float, the piece k = trunc(r)."""

    def __init__(self, s1, s0):
        self.s1, self.s0 = np.float32(s1), np.float32(s0)

    def r(self, a):
        return fma32(a, self.s1, self.s0)

    def exact(self, a):
        return mp.mpf(a) * mp.mpf(float(self.s1)) + mp.mpf(float(self.s0))


def fit_tail_piece(fn, a, b):
    """(m, [c0 .. cTAIL_DEGREE]) for the piece [a, b]: c0 within 2^-31 of a float."""
    A, B = mp.mpf(float(a)), mp.mpf(float(b))
    m0 = np.float32(float((A + B) / 2))
    c = cheb(fn, A, B, mp.mpf(float(m0)), TAIL_DEGREE)
    best, up, down = None, m0, m0
    for i in range(40000):
        for m in ((up, down) if i else (m0,)):
            d = mp.mpf(float(m)) - mp.mpf(float(m0))
            v0 = mp.polyval(c[::-1], d)
            score = abs(v0 - mp.mpf(float(np.float32(float(v0))))) / abs(v0) * mp.mpf(2) ** 31
            if best is None or score < best[0]:
                best = (score, m, d)
        if best[0] <= 1:
            break
        up, down = np.nextafter(up, np.float32(np.inf)), np.nextafter(down, np.float32(-np.inf))
    return best[1], [np.float32(float(v)) for v in shift(c, best[2])]


def split(v, bits=24):
    """v as a float of `bits` significant bits and the float nearest the rest."""
    v = mp.mpf(v)
    e = int(mp.floor(mp.log(abs(v), 2)))
    hi = mp.nint(v * mp.mpf(2) ** (bits - 1 - e)) / mp.mpf(2) ** (bits - 1 - e)
    return np.float32(float(hi)), np.float32(float(v - hi))


def tail_tables():
    r_of = lambda a: mp.ncdf(-a) * mp.exp(a * a / 2)
    lm = LinearMap(PIECES / (ERF_TAIL_HI - ERF_TAIL_LO) * (1 - 2 ** -20), -ERF_TAIL_LO * PIECES / (ERF_TAIL_HI - ERF_TAIL_LO))
    doms = piece_domains(lm, ERF_TAIL_LO, ERF_TAIL_HI)
    rows = [[np.float32(0)] * PIECES for _ in range(TAIL_DEGREE + 2)]
    worst = mp.mpf(0)
    for k in range(PIECES):
        a, b = doms[min(k, max(doms))]
        m, c = fit_tail_piece(r_of, a, b)
        rows[0][k] = m
        for j in range(TAIL_DEGREE + 1):
            rows[j + 1][k] = c[j]
        for s in range(41):
            x = mp.mpf(float(a)) + (mp.mpf(float(b)) - mp.mpf(float(a))) * s / 40
            t = x - mp.mpf(float(m))
            p = mp.polyval([mp.mpf(float(v)) for v in c[::-1]], t)
            worst = max(worst, abs(p / r_of(x) - 1))
    print(f"erf tail: R(a) = Phi(-a) e^(a^2/2) from 32 pieces of degree {TAIL_DEGREE}, relative error "
          f"2^{float(mp.log(worst, 2)):.1f} (coefficients rounded; the evaluation adds t q's float rounding)",
          file=sys.stderr)
    ln2_32 = mp.log(2) / 32
    l1 = np.float32(float(mp.nint(ln2_32 * 2 ** 16) / 2 ** 16))  # 11 bits: n l1 is exact for |n| < 2^13
    rest = ln2_32 - mp.mpf(float(l1))
    l2 = np.float32(float(rest))
    l3 = np.float32(float(rest - mp.mpf(float(l2))))
    t2 = [split(mp.mpf(2) ** (mp.mpf(j) / 32)) for j in range(PIECES)]
    c1 = 2 * SQRT_2_PI
    c3 = c1 * mp.mpf("0.044715")
    consts = {"lo_a": ERF_TAIL_LO, "s1": lm.s1, "s0": lm.s0, "amax": ERF_TAIL_HI, "vmax": V_MAX, "magic": MAGIC,
              "inv_l": np.float32(float(1 / ln2_32)), "l1": l1, "l2": l2, "l3": l3,
              "tanh_c1": split(c1), "tanh_c3": split(c3), "quick_c": split(mp.mpf("1.702"))}
    return rows, t2, consts


def main():
    rng = np.random.default_rng(1)
    out = {}
    for name, what, fn, lo, hi, k0, beta, neg, pos in FORMS:
        mp_ = Map(k0, beta, neg, pos)
        doms = piece_domains(mp_, lo, hi)
        rows = [[None] * PIECES for _ in range(DEGREE + 2)]
        worst, worst_ratio = mp.mpf(0), 0
        for k in range(PIECES):
            kk = min(k, max(doms))
            a, b = doms[kk]
            if k == kk:
                m, c = fit_piece(fn, a, b)
                pw = mp.mpf(0)
                xs = np.concatenate(([a, b], np.float32(rng.uniform(float(a), float(b), 300))))
                for x in xs:
                    x = np.float32(x)
                    if x == 0:
                        continue
                    val, ratio = evaluate(m, c, x)
                    e = abs(mp.mpf(val.numerator) / val.denominator / fn(mp.mpf(float(x))) - 1)
                    worst = max(worst, e)
                    pw = max(pw, e)
                    worst_ratio = max(worst_ratio, abs(float(ratio)))
                print(f"  piece {k}: error 2^{float(mp.log(pw, 2)):.1f}", file=sys.stderr)
            rows[0][k] = m
            for j in range(DEGREE + 1):
                rows[j + 1][k] = c[j]
        print(f"{name}: pieces {min(doms)}..{max(doms)}, P's relative error (sampled, with the float "
              f"roundings) 2^{float(mp.log(worst, 2)):.1f}, |t^2 q2 / P| <= {worst_ratio:.3f}", file=sys.stderr)
        am = mp.mpf(TAIL_AMAX[name])
        assert am * fn(-am) < mp.mpf(2) ** -150, name  # -0 from amax on (P is increasing)
        out[name] = (what, mp_, lo, hi, rows)
    write(out, tail_tables())


def write(out, tail):
    trows, t2, k = tail
    h = lambda v: float(v).hex() + "f"
    c = ["/* Generated by native/tools/gen_faithful_float.py: do not edit. */",
         "#ifndef GELU_FAITHFUL_FLOAT_COEFFS_H", "#define GELU_FAITHFUL_FLOAT_COEFFS_H", "",
         f"#define GELU_FAITHFUL_FLOAT_DEGREE {DEGREE}", "",
         "/* A form's central range [lo, hi), its piece map k = trunc(k0 + x (beta + gamma x + delta |x|)),",
         "   and its tables: row 0 is m_k (t = x - m_k), row 1 + j is c_j of P = sum c_j t^j; p, the same",
         "   piece by piece, for the ISAs that load a piece's row rather than permute (AVX2). */",
         "struct gelu_faithful_float {",
         "    float lo, hi, k0, beta, gamma, delta, tail_amax;",
         "    float c[GELU_FAITHFUL_FLOAT_DEGREE + 2][32] __attribute__((aligned(64)));",
         "    float p[32][GELU_FAITHFUL_FLOAT_DEGREE + 2] __attribute__((aligned(32))); /* the same, piece-major */",
         "};"]
    for name, (what, mp_, lo, hi, rows) in out.items():
        c += ["", f"/* P(x) = {what} */",
              f"static const struct gelu_faithful_float gelu_faithful_float_{name} = {{",
              f"    {h(lo)}, {h(hi)}, {h(mp_.k0)}, {h(mp_.beta)}, {h(mp_.gamma)}, {h(mp_.delta)}, {h(TAIL_AMAX[name])},",
              "    {"]
        c += ["        {" + ", ".join(h(v) for v in row) + "}," for row in rows]
        c += ["    },", "    {"]
        c += ["        {" + ", ".join(h(row[k]) for row in rows) + "}," for k in range(PIECES)]
        c += ["    },", "};"]
    pair = lambda v: "{" + h(v[0]) + ", " + h(v[1]) + "}"
    c += ["", "/* The negative tail in float (gelu_forward_faithful.h): erf's R(a) = Phi(-a) e^(a^2/2) on 32 pieces",
          "   of a in [lo_a, amax], k = trunc(fma(a, s1, s0)) (row 0 m_k, row 1 + j c_j; p piece-major, padded);",
          "   exp(-v) = 2^(n/32) (1 + p(r)), n = round(-v 32/ln2) by magic, r = -v - n (l1 + l2 + l3) (n l1",
          "   exact), 2^(j/32) = exp2[0][j] + exp2[1][j]; v is held at vmax; the forms' constants as hi + lo. */",
          f"#define GELU_FAITHFUL_TAIL_DEGREE_F {TAIL_DEGREE}",
          "struct gelu_faithful_tail {",
          "    float lo_a, s1, s0, amax, vmax, magic, inv_l, l1, l2, l3;",
          "    float tanh_c1[2], tanh_c3[2], quick_c[2];",
          "    float r[GELU_FAITHFUL_TAIL_DEGREE_F + 2][32] __attribute__((aligned(64)));",
          "    float p[32][8] __attribute__((aligned(32)));",
          "    float exp2[2][32] __attribute__((aligned(64)));",
          "};", "",
          "static const struct gelu_faithful_tail gelu_faithful_float_tail = {",
          "    " + ", ".join(h(k[n]) for n in ("lo_a", "s1", "s0", "amax", "vmax", "magic", "inv_l", "l1", "l2", "l3")) + ",",
          "    " + ", ".join(pair(k[n]) for n in ("tanh_c1", "tanh_c3", "quick_c")) + ",", "    {"]
    c += ["        {" + ", ".join(h(v) for v in row) + "}," for row in trows]
    c += ["    },", "    {"]
    c += ["        {" + ", ".join([h(row[j]) for row in trows] + ["0x0p+0f"] * (8 - len(trows))) + "}," for j in range(PIECES)]
    c += ["    },", "    {", "        {" + ", ".join(h(v[0]) for v in t2) + "},",
          "        {" + ", ".join(h(v[1]) for v in t2) + "},", "    },", "};"]
    c += ["", "#endif", ""]
    with open(os.path.join(ROOT, "native/src/gelu_faithful_float_coeffs.h"), "w") as fh:
        fh.write("\n".join(c))
    j = ["// Generated by native/tools/gen_faithful_float.py: do not edit.", "package dev.gelu.internal;", "",
         "/** The faithful kernels' float tables, bit for bit those of the C kernels. */",
         "public final class FaithfulFloatCoefficients {", "    private FaithfulFloatCoefficients() {}", "",
         f"    public static final int DEGREE = {DEGREE};", "",
         "    /** A form's central range [lo, hi), piece map and tables (row 0: m_k; row 1 + j: c_j). */",
         "    public record Form(float lo, float hi, float k0, float beta, float gamma, float delta, float tailAmax, float[][] c) {}"]
    for name, (what, mp_, lo, hi, rows) in out.items():
        j += ["", f"    /** P(x) = {what}. */", f"    public static final Form {name.upper()} = new Form(",
              f"        {h(lo)}, {h(hi)}, {h(mp_.k0)}, {h(mp_.beta)}, {h(mp_.gamma)}, {h(mp_.delta)}, {h(TAIL_AMAX[name])},",
              "        new float[][] {"]
        j += ["            {" + ", ".join(h(v) for v in row) + "}," for row in rows]
        j += ["        });"]
    jarr = lambda v: "{" + h(v[0]) + ", " + h(v[1]) + "}"
    j += ["", "    /** The negative tail in float: see gelu_faithful_float_coeffs.h (struct gelu_faithful_tail). */",
          f"    public static final int TAIL_DEGREE = {TAIL_DEGREE};"]
    for n in ("lo_a", "s1", "s0", "amax", "vmax", "magic", "inv_l", "l1", "l2", "l3"):
        j.append(f"    public static final float TAIL_{n.upper()} = {h(k[n])};")
    for n in ("tanh_c1", "tanh_c3", "quick_c"):
        j.append(f"    public static final float[] TAIL_{n.upper()} = {jarr(k[n])};")
    j += ["    /** erf's R(a): row 0 m_k, row 1 + j c_j. */", "    public static final float[][] TAIL_R = {"]
    j += ["        {" + ", ".join(h(v) for v in row) + "}," for row in trows]
    j += ["    };", "    /** 2^(j/32) = EXP2[0][j] + EXP2[1][j]. */", "    public static final float[][] TAIL_EXP2 = {",
          "        {" + ", ".join(h(v[0]) for v in t2) + "},", "        {" + ", ".join(h(v[1]) for v in t2) + "},", "    };"]
    j += ["}", ""]
    with open(os.path.join(ROOT, "java/src/main/java/dev/gelu/internal/FaithfulFloatCoefficients.java"), "w") as fh:
        fh.write("\n".join(j))


if __name__ == "__main__":
    main()
