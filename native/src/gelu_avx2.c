/*
 * AVX2 + FMA kernels in the two tiers of gelu_avx512.c (read its comment first): the first
 * tier, operation for operation the same as there, vouches for most lanes; a block of four it
 * cannot vouch for is redone by the second tier, four lanes of the scalar operation sequence
 * in gelu_scalar.c step for step, whose coefficients of G are gathered. A tail shorter than
 * four goes through a small local buffer so no load or store leaves the arrays.
 */
#include <float.h>
#include <immintrin.h>
#include <math.h>

#include "gelu_coeffs.h"
#include "gelu_faithful_coeffs.h"
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

static inline __m256d quick_q4(__m256d w)
{
    __m256d e = exp_neg4(_mm256_xor_pd(_mm256_mul_pd(w, SET1(GELU_QUICK_C)), SET1(-0.0)));
    return _mm256_div_pd(e, _mm256_add_pd(SET1(1.0), e));
}

/*
 * min(|x|, amax) with NaN -> amax, as vminpd gives, but with a quiet compare: vminpd raises
 * invalid on a quiet NaN.
 */
static inline __m256d clamp_abs4(__m256d xd, double amax)
{
    __m256d a = _mm256_andnot_pd(SET1(-0.0), xd);
    return _mm256_blendv_pd(SET1(amax), a, _mm256_cmp_pd(a, SET1(amax), _CMP_LT_OQ));
}

/* y, with -0 in the lanes where x = -inf: -amax*Q would raise a spurious underflow there. */
static inline __m256d not_neg_inf(__m256d xd, __m256d y)
{
    return _mm256_blendv_pd(y, SET1(-0.0), _mm256_cmp_pd(xd, SET1(-INFINITY), _CMP_EQ_OQ));
}

static void block4(enum gelu_form form, const float *x, float *out)
{
    const double amax = GELU_CR_AMAX(form);
    __m128 xf = _mm_loadu_ps(x);
    __m256d xd = _mm256_cvtps_pd(xf);
    __m256d a = clamp_abs4(xd, amax);
    __m256d q = form == GELU_FORM_ERF ? erf_q4(a) : form == GELU_FORM_QUICK ? quick_q4(a) : tanh_q4(a);
    q = _mm256_min_pd(q, SET1(GELU_Q_MAX));
    __m256d neg = _mm256_cmp_pd(xd, _mm256_setzero_pd(), _CMP_LT_OQ);
    __m256d p = _mm256_blendv_pd(_mm256_sub_pd(SET1(1.0), q), q, neg);
    __m256d low = _mm256_cmp_pd(xd, SET1(-amax), _CMP_LT_OQ);
    __m256d y = not_neg_inf(xd, _mm256_mul_pd(_mm256_blendv_pd(xd, SET1(-amax), low), p));
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

/* ---- first tier ---- */

#define NB 4
#define EACH _Pragma("GCC unroll 4") for (int b = 0; b < NB; b++)
#define ALWAYS inline __attribute__((always_inline))

/* exp(t) for t in [-150, 0] as exp_fast in gelu_avx512.c; 2^floor(k/16) built in the exponent
   bits (the same value vscalefpd multiplies by there) */
static ALWAYS void exp_fast(const __m256d *t, __m256d *out)
{
    const double *c = gelu_fast_exp_coef;
    _Static_assert(GELU_FAST_EXP_DEGREE == 5, "the Estrin tree below is written for degree 5");
    EACH {
        __m256d z = _mm256_fmadd_pd(t[b], SET1(GELU_FAST_EXP_SCALE), SET1(GELU_EXP_SHIFT));
        __m256d k = _mm256_sub_pd(z, SET1(GELU_EXP_SHIFT));
        __m256d r = _mm256_fnmadd_pd(k, SET1(GELU_FAST_LN2_16), t[b]);
        __m256d r2 = _mm256_mul_pd(r, r);
        __m256d h0 = _mm256_fmadd_pd(SET1(c[1]), r, SET1(c[0]));
        __m256d h1 = _mm256_fmadd_pd(SET1(c[3]), r, SET1(c[2]));
        __m256d h2 = _mm256_fmadd_pd(SET1(c[5]), r, SET1(c[4]));
        __m256d e = _mm256_fmadd_pd(_mm256_fmadd_pd(h2, r2, h1), r2, h0);
        __m256i zb = _mm256_castpd_si256(z);
        __m256i j = _mm256_and_si256(zb, _mm256_set1_epi64x(15));
        e = _mm256_mul_pd(e, _mm256_i64gather_pd(gelu_exp2_16, j, 8));
        /* floor(k/16) + 1023 = (bits(z) - bits(SHIFT) + 1023*16) >> 4: non-negative for every k
           here, so the logical shift does (AVX2 has no 64-bit arithmetic shift) */
        __m256i kb = _mm256_sub_epi64(zb, _mm256_set1_epi64x((long long)0x4338000000000000 - (1023 << 4)));
        __m256i scale = _mm256_slli_epi64(_mm256_srli_epi64(kb, 4), 52);
        out[b] = _mm256_mul_pd(e, _mm256_castsi256_pd(scale));
    }
}

static ALWAYS void erf_q_fast(const __m256d *a, __m256d *q)
{
    const double *c = gelu_fast_erf_coef;
    __m256d u[NB], t[NB];
    EACH {
        u[b] = _mm256_div_pd(SET1(0.5), _mm256_fmadd_pd(a[b], SET1(GELU_FAST_P), SET1(1.0)));
        __m256d u2 = _mm256_mul_pd(u[b], u[b]), u4 = _mm256_mul_pd(u2, u2);
        __m256d e[7];
        _Pragma("GCC unroll 7") for (int j = 0; j < 7; j++)
            e[j] = _mm256_fmadd_pd(SET1(c[2 * j + 1]), u[b], SET1(c[2 * j]));
        __m256d f0 = _mm256_fmadd_pd(e[1], u2, e[0]), f1 = _mm256_fmadd_pd(e[3], u2, e[2]);
        __m256d f2 = _mm256_fmadd_pd(e[5], u2, e[4]), f3 = _mm256_fmadd_pd(SET1(c[14]), u2, e[6]);
        __m256d g0 = _mm256_fmadd_pd(f1, u4, f0), g1 = _mm256_fmadd_pd(f3, u4, f2);
        __m256d p = _mm256_fmadd_pd(g1, _mm256_mul_pd(u4, u4), g0);
        t[b] = _mm256_fmadd_pd(_mm256_mul_pd(a[b], a[b]), SET1(-0.5), p);
    }
    exp_fast(t, q);
    EACH q[b] = _mm256_mul_pd(u[b], q[b]);
}

static ALWAYS void tanh_q_fast(const __m256d *w, __m256d *q)
{
    __m256d t[NB];
    EACH {
        __m256d v = _mm256_mul_pd(w[b], _mm256_fmadd_pd(SET1(GELU_TANH_C3), _mm256_mul_pd(w[b], w[b]),
                                                        SET1(GELU_TANH_C1)));
        t[b] = _mm256_xor_pd(v, SET1(-0.0));
    }
    exp_fast(t, q);
    EACH q[b] = _mm256_div_pd(q[b], _mm256_add_pd(SET1(1.0), q[b]));
}

/* sigma(-v), v = 1.702 w, as in block4; the rounding test is tanh's (the same exp and division). */
static ALWAYS void quick_q_fast(const __m256d *w, __m256d *q)
{
    __m256d t[NB];
    EACH t[b] = _mm256_xor_pd(_mm256_mul_pd(w[b], SET1(GELU_QUICK_C)), SET1(-0.0));
    exp_fast(t, q);
    EACH q[b] = _mm256_div_pd(q[b], _mm256_add_pd(SET1(1.0), q[b]));
}

/*
 * 1 when one of the 16 floats at x is a NaN or -inf: !(x >= -FLT_MAX), a quiet compare. The
 * first tier's vminpd/vmaxpd raise invalid on a quiet NaN and its -amax*Q raises underflow for
 * -inf, so such a group goes to block4, which handles both quietly; the first tier's
 * operations stay as they are for every other group.
 */
static ALWAYS int any_nan_or_neg_inf16(const float *x)
{
    const __m256 lowest = _mm256_set1_ps(-0x1.fffffep127f);
    __m256 a = _mm256_cmp_ps(_mm256_loadu_ps(x), lowest, _CMP_NGE_UQ);
    __m256 b = _mm256_cmp_ps(_mm256_loadu_ps(x + 8), lowest, _CMP_NGE_UQ);
    return _mm256_movemask_ps(_mm256_or_ps(a, b)) != 0;
}

/* The NB blocks of a group with a NaN or -inf, by block4, in order: each block is read before
   it is written, so in place is fine. Out of line, to keep the hot loop as it was. */
static __attribute__((noinline, cold)) void special16(enum gelu_form form, const float *x, float *out)
{
    for (int b = 0; b < NB; b++)
        block4(form, x + 4 * b, out + 4 * b);
}

/* NB blocks of four from x to out; a block with a lane the first tier cannot vouch for is
   redone by block4. Every block is read before any is written, so x == out is fine. */
static ALWAYS void tiered(enum gelu_form form, const float *x, float *out)
{
    if (__builtin_expect(any_nan_or_neg_inf16(x), 0)) {
        special16(form, x, out);
        return;
    }
    const double amax = GELU_CR_AMAX(form);
    const double lo = form == GELU_FORM_ERF ? GELU_FAST_FLAG_ERF_LO : GELU_FAST_FLAG_TANH_LO;
    const double hi = form == GELU_FORM_ERF ? GELU_FAST_FLAG_ERF_HI : GELU_FAST_FLAG_TANH_HI;
    __m256d xd[NB], a[NB], q[NB];
    __m128 f[NB];
    int unsure[NB];
    EACH {
        xd[b] = _mm256_cvtps_pd(_mm_loadu_ps(x + 4 * b));
        a[b] = _mm256_min_pd(_mm256_andnot_pd(SET1(-0.0), xd[b]), SET1(amax));
    }
    if (form == GELU_FORM_ERF)
        erf_q_fast(a, q);
    else if (form == GELU_FORM_QUICK)
        quick_q_fast(a, q);
    else
        tanh_q_fast(a, q);
    EACH {
        __m256d neg = _mm256_cmp_pd(xd[b], _mm256_setzero_pd(), _CMP_LT_OQ);
        __m256d p = _mm256_blendv_pd(_mm256_sub_pd(SET1(1.0), q[b]), q[b], neg);
        __m256d y = _mm256_mul_pd(_mm256_max_pd(SET1(-amax), xd[b]), p);
        f[b] = _mm256_cvtpd_ps(y);
        __m128i l = _mm_castps_si128(_mm256_cvtpd_ps(_mm256_mul_pd(y, SET1(lo))));
        __m128i h = _mm_castps_si128(_mm256_cvtpd_ps(_mm256_mul_pd(y, SET1(hi))));
        unsure[b] = _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(l, h))) != 0xF;
    }
    EACH {
        if (__builtin_expect(unsure[b], 0))
            block4(form, x + 4 * b, out + 4 * b);
        else
            _mm_storeu_ps(out + 4 * b, f[b]);
    }
}

static ALWAYS void run(enum gelu_form form, const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 4 * NB <= n; i += 4 * NB) {
        _mm_prefetch((const char *)(x + i + 512), _MM_HINT_T0);
        tiered(form, x + i, y + i);
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
void gelu_quick_f32_avx2(const float *x, float *y, size_t n) { run(GELU_FORM_QUICK, x, y, n); }

/* ---- faithful kernels: gelu_scalar.c's faithful_central, four lanes at a time, coefficients gathered ---- */

#define FNB 4

static ALWAYS __m256d faithful_quarter(const double (*c)[16], __m256d xd)
{
    __m256d na = _mm256_or_pd(xd, SET1(-0.0));
    __m256d ac = _mm256_max_pd(na, SET1(-GELU_FAITHFUL_HI));
    __m256d r = _mm256_fmadd_pd(ac, SET1(-GELU_FAITHFUL_A), SET1(GELU_FAITHFUL_B));
    __m256d z = _mm256_add_pd(r, SET1(GELU_EXP_SHIFT));
    __m256d t = _mm256_sub_pd(r, _mm256_sub_pd(z, SET1(GELU_EXP_SHIFT)));
    __m256i k = _mm256_and_si256(_mm256_castpd_si256(z), _mm256_set1_epi64x(15));
    __m256d q = _mm256_i64gather_pd(c[GELU_FAITHFUL_DEGREE], k, 8);
    for (int j = GELU_FAITHFUL_DEGREE - 1; j >= 0; j--)
        q = _mm256_fmadd_pd(q, t, _mm256_i64gather_pd(c[j], k, 8));
    /* max(+0, x) returns x when both are zeros, so -0 stays -0 as in the scalar x >= 0 ? x : 0 */
    return _mm256_fmadd_pd(na, q, _mm256_max_pd(_mm256_setzero_pd(), xd));
}

static ALWAYS __m256d faithful_exp(__m256d v)
{
    __m256d z = _mm256_fmadd_pd(v, SET1(GELU_LOG2E), SET1(GELU_EXP_SHIFT));
    __m256d k = _mm256_sub_pd(z, SET1(GELU_EXP_SHIFT));
    __m256d r = _mm256_fnmadd_pd(k, SET1(GELU_LN2_HI), v);
    r = _mm256_fnmadd_pd(k, SET1(GELU_LN2_LO), r);
    __m256d p = SET1(gelu_faithful_exp_coef[GELU_FAITHFUL_EXP_DEGREE]);
    for (int j = GELU_FAITHFUL_EXP_DEGREE - 1; j >= 0; j--)
        p = _mm256_fmadd_pd(p, r, SET1(gelu_faithful_exp_coef[j]));
    __m256i e = _mm256_add_epi64(_mm256_castpd_si256(z), _mm256_set1_epi64x(1023));
    return _mm256_mul_pd(p, _mm256_castsi256_pd(_mm256_slli_epi64(e, 52)));
}

/* gelu_scalar.c's faithful_tail for four lanes: the negative tail, x < LO. */
static ALWAYS __m256d faithful_tail_quarter(enum gelu_form form, __m256d xd)
{
    const double amax = form == GELU_FORM_ERF ? GELU_ERF_AMAX : GELU_TANH_WMAX;
    __m256d xc = _mm256_max_pd(xd, SET1(-amax));
    __m256d a = _mm256_xor_pd(xc, SET1(-0.0)), aa = _mm256_mul_pd(a, a), q;
    if (form == GELU_FORM_ERF) {
        __m256d r = _mm256_fmadd_pd(a, SET1(GELU_FAITHFUL_TAIL_A), SET1(GELU_FAITHFUL_TAIL_B));
        __m256d z = _mm256_add_pd(r, SET1(GELU_EXP_SHIFT));
        __m256d t = _mm256_sub_pd(r, _mm256_sub_pd(z, SET1(GELU_EXP_SHIFT)));
        __m256i k = _mm256_and_si256(_mm256_castpd_si256(z), _mm256_set1_epi64x(15));
        const double(*c)[16] = gelu_faithful_tail_coef;
        __m256d h = _mm256_i64gather_pd(c[GELU_FAITHFUL_TAIL_DEGREE], k, 8);
        for (int j = GELU_FAITHFUL_TAIL_DEGREE - 1; j >= 0; j--)
            h = _mm256_fmadd_pd(h, t, _mm256_i64gather_pd(c[j], k, 8));
        q = faithful_exp(_mm256_fmadd_pd(aa, SET1(-0.5), h));
    } else {
        __m256d u = _mm256_mul_pd(a, _mm256_fmadd_pd(SET1(GELU_TANH_C3), aa, SET1(GELU_TANH_C1)));
        __m256d e = faithful_exp(_mm256_xor_pd(u, SET1(-0.0)));
        q = _mm256_fmadd_pd(e, _mm256_fmsub_pd(e, e, e), e);
    }
    return _mm256_mul_pd(xc, q);
}

/* gelu_scalar.c's faithful_quick_outer_y for four lanes: the quick form outside [LO, HI). */
static ALWAYS __m256d faithful_quick_outer_quarter(__m256d xd)
{
    __m256d na = _mm256_or_pd(xd, SET1(-0.0));
    __m256d nc = _mm256_max_pd(na, SET1(-GELU_QUICK_WMAX));
    __m256d e = faithful_exp(_mm256_mul_pd(nc, SET1(GELU_QUICK_C)));
    __m256d q = _mm256_div_pd(e, _mm256_add_pd(SET1(1.0), e));
    return _mm256_fmadd_pd(nc, q, _mm256_max_pd(_mm256_setzero_pd(), xd));
}

/*
 * Four floats from x: the central path, and the tail blended in where a lane is below LO (quick:
 * outside [LO, HI)).
 */
static ALWAYS __m128 faithful_quarter_with_tail(enum gelu_form form, const double (*c)[16], const float *x)
{
    __m256d xd = _mm256_cvtps_pd(_mm_loadu_ps(x));
    /* NaN and the infinities become 0 (the caller redoes them): no lane may raise a flag */
    __m256d finite = _mm256_and_pd(_mm256_cmp_pd(xd, SET1(FLT_MAX), _CMP_LE_OQ),
                                   _mm256_cmp_pd(xd, SET1(-FLT_MAX), _CMP_GE_OQ));
    xd = _mm256_and_pd(xd, finite);
    __m256d y = faithful_quarter(c, xd);
    __m256d tail = _mm256_cmp_pd(xd, SET1(GELU_FAITHFUL_LO), _CMP_LT_OQ);
    if (form == GELU_FORM_QUICK)
        tail = _mm256_or_pd(tail, _mm256_cmp_pd(xd, SET1(GELU_FAITHFUL_HI), _CMP_GE_OQ));
    if (__builtin_expect(_mm256_movemask_pd(tail) != 0, 0)) {
        /* the other lanes become a tail value, so that they raise no flag there */
        __m256d xt = _mm256_blendv_pd(SET1(GELU_FAITHFUL_LO - 1), xd, tail);
        __m256d yt = form == GELU_FORM_QUICK ? faithful_quick_outer_quarter(xt) : faithful_tail_quarter(form, xt);
        y = _mm256_blendv_pd(y, yt, tail);
    }
    return _mm256_cvtpd_ps(y);
}

/* FNB blocks of eight floats; a block with a lane that is NaN or infinite takes the CR kernel there. */
static ALWAYS void faithful_blocks(enum gelu_form form, int nb, const float *x, float *out)
{
    const double(*c)[16] = form == GELU_FORM_ERF    ? gelu_faithful_erf_coef
                           : form == GELU_FORM_TANH ? gelu_faithful_tanh_coef
                                                    : gelu_faithful_quick_coef;
    __m256 xf[FNB], f[FNB], finite[FNB];
    int slow[FNB];
    for (int b = 0; b < nb; b++) {
        xf[b] = _mm256_loadu_ps(x + 8 * b);
        /* NaN and the infinities take the correctly rounded kernel */
        finite[b] = _mm256_and_ps(_mm256_cmp_ps(xf[b], _mm256_set1_ps(FLT_MAX), _CMP_LE_OQ),
                                  _mm256_cmp_ps(xf[b], _mm256_set1_ps(-FLT_MAX), _CMP_GE_OQ));
        slow[b] = _mm256_movemask_ps(finite[b]) != 0xFF;
        __m128 lo = faithful_quarter_with_tail(form, c, x + 8 * b);
        __m128 hi = faithful_quarter_with_tail(form, c, x + 8 * b + 4);
        f[b] = _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
    }
    for (int b = 0; b < nb; b++) {
        if (__builtin_expect(slow[b], 0)) {
            float cr[8], xs[8];
            _mm256_storeu_ps(xs, xf[b]);
            (form == GELU_FORM_ERF    ? gelu_erf_f32_avx2
             : form == GELU_FORM_TANH ? gelu_tanh_f32_avx2
                                      : gelu_quick_f32_avx2)(xs, cr, 8);
            /* a blend, not a C comparison: a NaN must not raise invalid */
            f[b] = _mm256_blendv_ps(_mm256_loadu_ps(cr), f[b], finite[b]);
        }
    }
    for (int b = 0; b < nb; b++)
        _mm256_storeu_ps(out + 8 * b, f[b]);
}

static void run_faithful(enum gelu_form form, const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 8 * FNB <= n; i += 8 * FNB) {
        _mm_prefetch((const char *)(x + i + 512), _MM_HINT_T0);
        faithful_blocks(form, FNB, x + i, y + i);
    }
    for (; i + 8 <= n; i += 8)
        faithful_blocks(form, 1, x + i, y + i);
    if (i < n) {
        float xs[8] = {0, 0, 0, 0, 0, 0, 0, 0}, ys[8];
        memcpy(xs, x + i, (n - i) * sizeof(float));
        faithful_blocks(form, 1, xs, ys);
        memcpy(y + i, ys, (n - i) * sizeof(float));
    }
}

void gelu_erf_f32_faithful_avx2(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_ERF, x, y, n); }
void gelu_tanh_f32_faithful_avx2(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_TANH, x, y, n); }
void gelu_quick_f32_faithful_avx2(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_QUICK, x, y, n); }

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
