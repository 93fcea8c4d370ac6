/*
 * 16-bit storage (bf16, f16), correctly rounded, written once over a SIMD wrapper: a float32
 * fast path, a full register of floats (gelu_vw) an instruction, and the double path of
 * gelu_half.c (the scalar ISA's kernels) for the lanes it cannot decide. Include after one of
 * the vector simd/gelu_simd_<isa>.h and the instantiating file's choices:
 *
 * GELU_HALF_ISA     the name suffix (avx2, avx512)
 * GELU_HALF_NB      registers a group holds
 * GELU_HALF_STREAM  1: from GELU_HALF_NT_ELEMENTS elements on, stream the output past the caches
 *
 * y = fma(-|x|, Q, max(0, x)) in float with Q from gelu_half_coeffs.h (24 pieces of width 1/4,
 * one table lookup per coefficient), within GELU_HALF_ULPS float ulps of the exact value for
 * x >= LO (gelu_half_ulps measures the bound). The 16-bit rounding of y is then decided unless
 * y lies within that many ulps of a 16-bit midpoint, which a window test on the float's low
 * bits sees (16 bits for bf16; 13 for f16, whose normal range only is taken here). Undecided
 * lanes, x < LO, NaN, the infinities and quick's x >= 6 (its Q is still 2^-14.7 there:
 * gelu_half_coeffs.h) take the double path with the x the lane read, so in place is safe.
 */
#ifndef GELU_HALF_BODY_H
#define GELU_HALF_BODY_H

#include <math.h>

#include "gelu_half_coeffs.h"

#define GELU_HALF_ALWAYS inline __attribute__((always_inline))
#define GELU_HALF_EACH(nb)  \
    _Pragma("GCC unroll 8") \
    for (int b = 0; b < (nb); b++)
#define GELU_HALF_CAT2(a, b) a##_##b
#define GELU_HALF_CAT(a, b) GELU_HALF_CAT2(a, b)
#define GELU_HALF_ALL ((1u << GELU_VW_LANES) - 1)
#define GELU_HALF_GROUP (GELU_HALF_NB * GELU_VW_LANES)
/* From this many elements on the output is streamed, as in the float32 kernels. */
#define GELU_HALF_NT_ELEMENTS (1u << 18)
#define GELU_HALF_PREFETCH_ELEMENTS 512

/* The fast path's table of Q, and the range of x where it holds: [lo, hi). */
struct gelu_half_form {
    const float (*coef)[32];
    float lo, hi;
};
static const struct gelu_half_form gelu_half_forms[] = {
    [GELU_FORM_ERF] = {gelu_half_erf_coef, GELU_HALF_ERF_LO, INFINITY}, /* x < +inf: x <= FLT_MAX */
    [GELU_FORM_TANH] = {gelu_half_tanh_coef, GELU_HALF_TANH_LO, INFINITY},
    [GELU_FORM_QUICK] = {gelu_half_quick_coef, GELU_HALF_QUICK_LO, GELU_HALF_QUICK_HI}, /* its table's clamp */
};

static GELU_HALF_ALWAYS gelu_vw gelu_half_y(const float (*c)[32], gelu_vw x)
{
    gelu_vw ax = gelu_vw_abs(x);
    gelu_vw r = gelu_vw_min(gelu_vw_mul(ax, gelu_vw_set1(4.0f)), gelu_vw_set1(GELU_HALF_R_MAX));
    gelu_vwi k = gelu_vw_trunc(r);
    gelu_vw t = gelu_vw_sub(gelu_vw_sub(r, gelu_vwi_to_vw(k)), gelu_vw_set1(0.5f));
    gelu_vw q = gelu_vw_lookup32(c[GELU_HALF_DEGREE], k);
    _Pragma("GCC unroll 8") /* unrolled, the table rows stay in registers across the loop */
    for (int j = GELU_HALF_DEGREE - 1; j >= 0; j--)
        q = gelu_vw_fma(q, t, gelu_vw_lookup32(c[j], k));
    /* max(0, x) returns x when both are zeros, so -0 stays -0 */
    return gelu_vw_fnma(ax, q, gelu_vw_max(gelu_vw_zero(), x));
}

/* Lanes that the fast path cannot take: x outside [lo, hi), or NaN (quiet compares). */
static GELU_HALF_ALWAYS unsigned gelu_half_out_of_range(const struct gelu_half_form *f, gelu_vw x)
{
    return ~(gelu_vw_ge(x, gelu_vw_set1(f->lo)) & gelu_vw_lt(x, gelu_vw_set1(f->hi))) & GELU_HALF_ALL;
}

/* y rounded to bf16 or f16, and the lanes where that rounding is not decided. */
static GELU_HALF_ALWAYS gelu_vh gelu_half_decide(enum gelu_half type, gelu_vw y, unsigned *undecided)
{
    gelu_vwi b = gelu_vw_bits(y);
    if (type == GELU_HALF_BF16) {
        gelu_vwi w = gelu_vwi_and(gelu_vwi_add(b, gelu_vwi_set1(GELU_HALF_ULPS - 0x8000)), gelu_vwi_set1(0xFFFF));
        *undecided = gelu_vwi_le(w, gelu_vwi_set1(2 * GELU_HALF_ULPS));
        /* no tie reaches here, so adding half an ulp and truncating is round to nearest */
        return gelu_vwi_narrow16(gelu_vwi_shr(gelu_vwi_add(b, gelu_vwi_set1(0x8000)), 16));
    }
    gelu_vwi ab = gelu_vwi_and(b, gelu_vwi_set1(0x7FFFFFFF));
    /* f16's normal range, below 65504 */
    unsigned taken = gelu_vwi_in_range(ab, 0x38800000, 0x477FE000) | gelu_vwi_eq(ab, gelu_vwi_set1(0));
    gelu_vwi w = gelu_vwi_and(gelu_vwi_add(b, gelu_vwi_set1(GELU_HALF_ULPS - 0x1000)), gelu_vwi_set1(0x1FFF));
    *undecided = gelu_vwi_le(w, gelu_vwi_set1(2 * GELU_HALF_ULPS)) | (~taken & GELU_HALF_ALL);
    return gelu_vw_to_f16(y);
}

static __attribute__((noinline)) gelu_vh gelu_half_slow_lanes(enum gelu_form form, enum gelu_half type, gelu_vw x,
                                                              gelu_vh out, unsigned slow)
{
    float xs[GELU_VW_LANES];
    uint16_t ys[GELU_VW_LANES];
    gelu_vw_storeu(xs, x);
    gelu_vh_storeu(ys, out);
    for (; slow; slow &= slow - 1) {
        int l = __builtin_ctz(slow);
        ys[l] = gelu_half_slow(form, type, xs[l]);
    }
    return gelu_vh_loadu(ys);
}

/* One register of x: floats (kind_h16 = 0), or 16-bit values of the type, widened exactly. */
static GELU_HALF_ALWAYS gelu_vw gelu_half_load(int kind_h16, enum gelu_half type, const void *x)
{
    if (!kind_h16)
        return gelu_vw_loadu(x);
    gelu_vh h = gelu_vh_loadu(x);
    return type == GELU_HALF_F16 ? gelu_vh_f16_to_vw(h) : gelu_vh_bf16_to_vw(h);
}

/* A group: GELU_HALF_NB registers of x, as floats (kind_h16 = 0) or 16-bit values. */
static GELU_HALF_ALWAYS void gelu_half_group(enum gelu_form form, enum gelu_half type, int kind_h16, const void *x,
                                             uint16_t *y, int stream)
{
    const struct gelu_half_form *f = &gelu_half_forms[form];
    size_t step = GELU_VW_LANES * (kind_h16 ? 2 : 4);
    gelu_vw v[GELU_HALF_NB];
    gelu_vh out[GELU_HALF_NB];
    unsigned slow[GELU_HALF_NB], any = 0;
    GELU_HALF_EACH(GELU_HALF_NB) {
        v[b] = gelu_half_load(kind_h16, type, (const char *)x + b * step);
        out[b] = gelu_half_decide(type, gelu_half_y(f->coef, v[b]), &slow[b]);
        slow[b] |= gelu_half_out_of_range(f, v[b]);
        any |= slow[b];
    }
    if (__builtin_expect(any != 0, 0))
        GELU_HALF_EACH(GELU_HALF_NB)
            if (slow[b])
                out[b] = gelu_half_slow_lanes(form, type, v[b], out[b], slow[b]);
    if (stream)
        GELU_HALF_EACH(GELU_HALF_NB)
            gelu_vh_stream(y + GELU_VW_LANES * b, out[b]);
    else
        GELU_HALF_EACH(GELU_HALF_NB)
            gelu_vh_storeu(y + GELU_VW_LANES * b, out[b]);
}

/* Fewer than a group of elements, through a buffer: zeros pad it, and x is read first. */
static void gelu_half_partial(enum gelu_form form, enum gelu_half type, int kind_h16, const void *x, uint16_t *y,
                              size_t n)
{
    size_t size = kind_h16 ? 2 : 4;
    _Alignas(64) unsigned char xb[4 * GELU_HALF_GROUP] = {0};
    uint16_t yb[GELU_HALF_GROUP];
    memcpy(xb, x, n * size);
    gelu_half_group(form, type, kind_h16, xb, yb, 0);
    memcpy(y, yb, n * sizeof(uint16_t));
}

static GELU_HALF_ALWAYS void gelu_half_run(enum gelu_form form, enum gelu_half type, int kind_h16, const void *x,
                                           uint16_t *y, size_t n)
{
    size_t size = kind_h16 ? 2 : 4, i = 0;
    int stream = GELU_HALF_STREAM && n >= GELU_HALF_NT_ELEMENTS && ((uintptr_t)y & 1) == 0;
    if (stream && ((uintptr_t)y & 63) != 0) { /* streamed from y's first 64-byte boundary */
        i = (64 - ((uintptr_t)y & 63)) / 2;
        gelu_half_partial(form, type, kind_h16, x, y, i);
    }
    for (; i + GELU_HALF_GROUP <= n; i += GELU_HALF_GROUP) {
#if GELU_HALF_STREAM
        gelu_prefetch((const char *)x + (i + GELU_HALF_PREFETCH_ELEMENTS) * size);
#endif
        gelu_half_group(form, type, kind_h16, (const char *)x + i * size, y + i, stream);
    }
    if (stream)
        gelu_sfence();
    if (i < n)
        gelu_half_partial(form, type, kind_h16, (const char *)x + i * size, y + i, n - i);
}

/* gelu_<form>_{bf16,f16}_<isa> and gelu_<form>_f32_to_{bf16,f16}_<isa> for every form. */
#define GELU_HALF_ONE(name, in, form, type, kind_h16)                           \
    void GELU_HALF_CAT(name, GELU_HALF_ISA)(const in *x, uint16_t *y, size_t n) \
    {                                                                           \
        gelu_half_run(form, type, kind_h16, x, y, n);                           \
    }
#define GELU_HALF_EMIT(form, FORM)                                                       \
    GELU_HALF_ONE(gelu_##form##_bf16, uint16_t, GELU_FORM_##FORM, GELU_HALF_BF16, 1)     \
    GELU_HALF_ONE(gelu_##form##_f16, uint16_t, GELU_FORM_##FORM, GELU_HALF_F16, 1)       \
    GELU_HALF_ONE(gelu_##form##_f32_to_bf16, float, GELU_FORM_##FORM, GELU_HALF_BF16, 0) \
    GELU_HALF_ONE(gelu_##form##_f32_to_f16, float, GELU_FORM_##FORM, GELU_HALF_F16, 0)
#define GELU_HALF_KERNELS GELU_FORMS(GELU_HALF_EMIT)

#endif
