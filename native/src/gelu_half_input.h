/*
 * The 16-bit-input forward kernels (gelu_<form>_bf16, gelu_<form>_f16: 16 bits in, 16 bits
 * out), included by gelu_half_body.h. The instantiating file chooses, besides the body's
 * GELU_HALF_NB and GELU_HALF_STREAM:
 *
 * GELU_HALF_INPUT_POLY  1: the polynomial path below; 0: every element from the table
 *
 * A 16-bit input has 65,536 values, so a float evaluation of GELU can be checked against the
 * correctly rounded result of every input it will ever see: the polynomial path needs no
 * rounding test. For |x| <= 8 (NaN and the infinities excluded), in float:
 *
 *   k = round(C |x|)      the piece, 0 .. 31, from s = fma(|x|, C, M) (M = 1.5 2^23: s = M + k)
 *   t = C |x| - k         in [-1/2, 1/2]
 *   q = sum c_j[k] t^j    Horner, degree 4 or 5, one 32-entry table lookup per coefficient
 *   m = max(0, x) - |x| b[k]   exact: max(0, x), or x/2 on the first pieces (where q = Q - 1/2
 *                              is small, so that its float ulps are fine enough)
 *   y = m - |x| q         with x's sign (a zero keeps it), rounded to the format: bf16 by
 *                         adding half an ulp to the float's bits, f16 by the conversion
 *
 * gen_half_input.py fits the tables (gelu_half_input_coeffs.h) and proves them: evaluated
 * exactly as here, every input with |x| <= 8 gives the MPFR oracle's result, none differs;
 * the test `half` runs this path on all of them on every ISA that takes it. A group of
 * registers with a lane outside the range (|x| > 8, NaN, an infinity) is computed with those
 * lanes set to zero, and they are then taken from the table of every input's result
 * (gelu_half_tables.c). Unrolled over GELU_HALF_NB registers so that their Horner chains
 * overlap; bf16 widens and narrows two registers at a time where the wrapper can
 * (GELU_VH2_PAIRS).
 */
#ifndef GELU_HALF_INPUT_H
#define GELU_HALF_INPUT_H

#ifndef GELU_HALF_INPUT_POLY
#define GELU_HALF_INPUT_POLY 0
#endif
#if GELU_HALF_INPUT_POLY

#include "gelu_half_input_coeffs.h"

struct gelu_half_input_form {
    const float (*rows)[32]; /* row 0: b; rows 1 ..: c_0 .. c_degree */
    int degree;
};
#define GELU_HALF_INPUT_ROW(form, FORM)                                                          \
    [GELU_FORM_##FORM] = {{gelu_half_input_##form##_bf16, GELU_HALF_INPUT_##FORM##_BF16_DEGREE}, \
                          {gelu_half_input_##form##_f16, GELU_HALF_INPUT_##FORM##_F16_DEGREE}},
static const struct gelu_half_input_form gelu_half_input_forms[][2] = {GELU_FORMS(GELU_HALF_INPUT_ROW)};
#undef GELU_HALF_INPUT_ROW

/* GELU(x) for |x| <= 8 in float, before the rounding to the format (other lanes: anything,
   raising nothing for a zero). */
static GELU_HALF_ALWAYS gelu_vw gelu_half_input_float(const struct gelu_half_input_form *f, gelu_vw x)
{
    gelu_vw a = gelu_vw_abs(x), c = gelu_vw_set1(GELU_HALF_INPUT_C);
    gelu_vw s = gelu_vw_fma(a, c, gelu_vw_set1(GELU_HALF_INPUT_M));
    gelu_vw t = gelu_vw_fma(a, c, gelu_vw_sub(gelu_vw_set1(GELU_HALF_INPUT_M), s)); /* M - s exact */
    gelu_vwi k = gelu_vw_bits(s);                                                   /* k in the low 5 bits */
    gelu_vw q = gelu_vw_lookup32_low_bits(f->rows[f->degree + 1], k);
    _Pragma("GCC unroll 8")
    for (int j = f->degree - 1; j >= 0; j--)
        q = gelu_vw_fma(q, t, gelu_vw_lookup32_low_bits(f->rows[j + 1], k));
    /* max(0, x) returns x when both are zeros */
    gelu_vw m = gelu_vw_fnma(a, gelu_vw_lookup32_low_bits(f->rows[0], k), gelu_vw_max(gelu_vw_zero(), x));
    return gelu_vw_copysign(gelu_vw_fnma(a, q, m), x);
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

/* The lanes the path does not take: |x| > 8, NaN, the infinities (an integer compare). */
static GELU_HALF_ALWAYS unsigned gelu_half_input_outside(gelu_vw x)
{
    return ~gelu_vwi_le(gelu_vw_bits(gelu_vw_abs(x)), gelu_vwi_set1(GELU_HALF_INPUT_ABS_MAX_BITS)) & GELU_HALF_ALL;
}

/* The table's results for a group's `outside` lanes (bits per register), read from x. */
static void gelu_half_input_fetch(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow, const uint16_t *x,
                                  const unsigned *outside, uint16_t *r)
{
    const uint16_t *table = gelu_half_fwd_table(form, type, narrow); /* filled on first need */
    for (int b = 0; b < GELU_HALF_NB; b++)
        for (unsigned m = outside[b]; m; m &= m - 1)
            r[GELU_VW_LANES * b + __builtin_ctz(m)] = table[x[GELU_VW_LANES * b + __builtin_ctz(m)]];
}

/* ... and into y, after the group's store. */
static void gelu_half_input_patch(uint16_t *y, const unsigned *outside, const uint16_t *r)
{
    for (int b = 0; b < GELU_HALF_NB; b++)
        for (unsigned m = outside[b]; m; m &= m - 1)
            y[GELU_VW_LANES * b + __builtin_ctz(m)] = r[GELU_VW_LANES * b + __builtin_ctz(m)];
}

#if GELU_VH2_PAIRS
/*
 * bf16, a group as GELU_HALF_NB / 2 registers of 16-bit values: each widened into two
 * registers of floats by interleaving with zeros (an order within the register that the
 * packing back undoes), checked on its 16-bit values (|x| <= 8: the bits without the sign at
 * most 0x4100; masks in memory order), and packed back in one instruction. Fewer operations
 * than widening and narrowing a register at a time.
 */
static GELU_HALF_ALWAYS void gelu_half_input_group_bf16(enum gelu_form form, gelu_n16_fn narrow, const uint16_t *x,
                                                        uint16_t *y, int stream)
{
    const struct gelu_half_input_form *f = &gelu_half_input_forms[form][GELU_HALF_BF16];
    enum { PAIRS = GELU_HALF_NB / 2 };
    gelu_vh2 h[PAIRS];
    unsigned outside[GELU_HALF_NB], any = 0;
    uint16_t r[GELU_HALF_GROUP];
    GELU_HALF_EACH(PAIRS) {
        h[b] = gelu_vh2_loadu(x + 2 * GELU_VW_LANES * b);
        uint32_t o = gelu_vh2_abs_above(h[b], GELU_HALF_INPUT_ABS_MAX_BITS >> 16);
        outside[2 * b] = o & GELU_HALF_ALL, outside[2 * b + 1] = o >> GELU_VW_LANES;
        any |= o;
    }
    if (__builtin_expect(any != 0, 0))
        gelu_half_input_fetch(form, GELU_HALF_BF16, narrow, x, outside, r);
    GELU_HALF_EACH(PAIRS) {
        gelu_vw lo = gelu_vh2_bf16_lo(h[b]), hi = gelu_vh2_bf16_hi(h[b]);
        if (__builtin_expect(any != 0, 0)) { /* the lanes outside, in register order, to zero */
            lo = gelu_vw_keep(~gelu_half_input_outside(lo) & GELU_HALF_ALL, lo);
            hi = gelu_vw_keep(~gelu_half_input_outside(hi) & GELU_HALF_ALL, hi);
        }
        gelu_vh2 out = gelu_vwi_pack16(gelu_half_input_bf16(gelu_half_input_float(f, lo)),
                                       gelu_half_input_bf16(gelu_half_input_float(f, hi)));
        if (stream)
            gelu_vh2_stream(y + 2 * GELU_VW_LANES * b, out);
        else
            gelu_vh2_storeu(y + 2 * GELU_VW_LANES * b, out);
    }
    if (__builtin_expect(any != 0, 0))
        gelu_half_input_patch(y, outside, r);
}
#endif

/* A group of GELU_HALF_NB registers, x read whole before y is written. Lanes outside the
   range are computed as zeros (no exception from an infinity or a NaN), then replaced by the
   table's results. */
static GELU_HALF_ALWAYS void gelu_half_input_group(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow,
                                                   const uint16_t *x, uint16_t *y, int stream)
{
#if GELU_VH2_PAIRS
    if (type == GELU_HALF_BF16) {
        gelu_half_input_group_bf16(form, narrow, x, y, stream);
        return;
    }
#endif
    const struct gelu_half_input_form *f = &gelu_half_input_forms[form][type];
    gelu_vw v[GELU_HALF_NB];
    gelu_vh out[GELU_HALF_NB];
    unsigned outside[GELU_HALF_NB], any = 0;
    uint16_t r[GELU_HALF_GROUP];
    GELU_HALF_EACH(GELU_HALF_NB) {
        v[b] = gelu_half_widen(type, gelu_vh_loadu(x + GELU_VW_LANES * b));
        outside[b] = gelu_half_input_outside(v[b]);
        any |= outside[b];
    }
    if (__builtin_expect(any != 0, 0)) {
        gelu_half_input_fetch(form, type, narrow, x, outside, r);
        GELU_HALF_EACH(GELU_HALF_NB)
            v[b] = gelu_vw_keep(~outside[b] & GELU_HALF_ALL, v[b]);
    }
    GELU_HALF_EACH(GELU_HALF_NB)
        out[b] = gelu_half_input_y(f, type, v[b]);
    gelu_half_store(y, out, stream);
    if (__builtin_expect(any != 0, 0))
        gelu_half_input_patch(y, outside, r);
}

/* Fewer than a group of elements, through buffers padded with zeros (x read first). */
static void gelu_half_input_partial(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow, const uint16_t *x,
                                    uint16_t *y, size_t n)
{
    uint16_t xb[GELU_HALF_GROUP] = {0}, yb[GELU_HALF_GROUP];
    memcpy(xb, x, n * sizeof(uint16_t));
    gelu_half_input_group(form, type, narrow, xb, yb, 0);
    memcpy(y, yb, n * sizeof(uint16_t));
}

/* n elements: groups (when n is large, streamed from y's first 64-byte boundary on), then the
   last partial group. */
static GELU_HALF_ALWAYS void gelu_half_input_run(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow,
                                                 const uint16_t *x, uint16_t *y, size_t n)
{
    size_t i = 0;
    if (GELU_HALF_STREAM && n >= GELU_HALF_NT_ELEMENTS && ((uintptr_t)y & 1) == 0) {
        i = ((64 - ((uintptr_t)y & 63)) & 63) / 2;
        if (i)
            gelu_half_input_partial(form, type, narrow, x, y, i);
        for (; i + GELU_HALF_GROUP <= n; i += GELU_HALF_GROUP) {
            gelu_prefetch(x + i + GELU_HALF_PREFETCH_ELEMENTS);
            gelu_half_input_group(form, type, narrow, x + i, y + i, 1);
        }
        gelu_sfence();
    } else {
        for (; i + GELU_HALF_GROUP <= n; i += GELU_HALF_GROUP)
            gelu_half_input_group(form, type, narrow, x + i, y + i, 0);
    }
    if (i < n)
        gelu_half_input_partial(form, type, narrow, x + i, y + i, n - i);
}

#else

/* Every element from the table (x[i] read before y[i] is written). */
static GELU_HALF_ALWAYS void gelu_half_input_run(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow,
                                                 const uint16_t *x, uint16_t *y, size_t n)
{
    gelu_half_lookup(gelu_half_fwd_table(form, type, narrow), x, y, n);
}

#endif
#endif
