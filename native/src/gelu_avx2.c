/*
 * AVX2 + FMA kernels. The float32 forward kernels are the bodies of gelu_forward_*.h over
 * simd/gelu_simd_avx2.h, in two tiers (the first and the reference: gelu_forward_cr.h; the
 * AVX-512 central tier would gather ten coefficients a lane here); the 16-bit and backward
 * kernels follow. A tail goes through masked loads and stores or a small local buffer, so no
 * load or store leaves the arrays.
 */
#include <float.h>
#include <immintrin.h>
#include <math.h>

#include "gelu_internal.h"
#include "simd/gelu_simd_avx2.h"

#define GELU_ISA avx2
#define GELU_FWD_NB 4
#define GELU_FWD_FIRST 1
#define GELU_FWD_CENTRAL 0
#define GELU_FWD_STREAM 0
#define GELU_FWD_FNV 8
#define GELU_FWD_FTG 1
#include "gelu_forward_kernels.h"

/* ---- the 16-bit and backward kernels ---- */

#define SET1 _mm256_set1_pd
#define ALWAYS inline __attribute__((always_inline))

/* the reference exp of the forward kernels (gelu_forward_ref.h) */
static inline __m256d exp_neg4(__m256d t) { return gelu_fwd_exp_neg(t); }

/* min(|x|, amax) with NaN -> amax, quietly */
static inline __m256d clamp_abs4(__m256d xd, double amax) { return gelu_vd_min_quiet(gelu_vd_abs(xd), SET1(amax)); }

/* y, with -0 in the lanes where x = -inf: -amax*Q would raise a spurious underflow there. */
static inline __m256d not_neg_inf(__m256d xd, __m256d y)
{
    return _mm256_blendv_pd(y, SET1(-0.0), _mm256_cmp_pd(xd, SET1(-INFINITY), _CMP_EQ_OQ));
}

/*
 * 16-bit storage (bf16, f16), correctly rounded: the float32 fast path of gelu_avx512.c
 * (see there), eight lanes an instruction, its coefficients gathered; F16C converts f16.
 */
#include "gelu_half_coeffs.h"

static ALWAYS __m256 half_y(const float (*c)[32], __m256 x)
{
    __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    __m256 r = _mm256_min_ps(_mm256_mul_ps(ax, _mm256_set1_ps(4.0f)), _mm256_set1_ps(GELU_HALF_R_MAX));
    __m256i k = _mm256_cvttps_epi32(r);
    __m256 t = _mm256_sub_ps(_mm256_sub_ps(r, _mm256_cvtepi32_ps(k)), _mm256_set1_ps(0.5f));
    __m256 q = _mm256_i32gather_ps(c[GELU_HALF_DEGREE], k, 4);
    _Pragma("GCC unroll 8") /* unrolled, the table rows stay in registers across the loop */
    for (int j = GELU_HALF_DEGREE - 1; j >= 0; j--)
        q = _mm256_fmadd_ps(q, t, _mm256_i32gather_ps(c[j], k, 4));
    return _mm256_fnmadd_ps(ax, q, _mm256_max_ps(_mm256_setzero_ps(), x)); /* -0 stays -0 */
}

static ALWAYS int half_out_of_range(enum gelu_form form, __m256 x)
{
    float lo = form == GELU_FORM_ERF ? GELU_HALF_ERF_LO : form == GELU_FORM_TANH ? GELU_HALF_TANH_LO : GELU_HALF_QUICK_LO;
    float hi = form == GELU_FORM_QUICK ? GELU_HALF_QUICK_HI : INFINITY; /* x < +inf: x <= FLT_MAX */
    __m256 ok = _mm256_and_ps(_mm256_cmp_ps(x, _mm256_set1_ps(lo), _CMP_GE_OQ),
                              _mm256_cmp_ps(x, _mm256_set1_ps(hi), _CMP_LT_OQ));
    return ~_mm256_movemask_ps(ok) & 0xFF;
}

static ALWAYS __m128i half_round(enum gelu_half type, __m256 y, int *undecided)
{
    __m256i b = _mm256_castps_si256(y);
    if (type == GELU_HALF_BF16) {
        __m256i w = _mm256_and_si256(_mm256_add_epi32(b, _mm256_set1_epi32(GELU_HALF_ULPS - 0x8000)),
                                     _mm256_set1_epi32(0xFFFF));
        __m256i u = _mm256_cmpgt_epi32(_mm256_set1_epi32(2 * GELU_HALF_ULPS + 1), w);
        *undecided = _mm256_movemask_ps(_mm256_castsi256_ps(u));
        __m256i r = _mm256_srli_epi32(_mm256_add_epi32(b, _mm256_set1_epi32(0x8000)), 16);
        return _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
    }
    __m256i ab = _mm256_and_si256(b, _mm256_set1_epi32(0x7FFFFFFF));
    __m256i sub = _mm256_cmpgt_epi32(_mm256_set1_epi32(0x38800000), ab);  /* below f16's normal range */
    __m256i big = _mm256_cmpgt_epi32(ab, _mm256_set1_epi32(0x477FE000 - 1)); /* 65504 and above */
    __m256i zero = _mm256_cmpeq_epi32(ab, _mm256_setzero_si256());
    __m256i w = _mm256_and_si256(_mm256_add_epi32(b, _mm256_set1_epi32(GELU_HALF_ULPS - 0x1000)),
                                 _mm256_set1_epi32(0x1FFF));
    __m256i u = _mm256_or_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(2 * GELU_HALF_ULPS + 1), w),
                                _mm256_or_si256(_mm256_andnot_si256(zero, sub), big));
    *undecided = _mm256_movemask_ps(_mm256_castsi256_ps(u));
    return _mm256_cvtps_ph(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

static __attribute__((noinline)) __m128i half_slow_lanes(enum gelu_form form, enum gelu_half type, __m256 x,
                                                         __m128i out, int slow)
{
    float xs[8];
    uint16_t ys[8];
    _mm256_storeu_ps(xs, x);
    _mm_storeu_si128((__m128i *)ys, out);
    for (; slow; slow &= slow - 1) {
        int l = __builtin_ctz((unsigned)slow);
        ys[l] = gelu_half_slow(form, type, xs[l]);
    }
    return _mm_loadu_si128((const __m128i *)ys);
}

static ALWAYS __m256 half_load(int kind_h16, enum gelu_half type, const void *x)
{
    if (!kind_h16)
        return _mm256_loadu_ps(x);
    __m128i h = _mm_loadu_si128((const __m128i *)x);
    if (type == GELU_HALF_F16)
        return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

#define HNB 2

static ALWAYS void half_blocks(enum gelu_form form, enum gelu_half type, int kind_h16, const void *x, uint16_t *y)
{
    const float(*c)[32] = form == GELU_FORM_ERF    ? gelu_half_erf_coef
                          : form == GELU_FORM_TANH ? gelu_half_tanh_coef
                                                   : gelu_half_quick_coef;
    size_t step = kind_h16 ? 16 : 32;
    __m256 v[HNB];
    __m128i out[HNB];
    int slow[HNB], any = 0;
    for (int b = 0; b < HNB; b++) {
        v[b] = half_load(kind_h16, type, (const char *)x + b * step);
        out[b] = half_round(type, half_y(c, v[b]), &slow[b]);
        slow[b] |= half_out_of_range(form, v[b]);
        any |= slow[b];
    }
    if (__builtin_expect(any != 0, 0))
        for (int b = 0; b < HNB; b++)
            if (slow[b])
                out[b] = half_slow_lanes(form, type, v[b], out[b], slow[b]);
    for (int b = 0; b < HNB; b++)
        _mm_storeu_si128((__m128i *)(y + 8 * b), out[b]);
}

static ALWAYS void run_half(enum gelu_form form, enum gelu_half type, int kind_h16, const void *x, uint16_t *y,
                            size_t n)
{
    size_t size = kind_h16 ? 2 : 4, i = 0;
    for (; i + 8 * HNB <= n; i += 8 * HNB)
        half_blocks(form, type, kind_h16, (const char *)x + i * size, y + i);
    if (i < n) { /* the last partial group, through a buffer: zeros pad it, and x is read first */
        _Alignas(32) unsigned char xb[32 * HNB] = {0};
        uint16_t yb[8 * HNB];
        memcpy(xb, (const char *)x + i * size, (n - i) * size);
        half_blocks(form, type, kind_h16, xb, yb);
        memcpy(y + i, yb, (n - i) * sizeof(uint16_t));
    }
}

void gelu_erf_bf16_avx2(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_ERF, GELU_HALF_BF16, 1, x, y, n); }
void gelu_tanh_bf16_avx2(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_TANH, GELU_HALF_BF16, 1, x, y, n); }
void gelu_erf_f16_avx2(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_ERF, GELU_HALF_F16, 1, x, y, n); }
void gelu_tanh_f16_avx2(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_TANH, GELU_HALF_F16, 1, x, y, n); }
void gelu_erf_f32_to_bf16_avx2(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_ERF, GELU_HALF_BF16, 0, x, y, n); }
void gelu_tanh_f32_to_bf16_avx2(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_TANH, GELU_HALF_BF16, 0, x, y, n); }
void gelu_erf_f32_to_f16_avx2(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_ERF, GELU_HALF_F16, 0, x, y, n); }
void gelu_tanh_f32_to_f16_avx2(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_TANH, GELU_HALF_F16, 0, x, y, n); }
void gelu_quick_bf16_avx2(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_QUICK, GELU_HALF_BF16, 1, x, y, n); }
void gelu_quick_f16_avx2(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_QUICK, GELU_HALF_F16, 1, x, y, n); }
void gelu_quick_f32_to_bf16_avx2(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_QUICK, GELU_HALF_BF16, 0, x, y, n); }
void gelu_quick_f32_to_f16_avx2(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_QUICK, GELU_HALF_F16, 0, x, y, n); }

/* ---- backward: dx = fl(dy * GELU'(x)), the operation sequence of gelu_backward.c ---- */

/* gelu_mul_nan on 4 lanes: the product, with dy's NaN (quieted), else d's, else the default one. */
static inline __m128 mul_nan4(__m128 g, __m128 d)
{
    __m128 p = _mm_mul_ps(g, d);
    p = _mm_blendv_ps(p, _mm_castsi128_ps(_mm_set1_epi32((int)GELU_DEFAULT_NAN)), _mm_cmp_ps(p, p, _CMP_UNORD_Q));
    p = _mm_blendv_ps(p, d, _mm_cmp_ps(d, d, _CMP_UNORD_Q));
    __m128 gq = _mm_or_ps(g, _mm_castsi128_ps(_mm_set1_epi32(0x00400000)));
    return _mm_blendv_ps(p, gq, _mm_cmp_ps(g, g, _CMP_UNORD_Q));
}

#include "gelu_backward_coeffs.h"

/*
 * Four lanes of gelu_backward.c step for step (the same doubles, so the same floats), four
 * blocks interleaved; the coefficients of H are gathered. The logistic forms' root
 * polynomial runs only for a block with a lane in the root window. A tail shorter than 16
 * goes through a local buffer, so no load or store leaves the arrays.
 */
#define BNB 4
#define BEACH _Pragma("GCC unroll 4") for (int b = 0; b < BNB; b++)

static ALWAYS void bwd_erf4(const __m256d *xd, __m256d *d)
{
    __m256d a[BNB], s[BNB], p[BNB], t[BNB], e[BNB];
    __m128i i[BNB];
    BEACH {
        a[b] = clamp_abs4(xd[b], GELU_ERF_AMAX);
        i[b] = _mm_min_epi32(_mm256_cvttpd_epi32(a[b]), _mm_set1_epi32(GELU_BWD_H_PIECES - 1));
        s[b] = _mm256_sub_pd(a[b], _mm256_i32gather_pd(gelu_bwd_h_centre, i[b], 8));
        p[b] = _mm256_i32gather_pd(gelu_bwd_h_coef[GELU_BWD_H_DEGREE], i[b], 8);
        t[b] = _mm256_mul_pd(_mm256_mul_pd(a[b], a[b]), SET1(-0.5));
    }
    for (int j = GELU_BWD_H_DEGREE - 1; j >= 0; j--)
        BEACH p[b] = _mm256_fmadd_pd(p[b], s[b], _mm256_i32gather_pd(gelu_bwd_h_coef[j], i[b], 8));
    BEACH e[b] = exp_neg4(t[b]);
    BEACH {
        __m256d m = _mm256_fmadd_pd(s[b], _mm256_i32gather_pd(gelu_bwd_h_m1, i[b], 8),
                                    _mm256_i32gather_pd(gelu_bwd_h_m0, i[b], 8));
        __m256d eh = _mm256_mul_pd(e[b], _mm256_mul_pd(m, p[b]));
        __m256d neg = _mm256_cmp_pd(xd[b], _mm256_setzero_pd(), _CMP_LT_OQ);
        d[b] = _mm256_blendv_pd(_mm256_sub_pd(SET1(1.0), eh), eh, neg);
    }
}

struct bwd_sig4 {
    double c1, c3, d3, wmax, r_hi, r_lo;
    const double *root;
};

static ALWAYS void bwd_sig4(const struct bwd_sig4 *f, const __m256d *xd, __m256d *d)
{
    __m256d w[BNB], ww[BNB], e[BNB], bb[BNB], d1[BNB], neg[BNB];
    BEACH {
        w[b] = clamp_abs4(xd[b], f->wmax);
        ww[b] = _mm256_mul_pd(w[b], w[b]);
        e[b] = _mm256_xor_pd(_mm256_mul_pd(w[b], _mm256_fmadd_pd(SET1(f->c3), ww[b], SET1(f->c1))), SET1(-0.0));
    }
    BEACH e[b] = exp_neg4(e[b]);
    BEACH {
        __m256d vp = _mm256_fmadd_pd(SET1(f->d3), ww[b], SET1(f->c1));
        neg[b] = _mm256_cmp_pd(xd[b], _mm256_setzero_pd(), _CMP_LT_OQ);
        d1[b] = _mm256_add_pd(SET1(1.0), e[b]);
        __m256d xw = _mm256_xor_pd(w[b], _mm256_and_pd(neg[b], SET1(-0.0)));
        bb[b] = _mm256_fmadd_pd(_mm256_mul_pd(xw, vp), _mm256_blendv_pd(e[b], SET1(1.0), neg[b]), d1[b]);
        __m256d s = _mm256_sub_pd(w[b], SET1(f->r_hi));
        __m256d win = _mm256_and_pd(neg[b], _mm256_cmp_pd(_mm256_andnot_pd(SET1(-0.0), s), SET1(GELU_BWD_ROOT_W), _CMP_LT_OQ));
        if (__builtin_expect(_mm256_movemask_pd(win) != 0, 0)) { /* a lane near the zero crossing */
            __m256d k = SET1(f->root[GELU_BWD_ROOT_DEGREE]);
            for (int j = GELU_BWD_ROOT_DEGREE - 1; j >= 0; j--)
                k = _mm256_fmadd_pd(k, s, SET1(f->root[j]));
            bb[b] = _mm256_blendv_pd(bb[b], _mm256_mul_pd(_mm256_sub_pd(s, SET1(f->r_lo)), k), win);
        }
    }
    BEACH {
        __m256d q = _mm256_div_pd(bb[b], _mm256_mul_pd(d1[b], d1[b]));
        d[b] = _mm256_blendv_pd(q, _mm256_mul_pd(q, e[b]), neg[b]);
    }
}

/* 16 elements: GELU'(x) rounded to float, flagged lanes through the table, times dy. */
static ALWAYS void bwd_blocks4(enum gelu_form form, const float *x, const float *dy, float *dx)
{
    static const struct bwd_sig4 tanh4 = {GELU_TANH_C1, GELU_TANH_C3, GELU_BWD_TANH_D3, GELU_TANH_WMAX,
                                          GELU_BWD_TANH_R_HI, GELU_BWD_TANH_R_LO, gelu_bwd_tanh_root};
    static const struct bwd_sig4 quick4 = {GELU_BWD_QUICK_C1, 0.0, 0.0, GELU_BWD_QUICK_WMAX,
                                           GELU_BWD_QUICK_R_HI, GELU_BWD_QUICK_R_LO, gelu_bwd_quick_root};
    __m256d xd[BNB], d[BNB];
    __m128 xf[BNB], g[BNB];
    BEACH {
        xf[b] = _mm_loadu_ps(x + 4 * b);
        g[b] = _mm_loadu_ps(dy + 4 * b); /* read before dx is written: dx may be dy or x */
        xd[b] = _mm256_cvtps_pd(xf[b]);
    }
    if (form == GELU_FORM_ERF)
        bwd_erf4(xd, d);
    else
        bwd_sig4(form == GELU_FORM_TANH ? &tanh4 : &quick4, xd, d);
    BEACH {
        /* -inf: -0 itself (the limit, without an underflow flag); NaN: the quieted input */
        __m256d v = _mm256_blendv_pd(not_neg_inf(xd[b], d[b]), xd[b], _mm256_cmp_pd(xd[b], xd[b], _CMP_UNORD_Q));
        __m128 f = _mm256_cvtpd_ps(v);
        __m128i lo = _mm_castps_si128(_mm256_cvtpd_ps(_mm256_mul_pd(v, SET1(GELU_FLAG_LO))));
        __m128i hi = _mm_castps_si128(_mm256_cvtpd_ps(_mm256_mul_pd(v, SET1(GELU_FLAG_HI))));
        int flag = ~_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(lo, hi))) & 0xF;
        if (__builtin_expect(flag != 0, 0)) {
            float xs[4], fs[4];
            _mm_storeu_ps(xs, xf[b]);
            _mm_storeu_ps(fs, f);
            for (int j = 0; j < 4; j++)
                if (flag & (1 << j))
                    fs[j] = gelu_backward_hard_case(form, xs[j], fs[j]);
            f = _mm_loadu_ps(fs);
        }
        _mm_storeu_ps(dx + 4 * b, mul_nan4(g[b], f));
    }
}

static ALWAYS void run_backward(enum gelu_form form, const float *x, const float *dy, float *dx, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        bwd_blocks4(form, x + i, dy + i, dx + i);
    if (i < n) { /* the tail through a buffer padded with zeros (GELU'(0) = 0.5, no exception) */
        float xb[16] = {0}, gb[16] = {0}, ob[16];
        memcpy(xb, x + i, (n - i) * 4);
        memcpy(gb, dy + i, (n - i) * 4);
        bwd_blocks4(form, xb, gb, ob);
        memcpy(dx + i, ob, (n - i) * 4);
    }
}

void gelu_erf_backward_f32_avx2(const float *x, const float *dy, float *dx, size_t n) { run_backward(GELU_FORM_ERF, x, dy, dx, n); }
void gelu_tanh_backward_f32_avx2(const float *x, const float *dy, float *dx, size_t n) { run_backward(GELU_FORM_TANH, x, dy, dx, n); }
void gelu_quick_backward_f32_avx2(const float *x, const float *dy, float *dx, size_t n) { run_backward(GELU_FORM_QUICK, x, dy, dx, n); }
