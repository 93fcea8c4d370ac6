/*
 * AVX2 + FMA kernels: four lanes of the scalar operation sequence in gelu_scalar.c, step for
 * step, so the results are the same bits. G's coefficients are gathered; a tail shorter than
 * four goes through a small local buffer so no load or store leaves the arrays.
 */
#include <immintrin.h>

#include "gelu_coeffs.h"
#include "gelu_internal.h"

#define SET1 _mm256_set1_pd

static inline __m256d exp_neg4(__m256d t)
{
    __m256d z = _mm256_fmadd_pd(t, SET1(GELU_LOG2E), SET1(GELU_EXP_SHIFT));
    __m256d k = _mm256_sub_pd(z, SET1(GELU_EXP_SHIFT));
    __m256d r = _mm256_fnmadd_pd(k, SET1(GELU_LN2_HI), t);
    r = _mm256_fnmadd_pd(k, SET1(GELU_LN2_LO), r);
    __m256d p = SET1(gelu_exp_coef[GELU_EXP_DEGREE]);
    for (int j = GELU_EXP_DEGREE - 1; j >= 0; j--)
        p = _mm256_fmadd_pd(p, r, SET1(gelu_exp_coef[j]));
    __m256i e = _mm256_add_epi64(_mm256_castpd_si256(z), _mm256_set1_epi64x(1023));
    return _mm256_mul_pd(p, _mm256_castsi256_pd(_mm256_slli_epi64(e, 52)));
}

static inline __m256d erf_q4(__m256d a)
{
    __m128i i = _mm_min_epi32(_mm256_cvttpd_epi32(a), _mm_set1_epi32(GELU_G_PIECES - 1));
    __m256d s = _mm256_sub_pd(_mm256_sub_pd(a, _mm256_cvtepi32_pd(i)), SET1(0.5));
    __m256d g = _mm256_i32gather_pd(gelu_g_coef[GELU_G_DEGREE], i, 8);
    for (int j = GELU_G_DEGREE - 1; j >= 0; j--)
        g = _mm256_fmadd_pd(g, s, _mm256_i32gather_pd(gelu_g_coef[j], i, 8));
    __m256d t = _mm256_mul_pd(_mm256_mul_pd(a, a), SET1(-0.5));
    return _mm256_mul_pd(exp_neg4(t), g);
}

static inline __m256d tanh_q4(__m256d w)
{
    __m256d v = _mm256_mul_pd(w, _mm256_fmadd_pd(SET1(GELU_TANH_C3), _mm256_mul_pd(w, w),
                                                  SET1(GELU_TANH_C1)));
    __m256d e = exp_neg4(_mm256_xor_pd(v, SET1(-0.0)));
    return _mm256_div_pd(e, _mm256_add_pd(SET1(1.0), e));
}

static inline void block4(enum gelu_form form, const float *x, float *out)
{
    const double amax = form == GELU_FORM_ERF ? GELU_ERF_AMAX : GELU_TANH_WMAX;
    __m128 xf = _mm_loadu_ps(x);
    __m256d xd = _mm256_cvtps_pd(xf);
    __m256d a = _mm256_andnot_pd(SET1(-0.0), xd);
    a = _mm256_min_pd(a, SET1(amax));
    __m256d q = form == GELU_FORM_ERF ? erf_q4(a) : tanh_q4(a);
    q = _mm256_min_pd(q, SET1(GELU_Q_MAX));
    __m256d neg = _mm256_cmp_pd(xd, _mm256_setzero_pd(), _CMP_LT_OQ);
    __m256d p = _mm256_blendv_pd(_mm256_sub_pd(SET1(1.0), q), q, neg);
    __m256d low = _mm256_cmp_pd(xd, SET1(-amax), _CMP_LT_OQ);
    __m256d y = _mm256_mul_pd(_mm256_blendv_pd(xd, SET1(-amax), low), p);
    __m128 f = _mm256_cvtpd_ps(y);
    __m128i lo = _mm_castps_si128(_mm256_cvtpd_ps(_mm256_mul_pd(y, SET1(GELU_FLAG_LO))));
    __m128i hi = _mm_castps_si128(_mm256_cvtpd_ps(_mm256_mul_pd(y, SET1(GELU_FLAG_HI))));
    int flag = ~_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(lo, hi))) & 0xF;
    if (__builtin_expect(flag != 0, 0)) {
        float xs[4], fs[4];
        _mm_storeu_ps(xs, xf);
        _mm_storeu_ps(fs, f);
        for (int j = 0; j < 4; j++)
            if (flag & (1 << j))
                fs[j] = gelu_hard_case_f32(form, xs[j], fs[j]);
        f = _mm_loadu_ps(fs);
    }
    _mm_storeu_ps(out, f);
}

static inline void run(enum gelu_form form, const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        block4(form, x + i, y + i);
        block4(form, x + i + 4, y + i + 4);
    }
    for (; i + 4 <= n; i += 4)
        block4(form, x + i, y + i);
    if (i < n) {
        float xs[4] = {0, 0, 0, 0}, ys[4];
        memcpy(xs, x + i, (n - i) * sizeof(float));
        block4(form, xs, ys);
        memcpy(y + i, ys, (n - i) * sizeof(float));
    }
}

void gelu_erf_f32_avx2(const float *x, float *y, size_t n) { run(GELU_FORM_ERF, x, y, n); }
void gelu_tanh_f32_avx2(const float *x, float *y, size_t n) { run(GELU_FORM_TANH, x, y, n); }
