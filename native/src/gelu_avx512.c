/*
 * AVX-512 kernels (F, DQ, VL, BW): eight lanes of the scalar operation sequence in
 * gelu_scalar.c, step for step, so the results are the same bits. The 16-entry coefficient
 * rows of G are looked up with one two-register permute; tails use masked loads and stores,
 * which never touch memory outside the array.
 */
#include <immintrin.h>

#include "gelu_coeffs.h"
#include "gelu_internal.h"

#define SET1 _mm512_set1_pd

static inline __m512d exp_neg8(__m512d t)
{
    __m512d z = _mm512_fmadd_pd(t, SET1(GELU_LOG2E), SET1(GELU_EXP_SHIFT));
    __m512d k = _mm512_sub_pd(z, SET1(GELU_EXP_SHIFT));
    __m512d r = _mm512_fnmadd_pd(k, SET1(GELU_LN2_HI), t);
    r = _mm512_fnmadd_pd(k, SET1(GELU_LN2_LO), r);
    __m512d p = SET1(gelu_exp_coef[GELU_EXP_DEGREE]);
    for (int j = GELU_EXP_DEGREE - 1; j >= 0; j--)
        p = _mm512_fmadd_pd(p, r, SET1(gelu_exp_coef[j]));
    __m512i e = _mm512_add_epi64(_mm512_castpd_si512(z), _mm512_set1_epi64(1023));
    return _mm512_mul_pd(p, _mm512_castsi512_pd(_mm512_slli_epi64(e, 52)));
}

static inline __m512d erf_q8(__m512d a)
{
    __m512i i = _mm512_min_epi64(_mm512_cvttpd_epi64(a), _mm512_set1_epi64(GELU_G_PIECES - 1));
    __m512d s = _mm512_sub_pd(_mm512_sub_pd(a, _mm512_cvtepi64_pd(i)), SET1(0.5));
    const double *row = gelu_g_coef[GELU_G_DEGREE];
    __m512d g = _mm512_permutex2var_pd(_mm512_load_pd(row), i, _mm512_load_pd(row + 8));
    for (int j = GELU_G_DEGREE - 1; j >= 0; j--) {
        row = gelu_g_coef[j];
        __m512d c = _mm512_permutex2var_pd(_mm512_load_pd(row), i, _mm512_load_pd(row + 8));
        g = _mm512_fmadd_pd(g, s, c);
    }
    __m512d t = _mm512_mul_pd(_mm512_mul_pd(a, a), SET1(-0.5));
    return _mm512_mul_pd(exp_neg8(t), g);
}

static inline __m512d tanh_q8(__m512d w)
{
    __m512d v = _mm512_mul_pd(w, _mm512_fmadd_pd(SET1(GELU_TANH_C3), _mm512_mul_pd(w, w),
                                                  SET1(GELU_TANH_C1)));
    __m512d e = exp_neg8(_mm512_xor_pd(v, SET1(-0.0)));
    return _mm512_div_pd(e, _mm512_add_pd(SET1(1.0), e));
}

static inline void block8(enum gelu_form form, const float *x, float *out, __mmask8 m)
{
    const double amax = form == GELU_FORM_ERF ? GELU_ERF_AMAX : GELU_TANH_WMAX;
    __m256 xf = _mm256_maskz_loadu_ps(m, x);
    __m512d xd = _mm512_cvtps_pd(xf);
    __m512d a = _mm512_min_pd(_mm512_abs_pd(xd), SET1(amax));
    __m512d q = form == GELU_FORM_ERF ? erf_q8(a) : tanh_q8(a);
    q = _mm512_min_pd(q, SET1(GELU_Q_MAX));
    __mmask8 neg = _mm512_cmp_pd_mask(xd, _mm512_setzero_pd(), _CMP_LT_OQ);
    __m512d p = _mm512_mask_blend_pd(neg, _mm512_sub_pd(SET1(1.0), q), q);
    __mmask8 low = _mm512_cmp_pd_mask(xd, SET1(-amax), _CMP_LT_OQ);
    __m512d y = _mm512_mul_pd(_mm512_mask_blend_pd(low, xd, SET1(-amax)), p);
    __m256 f = _mm512_cvtpd_ps(y);
    __m256i lo = _mm256_castps_si256(_mm512_cvtpd_ps(_mm512_mul_pd(y, SET1(GELU_FLAG_LO))));
    __m256i hi = _mm256_castps_si256(_mm512_cvtpd_ps(_mm512_mul_pd(y, SET1(GELU_FLAG_HI))));
    __mmask8 flag = _mm256_mask_cmpneq_epi32_mask(m, lo, hi);
    if (__builtin_expect(flag != 0, 0)) {
        float xs[8], fs[8];
        _mm256_storeu_ps(xs, xf);
        _mm256_storeu_ps(fs, f);
        for (int j = 0; j < 8; j++)
            if (flag & (1u << j))
                fs[j] = gelu_hard_case_f32(form, xs[j], fs[j]);
        f = _mm256_loadu_ps(fs);
    }
    _mm256_mask_storeu_ps(out, m, f);
}

static inline void run(enum gelu_form form, const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        block8(form, x + i, y + i, 0xFF);
        block8(form, x + i + 8, y + i + 8, 0xFF);
    }
    for (; i < n; i += 8) {
        size_t left = n - i;
        block8(form, x + i, y + i, left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1));
    }
}

void gelu_erf_f32_avx512(const float *x, float *y, size_t n) { run(GELU_FORM_ERF, x, y, n); }
void gelu_tanh_f32_avx512(const float *x, float *y, size_t n) { run(GELU_FORM_TANH, x, y, n); }
