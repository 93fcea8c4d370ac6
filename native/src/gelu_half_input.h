/*
 * The 16-bit-input forward kernels (gelu_<form>_bf16, gelu_<form>_f16: 16 bits in, 16 bits
 * out), included by gelu_half_body.h. The instantiating file chooses, besides the body's
 * GELU_HALF_NB:
 *
 * GELU_HALF_INPUT_POLY  1: the polynomial path below; 0: every element from the table
 *
 * A 16-bit input has 65,536 values, so a float evaluation of GELU can be checked against the
 * correctly rounded result of every input it will ever see: the polynomial path needs no
 * rounding test. For |x| <= 8 (NaN and the infinities excluded; f16's least subnormals, +-2^-24,
 * too), in float:
 *
 *   k, t                  the piece, 0 .. 31, in the low 5 bits of s, and its variable:
 *     all but quick bf16, pieces of width w = 2^-g (g = 2, 1/4; some shorter tables 3, 1/8):
 *           s = |x| + Mg rounded up (Mg = 1.5 2^(23-g) - w: s = Mg + ceil(|x|/w) w),
 *           k = ceil(|x|/w) - 1 (|x| in (k w, (k+1) w]; x = 0 takes piece 31), t = |x| - ceil(|x|/w) w
 *           exact, in (-w, 0]
 *     quick bf16: s = fma(|x|, C, M) (M = 1.5 2^23: s = M + k), k = round(C |x|), t = C |x| - k
 *           in [-1/2, 1/2] (C: 31.5 over the table's bound, 8 or 4, just below): one operation
 *           more, but degree 5 here against 6 above
 *   q = sum c_j[k] t^j    Horner, degree 3 to 5, one 32-entry table lookup per coefficient
 *   y = max(0, x) - |x| q rounded to the format: bf16 by adding half an ulp to the float's bits,
 *                         f16 by the conversion
 *
 * y has x's sign: a zero's y is max(0, x) - (+0) = x (max(0, -0) is -0, and q > 0 at x = 0: that
 * of x = 8, or Q(0) = 1/2). gen_half_input.py fits the tables (gelu_half_input_coeffs.h) and
 * proves them: evaluated exactly as here, every input the path takes gives the MPFR oracle's
 * result, none differs (f16's +-2^-24, whose y must fall off a midpoint on the right side, fit
 * no polynomial of these pieces with their neighbours: they are left to the table below);
 * the test `half` runs this path on all of them on every ISA that takes it. A group of
 * registers with a lane outside the range (|x| > 8, NaN, an infinity, f16's +-2^-24) is computed with those
 * lanes set to zero, and they are then taken from the table of every input's result
 * (gelu_half_tables.c), merged into the registers before the store (one store a register).
 * A group whose every |x| is within a smaller bound (4; erf bf16 6.5) takes a shorter table of
 * degree 3 (gelu_half_input_fast, proven the same way on its range), one or two lookups and fmas
 * fewer a register. Unrolled over GELU_HALF_NB registers so that their Horner chains
 * overlap; where the wrapper can (GELU_VH2_PAIRS), bf16 widens and narrows two registers at a
 * time, and f16 finds its lanes outside on the 16-bit values, two registers' worth at a time.
 */
#ifndef GELU_HALF_INPUT_H
#define GELU_HALF_INPUT_H

#ifndef GELU_HALF_INPUT_POLY
#define GELU_HALF_INPUT_POLY 0
#endif
#if GELU_HALF_INPUT_POLY

#include "gelu_half_input_coeffs.h"

struct gelu_half_input_form {
    const float (*rows)[32]; /* c_0 .. c_degree */
    int degree, grid;        /* grid g: pieces (k 2^-g, (k+1) 2^-g], 0: centred (below) */
    float c;                 /* the centred pieces' scale: 31.5 over the table's bound, just below */
};
#define GELU_HALF_INPUT_TABLE(NAME, name)                                                       \
    {                                                                                           \
        gelu_half_input_##name, GELU_HALF_INPUT_##NAME##_DEGREE, GELU_HALF_INPUT_##NAME##_GRID, \
            GELU_HALF_INPUT_##NAME##_C                                                          \
    }
#define GELU_HALF_INPUT_ROW(form, FORM)                  \
    [GELU_FORM_##FORM] = {                               \
        GELU_HALF_INPUT_TABLE(FORM##_BF16, form##_bf16), \
        GELU_HALF_INPUT_TABLE(FORM##_F16, form##_f16),   \
    },
static const struct gelu_half_input_form gelu_half_input_forms[][2] = {GELU_FORMS(GELU_HALF_INPUT_ROW)};
#undef GELU_HALF_INPUT_ROW
/* The shorter table a group takes when its every |x| is at most a bound (gen_half_input.py's
   FAST: degree 3, erf bf16 on quarters to 6.5, quick bf16 on centred pieces to 4, the others on
   eighths below 4), and that bound as 16-bit bits (f16's odd, as its range test needs); a form
   and format the generator gives none would have its own table here, and 8 (bf16) or the f16
   value below 8 (8 itself then goes to gelu_half_input_known). */
#define GELU_HALF_INPUT_ROW(form, FORM)                            \
    [GELU_FORM_##FORM] = {                                         \
        GELU_HALF_INPUT_TABLE(FORM##_BF16_FAST, form##_bf16_fast), \
        GELU_HALF_INPUT_TABLE(FORM##_F16_FAST, form##_f16_fast),   \
    },
static const struct gelu_half_input_form gelu_half_input_fast[][2] = {GELU_FORMS(GELU_HALF_INPUT_ROW)};
#undef GELU_HALF_INPUT_ROW
#define GELU_HALF_INPUT_ROW(form, FORM) \
    [GELU_FORM_##FORM] = {GELU_HALF_INPUT_##FORM##_BF16_FAST_MAX16, GELU_HALF_INPUT_##FORM##_F16_FAST_MAX16},
static const uint16_t gelu_half_input_fast_max16[][2] = {GELU_FORMS(GELU_HALF_INPUT_ROW)};
#undef GELU_HALF_INPUT_ROW
#undef GELU_HALF_INPUT_TABLE

/* GELU(x) for |x| <= 8 in float, before the rounding to the format (other lanes: anything,
   raising nothing for a zero). */
static GELU_HALF_ALWAYS gelu_vw gelu_half_input_float(const struct gelu_half_input_form *f, gelu_vw x)
{
    gelu_vw a = gelu_vw_abs(x), t;
    gelu_vwi k;    /* the piece in the low 5 bits */
    if (f->grid) { /* 2 or 3 (an immediate of the reduction) */
        k = gelu_vw_bits(gelu_vw_add_up(a, gelu_vw_set1(f->grid == 3 ? GELU_HALF_INPUT_M8 : GELU_HALF_INPUT_M4)));
        t = f->grid == 3 ? gelu_vw_less_ceil(a, 3) : gelu_vw_less_ceil(a, 2);
    } else {
        gelu_vw c = gelu_vw_set1(f->c), s = gelu_vw_fma(a, c, gelu_vw_set1(GELU_HALF_INPUT_M));
        t = gelu_vw_fma(a, c, gelu_vw_sub(gelu_vw_set1(GELU_HALF_INPUT_M), s)); /* M - s exact */
        k = gelu_vw_bits(s);
    }
    gelu_vw q = gelu_vw_lookup32_low_bits(f->rows[f->degree], k);
    _Pragma("GCC unroll 8")
    for (int j = f->degree - 1; j >= 0; j--)
        q = gelu_vw_fma(q, t, gelu_vw_lookup32_low_bits(f->rows[j], k));
    /* max(0, x) returns x when both are zeros */
    return gelu_vw_fnma(a, q, gelu_vw_max(gelu_vw_zero(), x));
}

/* bf16: half an ulp added to the float's bits, then its top half (in the low 16 bits) */
static GELU_HALF_ALWAYS gelu_vwi gelu_half_input_bf16(gelu_vw y)
{
    return gelu_vwi_shr(gelu_vwi_add(gelu_vw_bits(y), gelu_vwi_set1(0x8000)), 16);
}

/* GELU(x) for |x| <= 8 rounded to the type. */
static GELU_HALF_ALWAYS gelu_vh gelu_half_input_y(const struct gelu_half_input_form *f, enum gelu_half type, gelu_vw x)
{
    gelu_vw y = gelu_half_input_float(f, x);
    return type == GELU_HALF_BF16 ? gelu_vwi_narrow16(gelu_half_input_bf16(y)) : gelu_vw_to_f16(y);
}

/* The lanes the path does not take: |x| > 8, NaN, the infinities, f16's +-2^-24 (integer compares). */
static GELU_HALF_ALWAYS unsigned gelu_half_input_outside(enum gelu_half type, gelu_vw x)
{
    gelu_vwi a = gelu_vw_bits(gelu_vw_abs(x));
    unsigned out = ~gelu_vwi_le(a, gelu_vwi_set1(GELU_HALF_INPUT_ABS_MAX_BITS)) & GELU_HALF_ALL;
    return type == GELU_HALF_F16 ? out | gelu_vwi_eq(a, gelu_vwi_set1(GELU_HALF_INPUT_F16_LEAST_BITS)) : out;
}

/* The table's results for a group's `outside` lanes (bits per register), read from x: lane by
   lane, or, when many lanes are outside, the whole group by a loop of loads (about 3.5 Gelem/s
   on AVX-512, where lane by lane x in [-60, -12] ran 1.1 against 8.3 on N(0, 1): bf16 erf,
   n = 65536). */
static void gelu_half_input_fetch(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow, const uint16_t *x,
                                  const unsigned *outside, uint16_t *r)
{
    const uint16_t *table = gelu_half_fwd_table(form, type, narrow); /* filled on first need */
    int count = 0;
    for (int b = 0; b < GELU_HALF_NB; b++)
        count += __builtin_popcount(outside[b]);
    if (count > GELU_HALF_GROUP / 8) {
        _Static_assert(GELU_HALF_GROUP % 4 == 0, "whole 64-bit loads");
        gelu_half_lookup4(table, x, r, GELU_HALF_GROUP);
        return;
    }
    for (int b = 0; b < GELU_HALF_NB; b++)
        for (unsigned m = outside[b]; m; m &= m - 1)
            r[GELU_VW_LANES * b + __builtin_ctz(m)] = table[x[GELU_VW_LANES * b + __builtin_ctz(m)]];
}

#if GELU_VH2_PAIRS
/* gelu_half_zero_below's x as bf16 and f16 bits: the 16-bit x in [zero, -inf] have the result -0 */
static const uint16_t gelu_half_input_zero16[][2] = {
    [GELU_FORM_ERF] = {0xC15A, 0xC5C0},
    [GELU_FORM_TANH] = {0xC126, 0xC550},
    [GELU_FORM_QUICK] = {0xC264, 0xC9D0},
};
/* bf16 and f16: +inf, and a NaN's quiet bit */
static const uint16_t gelu_half_input_inf16[2] = {0x7F80, 0x7C00};
static const uint16_t gelu_half_input_quiet16[2] = {0x0040, 0x0200};

/*
 * Of a pair's lanes outside (o), those whose result the 16-bit x gives put in r, where the table
 * would put it (the table, lane by lane or a loop of loads, ran such data at a fifth to a third of
 * N(0, 1)'s speed): -0 for x at or below gelu_half_zero_below (and -inf), x itself for x > 0 (above
 * 8, where GELU(x) is x less than x 2^-20, +inf included; and f16's 8 and 2^-24, below), and a NaN
 * quieted; returns the others.
 */
static GELU_HALF_ALWAYS uint32_t gelu_half_input_known(enum gelu_form form, enum gelu_half type, gelu_vh2 h, uint32_t o,
                                                       uint16_t *r)
{
    int inf = gelu_half_input_inf16[type];
    uint32_t zero = o & gelu_vh2_in_range(h, gelu_half_input_zero16[form][type], 0x8000 + inf + 1);
    uint32_t self = o & gelu_vh2_in_range(h, 0, inf + 1);
    uint32_t nan = gelu_vh2_abs_above(h, inf);
    if (__builtin_expect(nan & ~gelu_vh2_abs_above(h, inf + gelu_half_input_quiet16[type] - 1), 0))
        gelu_fwd_raise_invalid(); /* a signalling NaN, whose quieted result is its bits */
    gelu_vh2_fill(r, zero, 0x8000);
    gelu_vh2_store_lanes(r, self, h);
    gelu_vh2_store_lanes(r, nan, gelu_vh2_or(h, gelu_half_input_quiet16[type]));
    return o & ~(zero | self | nan);
}

/* 1 when every lane of the group's pairs is outside (o: their masks), as on x in [-60, -12]: the
   results are all in r then (bf16 erf there ran 2.0 Gelem/s with the polynomial on zeros) */
static GELU_HALF_ALWAYS int gelu_half_input_all(const uint32_t *o)
{
    uint32_t all = ~0u;
    GELU_HALF_EACH(GELU_HALF_NB / 2)
        all &= o[b];
    return all == (uint32_t)(((uint64_t)1 << (2 * GELU_VW_LANES)) - 1);
}

/*
 * bf16, a group as GELU_HALF_NB / 2 registers of 16-bit values h: each widened into two
 * registers of floats, its even and its odd elements, evaluated by the table f, and rounded back
 * into place with half an ulp added to each float's bits: the high halves of the even lanes
 * shifted down, those of the odd lanes kept, merged in one instruction. Fewer operations than
 * widening and narrowing a register at a time, or interleaving and packing. With `patch`, the
 * lanes of o (masks in memory order) are computed as zeros and then taken from r.
 */
static GELU_HALF_ALWAYS void gelu_half_input_pairs_bf16(const struct gelu_half_input_form *f, const gelu_vh2 *h,
                                                        int patch, const uint32_t *o, const uint16_t *r, uint16_t *y)
{
    GELU_HALF_EACH(GELU_HALF_NB / 2) {
        gelu_vw even = gelu_vh2_bf16_even(h[b]), odd = gelu_vh2_bf16_odd(h[b]);
        if (patch) { /* the lanes outside, in register order, to zero */
            even = gelu_vw_keep(~gelu_half_input_outside(GELU_HALF_BF16, even) & GELU_HALF_ALL, even);
            odd = gelu_vw_keep(~gelu_half_input_outside(GELU_HALF_BF16, odd) & GELU_HALF_ALL, odd);
        }
        const gelu_vwi half = gelu_vwi_set1(0x8000);
        gelu_vh2 out = gelu_vh2_join_high(gelu_vwi_add(gelu_vw_bits(gelu_half_input_float(f, even)), half),
                                          gelu_vwi_add(gelu_vw_bits(gelu_half_input_float(f, odd)), half));
        if (patch)
            out = gelu_vh2_patch(out, o[b], r + 2 * GELU_VW_LANES * b);
        gelu_vh2_storeu(y + 2 * GELU_VW_LANES * b, out);
    }
}

/*
 * bf16, a group as GELU_HALF_NB / 2 registers of 16-bit values, checked on those values (masks
 * in memory order). When every |x| is at most the form's fast bound, by the shorter table
 * (gelu_half_input_fast: degree 3 to 6.5 or 4, against 4 or 5 to 8; 1.2-1.4x on N(0, 1)); else by the
 * form's table, the lanes outside it (|x| > 8: the bits without the sign above 0x4100) from
 * gelu_half_input_known or the table of every input's result.
 */
static GELU_HALF_ALWAYS void gelu_half_input_group_bf16(enum gelu_form form, gelu_n16_fn narrow, const uint16_t *x,
                                                        uint16_t *y)
{
    enum { PAIRS = GELU_HALF_NB / 2 };
    gelu_vh2 h[PAIRS];
    uint32_t o[PAIRS], any = 0; /* the lanes outside, in memory order */
    GELU_HALF_EACH(PAIRS) {
        h[b] = gelu_vh2_loadu(x + 2 * GELU_VW_LANES * b);
        any |= gelu_vh2_abs_above(h[b], gelu_half_input_fast_max16[form][GELU_HALF_BF16]);
    }
    if (__builtin_expect(any == 0, 1)) {
        gelu_half_input_pairs_bf16(&gelu_half_input_fast[form][GELU_HALF_BF16], h, 0, o, NULL, y);
        return;
    }
    uint16_t r[GELU_HALF_GROUP];
    any = 0;
    GELU_HALF_EACH(PAIRS) {
        o[b] = gelu_vh2_abs_above(h[b], GELU_HALF_INPUT_ABS_MAX_BITS >> 16);
        any |= o[b];
    }
    if (any != 0) { /* the table's results (masks per register built only here) */
        unsigned outside[GELU_HALF_NB];
        uint32_t any_table = 0;
        GELU_HALF_EACH(PAIRS) {
            uint32_t t = gelu_half_input_known(form, GELU_HALF_BF16, h[b], o[b], r + 2 * GELU_VW_LANES * b);
            outside[2 * b] = t & GELU_HALF_ALL, outside[2 * b + 1] = t >> GELU_VW_LANES;
            any_table |= t;
        }
        if (any_table) /* a call: the registers' constants are reloaded after it */
            gelu_half_input_fetch(form, GELU_HALF_BF16, narrow, x, outside, r);
        if (gelu_half_input_all(o)) { /* every result in r: no polynomial to patch */
            memcpy(y, r, sizeof r);
            return;
        }
    }
    gelu_half_input_pairs_bf16(&gelu_half_input_forms[form][GELU_HALF_BF16], h, any != 0, o, r, y);
}
#endif

/* A group of GELU_HALF_NB registers, x read whole before y is written. Lanes outside the
   range are computed as zeros (no exception from an infinity or a NaN), then replaced by the
   table's results. */
static GELU_HALF_ALWAYS void gelu_half_input_group(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow,
                                                   const uint16_t *x, uint16_t *y)
{
#if GELU_VH2_PAIRS
    if (type == GELU_HALF_BF16) {
        gelu_half_input_group_bf16(form, narrow, x, y);
        return;
    }
#endif
    const struct gelu_half_input_form *f = &gelu_half_input_forms[form][type];
    gelu_vw v[GELU_HALF_NB];
    gelu_vh out[GELU_HALF_NB];
    unsigned outside[GELU_HALF_NB], any = 0;
    uint16_t r[GELU_HALF_GROUP];
#if GELU_VH2_PAIRS
    /* f16: the lanes outside found on the 16-bit values, two registers' worth an instruction */
    uint32_t o[GELU_HALF_NB / 2];
    gelu_vh2 h[GELU_HALF_NB / 2];
    /* |x| = 2^-24 or |x| above the shorter table's bound (gelu_half_input_fast: degree 3 on
       pieces of 1/8 below 4) by one range test, which needs its m odd (the generator writes f16
       bounds so); a group with none takes that table */
    GELU_HALF_EACH(GELU_HALF_NB / 2) {
        h[b] = gelu_vh2_loadu(x + 2 * GELU_VW_LANES * b);
        any |= gelu_vh2_abs_one_or_above(h[b], gelu_half_input_fast_max16[form][type]);
    }
    GELU_HALF_EACH(GELU_HALF_NB)
        v[b] = gelu_half_widen(type, gelu_vh_loadu(x + GELU_VW_LANES * b));
    if (__builtin_expect(any == 0, 1)) {
        GELU_HALF_EACH(GELU_HALF_NB)
            out[b] = gelu_half_input_y(&gelu_half_input_fast[form][type], type, v[b]);
        gelu_half_store(y, out);
        return;
    }
    any = 0;
    GELU_HALF_EACH(GELU_HALF_NB / 2) {
        /* |x| = 2^-24 or |x| >= 8 by one range test (2-3 % against two compares); 8 itself then
           takes gelu_half_input_known's rule above 8 (GELU(8) rounds to 8), as +2^-24 does
           (GELU(2^-24) rounds to 2^-24: x/2 plus 0.4 x^2 is past the midpoint) */
        o[b] = gelu_vh2_abs_one_or_above(h[b], GELU_HALF_INPUT_F16_ABS_MAX - 1);
        any |= o[b];
    }
    if (any != 0) {
        unsigned table[GELU_HALF_NB]; /* the lanes outside whose result x does not give */
        uint32_t any_table = 0;
        GELU_HALF_EACH(GELU_HALF_NB / 2) {
            uint32_t t = gelu_half_input_known(form, type, h[b], o[b], r + 2 * GELU_VW_LANES * b);
            outside[2 * b] = o[b] & GELU_HALF_ALL, outside[2 * b + 1] = o[b] >> GELU_VW_LANES;
            table[2 * b] = t & GELU_HALF_ALL, table[2 * b + 1] = t >> GELU_VW_LANES;
            any_table |= t;
        }
        if (any_table) /* a call: the registers' constants are reloaded after it (f16's +-8, x itself, take none) */
            gelu_half_input_fetch(form, type, narrow, x, table, r);
        if (gelu_half_input_all(o)) { /* every result in r: no polynomial to patch */
            memcpy(y, r, sizeof r);
            return;
        }
#else
    GELU_HALF_EACH(GELU_HALF_NB) {
        v[b] = gelu_half_widen(type, gelu_vh_loadu(x + GELU_VW_LANES * b));
        any |= gelu_half_input_outside(type, v[b]);
    }
    if (__builtin_expect(any != 0, 0)) { /* the masks per register kept only here, off the common path */
        GELU_HALF_EACH(GELU_HALF_NB)
            outside[b] = gelu_half_input_outside(type, v[b]);
        gelu_half_input_fetch(form, type, narrow, x, outside, r);
#endif
        GELU_HALF_EACH(GELU_HALF_NB)
            v[b] = gelu_vw_keep(~outside[b] & GELU_HALF_ALL, v[b]);
    }
    GELU_HALF_EACH(GELU_HALF_NB)
        out[b] = gelu_half_input_y(f, type, v[b]);
    if (__builtin_expect(any != 0, 0))
        GELU_HALF_EACH(GELU_HALF_NB)
            out[b] = gelu_vh_patch(out[b], outside[b], r + GELU_VW_LANES * b);
    gelu_half_store(y, out);
}

/* Fewer than a group of elements, through buffers padded with zeros (x read first). */
static void gelu_half_input_partial(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow, const uint16_t *x,
                                    uint16_t *y, size_t n)
{
    uint16_t xb[GELU_HALF_GROUP] = {0}, yb[GELU_HALF_GROUP];
    memcpy(xb, x, n * sizeof(uint16_t));
    gelu_half_input_group(form, type, narrow, xb, yb);
    memcpy(y, yb, n * sizeof(uint16_t));
}

/* n elements: groups, then the last partial group. */
static GELU_HALF_ALWAYS void gelu_half_input_run(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow,
                                                 const uint16_t *x, uint16_t *y, size_t n)
{
    size_t i = 0;
    for (; i + GELU_HALF_GROUP <= n; i += GELU_HALF_GROUP)
        gelu_half_input_group(form, type, narrow, x + i, y + i);
    if (i < n)
        gelu_half_input_partial(form, type, narrow, x + i, y + i, n - i);
}

#else

/* Every element from the table (x[i] read before y[i] is written), a block at a time: a
   signalling NaN among the block's inputs raises invalid (gelu_half_any_snan, while the block
   is in the cache), as the table cannot. */
static GELU_HALF_ALWAYS void gelu_half_input_run(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow,
                                                 const uint16_t *x, uint16_t *y, size_t n)
{
    const uint16_t *table = gelu_half_fwd_table(form, type, narrow);
    for (size_t i = 0; i < n; i += GELU_HALF_CHUNK) {
        size_t len = n - i < GELU_HALF_CHUNK ? n - i : GELU_HALF_CHUNK;
        if (__builtin_expect(gelu_half_any_snan(type, x + i, len), 0))
            gelu_fwd_raise_invalid();
        gelu_half_lookup(table, x + i, y + i, len);
    }
}

#endif
#endif
