/*
 * AVX-512 kernels (F, DQ, VL, BW), in two tiers.
 *
 * The first tier evaluates Q to about 2^-36 with half the operations of the reference
 * sequence (no G table: one division and a polynomial folded into the exponent; exp from a
 * 16-entry table and a degree-5 polynomial) and accepts a lane only when y*(1 -+ 2^-34) round
 * to the same float (tanh: 2^-38), so an accepted float is the correctly rounded one. A block
 * of eight with a lane it cannot decide (on x uniform in [-6, 6], 1.3% of the blocks for erf,
 * 0.06% for tanh) is recomputed by the second tier, eight lanes of the scalar operation
 * sequence in gelu_scalar.c step for step, which ends in the same hard-case table as every
 * other backend. Both tiers are proven on all 2^32 inputs by
 * native/tools/gelu_exhaustive.
 *
 * Tails use masked loads and stores, which never touch memory outside the array.
 */
#include <immintrin.h>
#include <math.h>

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

/* ---- second tier: the reference operation sequence ---- */

static void block8(enum gelu_form form, const float *x, float *out, __mmask8 m)
{
    const double amax = form == GELU_FORM_ERF ? GELU_ERF_AMAX : GELU_TANH_WMAX;
    __m256 xf = _mm256_maskz_loadu_ps(m, x);
    __m512d xd = _mm512_cvtps_pd(xf);
    __m512d a = _mm512_min_round_pd(_mm512_abs_pd(xd), SET1(amax), _MM_FROUND_NO_EXC);
    __m512d q = form == GELU_FORM_ERF ? erf_q8(a) : tanh_q8(a);
    q = _mm512_min_pd(q, SET1(GELU_Q_MAX));
    __mmask8 neg = _mm512_cmp_pd_mask(xd, _mm512_setzero_pd(), _CMP_LT_OQ);
    __m512d p = _mm512_mask_blend_pd(neg, _mm512_sub_pd(SET1(1.0), q), q);
    __mmask8 low = _mm512_cmp_pd_mask(xd, SET1(-amax), _CMP_LT_OQ);
    /* -inf: -0 itself, not -amax*Q, whose rounding to float would raise a spurious underflow */
    __mmask8 finite_or_nan = _mm512_cmp_pd_mask(xd, SET1(-INFINITY), _CMP_NEQ_UQ);
    __m512d y = _mm512_mask_mul_pd(SET1(-0.0), finite_or_nan, _mm512_mask_blend_pd(low, xd, SET1(-amax)), p);
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

/* ---- first tier ---- */

/*
 * The first tier works on NB blocks of eight at once, one step of all NB blocks after
 * another: its dependency chain (a division, the polynomials, exp) is long, and only
 * interleaving independent blocks keeps both FMA pipes busy (1 block: 0.7 Gelem/s for erf,
 * 8 blocks: 1.26, measured with the C bench at n = 65536).
 */
#define NB 8
#define EACH(nb) _Pragma("GCC unroll 8") for (int b = 0; b < (nb); b++)
#define ALWAYS inline __attribute__((always_inline))

/* exp(t) for t in [-150, 0]: t = (k/16) ln2 + r, |r| <= ln2/32, 2^((k mod 16)/16) from a table. */
static ALWAYS void exp_fast(int nb, const __m512d *t, __m512d *out)
{
    const double *c = gelu_fast_exp_coef;
    _Static_assert(GELU_FAST_EXP_DEGREE == 5, "the Estrin tree below is written for degree 5");
    const __m512d tab0 = _mm512_load_pd(gelu_exp2_16), tab1 = _mm512_load_pd(gelu_exp2_16 + 8);
    EACH(nb) {
        __m512d z = _mm512_fmadd_pd(t[b], SET1(GELU_FAST_EXP_SCALE), SET1(GELU_EXP_SHIFT));
        __m512d k = _mm512_sub_pd(z, SET1(GELU_EXP_SHIFT));
        __m512d r = _mm512_fnmadd_pd(k, SET1(GELU_FAST_LN2_16), t[b]);
        __m512d r2 = _mm512_mul_pd(r, r);
        __m512d h0 = _mm512_fmadd_pd(SET1(c[1]), r, SET1(c[0]));
        __m512d h1 = _mm512_fmadd_pd(SET1(c[3]), r, SET1(c[2]));
        __m512d h2 = _mm512_fmadd_pd(SET1(c[5]), r, SET1(c[4]));
        __m512d e = _mm512_fmadd_pd(_mm512_fmadd_pd(h2, r2, h1), r2, h0);
        /* the low four bits of z are k mod 16, all that the permute reads of an index */
        e = _mm512_mul_pd(e, _mm512_permutex2var_pd(tab0, _mm512_castpd_si512(z), tab1));
        out[b] = _mm512_scalef_pd(e, _mm512_mul_pd(k, SET1(0.0625)));
    }
}

/* Q(a) = u exp(-a^2/2 + P(u)), u = 0.5/(1 + FAST_P a); P by Estrin's scheme for a short chain. */
static ALWAYS void erf_q_fast(int nb, const __m512d *a, __m512d *q)
{
    const double *c = gelu_fast_erf_coef;
    _Static_assert(GELU_FAST_ERF_DEGREE == 14, "the Estrin tree below is written for degree 14");
    __m512d u[NB], t[NB];
    EACH(nb) {
        u[b] = _mm512_div_pd(SET1(0.5), _mm512_fmadd_pd(a[b], SET1(GELU_FAST_P), SET1(1.0)));
        __m512d u2 = _mm512_mul_pd(u[b], u[b]), u4 = _mm512_mul_pd(u2, u2);
        __m512d e[7];
        _Pragma("GCC unroll 7") for (int j = 0; j < 7; j++)
            e[j] = _mm512_fmadd_pd(SET1(c[2 * j + 1]), u[b], SET1(c[2 * j]));
        __m512d f0 = _mm512_fmadd_pd(e[1], u2, e[0]), f1 = _mm512_fmadd_pd(e[3], u2, e[2]);
        __m512d f2 = _mm512_fmadd_pd(e[5], u2, e[4]), f3 = _mm512_fmadd_pd(SET1(c[14]), u2, e[6]);
        __m512d g0 = _mm512_fmadd_pd(f1, u4, f0), g1 = _mm512_fmadd_pd(f3, u4, f2);
        __m512d p = _mm512_fmadd_pd(g1, _mm512_mul_pd(u4, u4), g0);
        t[b] = _mm512_fmadd_pd(_mm512_mul_pd(a[b], a[b]), SET1(-0.5), p);
    }
    exp_fast(nb, t, q);
    EACH(nb) q[b] = _mm512_mul_pd(u[b], q[b]);
}

/* sigma(-v) = e/(1+e), e = exp(-v), v = x (C1 + C3 x^2) as in the second tier. */
static ALWAYS void tanh_q_fast(int nb, const __m512d *w, __m512d *q)
{
    __m512d t[NB];
    EACH(nb) {
        __m512d v = _mm512_mul_pd(w[b], _mm512_fmadd_pd(SET1(GELU_TANH_C3), _mm512_mul_pd(w[b], w[b]),
                                                        SET1(GELU_TANH_C1)));
        t[b] = _mm512_xor_pd(v, SET1(-0.0));
    }
    exp_fast(nb, t, q);
    EACH(nb) q[b] = _mm512_div_pd(q[b], _mm512_add_pd(SET1(1.0), q[b]));
}

/*
 * nb blocks of eight from x (lanes under m[b]) to floats f[b]; returns the lanes, per block,
 * whose float the first tier cannot vouch for (y*(1 -+ 2^-34 or 2^-38) round apart).
 */
static ALWAYS void fast_blocks(enum gelu_form form, int nb, const float *x, const __mmask8 *m,
                               __m256 *f, __mmask8 *unsure)
{
    const double amax = form == GELU_FORM_ERF ? GELU_ERF_AMAX : GELU_TANH_WMAX;
    const double lo = form == GELU_FORM_ERF ? GELU_FAST_FLAG_ERF_LO : GELU_FAST_FLAG_TANH_LO;
    const double hi = form == GELU_FORM_ERF ? GELU_FAST_FLAG_ERF_HI : GELU_FAST_FLAG_TANH_HI;
    __m512d xd[NB], a[NB], q[NB];
    EACH(nb) {
        xd[b] = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m[b], x + 8 * b));
        /* NaN -> amax; {sae}: min raises invalid on a quiet NaN otherwise */
        a[b] = _mm512_min_round_pd(_mm512_abs_pd(xd[b]), SET1(amax), _MM_FROUND_NO_EXC);
    }
    if (form == GELU_FORM_ERF)
        erf_q_fast(nb, a, q);
    else
        tanh_q_fast(nb, a, q);
    EACH(nb) {
        __mmask8 neg = _mm512_cmp_pd_mask(xd[b], _mm512_setzero_pd(), _CMP_LT_OQ);
        __m512d p = _mm512_mask_blend_pd(neg, _mm512_sub_pd(SET1(1.0), q[b]), q[b]);
        /* max(-amax, x) keeps a NaN x: max returns its second operand when one is NaN ({sae}:
           quietly); -inf gets -0 itself, as -amax*Q would raise a spurious underflow */
        __mmask8 finite_or_nan = _mm512_cmp_pd_mask(xd[b], SET1(-INFINITY), _CMP_NEQ_UQ);
        __m512d y = _mm512_mask_mul_pd(SET1(-0.0), finite_or_nan,
                                       _mm512_max_round_pd(SET1(-amax), xd[b], _MM_FROUND_NO_EXC), p);
        f[b] = _mm512_cvtpd_ps(y);
        __m256i l = _mm256_castps_si256(_mm512_cvtpd_ps(_mm512_mul_pd(y, SET1(lo))));
        __m256i h = _mm256_castps_si256(_mm512_cvtpd_ps(_mm512_mul_pd(y, SET1(hi))));
        unsure[b] = _mm256_mask_cmpneq_epi32_mask(m[b], l, h);
    }
}

/* nb blocks from x to out; a block with an unsure lane is redone by the second tier. */
static ALWAYS void tiered(enum gelu_form form, int nb, const float *x, float *out, const __mmask8 *m)
{
    __m256 f[NB];
    __mmask8 unsure[NB];
    fast_blocks(form, nb, x, m, f, unsure);
    /* every block is read before any is written, so x == out is fine */
    EACH(nb) {
        if (__builtin_expect(unsure[b] != 0, 0))
            block8(form, x + 8 * b, out + 8 * b, m[b]);
        else
            _mm256_mask_storeu_ps(out + 8 * b, m[b], f[b]);
    }
}

/* Ahead of a compute-bound loop the hardware prefetcher falls behind on this VM (see the bench). */
#define PREFETCH_FLOATS 512

static ALWAYS void run(enum gelu_form form, const float *x, float *y, size_t n)
{
    static const __mmask8 all[NB] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    size_t i = 0;
    for (; i + 8 * NB <= n; i += 8 * NB) {
        for (int l = 0; l < 8 * NB; l += 16)
            _mm_prefetch((const char *)(x + i + l + PREFETCH_FLOATS), _MM_HINT_T0);
        tiered(form, NB, x + i, y + i, all);
    }
    for (; i < n; i += 8) {
        size_t left = n - i;
        __mmask8 m = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
        tiered(form, 1, x + i, y + i, &m);
    }
}

void gelu_erf_f32_avx512(const float *x, float *y, size_t n) { run(GELU_FORM_ERF, x, y, n); }
void gelu_tanh_f32_avx512(const float *x, float *y, size_t n) { run(GELU_FORM_TANH, x, y, n); }
