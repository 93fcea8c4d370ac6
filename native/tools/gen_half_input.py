#!/usr/bin/env python3
"""Generates native/src/gelu_half_input_coeffs.h: the float32 tables of the 16-bit-input kernels'
polynomial path (gelu_<form>_bf16 / _f16, gelu_half_input.h), and proves them: for every 16-bit
input the path takes, the float evaluation rounded to the format IS the correctly rounded result.

Why it can be exact with no rounding test: a 16-bit input has only 65,536 values, so a float
evaluation can be checked against the correctly rounded result of every input it will ever see
(the MPFR oracle's tables, java/src/test/resources/dev/gelu/golden16.bin.gz, written by
native/tools/gelu_golden_half). The path, in float32 (each step rounded once, as the kernel):

    a = |x|                               (the path takes -8 <= x <= 8, but f16's least subnormals,
                                          +-2^-24: below)
  the tables of GRID (all but quick bf16), pieces of width w = 2^-g ending at their grid point,
  g = 2 (1/4) or 3 (1/8, erf f16's shorter table) (2 operations):
    s = a + Mg rounded up                 Mg = 1.5 2^(23-g) - w: s = Mg + j w, j = ceil(a/w); the
                                          low 5 bits of s are k = j - 1 mod 32, the piece: a in
                                          (k w, (k+1) w] (a = 0 takes piece 31, harmlessly)
    t = a - ceil(a/w) w                   exact (vreduceps), in (-w, 0]: the piece's variable
  quick bf16, pieces of width 8/31.5 centred on their grid points (3 operations: it needs degree 6
  on the pieces above, 5 on these):
    s = fma(a, C, M)                      M = 1.5 2^23: s = M + k, k = round(a C) in 0 .. 31
    t = fma(a, C, -(s - M))               a C - k in [-1/2, 1/2]: the piece's variable
    q = c_d[k]; q = fma(q, t, c_j[k])     j = d-1 .. 0, one 32-entry permute per coefficient
    y = fma(-a, q, max(0, x))             q ~ Q(a) = Phi(-a), sigma(-2u(a)), sigma(-1.702 a)
    bf16: (bits(y) + 0x8000) >> 16        f16: y rounded to nearest even (vcvtps2ph)

y has x's sign with no copysign: max(0, -0) is -0 (vmaxps returns its second operand for two
zeros), and q > 0 at a zero (checked), so that its y is max(0, x) - (+0) = max(0, x): with
GRID's pieces a zero takes piece 31 at t = 0, where q is that of x = 32 w; quick bf16's piece 0 has
q = Q(0) = 1/2 there.

f16's least subnormal inputs, +-2^-24, are left to the table of every input's result: their y
must land off a midpoint on the right side (GELU(x) is x/2 + 0.4 x^2, and x/2 is a midpoint),
which needs q at least 1.5 float ulps below Q there, in a piece whose variable is near -1/4
(no fit found, where every other input of the pieces fits). Until 2026-12 the f16 tables took
centred pieces and a base (m = x/2 on the first pieces, q = Q - 1/2) for these few inputs: a
permute, two fmas and a copysign more per register, for two inputs.

For each input the floats q that give the right 16-bit result form an interval (y falls as q
rises and the rounding is monotone): found by bisection on q's bits with the exact float32
steps. Each piece's coefficients are then a linear program: the polynomial at every input's t
within its interval, with the largest margin in float ulps of q (scipy's HiGHS); rounded to
float, the whole path is evaluated exactly on every input of the range and compared with the
oracle. Where an input still fails (the float rounding of the coefficients or of Horner's
steps), its interval is narrowed by the miss and the piece solved again. The tables are written
only when no input fails; the count of inputs checked is in the header.

fma is emulated exactly: a b is exact in double, a b + c is rounded to double with its error
known (two-sum), and rounded to float with that error breaking a double that sits on a float
midpoint. Needs numpy and scipy (Debian: python3-numpy, python3-scipy; --check numpy only).
Usage: gen_half_input.py [--check | --margins FORM TYPE DEGREE [--fast]]   (--check: verify the
committed header, write nothing; the ctest half_input_tables runs it. --margins: each piece's best
margin at that degree, negative where no polynomial fits; --fast: on the pieces and range of the
form's shorter table, FAST)
"""
import gzip
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(ROOT, "java/src/test/resources/dev/gelu/golden16.bin.gz")
HEADER = os.path.join(ROOT, "native/src/gelu_half_input_coeffs.h")
FORMS = ["erf", "tanh", "quick"]
TYPES = ["bf16", "f16"]
# GRID: 32 pieces on a in (0, 32 w], of width w = 2^-g: s = a + Mg rounded up is on the grid of w (its ulp)
MG = {g: np.float32(1.5 * 2 ** (23 - g) - 2.0 ** -g) for g in (2, 3)}
# the others: 32 pieces on a in [0, 8]: a C < 31.5 rounds to at most 31 (8 C is the float just below 31.5)
C = np.nextafter(np.float32(31.5 / 8), np.float32(0))
M = np.float32(1.5 * 2 ** 23)
A_MAX = 8.0
# The degree per form and format
DEGREE = {("erf", "bf16"): 4, ("erf", "f16"): 4, ("tanh", "bf16"): 5, ("tanh", "f16"): 4,
          ("quick", "bf16"): 5, ("quick", "f16"): 4}
# A second, shorter table for the groups whose every |x| is at most a bound: (degree, bound, g).
# erf bf16 at degree 3 on the pieces of 1/4 fits every piece but 26, 30 and 31 (--margins erf bf16
# 3), so to 6.5; erf f16 at degree 3 fails pieces 0 and 10-17 of 1/4 but fits 32 pieces of 1/8,
# so to 4 (--margins erf f16 3 --fast); so do tanh (bf16 from degree 5) and quick f16; quick bf16
# (whose piece 0 of 1/8 fits no degree 4) takes 32 centred pieces to 4 at degree 3, from 5 on
# those to 8. Each saves one or two lookups and fmas a register, a fifth or more of the path's
# FMA-pipe operations; a group with a lane above the bound (of N(0, 1)'s
# groups of 64: none above 6.5, 0.4 % above 4; on uniform[-8, 8] nearly all) takes the form's table.
FAST = {("erf", "bf16"): (3, 6.5, 2), ("erf", "f16"): (3, 4.0, 3), ("tanh", "bf16"): (3, 4.0, 3),
        ("tanh", "f16"): (3, 4.0, 3), ("quick", "f16"): (3, 4.0, 3), ("quick", "bf16"): (3, 4.0, 0)}
# The tables whose pieces are (k/4, (k+1)/4], and their g (the other: centred, of width 8/31.5)
GRID = {("erf", "bf16"): 2, ("tanh", "bf16"): 2, ("erf", "f16"): 2, ("tanh", "f16"): 2, ("quick", "f16"): 2}
F32, F64 = np.float32, np.float64


def fma32(a, b, c):
    """float32 fma(a, b, c), rounded once, elementwise."""
    a, b, c = (np.asarray(v, F32).astype(F64) for v in (a, b, c))
    p = a * b  # exact
    s = p + c
    bb = s - p
    e = (p - (s - bb)) + (c - bb)  # s + e = p + c exactly
    r = s.astype(F32)
    d = s - r.astype(F64)
    other = np.nextafter(r, np.where(d > 0, F32(np.inf), F32(-np.inf)).astype(F32))
    mid = (r.astype(F64) + other.astype(F64)) / 2
    tie = (d != 0) & (s == mid) & (e != 0)
    # s on a midpoint and the exact sum off it: the side of e decides
    nudged = np.nextafter(s, np.where(e > 0, np.inf, -np.inf)).astype(F32)
    return np.where(tie, nudged, r).astype(F32)


def bits16(type_, y):
    """float32 y rounded to the format as the kernel does, as 16-bit patterns."""
    if type_ == "bf16":
        return ((y.view(np.uint32).astype(np.uint64) + 0x8000) >> 16).astype(np.uint16)
    return y.astype(np.float16).view(np.uint16)


def widen(type_, h):
    if type_ == "bf16":
        return (h.astype(np.uint32) << 16).view(F32)
    return h.view(np.float16).astype(F32)


def key(h):
    """16-bit patterns to integers in the order of their values (-0 just below +0)."""
    h = h.astype(np.int64)
    return np.where(h < 0x8000, h + 0x8000, 0xFFFF - h)


def grid(table):
    """A table's g (0: centred pieces); table is (form, type) or (form, type, fast)."""
    if len(table) == 3 and table[2]:
        return FAST[table[:2]][2]
    return GRID.get(table[:2], 0)


def centred_c(table):
    """The centred pieces' C for a table's range [0, b]: b C is the float just below 31.5."""
    b = FAST[table[:2]][1] if len(table) == 3 and table[2] else A_MAX
    return C if b == A_MAX else np.nextafter(np.float32(31.5 / b), np.float32(0))


def piece_and_t(table, a):
    g = grid(table)
    if g:
        j = np.ceil(a.astype(F64) * 2 ** g)
        return (j.astype(np.int64) - 1) % 32, (a.astype(F64) - j / 2 ** g).astype(F32)  # exact
    c = centred_c(table)
    s = fma32(a, c, M)
    return (s.astype(F64) - float(M)).astype(np.int64), fma32(a, c, -(s - M))


def max0(x):
    """max(0, x) as vmaxps(0, x): -0 for -0."""
    return np.where(x >= 0, x, F32(0)).astype(F32)


def taken(type_, x, amax=A_MAX):
    """The inputs the path takes: |x| <= amax (not NaN), f16's least subnormals left out."""
    inside = np.abs(x) <= amax
    if type_ == "f16":
        inside &= np.abs(x) != F32(2.0 ** -24)
    return inside


def evaluate(table, coef, x):
    """The kernel's path on the floats x (taken), coef[j][k]: the 16-bit results."""
    type_ = table[1]
    a = np.abs(x)
    k, t = piece_and_t(table, a)
    q = coef[-1][k]
    for j in range(len(coef) - 2, -1, -1):
        q = fma32(q, t, coef[j][k])
    return bits16(type_, fma32(-a, q, max0(x)))


def q_intervals(type_, x, want):
    """Per input (a > 0): the float q in [lo, hi] whose y = max(0, x) - a q rounds to want; lo >
    hi if none. q is taken in [-1, 1]."""
    a = np.abs(x)
    m = max0(x)
    kw = key(want)

    def as_float(o):  # an ordered integer in [-0x3F800000, 0x3F800000] to its float
        return np.where(o >= 0, o, 0x80000000 - o).astype(np.uint32).view(F32)

    def rounded_key(o):
        return key(bits16(type_, fma32(-a, as_float(o), m)))

    n = len(x)
    # lo: the least q whose key <= want (keys fall as q rises); hi: the greatest q whose key >= want
    lo_l, lo_h = np.full(n, -0x3F800000, np.int64), np.full(n, 0x3F800000, np.int64)
    hi_l, hi_h = np.full(n, -0x3F800000, np.int64), np.full(n, 0x3F800000, np.int64)
    for _ in range(32):
        mid = (lo_l + lo_h) // 2
        ok = rounded_key(mid) <= kw
        lo_h = np.where(ok, mid, lo_h)
        lo_l = np.where(ok, lo_l, mid + 1)
        mid = (hi_l + hi_h + 1) // 2
        ok = rounded_key(mid) >= kw
        hi_l = np.where(ok, mid, hi_l)
        hi_h = np.where(ok, hi_h, mid - 1)
    return as_float(lo_l), as_float(hi_l)


def solve_piece(t, lo, hi, degree):
    """Coefficients (float64) of a polynomial in t within [lo, hi] at every point, with the
    largest margin, in units of the bound nearer to zero (the size of the q that rounding
    errors scale with there); returns (coefficients, margin in float ulps of that unit)."""
    from scipy.optimize import linprog  # only the fit needs it, not --check

    t, lo, hi = t.astype(F64), lo.astype(F64), hi.astype(F64)
    # an interval from just above zero (a result that is a zero of x's sign, or a tiny one):
    # kept well away from zero, so that q keeps its sign
    lo = np.where((lo > 0) & (lo < 2.0 ** -120), hi / 16, lo)
    hi = np.where((hi < 0) & (hi > -(2.0 ** -120)), lo / 16, hi)
    unit = np.minimum(np.abs(lo), np.abs(hi))
    margin = unit > np.max(unit) * 2.0 ** -40  # an interval about zero: no margin, just inside
    unit = np.where(margin, unit, hi - lo)
    scale = float(np.min(unit))  # the smallest q set the scale; rows far above it barely bind
    v = np.vstack([t ** j for j in range(degree + 1)]).T * scale / unit[:, None]
    d = margin.astype(F64)[:, None]
    a_ub = np.vstack([np.hstack([-v, d]), np.hstack([v, d])])
    b_ub = np.concatenate([-lo / unit, hi / unit])
    cost = np.zeros(degree + 2)
    cost[-1] = -1
    bounds = [(None, None)] * (degree + 1) + [(None, 2.0 ** -12)]  # past that, nothing gained
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(res.message)
    return res.x[:-1] * scale, res.x[-1] * 2 ** 24


def intervals(table, want, amax=A_MAX):
    """The inputs the path takes and their results (x, want), their pieces and variables (k, t),
    and for those with a > 0 (pos: a zero's result does not depend on q) q's intervals."""
    type_ = table[1]
    x = widen(type_, np.arange(65536, dtype=np.uint32).astype(np.uint16))
    inside = taken(type_, x, amax)
    x, want = x[inside], want[inside]
    k, t = piece_and_t(table, np.abs(x))
    pos = np.abs(x) > 0
    lo, hi = q_intervals(type_, x[pos], want[pos])
    return x, want, k, t, pos, lo, hi


def fit(table, want, degree, amax=A_MAX):
    """The tables of one form and format for the inputs |x| <= amax: (coef[j][k], the inputs
    checked, their results); a piece with no such input but zeros is left zero."""
    type_ = table[1]
    x, want, k, t, pos, lo, hi = intervals(table, want, amax)
    kp, tp, xp = k[pos], t[pos], x[pos]
    coef = np.zeros((degree + 1, 32), F32)
    for piece in range(32):
        sel = kp == piece
        if not np.any(sel):  # past amax (a zero's q does not matter: y = max(0, x) - 0 q)
            continue
        xs, ws = x[k == piece], want[k == piece]
        if np.any(lo[sel] > hi[sel]):
            raise RuntimeError(f"{type_} piece {piece}: an input no float q rounds right")
        plo, phi = lo[sel].astype(F64), hi[sel].astype(F64)
        c, margin = solve_piece(tp[sel], plo, phi, degree)
        for attempt in range(40):
            coef[:, piece] = c.astype(F32) + F32(0)  # + 0: never a -0 coefficient
            fails = evaluate(table, coef, xs) != ws
            if not fails.any():
                break
            # narrow the failing inputs' intervals by the size of the miss and solve again
            bad = np.isin(xp[sel], xs[fails])
            u = np.spacing(np.minimum(np.abs(plo[bad]), np.abs(phi[bad])).astype(F32)).astype(F64)
            plo[bad] += 2 * u
            phi[bad] -= 2 * u
            c, margin = solve_piece(tp[sel], plo, phi, degree)
        if fails.any():
            raise RuntimeError(f"{type_} piece {piece}: inputs still fail, e.g. {xs[fails][:4]}")
    return coef, x, want


def golden():
    with gzip.open(GOLDEN) as fh:
        raw = np.frombuffer(fh.read(), dtype="<u2")
    return {(f, t): raw[(2 * i + j) * 65536:(2 * i + j + 1) * 65536]
            for i, f in enumerate(FORMS) for j, t in enumerate(TYPES)}


def check(table, coef, x, want):
    """The number of inputs of the range whose path result differs from the oracle's."""
    return int(np.count_nonzero(evaluate(table, coef, x) != want))


def header(results):
    h = lambda v: float(v).hex()
    least = float(np.float16(2.0 ** -24).astype(F32))
    out = ["/* Generated by native/tools/gen_half_input.py: do not edit. */", "#ifndef GELU_HALF_INPUT_COEFFS_H",
           "#define GELU_HALF_INPUT_COEFFS_H", "",
           "/* GRID g: s = |x| + Mg rounded up = Mg + ceil(|x| 2^g) 2^-g: its low 5 bits are the piece, ceil(|x| 2^g) - 1 */",
           f"#define GELU_HALF_INPUT_M4 {h(MG[2])}f",
           f"#define GELU_HALF_INPUT_M8 {h(MG[3])}f",
           "/* centred pieces (a table's GRID 0, its C): s = fma(|x|, C, M) = M + k, k = round(C |x|) the piece",
           "   (0 .. 31 for |x| up to the table's bound) */",
           f"#define GELU_HALF_INPUT_M {h(M)}f",
           "/* the path takes |x| <= 8: the bits of |x| at most these, as a float and as f16; f16 but its least",
           "   subnormal, 2^-24, as a float */",
           f"#define GELU_HALF_INPUT_ABS_MAX_BITS 0x{int(F32(A_MAX).view(np.uint32)):08X}",
           f"#define GELU_HALF_INPUT_F16_ABS_MAX 0x{int(np.float16(A_MAX).view(np.uint16)):04X}",
           f"#define GELU_HALF_INPUT_F16_LEAST_BITS 0x{int(F32(least).view(np.uint32)):08X}"]
    for (form, type_, fast), (coef, n) in results.items():
        name = f"{form}_{type_}" + ("_fast" if fast else "")
        upper = name.upper()
        if fast:
            bound = FAST[(form, type_)][1]
            bits = int(max16(type_, bound))
            out += ["", f"/* {form} {type_}, fitted on |x| <= {bound}, for the groups whose every |x| is at most 0x{bits:04X} as {type_}: the",
                    f"   coefficients c_0 .. c_{len(coef) - 1}, the pieces past it zero (taken by zeros only, whose y does",
                    f"   not depend on q); {n} inputs checked against the MPFR oracle's table: 0 differ */",
                    f"#define GELU_HALF_INPUT_{upper}_DEGREE {len(coef) - 1}",
                    f"#define GELU_HALF_INPUT_{upper}_MAX16 0x{bits:04X}",
                    f"#define GELU_HALF_INPUT_{upper}_GRID {grid((form, type_, True))}",
                    f"#define GELU_HALF_INPUT_{upper}_C {h(centred_c((form, type_, True)))}f"]
        else:
            out += ["", f"/* {form} {type_}: the coefficients c_0 .. c_{len(coef) - 1} of q in t, per piece k; {n} inputs,",
                    "   every one the path takes, checked against the MPFR oracle's table: 0 differ */",
                    f"#define GELU_HALF_INPUT_{upper}_DEGREE {len(coef) - 1}",
                    f"#define GELU_HALF_INPUT_{upper}_GRID {grid((form, type_))}",
                    f"#define GELU_HALF_INPUT_{upper}_C {h(centred_c((form, type_)))}f"]
        out.append(f"static const float gelu_half_input_{name}[{len(coef)}][32] __attribute__((aligned(64))) = {{")
        for row in coef:
            out.append("    {" + ", ".join(h(v) + "f" for v in row) + "},")
        out.append("};")
        if not fast and (form, type_) not in FAST:  # no shorter table: the FAST names are the table's
            out += [f"#define gelu_half_input_{name}_fast gelu_half_input_{name}",
                    f"#define GELU_HALF_INPUT_{upper}_FAST_DEGREE GELU_HALF_INPUT_{upper}_DEGREE",
                    f"#define GELU_HALF_INPUT_{upper}_FAST_GRID GELU_HALF_INPUT_{upper}_GRID",
                    f"#define GELU_HALF_INPUT_{upper}_FAST_C GELU_HALF_INPUT_{upper}_C",
                    f"#define GELU_HALF_INPUT_{upper}_FAST_MAX16 0x{int(max16(type_, A_MAX)):04X}"]
    out += ["", "#endif", ""]
    return "\n".join(out)


def bf16_or_f16_bits(type_, v):
    """The 16-bit pattern of v, exact in the format."""
    if type_ == "bf16":
        return np.array([v], F32).view(np.uint32)[0] >> 16
    return np.array([v], np.float16).view(np.uint16)[0]


def max16(type_, bound):
    """The bits of the greatest |x| a shorter table takes: the bound's; for f16 odd bits, which its
    range test needs (gelu_vh2_abs_one_or_above takes the lanes above an odd m): the value below
    an even bound (8 itself then goes to gelu_half_input_known, as before)."""
    bits = int(bf16_or_f16_bits(type_, bound))
    return bits - 1 if type_ == "f16" and bits % 2 == 0 else bits


def parse(text, form, type_, fast=False):
    """One table of a written header, as float32 coef[j][k]; its pieces must be those this script
    evaluates (grid)."""
    name = f"{form}_{type_}"
    start = text.index(f"gelu_half_input_{name}{'_fast' if fast else ''}[")
    body = text[text.index("{", text.index("=", start)) + 1:text.index("};", start)]
    rows = [r for r in body.split("}") if "{" in r]
    rows = np.array([[float.fromhex(v.strip().rstrip("f")) for v in r[r.index("{") + 1:].split(",")]
                     for r in rows], F32)
    key = f"#define GELU_HALF_INPUT_{name.upper()}{'_FAST' if fast else ''}_GRID "
    if int(text[text.index(key) + len(key)]) != grid((form, type_, fast)):
        sys.exit(f"{name}: the header's pieces are not those of GRID")
    return rows


def margins(table, want, degree, amax=A_MAX):
    """Per piece, the linear program's best margin at this degree, in float ulps of q (negative:
    no polynomial of that degree puts q inside every input's interval, before any rounding)."""
    _, _, k, t, pos, lo, hi = intervals(table, want, amax)
    return [solve_piece(t[pos][k[pos] == p], lo[k[pos] == p], hi[k[pos] == p], degree)[1] for p in range(32)]


def main():
    tables = golden()
    if "--margins" in sys.argv[1:]:  # --margins FORM TYPE DEGREE: what a lower degree would miss
        form, type_, degree = sys.argv[sys.argv.index("--margins") + 1:][:3]
        fast = "--fast" in sys.argv[1:]  # the shorter table's pieces and bound (FAST)
        table = (form, type_, fast)
        m = margins(table, tables[(form, type_)], int(degree), FAST[(form, type_)][1] if fast else A_MAX)
        print(f"{form} {type_} degree {degree}, margin per piece (float ulps of q):")
        print(" ".join(f"{p}:{v:.1f}" for p, v in enumerate(m)))
        sys.exit(0)
    if "--check" in sys.argv[1:]:
        text = open(HEADER).read()
        bad = 0
        h = np.arange(65536, dtype=np.uint32).astype(np.uint16)
        for form in FORMS:
            for type_ in TYPES:
                for fast in (False, True) if (form, type_) in FAST else (False,):
                    coef = parse(text, form, type_, fast)
                    x = widen(type_, h)
                    inside = taken(type_, x, FAST[(form, type_)][1] if fast else A_MAX)
                    failing = check((form, type_, fast), coef, x[inside], tables[(form, type_)][inside])
                    print(f"{form} {type_}{' fast' if fast else ''}: {int(inside.sum())} inputs, {failing} differ from the oracle")
                    bad += failing
        sys.exit(1 if bad else 0)
    results = {}
    for form in FORMS:
        for type_ in TYPES:
            coef, x, want = fit((form, type_), tables[(form, type_)], DEGREE[(form, type_)])
            failing = check((form, type_), coef, x, want)
            print(f"{form} {type_}: degree {DEGREE[(form, type_)]}, {len(x)} inputs, {failing} failing")
            if failing:
                sys.exit(1)
            results[(form, type_, False)] = (coef, len(x))
            if (form, type_) in FAST:
                degree, bound, _ = FAST[(form, type_)]
                coef, x, want = fit((form, type_, True), tables[(form, type_)], degree, bound)
                failing = check((form, type_, True), coef, x, want)
                print(f"{form} {type_} fast: degree {degree}, |x| <= {bound}, {len(x)} inputs, {failing} failing")
                if failing:
                    sys.exit(1)
                results[(form, type_, True)] = (coef, len(x))
    with open(HEADER, "w") as fh:
        fh.write(header(results))


if __name__ == "__main__":
    main()
