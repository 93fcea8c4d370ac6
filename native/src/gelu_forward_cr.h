/*
 * The correctly rounded float32 forward kernels, written once over a SIMD wrapper, in up to
 * three tiers; which of them an ISA runs, and how many vectors a group holds, is the
 * instantiating file's choice (a correctly rounded result does not depend on the path that
 * found it, and every tier is proven on all 2^32 inputs by native/tools/gelu_exhaustive):
 *
 * GELU_FWD_NB        vectors a group of the first tier interleaves
 * GELU_FWD_FIRST     1: the first tier. It evaluates Q to about 2^-36 with half the operations
 *                    of the reference sequence (no G table: one division and a polynomial
 *                    folded into the exponent; exp from a 16-entry table and a degree-5
 *                    polynomial) and accepts a lane only when y lies more than 2^-34 |y|
 *                    (tanh, quick: 2^-38) from every midpoint between floats (gelu_fwd_first),
 *                    so an accepted float is the correctly rounded one. A vector with a lane it
 *                    cannot decide (on x uniform in [-6, 6], 1.3% of the blocks of eight for
 *                    erf, 0.06% for tanh) is redone by the reference tier (gelu_forward_ref.h).
 *                    0: the reference tier alone.
 * GELU_FWD_CENTRAL   1: the central tier before the first, for the form with a central table
 *                    (erf: pieces of one polynomial, no exp and no division; AVX-512 looks up
 *                    16 pieces of degree 9 by register permutes, AVX2 loads each lane's row of
 *                    128 pieces of degree 5).
 *
 * The output is stored normally at every n (below, gelu_fwd_run_cr).
 */
#ifndef GELU_FORWARD_CR_H
#define GELU_FORWARD_CR_H

#include <float.h>

#include "gelu_forward_ref.h"

#define GELU_FWD_GROUP (GELU_FWD_NB * GELU_VD_LANES)

/* Ahead of a compute-bound loop the hardware prefetcher falls behind on this VM (see the bench). */
#define GELU_FWD_PREFETCH_FLOATS 512

/* Prefetch the group of `floats` at x ahead, one line in 64 bytes. */
static GELU_FWD_ALWAYS void gelu_fwd_prefetch(const float *x, int floats)
{
    if (floats % 16 == 0)
        for (int l = 0; l < floats; l += 16)
            gelu_prefetch(x + l + GELU_FWD_PREFETCH_FLOATS);
}

/* exp(t) for t in [-150, 0]: t = (k/16) ln2 + r, |r| <= ln2/32, 2^((k mod 16)/16) from a table. */
static GELU_FWD_ALWAYS void gelu_fwd_exp_fast(int nb, const gelu_vd *t, gelu_vd *out)
{
    const double *c = gelu_fast_exp_coef;
    _Static_assert(GELU_FAST_EXP_DEGREE == 5, "the Estrin tree below is written for degree 5");
    GELU_FWD_EACH(nb) {
        gelu_vd z = gelu_vd_fma(t[b], GELU_FWD_SET1(GELU_FAST_EXP_SCALE), GELU_FWD_SET1(GELU_EXP_SHIFT));
        gelu_vd k = gelu_vd_sub(z, GELU_FWD_SET1(GELU_EXP_SHIFT));
        gelu_vd r = gelu_vd_fnma(k, GELU_FWD_SET1(GELU_FAST_LN2_16), t[b]);
        gelu_vd r2 = gelu_vd_mul(r, r);
        gelu_vd h0 = gelu_vd_fma(GELU_FWD_SET1(c[1]), r, GELU_FWD_SET1(c[0]));
        gelu_vd h1 = gelu_vd_fma(GELU_FWD_SET1(c[3]), r, GELU_FWD_SET1(c[2]));
        gelu_vd h2 = gelu_vd_fma(GELU_FWD_SET1(c[5]), r, GELU_FWD_SET1(c[4]));
        gelu_vd e = gelu_vd_fma(gelu_vd_fma(h2, r2, h1), r2, h0);
        /* the low four bits of z are k mod 16 */
        e = gelu_vd_mul(e, gelu_vd_lookup16_low_bits(gelu_exp2_16, z));
#if GELU_VD_HAS_SCALEF
        out[b] = gelu_vd_scalef(e, gelu_vd_mul(k, GELU_FWD_SET1(0.0625)));
#else
        /* 2^floor(k/16) in the exponent bits, the value vscalefpd multiplies by: floor(k/16) +
           1023 = (bits(z) - bits(SHIFT) + 1023*16) >> 4, non-negative for every k here, so the
           logical shift does (AVX2 has no 64-bit arithmetic shift) */
        gelu_vi kb = gelu_vi_sub(gelu_vd_bits(z), gelu_vi_set1((long long)0x4338000000000000 - (1023 << 4)));
        out[b] = gelu_vd_mul(e, gelu_vd_from_bits(gelu_vi_shl(gelu_vi_shr(kb, 4), 52)));
#endif
    }
}

/*
 * The first tier's Q. erf: u exp(-a^2/2 + P(u)), u = 0.5/(1 + FAST_P a), P by Estrin's scheme
 * for a short chain. logistic: e = exp(-v), v as in the reference tier; gelu_fwd_first_y takes
 * sigma(-v) = e/(1 + e) or sigma(v) = 1/(1 + e) with one division.
 */
static GELU_FWD_ALWAYS void gelu_fwd_fast_q(const struct gelu_fwd_form *F, int nb, const gelu_vd *a, gelu_vd *q)
{
    gelu_vd u[GELU_FWD_NB], t[GELU_FWD_NB];
    if (F->erf) {
        const double *c = gelu_fast_erf_coef;
        _Static_assert(GELU_FAST_ERF_DEGREE == 14, "the Estrin tree below is written for degree 14");
        GELU_FWD_EACH(nb) {
            u[b] = gelu_vd_div(GELU_FWD_SET1(0.5), gelu_vd_fma(a[b], GELU_FWD_SET1(GELU_FAST_P), GELU_FWD_SET1(1.0)));
            gelu_vd u2 = gelu_vd_mul(u[b], u[b]), u4 = gelu_vd_mul(u2, u2);
            gelu_vd e[7];
            _Pragma("GCC unroll 7")
            for (int j = 0; j < 7; j++)
                e[j] = gelu_vd_fma(GELU_FWD_SET1(c[2 * j + 1]), u[b], GELU_FWD_SET1(c[2 * j]));
            gelu_vd f0 = gelu_vd_fma(e[1], u2, e[0]), f1 = gelu_vd_fma(e[3], u2, e[2]);
            gelu_vd f2 = gelu_vd_fma(e[5], u2, e[4]), f3 = gelu_vd_fma(GELU_FWD_SET1(c[14]), u2, e[6]);
            gelu_vd g0 = gelu_vd_fma(f1, u4, f0), g1 = gelu_vd_fma(f3, u4, f2);
            gelu_vd p = gelu_vd_fma(g1, gelu_vd_mul(u4, u4), g0);
            t[b] = gelu_vd_fma(gelu_vd_mul(a[b], a[b]), GELU_FWD_SET1(-0.5), p);
        }
        gelu_fwd_exp_fast(nb, t, q);
        GELU_FWD_EACH(nb)
            q[b] = gelu_vd_mul(u[b], q[b]);
        return;
    }
    GELU_FWD_EACH(nb)
        t[b] = gelu_vd_neg(gelu_fwd_logistic_v(F, a[b]));
    gelu_fwd_exp_fast(nb, t, q);
}

/*
 * The first tier's y on nb vectors of x (widened to double), before its rounding: within
 * fast_flag of the exact value. Without quiet min/max the caller keeps NaN and -inf away.
 */
static GELU_FWD_ALWAYS void gelu_fwd_first_y(const struct gelu_fwd_form *F, int nb, const gelu_vd *xd, gelu_vd *y)
{
    const gelu_vd amax = GELU_FWD_SET1(F->amax);
    gelu_vd a[GELU_FWD_NB], q[GELU_FWD_NB];
    GELU_FWD_EACH(nb)
        a[b] = gelu_vd_min(gelu_vd_abs(xd[b]), amax); /* NaN -> amax */
    gelu_fwd_fast_q(F, nb, a, q);
    GELU_FWD_EACH(nb) {
        /* x Q (x < 0) or x (1 - Q); for the logistic forms (1 or e)/(1 + e), one operation less
           than e/(1 + e) and its complement (2 % on AVX-512), with at most half that one's error
           from e (e <= 1) */
        gelu_vm neg = gelu_vd_lt(xd[b], gelu_vd_zero());
        gelu_vd p = F->erf ? gelu_vd_select(neg, q[b], gelu_vd_sub(GELU_FWD_SET1(1.0), q[b]))
                           : gelu_vd_div(gelu_vd_select(neg, q[b], GELU_FWD_SET1(1.0)),
                                         gelu_vd_add(GELU_FWD_SET1(1.0), q[b]));
        /* max(-amax, x) keeps a NaN x: max returns its second operand when one is NaN */
        gelu_vd xc = gelu_vd_max(GELU_FWD_SET1(-F->amax), xd[b]);
#if GELU_VD_MINMAX_QUIET
        /* -inf gets -0 itself, as -amax Q would raise a spurious underflow */
        y[b] = gelu_vd_mask_mul(GELU_FWD_SET1(-0.0), gelu_vd_ne(xd[b], GELU_FWD_SET1(-INFINITY)), xc, p);
#else
        y[b] = gelu_vd_mul(xc, p);
#endif
    }
}

/*
 * nb vectors from x (the first n floats) to floats f[b]; returns, per vector, the lanes whose
 * float the first tier cannot vouch for: y within fast_flag |y| of a midpoint between floats.
 * Without sub, read from the 29 bits the rounding to float drops (gelu_fwd_near_midpoint: an
 * add, an and, a compare, and the one conversion the output needs) at fast_flag 2^53 of y's ulps
 * (erf 2^19, tanh and quick 2^15), which cover fast_flag |y| as |y| < 2^53 ulps. That reading
 * needs a normal float or zero: every x >= -sub_x gives one, or (x = +-2^-125) a y within about
 * 2^-160 of 2^-126, farther than that from any midpoint it reads there. With sub (the group may
 * hold an x below -sub_x, whose float may be subnormal, where the rounding drops more bits), the
 * lanes where y (1 -+ fast_flag) round to different floats (gelu_fwd_unsure_f: two multiplies,
 * two conversions). Testing |y| + 2^-126 by the bits on the lanes under 2^-126 instead, in every
 * group, cost three operations more a vector, and the loop ran 3-6 % slower than with the
 * multiplies (A/B, AVX-512 and AVX2), so only the groups gelu_fwd_sub_mode finds take them.
 * Without quiet min/max the caller keeps NaN and -inf away (a group with one takes the
 * reference tier).
 */
static GELU_FWD_ALWAYS void gelu_fwd_first(const struct gelu_fwd_form *F, int nb, const float *x, size_t n, int sub,
                                           gelu_vf *f, unsigned *unsure)
{
    /* fast_flag |y| in y's ulps: under fast_flag 2^53, as |y| < 2^53 ulps */
    const long long ulps = (long long)((F->fast_flag_hi - 1.0) * 0x1p53);
    gelu_vd xd[GELU_FWD_NB], y[GELU_FWD_NB];
    GELU_FWD_EACH(nb) {
        gelu_vf xf = n >= (size_t)GELU_FWD_GROUP ? gelu_vf_loadu(x + GELU_VD_LANES * b) : gelu_vf_load_first(x, n);
        xd[b] = gelu_vf_to_vd(xf);
    }
    gelu_fwd_first_y(F, nb, xd, y);
    GELU_FWD_EACH(nb) {
        unsigned lanes = n >= (size_t)GELU_FWD_GROUP ? (1u << GELU_VD_LANES) - 1 : (1u << n) - 1;
        if (sub) {
            unsure[b] = gelu_fwd_unsure_f(y[b], F->fast_flag_lo, F->fast_flag_hi, lanes, &f[b]);
        } else {
            f[b] = gelu_vd_to_vf(y[b]);
            unsure[b] = gelu_fwd_near_midpoint(y[b], ulps) & lanes;
        }
    }
}

/* 1 when one of the n floats at x is a NaN or below `bound`: !(x >= bound), a quiet compare. */
static GELU_FWD_ALWAYS int gelu_fwd_any_nge(const float *x, int n, float bound)
{
    unsigned any = 0;
    _Pragma("GCC unroll 16")
    for (int w = 0; w < n; w += GELU_VW_LANES)
        any |= gelu_vw_nge(gelu_vw_loadu(x + w), gelu_vw_set1(bound));
    return any != 0;
}

#if GELU_FWD_FIRST && !GELU_VD_MINMAX_QUIET

/* A group of a NaN or -inf, by the reference tier, in order: each vector is read before it is
   written, so in place is fine. Out of line, to keep the hot loop as it was. */
static __attribute__((noinline, cold)) void gelu_fwd_special(const struct gelu_fwd_form *F, const float *x, float *out)
{
    for (int b = 0; b < GELU_FWD_NB; b++)
        gelu_fwd_ref_vector(F, x + GELU_VD_LANES * b, out + GELU_VD_LANES * b, GELU_VD_LANES);
}
#endif

/*
 * A full group (n = GELU_FWD_GROUP) or one partial vector (n < GELU_VD_LANES) from x to out;
 * a vector with a lane the first tier cannot vouch for is redone by the reference tier. sub
 * (a constant): the group may hold an x below -sub_x (gelu_fwd_first); without it, the caller
 * has kept those away, and without quiet min/max NaN and -inf too (gelu_fwd_chunk). Every
 * vector is read before any is written, so x == out is fine.
 */
static GELU_FWD_ALWAYS void gelu_fwd_tiered(const struct gelu_fwd_form *F, const float *x, float *out, size_t n,
                                            int sub)
{
    const int nb = n >= (size_t)GELU_FWD_GROUP ? GELU_FWD_NB : 1;
#if !GELU_FWD_FIRST
    (void)sub;
    for (int b = 0; b < nb; b++)
        gelu_fwd_ref_vector(F, x + GELU_VD_LANES * b, out + GELU_VD_LANES * b, nb > 1 ? GELU_VD_LANES : n);
#else
#if !GELU_VD_MINMAX_QUIET
    if (nb == 1) { /* min and max would raise invalid on a quiet NaN */
        gelu_fwd_ref_vector(F, x, out, n);
        return;
    }
    if (sub && __builtin_expect(gelu_fwd_any_nge(x, GELU_FWD_GROUP, -FLT_MAX), 0)) { /* NaN or -inf */
        gelu_fwd_special(F, x, out);
        return;
    }
#endif
    gelu_vf f[GELU_FWD_NB];
    unsigned unsure[GELU_FWD_NB];
    gelu_fwd_first(F, nb, x, n, sub, f, unsure);
    GELU_FWD_EACH(nb) {
        if (__builtin_expect(unsure[b] != 0, 0))
            gelu_fwd_ref_vector(F, x + GELU_VD_LANES * b, out + GELU_VD_LANES * b, nb > 1 ? GELU_VD_LANES : n);
        else if (nb == 1)
            gelu_vf_store_first(out, n, f[b]);
        else
            gelu_vf_storeu(out + GELU_VD_LANES * b, f[b]);
    }
#endif
}

#if GELU_FWD_CENTRAL
/* The central tier's interleave: GELU_FWD_CENTRAL_NB vectors of the group at once. */
#define GELU_FWD_CENTRAL_NB 4

/* The central tier's table, of the kind the wrapper looks up (gelu_cr_central_coeffs.h):
   AVX-512's 16 pieces of degree 9 by register permutes, or AVX2's 128 of degree 5 by rows */
#if GELU_VD_PIECE_ROWS
#define GELU_FWD_CT(name) GELU_CR_ROWS_##name
#define GELU_FWD_CT_TABLE(F) (&(F)->central_rows[0][0])
#define GELU_FWD_CT_ROW 8 /* doubles a row (gen_cr_central.py's ROW) */
#else
#define GELU_FWD_CT(name) GELU_CR_CENTRAL_##name
#define GELU_FWD_CT_TABLE(F) (&(F)->central[0][0])
#define GELU_FWD_CT_ROW 0 /* coefficient-major: no rows */
#endif

/*
 * The central tier's pieces of Q (gelu_cr_central_coeffs.h), on nb vectors: y[b] =
 * fma(-|x|, Q, max(0, x)) with a = min(|x|, HI), r = fma(a, A, B), k = round(r) (adding 1.5 2^52
 * rounds to an integer in the low bits, all a piece lookup reads), t = r - k exactly,
 * Q = P_k(t) by Horner's scheme, its coefficients looked up two at a time (the wrapper's
 * gelu_vd_piece: permutes of the coefficient-major table, or loads of the lanes' rows). The
 * sequence starts from -|x| (one OR), which serves both the index (fma(max(-|x|, -HI), -A, B)
 * equals fma(min(|x|, HI), A, B) exactly) and the product. x is finite. max(+0, x) returns x
 * when both are zeros, so -0 stays -0.
 */
static GELU_FWD_ALWAYS void gelu_fwd_pieces(const struct gelu_fwd_form *F, int nb, const gelu_vd *xd, gelu_vd *y)
{
    const double *tab = GELU_FWD_CT_TABLE(F);
    gelu_vd t[16], q[16], na[16];
    gelu_vd_piece k[16];
    GELU_FWD_EACH(nb) {
        na[b] = gelu_vd_negabs(xd[b]);
        gelu_vd ac = gelu_vd_max(na[b], GELU_FWD_SET1(-GELU_CR_CENTRAL_HI));
        gelu_vd r = gelu_vd_fma(ac, GELU_FWD_SET1(-GELU_FWD_CT(A)), GELU_FWD_SET1(GELU_FWD_CT(B)));
        gelu_vd z = gelu_vd_add(r, GELU_FWD_SET1(GELU_EXP_SHIFT));
        t[b] = gelu_vd_sub(r, gelu_vd_sub(z, GELU_FWD_SET1(GELU_EXP_SHIFT)));
        k[b] = gelu_vd_piece_low_bits(tab, GELU_FWD_CT(PIECES), GELU_FWD_CT_ROW, z);
    }
    gelu_fwd_piece_horner(nb, k, tab, GELU_FWD_CT(DEGREE), t, q);
    GELU_FWD_EACH(nb)
        y[b] = gelu_vd_fma(na[b], q[b], gelu_vd_max(gelu_vd_zero(), xd[b]));
}

/* 1 when every float of the group at x lies in [LO, FLT_MAX]: inline, as most groups of some
   data fail it (uniform[-8, 8]) and a call per group would cost them */
static GELU_FWD_ALWAYS int gelu_fwd_central_range(const float *x)
{
    unsigned out_of_range = 0;
    _Pragma("GCC unroll 16")
    for (int w = 0; w < GELU_FWD_GROUP; w += GELU_VW_LANES) {
        gelu_vw xw = gelu_vw_loadu(x + w);
        out_of_range |= ~(gelu_vw_ge(xw, gelu_vw_set1((float)GELU_CR_CENTRAL_LO)) &
                          gelu_vw_le(xw, gelu_vw_set1(FLT_MAX)));
    }
    return !(out_of_range & ((1u << GELU_VW_LANES) - 1));
}

/*
 * The central tier on a group in [LO, FLT_MAX] (gelu_fwd_central_range): Q from the pieces
 * (within 2^-42.9 of the exact value on AVX-512, 2^-38.9 on AVX2); the floats are kept only if
 * no lane's y lies within 2^-40 |y| (AVX2: 2^-36), at most 2^13 (2^17) of its ulps, of a
 * midpoint between floats (gelu_fwd_near_midpoint: this range's results are normal floats or
 * zeros, as groups with a tiny x take gelu_fwd_tiny_group), which makes them the correctly
 * rounded ones. Returns 0, having written nothing, when a lane is unsure: the group then takes
 * the tiers below. Out of line: one call per group costs nothing measurable, and the first
 * tier keeps the loop's registers to itself.
 */
static __attribute__((noinline)) int gelu_fwd_central(const struct gelu_fwd_form *F, const float *x, float *out)
{
    gelu_vd xd[GELU_FWD_NB], yd[GELU_FWD_NB];
    gelu_vf f[GELU_FWD_NB];
    GELU_FWD_EACH(GELU_FWD_NB)
        xd[b] = gelu_vf_to_vd(gelu_vf_loadu(x + GELU_VD_LANES * b));
    _Pragma("GCC unroll 16")
    for (int h = 0; h < GELU_FWD_NB; h += GELU_FWD_CENTRAL_NB)
        gelu_fwd_pieces(F, GELU_FWD_CENTRAL_NB, xd + h, yd + h);
    unsigned unsure = 0;
    GELU_FWD_EACH(GELU_FWD_NB) {
        f[b] = gelu_vd_to_vf(yd[b]);
        unsure |= gelu_fwd_near_midpoint(yd[b], (long long)((GELU_FWD_CT(FLAG_HI) - 1.0) * 0x1p53));
    }
    if (unsure)
        return 0;
    GELU_FWD_EACH(GELU_FWD_NB)
        gelu_vf_storeu(out + GELU_VD_LANES * b, f[b]);
    return 1;
}
#endif

/* The lanes with 0 < |x| < 2^-125, by x's bits: x is subnormal there, or x/2 is. */
static GELU_FWD_ALWAYS unsigned gelu_fwd_tiny_lanes(gelu_vw x)
{
    return gelu_vwi_in_range(gelu_vwi_and(gelu_vw_bits(x), gelu_vwi_set1(0x7FFFFFFF)), 1, 0x01000000);
}

/*
 * x/2 on lanes with |x| < 2^-125, by x's bits (a subnormal operand or result takes a slow assist
 * on x86): there |x| = b 2^-149 and |x|/2 rounds to a subnormal of significand b/2. ties_up
 * rounds a tie toward +inf, which makes it GELU(x) correctly rounded: GELU(x) = x/2 + c x^2 +
 * O(x^4), c > 0 for every form, lies above x/2 by far less than half a spacing; else ties to
 * even, the bits of the multiply x 0.5.
 */
static GELU_FWD_ALWAYS gelu_vw gelu_fwd_tiny_half(gelu_vw x, int ties_up)
{
    gelu_vwi b = gelu_vw_bits(x), ab = gelu_vwi_and(b, gelu_vwi_set1(0x7FFFFFFF));
    gelu_vwi up = ties_up ? gelu_vwi_shr(gelu_vwi_add(b, gelu_vwi_set1((int)0x80000000)), 31) /* x > 0 */
                          : gelu_vwi_and(gelu_vwi_shr(ab, 1), gelu_vwi_set1(1));              /* b/2 odd */
    gelu_vwi m = gelu_vwi_shr(gelu_vwi_add(ab, up), 1);
    return gelu_vwi_as_vw(gelu_vwi_add(m, gelu_vwi_and(b, gelu_vwi_set1((int)0x80000000))));
}

/*
 * The n <= GELU_FWD_GROUP floats at x, some with 0 < |x| < 2^-125, into out: through buffers,
 * those lanes (and the padding, tiny too) as 1 for the tiers, their results from their bits
 * (gelu_fwd_tiny_half). Each such result is tiny and inexact: the caller raises underflow.
 * Out of line: it is rare, and keeps the hot loop's registers as they were.
 */
static __attribute__((noinline, cold)) void gelu_fwd_tiny_group(const struct gelu_fwd_form *F, const float *x,
                                                                float *out, size_t n)
{
    _Alignas(64) float xo[GELU_FWD_GROUP], xb[GELU_FWD_GROUP], yb[GELU_FWD_GROUP];
    unsigned tiny[GELU_FWD_GROUP / GELU_VW_LANES], all = 1;
    for (size_t k = 0; k < GELU_FWD_GROUP; k++)
        xo[k] = k < n ? x[k] : 0x1p-130f;
    for (int w = 0; w < GELU_FWD_GROUP / GELU_VW_LANES; w++) {
        gelu_vw xv = gelu_vw_loadu(xo + GELU_VW_LANES * w);
        tiny[w] = gelu_fwd_tiny_lanes(xv);
        all &= tiny[w] == (1u << GELU_VW_LANES) - 1;
        gelu_vw_storeu(xb + GELU_VW_LANES * w, gelu_vw_select(tiny[w], gelu_vw_set1(1.0f), xv));
    }
    if (!all) /* else the tiers have nothing to do */
#if GELU_FWD_CENTRAL
        if (!(F->central && gelu_fwd_central_range(xb) && gelu_fwd_central(F, xb, yb)))
#endif
            gelu_fwd_tiered(F, xb, yb, GELU_FWD_GROUP, 1);
    for (int w = 0; w < GELU_FWD_GROUP / GELU_VW_LANES; w++) {
        gelu_vw h = gelu_fwd_tiny_half(gelu_vw_loadu(xo + GELU_VW_LANES * w), 1);
        gelu_vw_storeu(yb + GELU_VW_LANES * w, gelu_vw_select(tiny[w], h, gelu_vw_loadu(yb + GELU_VW_LANES * w)));
    }
    memcpy(out, yb, n * sizeof(float));
}

/* Floats a scan for tiny lanes covers (gelu_fwd_run_cr). */
#define GELU_FWD_TINY_CHUNK (16 * GELU_FWD_GROUP)

/* The scan's findings (gelu_fwd_scan). */
#define GELU_FWD_SCAN_TINY 1u
#define GELU_FWD_SCAN_SUB 2u

/* 1 when one of the n floats at x has 0 < |x| < 2^-125 (n a multiple of GELU_VW_LANES): the
   least of 2 bits(x) - 2 (the sign shifted out, zeros wrapped to the top) below 2^25 - 2: three
   instructions a register, no compare in the loop. */
static GELU_FWD_ALWAYS int gelu_fwd_any_tiny(const float *x, int n)
{
    gelu_vwi least = gelu_vwi_set1(-1);
    _Pragma("GCC unroll 4")
    for (int w = 0; w < n; w += GELU_VW_LANES)
        least = gelu_vwi_min_u(least,
                               gelu_vwi_add(gelu_vwi_shl(gelu_vw_bits(gelu_vw_loadu(x + w)), 1), gelu_vwi_set1(-2)));
    gelu_vwi top = gelu_vwi_set1(0x01FFFFFE); /* gelu_vwi_le is for lanes below 2^31 */
    return gelu_vwi_eq(gelu_vwi_min_u(least, top), top) != (1u << GELU_VW_LANES) - 1;
}

/*
 * How a chunk's groups that may have results under 2^-126 (an x below -sub_x), which the first
 * tier's test by the dropped bits cannot take, are found (gelu_fwd_first):
 * GELU_FWD_SUB_GROUP   each group is checked, where that costs nothing: without quiet min/max
 *                      every group is checked for a NaN or -inf anyway, and the same compare
 *                      takes -sub_x as its bound (AVX2, NEON);
 * GELU_FWD_SUB_SCAN    by the chunk's scan, one max more a register (AVX-512's tanh and quick);
 * GELU_FWD_SUB_ALL     not at all: every group takes the test for any result (AVX-512's erf,
 *                      whose first tier takes only the groups the central tier leaves: a check
 *                      of those cost 1 % on x uniform in [-8, 8], more than the test saved).
 */
enum { GELU_FWD_SUB_GROUP, GELU_FWD_SUB_SCAN, GELU_FWD_SUB_ALL };
static GELU_FWD_ALWAYS int gelu_fwd_sub_mode(const struct gelu_fwd_form *F)
{
    if (!GELU_FWD_FIRST) /* the reference tier has no such test */
        return GELU_FWD_SUB_ALL;
    if (!GELU_VD_MINMAX_QUIET)
        return GELU_FWD_SUB_GROUP;
    return GELU_FWD_CENTRAL && F->central ? GELU_FWD_SUB_ALL : GELU_FWD_SUB_SCAN;
}

/* The same scan, which also finds an x below -sub_x (or -inf, or a negative NaN): the greatest
   bits(x), unsigned, above those of -sub_x (one max more a register, in the same pass).
   Returns GELU_FWD_SCAN_TINY and GELU_FWD_SCAN_SUB as found. */
static GELU_FWD_ALWAYS unsigned gelu_fwd_scan(const struct gelu_fwd_form *F, const float *x, int n)
{
    gelu_vwi least = gelu_vwi_set1(-1), most = gelu_vwi_set1(0);
    _Pragma("GCC unroll 4")
    for (int w = 0; w < n; w += GELU_VW_LANES) {
        gelu_vwi b = gelu_vw_bits(gelu_vw_loadu(x + w));
        least = gelu_vwi_min_u(least, gelu_vwi_add(gelu_vwi_shl(b, 1), gelu_vwi_set1(-2)));
        if (gelu_fwd_sub_mode(F) == GELU_FWD_SUB_SCAN)
            most = gelu_vwi_max_u(most, b);
    }
    const unsigned all = (1u << GELU_VW_LANES) - 1;
    gelu_vwi top = gelu_vwi_set1(0x01FFFFFE), bound = gelu_vw_bits(gelu_vw_set1((float)-F->sub_x));
    return (gelu_vwi_eq(gelu_vwi_min_u(least, top), top) != all ? GELU_FWD_SCAN_TINY : 0) |
           (gelu_fwd_sub_mode(F) == GELU_FWD_SUB_SCAN && gelu_vwi_eq(gelu_vwi_max_u(most, bound), bound) != all
                ? GELU_FWD_SCAN_SUB
                : 0);
}

static GELU_FWD_ALWAYS void gelu_fwd_sub_chunk(const struct gelu_fwd_form *F, const float *x, float *y, size_t n,
                                               int tiny);

/*
 * The groups of a scanned chunk, n floats at x (a multiple of GELU_FWD_GROUP); tiny: the scan
 * found a tiny lane. sub (a constant): every group takes the first tier's test for any result
 * (gelu_fwd_first). Without it, and by GELU_FWD_SUB_GROUP, each group the central tier leaves is
 * checked for an x below -sub_x, a NaN or -inf: the first one found hands the rest of the chunk
 * over to that test (a call a group cost AVX2's small groups 7 % on x uniform in [-11, -9]).
 */
static GELU_FWD_ALWAYS void gelu_fwd_chunk(const struct gelu_fwd_form *F, const float *x, float *y, size_t n, int tiny,
                                           int sub)
{
    for (size_t i = 0; i < n; i += GELU_FWD_GROUP) {
        gelu_fwd_prefetch(x + i, GELU_FWD_GROUP);
        if (__builtin_expect(tiny, 0) && gelu_fwd_any_tiny(x + i, GELU_FWD_GROUP)) {
            gelu_fwd_tiny_group(F, x + i, y + i, GELU_FWD_GROUP);
            continue;
        }
#if GELU_FWD_CENTRAL
        if (F->central && gelu_fwd_central_range(x + i) && gelu_fwd_central(F, x + i, y + i))
            continue;
#endif
        if (!sub && gelu_fwd_sub_mode(F) == GELU_FWD_SUB_GROUP &&
            __builtin_expect(gelu_fwd_any_nge(x + i, GELU_FWD_GROUP, (float)-F->sub_x), 0)) {
            gelu_fwd_sub_chunk(F, x + i, y + i, n - i, tiny); /* the rest of the chunk */
            return;
        }
        gelu_fwd_tiered(F, x + i, y + i, GELU_FWD_GROUP, sub);
    }
}

/* A chunk, or its rest, with an x below -sub_x: out of line, so that the loop of the others
   stays as it was, and one function per form, so that each folds its form's constants as that
   loop does. */
#define GELU_FWD_SUB_CHUNK(form, FORM)                                                                            \
    static __attribute__((noinline)) void gelu_fwd_sub_chunk_##form(const float *x, float *y, size_t n, int tiny) \
    {                                                                                                             \
        gelu_fwd_chunk(&gelu_fwd_forms[GELU_FORM_##FORM], x, y, n, tiny, 1);                                      \
    }
GELU_FORMS(GELU_FWD_SUB_CHUNK)
#undef GELU_FWD_SUB_CHUNK

static GELU_FWD_ALWAYS void gelu_fwd_sub_chunk(const struct gelu_fwd_form *F, const float *x, float *y, size_t n,
                                               int tiny)
{
    switch (F->id) { /* a constant where the kernel is instantiated */
#define GELU_FWD_SUB_CASE(form, FORM) \
    case GELU_FORM_##FORM: gelu_fwd_sub_chunk_##form(x, y, n, tiny); break;
        GELU_FORMS(GELU_FWD_SUB_CASE)
#undef GELU_FWD_SUB_CASE
    default: break;
    }
}

/*
 * Chunks of groups, then the last vectors. The output is not streamed past the caches at any n:
 * measured against non-temporal stores (AVX-512, a 2-core Zen 5 VM; n = 2^17 to 2^25, one
 * thread, A/B in one process; 2^24 with two threads, processes alternated), normal stores ran
 * 8-40% faster at every n from 2^21 on and alike (within the noise) below: the line read a
 * streamed store saves does not pay for what streaming costs a compute-bound loop here. The
 * same held for the composed operations' blocks (bias + GELU, n = 2^24: 1.13-1.45 times as
 * fast with normal stores, alike from 2^18 to 2^21) and the 16-bit kernels (gelu_half_body.h).
 */
static GELU_FWD_ALWAYS void gelu_fwd_run_cr(const struct gelu_fwd_form *F, const float *x, float *y, size_t n)
{
    size_t i = 0;
    int uflow = 0;
    while (i + GELU_FWD_GROUP <= n) {
        /* a chunk is scanned for tiny lanes (and by GELU_FWD_SUB_SCAN for x below -sub_x) first,
           in a loop of its own (about 4 instructions a register, 5 with those, at load speed):
           checked group by group, tiny lanes cost the loop below 5 % */
        size_t end = i +
                     (n - i < GELU_FWD_TINY_CHUNK ? (n - i) / GELU_FWD_GROUP * GELU_FWD_GROUP : GELU_FWD_TINY_CHUNK);
        unsigned scan = gelu_fwd_scan(F, x + i, (int)(end - i));
        int tiny = (scan & GELU_FWD_SCAN_TINY) != 0;
        uflow |= tiny;
        if (__builtin_expect(scan & GELU_FWD_SCAN_SUB, 0))
            gelu_fwd_sub_chunk(F, x + i, y + i, end - i, tiny);
        else
            gelu_fwd_chunk(F, x + i, y + i, end - i, tiny, gelu_fwd_sub_mode(F) == GELU_FWD_SUB_ALL);
        i = end;
    }
    int tiny = 0;
    for (size_t k = i; k < n; k++) { /* fewer than a group left */
        uint32_t b;
        memcpy(&b, x + k, sizeof b);
        tiny |= (b & 0x7FFFFFFF) - 1 < 0x01000000 - 1;
    }
    if (tiny) {
        gelu_fwd_tiny_group(F, x + i, y + i, n - i);
        i = n;
        uflow = 1;
    }
    for (; i < n; i += GELU_VD_LANES) /* few: unscanned, so the test for any result */
        gelu_fwd_tiered(F, x + i, y + i, n - i < GELU_VD_LANES ? n - i : GELU_VD_LANES, 1);
    if (uflow)
        gelu_fwd_raise_underflow();
}

#endif
