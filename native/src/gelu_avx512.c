/*
 * AVX-512 kernels (F, DQ, VL, BW). The float32 forward kernels are the bodies of
 * gelu_forward_*.h over simd/gelu_simd_avx512.h, in three tiers (the central one, the first,
 * the reference: gelu_forward_cr.h), streaming large outputs; the 16-bit and backward kernels
 * follow. Tails use masked loads and stores or a zero-padded local buffer, so no load or store
 * leaves the arrays.
 */
#include <float.h>
#include <immintrin.h>
#include <math.h>

#include "gelu_internal.h"
#include "simd/gelu_simd_avx512.h"

#define GELU_ISA avx512
/* The first tier works on 8 vectors at once: its dependency chain (a division, the
   polynomials, exp) is long, and only interleaving independent vectors keeps both FMA pipes
   busy (1 vector: 0.7 Gelem/s for erf, 8: 1.26, measured with the C bench at n = 65536). */
#define GELU_FWD_NB 8
#define GELU_FWD_FIRST 1
#define GELU_FWD_CENTRAL 1
#define GELU_FWD_STREAM 1
/* faithful: the permutes and the float/double conversions share the shuffle pipes, which bound
   the loop; 6 vectors interleaved so that the Horner chains overlap, the tails 3 at a time */
#define GELU_FWD_FNV 6
#define GELU_FWD_FTG 3
#include "gelu_forward_kernels.h"

/* ---- the 16-bit and backward kernels ---- */

#define SET1 _mm512_set1_pd
#define EACH(nb) _Pragma("GCC unroll 8") for (int b = 0; b < (nb); b++)
#define ALWAYS inline __attribute__((always_inline))
#define PREFETCH_FLOATS GELU_FWD_PREFETCH_FLOATS
#define NT_FLOATS GELU_FWD_NT_FLOATS

/* the reference exp of the forward kernels (gelu_forward_ref.h) */
static inline __m512d exp_neg8(__m512d t) { return gelu_fwd_exp_neg(t); }

/*
 * 16-bit storage (bf16, f16), correctly rounded: a float32 fast path, sixteen lanes an
 * instruction, and the double path of gelu_half.c for the lanes it cannot decide.
 *
 * y = fma(-|x|, Q, max(0, x)) in float with Q from gelu_half_coeffs.h (24 pieces of width
 * 1/4, one two-register permute per coefficient), within GELU_HALF_ULPS float ulps of the
 * exact value for x >= LO (gelu_exhaustive measures the bound). The 16-bit rounding of y is
 * then decided unless y lies within that many ulps of a 16-bit midpoint, which a window test
 * on the float's low bits sees (16 bits for bf16; 13 for f16, whose normal range only is
 * taken here). Undecided lanes, x < LO, NaN, the infinities and quick's x >= 6 (its Q is still
 * 2^-14.7 there: gelu_half_coeffs.h) take the double path with the x the lane read, so in
 * place is safe.
 */
#include "gelu_half_coeffs.h"

static ALWAYS __m512 half_y(const float (*c)[32], __m512 x)
{
    __m512 ax = _mm512_abs_ps(x);
    __m512 r = _mm512_min_ps(_mm512_mul_ps(ax, _mm512_set1_ps(4.0f)), _mm512_set1_ps(GELU_HALF_R_MAX));
    __m512i k = _mm512_cvttps_epi32(r);
    __m512 t = _mm512_sub_ps(_mm512_sub_ps(r, _mm512_cvtepi32_ps(k)), _mm512_set1_ps(0.5f));
    __m512 q = _mm512_permutex2var_ps(_mm512_load_ps(c[GELU_HALF_DEGREE]), k, _mm512_load_ps(c[GELU_HALF_DEGREE] + 16));
    _Pragma("GCC unroll 8") /* unrolled, the table rows stay in registers across the loop */
    for (int j = GELU_HALF_DEGREE - 1; j >= 0; j--)
        q = _mm512_fmadd_ps(q, t, _mm512_permutex2var_ps(_mm512_load_ps(c[j]), k, _mm512_load_ps(c[j] + 16)));
    /* max(0, x) returns x when both are zeros, so -0 stays -0 */
    return _mm512_fnmadd_ps(ax, q, _mm512_max_ps(_mm512_setzero_ps(), x));
}

/* Lanes that the fast path cannot take: x below LO, at or above HI (+inf; quick: 6, where its
   table's clamp stops being valid), or NaN (quiet compares). */
static ALWAYS __mmask16 half_out_of_range(enum gelu_form form, __m512 x)
{
    float lo = form == GELU_FORM_ERF ? GELU_HALF_ERF_LO : form == GELU_FORM_TANH ? GELU_HALF_TANH_LO : GELU_HALF_QUICK_LO;
    float hi = form == GELU_FORM_QUICK ? GELU_HALF_QUICK_HI : INFINITY; /* x < +inf: x <= FLT_MAX */
    __mmask16 ok = _mm512_cmp_ps_mask(x, _mm512_set1_ps(lo), _CMP_GE_OQ)
                 & _mm512_cmp_ps_mask(x, _mm512_set1_ps(hi), _CMP_LT_OQ);
    return (__mmask16)~ok;
}

/* y rounded to bf16 or f16, and the lanes where that rounding is not decided. */
static ALWAYS __m256i half_round(enum gelu_half type, __m512 y, __mmask16 *undecided)
{
    __m512i b = _mm512_castps_si512(y);
    if (type == GELU_HALF_BF16) {
        __m512i w = _mm512_and_si512(_mm512_add_epi32(b, _mm512_set1_epi32(GELU_HALF_ULPS - 0x8000)),
                                     _mm512_set1_epi32(0xFFFF));
        *undecided = _mm512_cmple_epu32_mask(w, _mm512_set1_epi32(2 * GELU_HALF_ULPS));
        /* no tie reaches here, so adding half an ulp and truncating is round to nearest */
        return _mm512_cvtepi32_epi16(_mm512_srli_epi32(_mm512_add_epi32(b, _mm512_set1_epi32(0x8000)), 16));
    }
    __m512i ab = _mm512_and_si512(b, _mm512_set1_epi32(0x7FFFFFFF));
    __mmask16 normal = _mm512_cmplt_epu32_mask(_mm512_sub_epi32(ab, _mm512_set1_epi32(0x38800000)),
                                               _mm512_set1_epi32(0x477FE000 - 0x38800000));
    __mmask16 zero = _mm512_cmpeq_epi32_mask(ab, _mm512_setzero_si512());
    __m512i w = _mm512_and_si512(_mm512_add_epi32(b, _mm512_set1_epi32(GELU_HALF_ULPS - 0x1000)),
                                 _mm512_set1_epi32(0x1FFF));
    *undecided = _mm512_cmple_epu32_mask(w, _mm512_set1_epi32(2 * GELU_HALF_ULPS)) | (__mmask16)~(normal | zero);
    return _mm512_cvtps_ph(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

static __attribute__((noinline)) __m256i half_slow_lanes(enum gelu_form form, enum gelu_half type, __m512 x,
                                                         __m256i out, __mmask16 slow)
{
    float xs[16];
    uint16_t ys[16];
    _mm512_storeu_ps(xs, x);
    _mm256_storeu_si256((__m256i *)ys, out);
    for (; slow; slow &= (__mmask16)(slow - 1)) {
        int l = __builtin_ctz(slow);
        ys[l] = gelu_half_slow(form, type, xs[l]);
    }
    return _mm256_loadu_si256((const __m256i *)ys);
}

static ALWAYS __m512 half_load(int kind_h16, enum gelu_half type, const void *x)
{
    if (!kind_h16)
        return _mm512_loadu_ps(x);
    __m256i h = _mm256_loadu_si256((const __m256i *)x);
    if (type == GELU_HALF_F16)
        return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

#define HNB 4

/* HNB blocks of sixteen: x as floats (kind_h16 = 0) or as 16-bit values of the given type. */
static ALWAYS void half_blocks(enum gelu_form form, enum gelu_half type, int kind_h16, const void *x, uint16_t *y,
                               int stream)
{
    const float(*c)[32] = form == GELU_FORM_ERF    ? gelu_half_erf_coef
                          : form == GELU_FORM_TANH ? gelu_half_tanh_coef
                                                   : gelu_half_quick_coef;
    size_t step = kind_h16 ? 32 : 64;
    __m512 v[HNB];
    __m256i out[HNB];
    __mmask16 slow[HNB], any = 0;
    EACH(HNB) {
        v[b] = half_load(kind_h16, type, (const char *)x + b * step);
        out[b] = half_round(type, half_y(c, v[b]), &slow[b]);
        slow[b] |= half_out_of_range(form, v[b]);
        any |= slow[b];
    }
    if (__builtin_expect(any != 0, 0))
        EACH(HNB) if (slow[b]) out[b] = half_slow_lanes(form, type, v[b], out[b], slow[b]);
    if (stream)
        EACH(HNB) _mm256_stream_si256((__m256i *)(y + 16 * b), out[b]);
    else
        EACH(HNB) _mm256_storeu_si256((__m256i *)(y + 16 * b), out[b]);
}

/* Fewer than 16 * HNB elements, through a buffer: zeros pad it, and x is read first. */
static void half_partial(enum gelu_form form, enum gelu_half type, int kind_h16, const void *x, uint16_t *y, size_t n)
{
    size_t size = kind_h16 ? 2 : 4;
    _Alignas(64) unsigned char xb[64 * HNB] = {0};
    uint16_t yb[16 * HNB];
    memcpy(xb, x, n * size);
    half_blocks(form, type, kind_h16, xb, yb, 0);
    memcpy(y, yb, n * sizeof(uint16_t));
}

/* From NT_FLOATS elements on, the output is streamed (as in the float32 kernels) from its first 64-byte boundary. */
static ALWAYS void run_half(enum gelu_form form, enum gelu_half type, int kind_h16, const void *x, uint16_t *y,
                            size_t n)
{
    size_t size = kind_h16 ? 2 : 4, i = 0;
    int stream = n >= NT_FLOATS && ((uintptr_t)y & 1) == 0;
    if (stream && ((uintptr_t)y & 63) != 0) {
        i = (64 - ((uintptr_t)y & 63)) / 2;
        half_partial(form, type, kind_h16, x, y, i);
    }
    for (; i + 16 * HNB <= n; i += 16 * HNB) {
        _mm_prefetch((const char *)x + (i + 512) * size, _MM_HINT_T0);
        half_blocks(form, type, kind_h16, (const char *)x + i * size, y + i, stream);
    }
    if (stream)
        _mm_sfence();
    if (i < n)
        half_partial(form, type, kind_h16, (const char *)x + i * size, y + i, n - i);
}

void gelu_erf_bf16_avx512(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_ERF, GELU_HALF_BF16, 1, x, y, n); }
void gelu_tanh_bf16_avx512(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_TANH, GELU_HALF_BF16, 1, x, y, n); }
void gelu_erf_f16_avx512(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_ERF, GELU_HALF_F16, 1, x, y, n); }
void gelu_tanh_f16_avx512(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_TANH, GELU_HALF_F16, 1, x, y, n); }
void gelu_erf_f32_to_bf16_avx512(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_ERF, GELU_HALF_BF16, 0, x, y, n); }
void gelu_tanh_f32_to_bf16_avx512(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_TANH, GELU_HALF_BF16, 0, x, y, n); }
void gelu_erf_f32_to_f16_avx512(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_ERF, GELU_HALF_F16, 0, x, y, n); }
void gelu_tanh_f32_to_f16_avx512(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_TANH, GELU_HALF_F16, 0, x, y, n); }
void gelu_quick_bf16_avx512(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_QUICK, GELU_HALF_BF16, 1, x, y, n); }
void gelu_quick_f16_avx512(const uint16_t *x, uint16_t *y, size_t n) { run_half(GELU_FORM_QUICK, GELU_HALF_F16, 1, x, y, n); }
void gelu_quick_f32_to_bf16_avx512(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_QUICK, GELU_HALF_BF16, 0, x, y, n); }
void gelu_quick_f32_to_f16_avx512(const float *x, uint16_t *y, size_t n) { run_half(GELU_FORM_QUICK, GELU_HALF_F16, 0, x, y, n); }

/* ---- backward: dx = fl(dy * GELU'(x)), the operation sequence of gelu_backward.c ---- */

/* gelu_mul_nan on 8 lanes: the product, with dy's NaN (quieted), else d's, else the default one. */
static inline __m256 mul_nan8(__m256 g, __m256 d)
{
    __m256 p = _mm256_mul_ps(g, d);
    p = _mm256_blendv_ps(p, _mm256_castsi256_ps(_mm256_set1_epi32((int)GELU_DEFAULT_NAN)), _mm256_cmp_ps(p, p, _CMP_UNORD_Q));
    p = _mm256_blendv_ps(p, d, _mm256_cmp_ps(d, d, _CMP_UNORD_Q));
    __m256 gq = _mm256_or_ps(g, _mm256_castsi256_ps(_mm256_set1_epi32(0x00400000)));
    return _mm256_blendv_ps(p, gq, _mm256_cmp_ps(g, g, _CMP_UNORD_Q));
}

#include "gelu_backward_coeffs.h"

/*
 * Eight lanes of gelu_backward.c step for step: the same doubles, so the same floats. The
 * table of H (erf) is read by a two-register permute per coefficient (15 pieces in 16 entries);
 * the logistic forms' root polynomial runs only for a block with a lane in the root window.
 * BNB blocks are interleaved, one step of each after another, for the long dependency chain.
 */
#define BNB 4

static ALWAYS __m512d bwd_perm(const double *row, __m512i i)
{
    return _mm512_permutex2var_pd(_mm512_load_pd(row), i, _mm512_load_pd(row + 8));
}

static ALWAYS void bwd_erf8(int nb, const __m512d *xd, __m512d *d)
{
    __m512d a[BNB], s[BNB], p[BNB], t[BNB], e[BNB];
    __m512i i[BNB];
    EACH(nb) {
        a[b] = _mm512_min_round_pd(_mm512_abs_pd(xd[b]), SET1(GELU_ERF_AMAX), _MM_FROUND_NO_EXC); /* NaN -> AMAX */
        i[b] = _mm512_min_epi64(_mm512_cvttpd_epi64(a[b]), _mm512_set1_epi64(GELU_BWD_H_PIECES - 1));
        s[b] = _mm512_sub_pd(a[b], bwd_perm(gelu_bwd_h_centre, i[b]));
        p[b] = bwd_perm(gelu_bwd_h_coef[GELU_BWD_H_DEGREE], i[b]);
        t[b] = _mm512_mul_pd(_mm512_mul_pd(a[b], a[b]), SET1(-0.5));
    }
    for (int j = GELU_BWD_H_DEGREE - 1; j >= 0; j--)
        EACH(nb) p[b] = _mm512_fmadd_pd(p[b], s[b], bwd_perm(gelu_bwd_h_coef[j], i[b]));
    EACH(nb) e[b] = exp_neg8(t[b]);
    EACH(nb) {
        __m512d h = _mm512_mul_pd(_mm512_fmadd_pd(s[b], bwd_perm(gelu_bwd_h_m1, i[b]), bwd_perm(gelu_bwd_h_m0, i[b])), p[b]);
        __m512d eh = _mm512_mul_pd(e[b], h);
        __mmask8 neg = _mm512_cmp_pd_mask(xd[b], _mm512_setzero_pd(), _CMP_LT_OQ);
        d[b] = _mm512_mask_blend_pd(neg, _mm512_sub_pd(SET1(1.0), eh), eh);
    }
}

struct bwd_sig8 {
    double c1, c3, d3, wmax, r_hi, r_lo;
    const double *root;
};

static ALWAYS void bwd_sig8(const struct bwd_sig8 *f, int nb, const __m512d *xd, __m512d *d)
{
    __m512d w[BNB], ww[BNB], e[BNB], bb[BNB], d1[BNB];
    __mmask8 neg[BNB];
    EACH(nb) {
        w[b] = _mm512_min_round_pd(_mm512_abs_pd(xd[b]), SET1(f->wmax), _MM_FROUND_NO_EXC);
        ww[b] = _mm512_mul_pd(w[b], w[b]);
        e[b] = _mm512_xor_pd(_mm512_mul_pd(w[b], _mm512_fmadd_pd(SET1(f->c3), ww[b], SET1(f->c1))), SET1(-0.0));
    }
    EACH(nb) e[b] = exp_neg8(e[b]);
    EACH(nb) {
        __m512d vp = _mm512_fmadd_pd(SET1(f->d3), ww[b], SET1(f->c1));
        neg[b] = _mm512_cmp_pd_mask(xd[b], _mm512_setzero_pd(), _CMP_LT_OQ);
        d1[b] = _mm512_add_pd(SET1(1.0), e[b]);
        __m512d xw = _mm512_mask_xor_pd(w[b], neg[b], w[b], SET1(-0.0));
        bb[b] = _mm512_fmadd_pd(_mm512_mul_pd(xw, vp), _mm512_mask_blend_pd(neg[b], e[b], SET1(1.0)), d1[b]);
        __m512d s = _mm512_sub_pd(w[b], SET1(f->r_hi));
        __mmask8 win = _mm512_mask_cmp_pd_mask(neg[b], _mm512_abs_pd(s), SET1(GELU_BWD_ROOT_W), _CMP_LT_OQ);
        if (__builtin_expect(win != 0, 0)) { /* a lane near the zero crossing: the bracket from the root polynomial */
            __m512d k = SET1(f->root[GELU_BWD_ROOT_DEGREE]);
            for (int j = GELU_BWD_ROOT_DEGREE - 1; j >= 0; j--)
                k = _mm512_fmadd_pd(k, s, SET1(f->root[j]));
            bb[b] = _mm512_mask_mul_pd(bb[b], win, _mm512_sub_pd(s, SET1(f->r_lo)), k);
        }
    }
    EACH(nb) {
        __m512d q = _mm512_div_pd(bb[b], _mm512_mul_pd(d1[b], d1[b]));
        d[b] = _mm512_mask_mul_pd(q, neg[b], q, e[b]);
    }
}

/* nb blocks of eight: GELU'(x) rounded to float, flagged lanes through the table, times dy. */
static ALWAYS void bwd_blocks(enum gelu_form form, int nb, const float *x, const float *dy, float *dx, const __mmask8 *m)
{
    static const struct bwd_sig8 tanh8 = {GELU_TANH_C1, GELU_TANH_C3, GELU_BWD_TANH_D3, GELU_TANH_WMAX,
                                          GELU_BWD_TANH_R_HI, GELU_BWD_TANH_R_LO, gelu_bwd_tanh_root};
    static const struct bwd_sig8 quick8 = {GELU_BWD_QUICK_C1, 0.0, 0.0, GELU_BWD_QUICK_WMAX,
                                           GELU_BWD_QUICK_R_HI, GELU_BWD_QUICK_R_LO, gelu_bwd_quick_root};
    __m512d xd[BNB], d[BNB];
    __m256 g[BNB];
    EACH(nb) {
        xd[b] = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m[b], x + 8 * b));
        g[b] = _mm256_maskz_loadu_ps(m[b], dy + 8 * b); /* read before dx is written: dx may be dy or x */
    }
    if (form == GELU_FORM_ERF)
        bwd_erf8(nb, xd, d);
    else
        bwd_sig8(form == GELU_FORM_TANH ? &tanh8 : &quick8, nb, xd, d);
    EACH(nb) {
        /* -inf: -0 itself (the limit, without an underflow flag); NaN: the quieted input */
        __mmask8 minf = _mm512_cmp_pd_mask(xd[b], SET1(-INFINITY), _CMP_EQ_OQ);
        __mmask8 nan = _mm512_cmp_pd_mask(xd[b], xd[b], _CMP_UNORD_Q);
        __m512d v = _mm512_mask_blend_pd(nan, _mm512_mask_blend_pd(minf, d[b], SET1(-0.0)), xd[b]);
        __m256 f = _mm512_cvtpd_ps(v);
        __m256i lo = _mm256_castps_si256(_mm512_cvtpd_ps(_mm512_mul_pd(v, SET1(GELU_FLAG_LO))));
        __m256i hi = _mm256_castps_si256(_mm512_cvtpd_ps(_mm512_mul_pd(v, SET1(GELU_FLAG_HI))));
        __mmask8 flag = _mm256_mask_cmpneq_epi32_mask(m[b], lo, hi);
        if (__builtin_expect(flag != 0, 0)) {
            float xs[8], fs[8];
            _mm256_storeu_ps(xs, _mm512_cvtpd_ps(xd[b])); /* x itself: the widening is exact */
            _mm256_storeu_ps(fs, f);
            for (int j = 0; j < 8; j++)
                if (flag & (1u << j))
                    fs[j] = gelu_backward_hard_case(form, xs[j], fs[j]);
            f = _mm256_loadu_ps(fs);
        }
        _mm256_mask_storeu_ps(dx + 8 * b, m[b], mul_nan8(g[b], f));
    }
}

#include "gelu_backward_central.h"

/*
 * The first tier, for a group of 32 lanes all with x in (LO, HI): GELU' from the table of
 * D(a) = GELU'(-a) in gelu_backward_central.h (exp-free, within 2^-45 relative; the generator
 * says why one table serves both signs), kept only if no lane's double lies within 2^12 double
 * ulps (2^-40 relative, far above the 2^-45 error) of a midpoint between floats, a test on the
 * 29 bits the rounding to float drops. That makes the floats the correctly rounded ones.
 * Returns 0, having written nothing, otherwise: the group then takes bwd_blocks (a correctly
 * rounded result does not depend on the path that found it). No NaN select is needed: every
 * GELU' here is a nonzero finite float, so dy * GELU' is NaN only for a NaN dy, which the
 * multiply returns quieted.
 */
static ALWAYS int bwd_central(enum gelu_form form, const float *x, const float *dy, float *dx)
{
    const double(*c)[16] = gelu_bwd_central[form];
    __m512 xf[2];
    __mmask16 ok = 0xFFFF;
    for (int h = 0; h < 2; h++) {
        xf[h] = _mm512_loadu_ps(x + 16 * h);
        ok = _mm512_mask_cmp_ps_mask(ok, xf[h], _mm512_set1_ps((float)GELU_BWD_C_LO), _CMP_GT_OQ);
        ok = _mm512_mask_cmp_ps_mask(ok, xf[h], _mm512_set1_ps((float)GELU_BWD_C_HI), _CMP_LT_OQ);
    }
    if (ok != 0xFFFF)
        return 0;
    __m512d xd[4], s[4], p[4];
    __m512i k[4];
    EACH(4) {
        xd[b] = _mm512_cvtps_pd(b & 1 ? _mm512_extractf32x8_ps(xf[b >> 1], 1) : _mm512_castps512_ps256(xf[b >> 1]));
        __m512d a = _mm512_abs_pd(xd[b]);
        __m512d z = _mm512_add_pd(_mm512_fmadd_pd(a, SET1(GELU_BWD_C_A), SET1(GELU_BWD_C_B)), SET1(GELU_EXP_SHIFT));
        k[b] = _mm512_castpd_si512(z); /* the low four bits of z are round(r), all a permute reads */
        s[b] = _mm512_sub_pd(a, bwd_perm(c[GELU_BWD_C_CENTRE], k[b]));
        p[b] = bwd_perm(c[GELU_BWD_C_DEGREE], k[b]);
    }
    _Pragma("GCC unroll 16") for (int j = GELU_BWD_C_DEGREE - 1; j >= 0; j--)
        EACH(4) p[b] = _mm512_fmadd_pd(p[b], s[b], bwd_perm(c[j], k[b]));
    __m256 f[4];
    __mmask8 unsure = 0;
    EACH(4) {
        __mmask8 neg = _mm512_cmp_pd_mask(xd[b], _mm512_setzero_pd(), _CMP_LT_OQ);
        __m512d d = _mm512_mask_blend_pd(neg, _mm512_sub_pd(SET1(1.0), p[b]), p[b]);
        f[b] = _mm512_cvtpd_ps(d);
        /* (dropped bits - midpoint + 2^12) mod 2^29 <= 2^13: within 2^12 ulps of the midpoint */
        __m512i w = _mm512_and_si512(_mm512_add_epi64(_mm512_castpd_si512(d), _mm512_set1_epi64(4096 - (1 << 28))),
                                     _mm512_set1_epi64((1 << 29) - 1));
        unsure |= _mm512_cmple_epu64_mask(w, _mm512_set1_epi64(8192));
    }
    if (unsure)
        return 0;
    __m512 g[2];
    for (int h = 0; h < 2; h++) /* read before dx is written: dx may be dy or x */
        g[h] = _mm512_loadu_ps(dy + 16 * h);
    for (int h = 0; h < 2; h++)
        _mm512_storeu_ps(dx + 16 * h, _mm512_mul_ps(g[h], _mm512_insertf32x8(_mm512_castps256_ps512(f[2 * h]), f[2 * h + 1], 1)));
    return 1;
}

static ALWAYS void run_backward(enum gelu_form form, const float *x, const float *dy, float *dx, size_t n)
{
    static const __mmask8 all[BNB] = {0xFF, 0xFF, 0xFF, 0xFF};
    size_t i = 0;
    for (; i + 8 * BNB <= n; i += 8 * BNB) {
        _mm_prefetch((const char *)(x + i + PREFETCH_FLOATS), _MM_HINT_T0);
        _mm_prefetch((const char *)(x + i + PREFETCH_FLOATS + 16), _MM_HINT_T0);
        _mm_prefetch((const char *)(dy + i + PREFETCH_FLOATS), _MM_HINT_T0);
        _mm_prefetch((const char *)(dy + i + PREFETCH_FLOATS + 16), _MM_HINT_T0);
        if (!bwd_central(form, x + i, dy + i, dx + i))
            bwd_blocks(form, BNB, x + i, dy + i, dx + i, all);
    }
    for (; i < n; i += 8) {
        size_t left = n - i;
        __mmask8 m = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
        bwd_blocks(form, 1, x + i, dy + i, dx + i, &m);
    }
}

void gelu_erf_backward_f32_avx512(const float *x, const float *dy, float *dx, size_t n) { run_backward(GELU_FORM_ERF, x, dy, dx, n); }
void gelu_tanh_backward_f32_avx512(const float *x, const float *dy, float *dx, size_t n) { run_backward(GELU_FORM_TANH, x, dy, dx, n); }
void gelu_quick_backward_f32_avx512(const float *x, const float *dy, float *dx, size_t n) { run_backward(GELU_FORM_QUICK, x, dy, dx, n); }
