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
#include <float.h>
#include <immintrin.h>
#include <math.h>

#include "gelu_coeffs.h"
#include "gelu_faithful_coeffs.h"
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

static inline __m512d quick_q8(__m512d w)
{
    __m512d e = exp_neg8(_mm512_xor_pd(_mm512_mul_pd(w, SET1(GELU_QUICK_C)), SET1(-0.0)));
    return _mm512_div_pd(e, _mm512_add_pd(SET1(1.0), e));
}

/* ---- second tier: the reference operation sequence ---- */

static void block8(enum gelu_form form, const float *x, float *out, __mmask8 m)
{
    const double amax = GELU_CR_AMAX(form);
    __m256 xf = _mm256_maskz_loadu_ps(m, x);
    __m512d xd = _mm512_cvtps_pd(xf);
    __m512d a = _mm512_min_round_pd(_mm512_abs_pd(xd), SET1(amax), _MM_FROUND_NO_EXC);
    __m512d q = form == GELU_FORM_ERF ? erf_q8(a) : form == GELU_FORM_QUICK ? quick_q8(a) : tanh_q8(a);
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

/* sigma(-v), v = 1.702 w, as in the second tier; the rounding test is tanh's (the same exp and division). */
static ALWAYS void quick_q_fast(int nb, const __m512d *w, __m512d *q)
{
    __m512d t[NB];
    EACH(nb) t[b] = _mm512_xor_pd(_mm512_mul_pd(w[b], SET1(GELU_QUICK_C)), SET1(-0.0));
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
    const double amax = GELU_CR_AMAX(form);
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
    else if (form == GELU_FORM_QUICK)
        quick_q_fast(nb, a, q);
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
/*
 * nh halves of eight: y[h] from xd[h] by a table of Q with `degree`, step j of every half
 * before step j + 1 of any. The sequence starts from -|x| (one OR), which serves both the
 * index (fma(max(-|x|, -HI), -A, B) equals fma(min(|x|, HI), A, B) exactly) and the product.
 */
static ALWAYS void central_halves(const double (*c)[16], int degree, int nh, const __m512d *xd, __m512d *y)
{
    __m512d t[8], q[8], na[8];
    __m512i k[8];
    EACH(nh) {
        na[b] = _mm512_or_pd(xd[b], SET1(-0.0));
        __m512d ac = _mm512_max_pd(na[b], SET1(-GELU_FAITHFUL_HI));
        __m512d r = _mm512_fmadd_pd(ac, SET1(-GELU_FAITHFUL_A), SET1(GELU_FAITHFUL_B));
        __m512d z = _mm512_add_pd(r, SET1(GELU_EXP_SHIFT));
        t[b] = _mm512_sub_pd(r, _mm512_sub_pd(z, SET1(GELU_EXP_SHIFT)));
        k[b] = _mm512_castpd_si512(z); /* the low four bits of z are k, all a permute reads */
    }
    __m512d lo = _mm512_load_pd(c[degree]), hi = _mm512_load_pd(c[degree] + 8);
    EACH(nh) q[b] = _mm512_permutex2var_pd(lo, k[b], hi);
    _Pragma("GCC unroll 16") for (int j = degree - 1; j >= 0; j--) {
        lo = _mm512_load_pd(c[j]);
        hi = _mm512_load_pd(c[j] + 8);
        EACH(nh) q[b] = _mm512_fmadd_pd(q[b], t[b], _mm512_permutex2var_pd(lo, k[b], hi));
    }
    /* max(+0, x) returns x when both are zeros, so -0 stays -0 as in the scalar x >= 0 ? x : 0 */
    EACH(nh) y[b] = _mm512_fmadd_pd(na[b], q[b], _mm512_max_pd(_mm512_setzero_pd(), xd[b]));
}

/*
 * The first tier on the central range: when all 64 floats at x are in [LO, FLT_MAX], Q from the
 * faithful kernels' pieces at degree 9 (within 2^-42.9 of the exact value; tanh 2^-43.8), no exp
 * and no division; the floats are kept only if y (1 -+ 2^-40) round alike in every lane, which
 * makes them the correctly rounded ones. Returns 0, having written nothing, when a lane is
 * outside that range or unsure: the group then takes the tiers below (a correctly rounded
 * result does not depend on the path that found it).
 */
static ALWAYS int central_group(enum gelu_form form, const float *x, float *out, int stream)
{
    const double(*c)[16] = form == GELU_FORM_ERF ? gelu_cr_central_erf_coef : gelu_cr_central_tanh_coef;
    __mmask16 ok = 0xFFFF;
    for (int b = 0; b < 4; b++) {
        __m512 xf = _mm512_loadu_ps(x + 16 * b);
        ok = _mm512_mask_cmp_ps_mask(ok, xf, _mm512_set1_ps((float)GELU_FAITHFUL_LO), _CMP_GE_OQ);
        ok = _mm512_mask_cmp_ps_mask(ok, xf, _mm512_set1_ps(FLT_MAX), _CMP_LE_OQ);
    }
    if (ok != 0xFFFF)
        return 0;
    __m512d xd[8], yd[8];
    __m256 f[8];
    EACH(8) xd[b] = _mm512_cvtps_pd(_mm256_loadu_ps(x + 8 * b));
    central_halves(c, GELU_CR_CENTRAL_DEGREE, 4, xd, yd);
    central_halves(c, GELU_CR_CENTRAL_DEGREE, 4, xd + 4, yd + 4);
    __mmask8 unsure = 0;
    EACH(8) {
        f[b] = _mm512_cvtpd_ps(yd[b]);
        __m256i l = _mm256_castps_si256(_mm512_cvtpd_ps(_mm512_mul_pd(yd[b], SET1(GELU_FLAG_LO))));
        __m256i h = _mm256_castps_si256(_mm512_cvtpd_ps(_mm512_mul_pd(yd[b], SET1(GELU_FLAG_HI))));
        unsure |= _mm256_cmpneq_epi32_mask(l, h);
    }
    if (unsure)
        return 0;
    EACH(8) {
        if (stream)
            _mm256_stream_ps(out + 8 * b, f[b]);
        else
            _mm256_storeu_ps(out + 8 * b, f[b]);
    }
    return 1;
}

/* stream: full blocks to a 32-byte aligned out, written past the caches (see NT_FLOATS) */
static ALWAYS void tiered(enum gelu_form form, int nb, const float *x, float *out, const __mmask8 *m, int stream)
{
    __m256 f[NB];
    __mmask8 unsure[NB];
    fast_blocks(form, nb, x, m, f, unsure);
    /* every block is read before any is written, so x == out is fine */
    EACH(nb) {
        if (__builtin_expect(unsure[b] != 0, 0))
            block8(form, x + 8 * b, out + 8 * b, m[b]);
        else if (stream)
            _mm256_stream_ps(out + 8 * b, f[b]);
        else
            _mm256_mask_storeu_ps(out + 8 * b, m[b], f[b]);
    }
}

/* Ahead of a compute-bound loop the hardware prefetcher falls behind on this VM (see the bench). */
#define PREFETCH_FLOATS 512

/*
 * From NT_FLOATS on, the output is streamed past the caches (non-temporal stores): a tensor that
 * large does not stay in L2 anyway, and a streamed store does not read its line first. Measured
 * with the C bench: the gain is nil in cache and grows with n (bench/results/RESULTS.md).
 */
#define NT_FLOATS (1u << 18)

/*
 * The elements before y's first 64-byte boundary, or 0 when the output is not to be streamed.
 * An nt call streams from 64 elements on: the head (at most 15) must lie inside y.
 */
static inline size_t stream_head(const float *y, size_t n, int nt)
{
    if (n < (nt ? 64 : NT_FLOATS) || ((uintptr_t)y & 3) != 0)
        return 0;
    size_t head = ((64 - ((uintptr_t)y & 63)) & 63) / 4;
    return head == 0 ? 16 : head; /* 16: aligned already, and nonzero means "stream" */
}

/* nt: stream the output whatever n (the composed operations' blocks, see gelu_ops.h) */
static ALWAYS void run(enum gelu_form form, const float *x, float *y, size_t n, int nt)
{
    static const __mmask8 all[NB] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    size_t i = 0, head = stream_head(y, n, nt);
    int stream = head != 0;
    for (head %= 16; i < head; i += 8) {
        __mmask8 m = head - i >= 8 ? 0xFF : (__mmask8)((1u << (head - i)) - 1);
        tiered(form, 1, x + i, y + i, &m, 0);
        i -= 8 - (head - i >= 8 ? 8 : head - i);
    }
    for (; i + 8 * NB <= n; i += 8 * NB) {
        for (int l = 0; l < 8 * NB; l += 16)
            _mm_prefetch((const char *)(x + i + l + PREFETCH_FLOATS), _MM_HINT_T0);
        /* the quick form has no central table (yet): its first tier is already exp and one division */
        if (form == GELU_FORM_QUICK || !central_group(form, x + i, y + i, stream))
            tiered(form, NB, x + i, y + i, all, stream);
    }
    if (stream && !nt) /* an nt caller fences once, after its last block: a fence waits for the stores */
        _mm_sfence();
    for (; i < n; i += 8) {
        size_t left = n - i;
        __mmask8 m = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
        tiered(form, 1, x + i, y + i, &m, 0);
    }
}

void gelu_erf_f32_avx512(const float *x, float *y, size_t n) { run(GELU_FORM_ERF, x, y, n, 0); }
void gelu_tanh_f32_avx512(const float *x, float *y, size_t n) { run(GELU_FORM_TANH, x, y, n, 0); }
void gelu_quick_f32_avx512(const float *x, float *y, size_t n) { run(GELU_FORM_QUICK, x, y, n, 0); }
void gelu_erf_f32_nt_avx512(const float *x, float *y, size_t n) { run(GELU_FORM_ERF, x, y, n, 1); }
void gelu_tanh_f32_nt_avx512(const float *x, float *y, size_t n) { run(GELU_FORM_TANH, x, y, n, 1); }
void gelu_quick_f32_nt_avx512(const float *x, float *y, size_t n) { run(GELU_FORM_QUICK, x, y, n, 1); }

/* ---- faithful kernels ---- */

/*
 * gelu_scalar.c's faithful_central, eight lanes at a time: no exp, no division, one
 * two-register permute per coefficient. The permutes and the float/double conversions share
 * the shuffle pipes, which bound this loop, so each half of sixteen floats is loaded,
 * converted and stored on its own (no extract or insert). FNB blocks of sixteen are
 * interleaved so that the Horner chains overlap.
 */
#define FNB 3

/* exp(v[h]) for nh halves, step by step across the halves (gelu_scalar.c's faithful_exp). */
static ALWAYS void faithful_exp(int nh, const __m512d *v, __m512d *out)
{
    __m512d z[2 * FNB], r[2 * FNB], p[2 * FNB];
    EACH(nh) {
        z[b] = _mm512_fmadd_pd(v[b], SET1(GELU_LOG2E), SET1(GELU_EXP_SHIFT));
        __m512d k = _mm512_sub_pd(z[b], SET1(GELU_EXP_SHIFT));
        r[b] = _mm512_fnmadd_pd(k, SET1(GELU_LN2_LO), _mm512_fnmadd_pd(k, SET1(GELU_LN2_HI), v[b]));
        p[b] = SET1(gelu_faithful_exp_coef[GELU_FAITHFUL_EXP_DEGREE]);
    }
    _Pragma("GCC unroll 8") for (int j = GELU_FAITHFUL_EXP_DEGREE - 1; j >= 0; j--)
        EACH(nh) p[b] = _mm512_fmadd_pd(p[b], r[b], SET1(gelu_faithful_exp_coef[j]));
    EACH(nh) {
        __m512i e = _mm512_add_epi64(_mm512_castpd_si512(z[b]), _mm512_set1_epi64(1023));
        out[b] = _mm512_mul_pd(p[b], _mm512_castsi512_pd(_mm512_slli_epi64(e, 52)));
    }
}

/* gelu_scalar.c's faithful_tail for nh halves of eight lanes, all below LO. */
static ALWAYS void faithful_tail_halves(enum gelu_form form, int nh, const __m512d *xd, __m512d *y)
{
    const double amax = form == GELU_FORM_ERF ? GELU_ERF_AMAX : GELU_TANH_WMAX;
    __m512d xc[2 * FNB], a[2 * FNB], aa[2 * FNB], v[2 * FNB], e[2 * FNB];
    EACH(nh) {
        xc[b] = _mm512_max_pd(xd[b], SET1(-amax));
        a[b] = _mm512_xor_pd(xc[b], SET1(-0.0));
        aa[b] = _mm512_mul_pd(a[b], a[b]);
    }
    if (form == GELU_FORM_ERF) {
        const double(*c)[16] = gelu_faithful_tail_coef;
        __m512d t[2 * FNB], h[2 * FNB];
        __m512i k[2 * FNB];
        EACH(nh) {
            __m512d r = _mm512_fmadd_pd(a[b], SET1(GELU_FAITHFUL_TAIL_A), SET1(GELU_FAITHFUL_TAIL_B));
            __m512d z = _mm512_add_pd(r, SET1(GELU_EXP_SHIFT));
            t[b] = _mm512_sub_pd(r, _mm512_sub_pd(z, SET1(GELU_EXP_SHIFT)));
            k[b] = _mm512_castpd_si512(z);
            h[b] = _mm512_permutex2var_pd(_mm512_load_pd(c[GELU_FAITHFUL_TAIL_DEGREE]), k[b],
                                          _mm512_load_pd(c[GELU_FAITHFUL_TAIL_DEGREE] + 8));
        }
        _Pragma("GCC unroll 8") for (int j = GELU_FAITHFUL_TAIL_DEGREE - 1; j >= 0; j--)
            EACH(nh) h[b] = _mm512_fmadd_pd(h[b], t[b],
                                            _mm512_permutex2var_pd(_mm512_load_pd(c[j]), k[b], _mm512_load_pd(c[j] + 8)));
        EACH(nh) v[b] = _mm512_fmadd_pd(aa[b], SET1(-0.5), h[b]);
        faithful_exp(nh, v, e);
        EACH(nh) y[b] = _mm512_mul_pd(xc[b], e[b]);
    } else {
        EACH(nh) v[b] = _mm512_xor_pd(_mm512_mul_pd(a[b], _mm512_fmadd_pd(SET1(GELU_TANH_C3), aa[b], SET1(GELU_TANH_C1))),
                                      SET1(-0.0));
        faithful_exp(nh, v, e);
        EACH(nh) y[b] = _mm512_mul_pd(xc[b], _mm512_fmadd_pd(e[b], _mm512_fmsub_pd(e[b], e[b], e[b]), e[b]));
    }
}

/* gelu_scalar.c's faithful_quick_outer_y for nh halves of eight lanes: the quick form outside [LO, HI). */
static ALWAYS void faithful_quick_outer_halves(int nh, const __m512d *xd, __m512d *y)
{
    __m512d nc[2 * FNB], v[2 * FNB], e[2 * FNB];
    EACH(nh) {
        nc[b] = _mm512_max_pd(_mm512_or_pd(xd[b], SET1(-0.0)), SET1(-GELU_QUICK_WMAX));
        v[b] = _mm512_mul_pd(nc[b], SET1(GELU_QUICK_C));
    }
    faithful_exp(nh, v, e);
    EACH(nh) {
        __m512d q = _mm512_div_pd(e[b], _mm512_add_pd(SET1(1.0), e[b]));
        y[b] = _mm512_fmadd_pd(nc[b], q, _mm512_max_pd(_mm512_setzero_pd(), xd[b]));
    }
}

/*
 * nb blocks of sixteen from x (lanes under m[b]) into f[b] (two halves of eight). When a lane
 * is below LO (2.9e-4 of N(0, 1); quick: or from HI on, 1.3e-8 more), the tail runs on all the
 * halves and is blended in; a lane
 * that is NaN or infinite gets the correctly rounded kernel's float. So a result is a function of its input
 * alone, as on every other backend.
 */
static ALWAYS void faithful_blocks(enum gelu_form form, int nb, const float *x, const __mmask16 *m, __m256 (*f)[2])
{
    const double(*c)[16] = form == GELU_FORM_ERF    ? gelu_faithful_erf_coef
                           : form == GELU_FORM_TANH ? gelu_faithful_tanh_coef
                                                    : gelu_faithful_quick_coef;
    /* the central range: [LO, HI) for quick, [LO, FLT_MAX] for the others (a held at HI) */
    const __m512 top = _mm512_set1_ps(form == GELU_FORM_QUICK ? (float)GELU_FAITHFUL_HI : INFINITY);
    __mmask16 slow[FNB], tail[FNB];
    __m512d xd[2 * FNB], yd[2 * FNB];
    EACH(nb) {
        __m512 xf = _mm512_maskz_loadu_ps(m[b], x + 16 * b);
        __mmask16 ok = _mm512_cmp_ps_mask(xf, _mm512_set1_ps((float)GELU_FAITHFUL_LO), _CMP_GE_OQ);
        ok = _mm512_mask_cmp_ps_mask(ok, xf, top, _CMP_LT_OQ);
        __mmask16 finite = _mm512_mask_cmp_ps_mask(m[b], _mm512_abs_ps(xf), _mm512_set1_ps(FLT_MAX), _CMP_LE_OQ);
        tail[b] = finite & ~ok;
        slow[b] = m[b] & ~ok & ~tail[b];
        /* NaN and the infinities are loaded as 0: no lane may raise a floating-point flag */
        __mmask16 load = m[b] & ~slow[b];
        xd[2 * b] = _mm512_cvtps_pd(_mm256_maskz_loadu_ps((__mmask8)load, x + 16 * b));
        xd[2 * b + 1] = _mm512_cvtps_pd(_mm256_maskz_loadu_ps((__mmask8)(load >> 8), x + 16 * b + 8));
    }
    central_halves(c, GELU_FAITHFUL_DEGREE, 2 * nb, xd, yd);
    __mmask16 any_tail = 0;
    EACH(nb) any_tail |= tail[b];
    if (__builtin_expect(any_tail != 0, 0)) {
        /* three halves at a time: one half's exp chain alone leaves the pipes idle, six spill
           (x uniform in [-8, 8], n = 65536: 0.33 Gelem/s one by one, 0.43 six, 0.50 three) */
        __m512d xt[2 * FNB], ty[2 * FNB];
        EACH(nb) { /* the other lanes become a tail value, so that they raise no flag there */
            xt[2 * b] = _mm512_mask_blend_pd((__mmask8)tail[b], SET1(GELU_FAITHFUL_LO - 1), xd[2 * b]);
            xt[2 * b + 1] = _mm512_mask_blend_pd((__mmask8)(tail[b] >> 8), SET1(GELU_FAITHFUL_LO - 1), xd[2 * b + 1]);
        }
        for (int g = 0; g < 2 * nb; g += 3) {
            int nh = 2 * nb - g < 3 ? 2 * nb - g : 3;
            if (form == GELU_FORM_QUICK)
                faithful_quick_outer_halves(nh, xt + g, ty + g);
            else
                faithful_tail_halves(form, nh, xt + g, ty + g);
        }
        EACH(nb) {
            yd[2 * b] = _mm512_mask_blend_pd((__mmask8)tail[b], yd[2 * b], ty[2 * b]);
            yd[2 * b + 1] = _mm512_mask_blend_pd((__mmask8)(tail[b] >> 8), yd[2 * b + 1], ty[2 * b + 1]);
        }
    }
    EACH(nb) {
        f[b][0] = _mm512_cvtpd_ps(yd[2 * b]);
        f[b][1] = _mm512_cvtpd_ps(yd[2 * b + 1]);
    }
    EACH(nb) {
        if (__builtin_expect(slow[b] != 0, 0)) {
            float cr[16];
            size_t len = 16 - (size_t)__builtin_clz((unsigned)m[b] << 16);
            (form == GELU_FORM_ERF    ? gelu_erf_f32_avx512
             : form == GELU_FORM_TANH ? gelu_tanh_f32_avx512
                                      : gelu_quick_f32_avx512)(x + 16 * b, cr, len);
            f[b][0] = _mm256_mask_blend_ps((__mmask8)slow[b], f[b][0], _mm256_maskz_loadu_ps((__mmask8)m[b], cr));
            f[b][1] = _mm256_mask_blend_ps((__mmask8)(slow[b] >> 8), f[b][1],
                                           _mm256_maskz_loadu_ps((__mmask8)(m[b] >> 8), cr + 8));
        }
    }
}

static ALWAYS void store16(float *y, __mmask16 m, const __m256 *f)
{
    _mm256_mask_storeu_ps(y, (__mmask8)m, f[0]);
    _mm256_mask_storeu_ps(y + 8, (__mmask8)(m >> 8), f[1]);
}

static ALWAYS void run_faithful(enum gelu_form form, const float *x, float *y, size_t n, int nt)
{
    static const __mmask16 all[FNB] = {0xFFFF, 0xFFFF, 0xFFFF};
    __m256 f[FNB][2];
    size_t i = 0, head = stream_head(y, n, nt) % 16;
    int stream = stream_head(y, n, nt) != 0;
    if (head) { /* up to the first 64-byte boundary of y */
        __mmask16 m = (__mmask16)((1u << head) - 1);
        faithful_blocks(form, 1, x, &m, f);
        store16(y, m, f[0]);
        i = head;
    }
    for (; i + 16 * FNB <= n; i += 16 * FNB) {
        for (int l = 0; l < 16 * FNB; l += 16)
            _mm_prefetch((const char *)(x + i + l + PREFETCH_FLOATS), _MM_HINT_T0);
        faithful_blocks(form, FNB, x + i, all, f);
        EACH(FNB) {
            if (stream) {
                _mm256_stream_ps(y + i + 16 * b, f[b][0]);
                _mm256_stream_ps(y + i + 16 * b + 8, f[b][1]);
            } else {
                _mm256_storeu_ps(y + i + 16 * b, f[b][0]);
                _mm256_storeu_ps(y + i + 16 * b + 8, f[b][1]);
            }
        }
    }
    if (stream && !nt) /* an nt caller fences once, after its last block: a fence waits for the stores */
        _mm_sfence();
    for (; i < n; i += 16) {
        size_t left = n - i;
        __mmask16 m = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
        faithful_blocks(form, 1, x + i, &m, f);
        store16(y + i, m, f[0]);
    }
}

void gelu_erf_f32_faithful_avx512(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_ERF, x, y, n, 0); }
void gelu_tanh_f32_faithful_avx512(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_TANH, x, y, n, 0); }
void gelu_quick_f32_faithful_avx512(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_QUICK, x, y, n, 0); }
void gelu_erf_f32_faithful_nt_avx512(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_ERF, x, y, n, 1); }
void gelu_tanh_f32_faithful_nt_avx512(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_TANH, x, y, n, 1); }
void gelu_quick_f32_faithful_nt_avx512(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_QUICK, x, y, n, 1); }

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
