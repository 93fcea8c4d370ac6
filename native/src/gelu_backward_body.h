/*
 * The backward kernels, written once over a SIMD wrapper: dx = fl(dy * GELU'(x)), GELU'(x)
 * correctly rounded to float first. Include after one of simd/gelu_simd_<isa>.h and the
 * instantiating file's choices:
 *
 * GELU_BWD_ISA       the name suffix (scalar, avx2, avx512)
 * GELU_BWD_NB        vectors a group interleaves (the dependency chain is long: exp, a
 *                    division, the polynomials)
 * GELU_BWD_CENTRAL   1: try the central tier first on each group (exp-free, from a table of
 *                    GELU'; it pays where a lookup is a register permute, AVX-512, or a lane's
 *                    row of loads, AVX2; NEON and scalar look up entry by entry)
 * GELU_BWD_PREFETCH  1: prefetch the inputs ahead of each group
 *
 * GELU'(x) is evaluated in double to well within 2^-40 relative (native/tools/gen_backward.py
 * explains the tables' shape), rounded to float, and flagged when GELU' (1 -+ 2^-40) round to
 * different floats; a flagged input looks up the table of the inputs that gelu_exhaustive_deriv
 * found misrounded (gelu_backward_hard_cases.h). Selects, not branches, except for the rare
 * lanes of the root window and the rounding test, so every ISA (and the Java port, which
 * repeats this sequence) evaluates the same doubles and returns the same bits.
 *
 * Special values: NaN -> the quieted NaN; +inf -> 1 (GELU' -> 1); -inf -> -0 (GELU' -> 0 from
 * below); +-0 -> 0.5. Beyond the clamps the double value rounds to 1 or to -0, and on the way
 * there the subnormal results are rounded once, from the double, like any other.
 */
#ifndef GELU_BACKWARD_BODY_H
#define GELU_BACKWARD_BODY_H

#include <math.h>

#include "gelu_backward_central.h"
#include "gelu_backward_coeffs.h"
#include "gelu_backward_hard_cases.h"
#include "gelu_forward_ref.h"

#define GELU_BWD_CAT2(a, b) a##_##b
#define GELU_BWD_CAT(a, b) GELU_BWD_CAT2(a, b)
#define GELU_BWD_GROUP (GELU_BWD_NB * GELU_VD_LANES)
/* How far ahead the inputs are prefetched (the forward kernels' distance). */
#define GELU_BWD_PREFETCH_FLOATS 512

/*
 * The constants of each form. erf: H from its table (below). The logistic forms (tanh,
 * quick): v = x (C1 + C3 x^2), v' = C1 + D3 x^2, |x| clamped at WMAX, the bracket's root at
 * R_HI + R_LO and its polynomial `root`.
 */
struct gelu_bwd_form {
    int erf;
    double c1, c3, d3, wmax, r_hi, r_lo;
    const double *root;
    const uint32_t (*hard)[2];
    size_t n_hard;
};
static const struct gelu_bwd_form gelu_bwd_forms[] = {
    [GELU_FORM_ERF] = {1, 0, 0, 0, 0, 0, 0, NULL, gelu_erf_backward_hard_cases, GELU_ERF_BACKWARD_HARD_CASES},
    [GELU_FORM_TANH] = {0, GELU_TANH_C1, GELU_TANH_C3, GELU_BWD_TANH_D3, GELU_TANH_WMAX, GELU_BWD_TANH_R_HI,
                        GELU_BWD_TANH_R_LO, gelu_bwd_tanh_root, gelu_tanh_backward_hard_cases,
                        GELU_TANH_BACKWARD_HARD_CASES},
    [GELU_FORM_QUICK] = {0, GELU_BWD_QUICK_C1, 0.0, 0.0, GELU_BWD_QUICK_WMAX, GELU_BWD_QUICK_R_HI, GELU_BWD_QUICK_R_LO,
                         gelu_bwd_quick_root, gelu_quick_backward_hard_cases, GELU_QUICK_BACKWARD_HARD_CASES},
};

/*
 * erf: a = min(|x|, 15), E = exp(-a^2/2) (a^2 exact: a is a float), H(a) = Phi(-a)/E - a phi(a)/E
 * from its table, GELU' = x < 0 ? E H : 1 - E H. Piece 0 holds the root: there H is
 * (s - R_LO) K(a), s = a - R_HI exact, so E H keeps about 2^-50 relative everywhere and no input
 * needs more than the rounding test. For x >= 0, E H is at most 0.13 in magnitude (H < 0 above
 * the root), so 1 - E H in [0.5, 1.13] does not cancel.
 */
static GELU_FWD_ALWAYS void gelu_bwd_erf(int nb, const gelu_vd *xd, gelu_vd *d)
{
    _Static_assert(GELU_BWD_H_M1 == GELU_BWD_H_M0 + 1, "M0 and M1 are looked up as a pair");
    /* the table of the kind the wrapper looks up: coefficient-major for permutes, rows for loads */
    const double *tab = GELU_VD_PIECE_ROWS ? &gelu_bwd_h_rows[0][0] : &gelu_bwd_h[0][0];
    gelu_vd a[GELU_BWD_NB], s[GELU_BWD_NB], p[GELU_BWD_NB], t[GELU_BWD_NB], e[GELU_BWD_NB];
    gelu_vd_piece k[GELU_BWD_NB];
    GELU_FWD_EACH(nb) {
        a[b] = gelu_vd_min_quiet(gelu_vd_abs(xd[b]), GELU_FWD_SET1(GELU_ERF_AMAX)); /* NaN -> AMAX */
        k[b] = gelu_vd_piece_index(tab, GELU_BWD_H_ROW, gelu_vidx_min(gelu_vidx_trunc(a[b]), GELU_BWD_H_PIECES - 1));
        s[b] = gelu_vd_sub(a[b], gelu_vd_piece_one(k[b], tab, GELU_BWD_H_CENTRE));
        t[b] = gelu_vd_mul(gelu_vd_mul(a[b], a[b]), GELU_FWD_SET1(-0.5));
    }
    gelu_fwd_piece_horner(nb, k, tab, GELU_BWD_H_DEGREE, s, p);
    gelu_fwd_exp(gelu_exp_coef, GELU_EXP_DEGREE, nb, t, e);
    GELU_FWD_EACH(nb) {
        gelu_vd m0, m1;
        gelu_vd_piece_pair(k[b], tab, GELU_BWD_H_M0, &m0, &m1);
        gelu_vd m = gelu_vd_fma(s[b], m1, m0);
        gelu_vd eh = gelu_vd_mul(e[b], gelu_vd_mul(m, p[b]));
        d[b] = gelu_vd_select(gelu_vd_lt(xd[b], gelu_vd_zero()), eh, gelu_vd_sub(GELU_FWD_SET1(1.0), eh));
    }
}

/*
 * tanh and quick: w = min(|x|, WMAX), e = exp(-|v|), one exp for both terms:
 *   GELU' = B / (1 + e)^2 * (x < 0 ? e : 1),  B = (1 + e) + x v' (x < 0 ? 1 : e).
 * For x >= 0 every term of B is positive. For x < 0, B = 1 + e - w v' vanishes at w = r; its
 * absolute error (a few 2^-53) is small against |B| >= 2^-2.9 outside |w - R_HI| < 1/16, and
 * inside that window B is taken from (s - R_LO) K(s), s = w - R_HI exact, which keeps its
 * relative accuracy up to the root. That window is the only branch (a rare lane in vectors).
 * v's rounding (about 3 * 2^-53 relative) moves e by 2^-44 relative at the largest v whose
 * result is not -0 (about 110).
 */
static GELU_FWD_ALWAYS void gelu_bwd_sig(const struct gelu_bwd_form *f, int nb, const gelu_vd *xd, gelu_vd *d)
{
    gelu_vd w[GELU_BWD_NB], ww[GELU_BWD_NB], t[GELU_BWD_NB], e[GELU_BWD_NB], bb[GELU_BWD_NB], d1[GELU_BWD_NB];
    gelu_vm neg[GELU_BWD_NB];
    GELU_FWD_EACH(nb) {
        w[b] = gelu_vd_min_quiet(gelu_vd_abs(xd[b]), GELU_FWD_SET1(f->wmax));
        ww[b] = gelu_vd_mul(w[b], w[b]); /* exact */
        t[b] = gelu_vd_neg(gelu_vd_mul(w[b], gelu_vd_fma(GELU_FWD_SET1(f->c3), ww[b], GELU_FWD_SET1(f->c1))));
    }
    gelu_fwd_exp(gelu_exp_coef, GELU_EXP_DEGREE, nb, t, e);
    GELU_FWD_EACH(nb) {
        gelu_vd vp = gelu_vd_fma(GELU_FWD_SET1(f->d3), ww[b], GELU_FWD_SET1(f->c1));
        neg[b] = gelu_vd_lt(xd[b], gelu_vd_zero());
        d1[b] = gelu_vd_add(GELU_FWD_SET1(1.0), e[b]);
        gelu_vd xw = gelu_vd_select(neg[b], gelu_vd_neg(w[b]), w[b]);
        bb[b] = gelu_vd_fma(gelu_vd_mul(xw, vp), gelu_vd_select(neg[b], GELU_FWD_SET1(1.0), e[b]), d1[b]);
        gelu_vd s = gelu_vd_sub(w[b], GELU_FWD_SET1(f->r_hi));
        unsigned win = gelu_vm_bits(neg[b]) & gelu_vm_bits(gelu_vd_lt(gelu_vd_abs(s), GELU_FWD_SET1(GELU_BWD_ROOT_W)));
        if (__builtin_expect(win != 0, 0)) { /* a lane near the zero crossing: the bracket from the root polynomial */
            gelu_vd k = GELU_FWD_SET1(f->root[GELU_BWD_ROOT_DEGREE]);
            for (int j = GELU_BWD_ROOT_DEGREE - 1; j >= 0; j--)
                k = gelu_vd_fma(k, s, GELU_FWD_SET1(f->root[j]));
            bb[b] = gelu_vd_mask_mul(bb[b], gelu_vm_from_bits(win), gelu_vd_sub(s, GELU_FWD_SET1(f->r_lo)), k);
        }
    }
    GELU_FWD_EACH(nb) {
        gelu_vd q = gelu_vd_div(bb[b], gelu_vd_mul(d1[b], d1[b]));
        d[b] = gelu_vd_mask_mul(q, neg[b], q, e[b]);
    }
}

/* GELU'(x) in double, before its rounding: within 2^-44 relative wherever that is at least
   2^-150 in magnitude (gelu_deriv_y). */
static GELU_FWD_ALWAYS void gelu_bwd_deriv(enum gelu_form form, int nb, const gelu_vd *xd, gelu_vd *d)
{
    const struct gelu_bwd_form *f = &gelu_bwd_forms[form];
    if (f->erf)
        gelu_bwd_erf(nb, xd, d);
    else
        gelu_bwd_sig(f, nb, xd, d);
    GELU_FWD_EACH(nb) {
        /* -inf: -0 itself (the limit, without an underflow flag); NaN: the quieted input, as
           x + x: compilers take (float)(double)x for x itself, signalling NaNs included */
        gelu_vd v = gelu_vd_select(gelu_vd_eq(xd[b], GELU_FWD_SET1(-INFINITY)), GELU_FWD_SET1(-0.0), d[b]);
        d[b] = gelu_vd_select(gelu_vd_ne(xd[b], xd[b]), gelu_vd_add(xd[b], xd[b]), v);
    }
}

/* The lanes `flag` of f looked up in the form's hard-case table (x: the lanes' inputs). */
static __attribute__((noinline)) gelu_vf gelu_bwd_hard_lanes(enum gelu_form form, gelu_vd xd, gelu_vf f, unsigned flag)
{
    const struct gelu_bwd_form *F = &gelu_bwd_forms[form];
    float xs[GELU_VD_LANES], fs[GELU_VD_LANES];
    gelu_vf_storeu(xs, gelu_vd_to_vf(xd)); /* x itself: the widening was exact */
    gelu_vf_storeu(fs, f);
    for (; flag; flag &= flag - 1) {
        int l = __builtin_ctz(flag);
        fs[l] = gelu_table_f32(F->hard, F->n_hard, xs[l], fs[l]);
    }
    return gelu_vf_loadu(fs);
}

/* GELU'(x) correctly rounded to float: the double rounded once, or the table where the
   rounding test flags one of `lanes`. */
static GELU_FWD_ALWAYS gelu_vf gelu_bwd_round(enum gelu_form form, gelu_vd xd, gelu_vd d, unsigned lanes)
{
    gelu_vf f = gelu_vd_to_vf(d);
    gelu_vf lo = gelu_vd_to_vf(gelu_vd_mul(d, GELU_FWD_SET1(GELU_FLAG_LO)));
    gelu_vf hi = gelu_vd_to_vf(gelu_vd_mul(d, GELU_FWD_SET1(GELU_FLAG_HI)));
    unsigned flag = gelu_vf_bits_ne(lo, hi) & lanes;
    if (__builtin_expect(flag != 0, 0))
        f = gelu_bwd_hard_lanes(form, xd, f, flag);
    return f;
}

/* fl(g d) with the library's choice of NaN (gelu_mul_nan): g's (quieted), else d's, else the
   default one, by selects: hardware returns the first operand's NaN, and compilers may swap them. */
static GELU_FWD_ALWAYS gelu_vf gelu_bwd_mul_nan(gelu_vf g, gelu_vf d)
{
    gelu_vf p = gelu_vf_mul(g, d);
    p = gelu_vf_blend(gelu_vf_isnan(p), gelu_vf_from_bits(GELU_DEFAULT_NAN), p);
    p = gelu_vf_blend(gelu_vf_isnan(d), d, p);
    return gelu_vf_blend(gelu_vf_isnan(g), gelu_vf_quiet(g), p);
}

/* nb vectors, or (tail > 0, nb = 1) the first `tail` lanes of one; x and dy are read before dx
   is written (dx may be x or dy). */
static GELU_FWD_ALWAYS void gelu_bwd_blocks(enum gelu_form form, int nb, const float *x, const float *dy, float *dx,
                                            size_t tail)
{
    gelu_vd xd[GELU_BWD_NB], d[GELU_BWD_NB];
    gelu_vf g[GELU_BWD_NB];
    GELU_FWD_EACH(nb) {
        const float *xb = x + GELU_VD_LANES * b, *gb = dy + GELU_VD_LANES * b;
        xd[b] = gelu_vf_to_vd(tail ? gelu_vf_load_first(xb, tail) : gelu_vf_loadu(xb));
        g[b] = tail ? gelu_vf_load_first(gb, tail) : gelu_vf_loadu(gb);
    }
    gelu_bwd_deriv(form, nb, xd, d);
    unsigned lanes = tail ? (1u << tail) - 1 : (1u << GELU_VD_LANES) - 1;
    GELU_FWD_EACH(nb) {
        gelu_vf r = gelu_bwd_mul_nan(g[b], gelu_bwd_round(form, xd[b], d[b], lanes));
        if (tail)
            gelu_vf_store_first(dx + GELU_VD_LANES * b, tail, r);
        else
            gelu_vf_storeu(dx + GELU_VD_LANES * b, r);
    }
}

#if GELU_BWD_CENTRAL
/*
 * The central tier, for a group with every x in (LO, HI): GELU' from the table of D(a) =
 * GELU'(-a) in gelu_backward_central.h (exp-free, each form at the least degree within 2^-40.5
 * relative; the generator says why one table serves both signs), kept only if no lane's double
 * lies within 2^15 double ulps (2^-38 relative at least, about 3 times the error) of a midpoint
 * between floats, a test on the 29 bits the rounding to float drops (about one group in 250
 * fails it). That makes the floats the correctly rounded ones. Returns
 * 0, having written nothing, otherwise: the group then takes gelu_bwd_blocks (a correctly
 * rounded result does not depend on the path that found it). No NaN select is needed: every
 * GELU' here is a nonzero finite float, so dy * GELU' is NaN only for a NaN dy, which the
 * multiply returns quieted.
 */
static GELU_FWD_ALWAYS int gelu_bwd_central_body(enum gelu_form form, const float *x, const float *dy, float *dx)
{
    /* the table of the kind the wrapper looks up: coefficient-major for permutes, rows for loads */
    const double *tab = GELU_VD_PIECE_ROWS ? &gelu_bwd_central_rows[form][0][0] : &gelu_bwd_central[form][0][0];
    static const int degrees[] = GELU_BWD_C_DEGREES;
    gelu_vd xd[GELU_BWD_NB], s[GELU_BWD_NB], p[GELU_BWD_NB];
    gelu_vd_piece k[GELU_BWD_NB];
    GELU_FWD_EACH(GELU_BWD_NB) {
        xd[b] = gelu_vf_to_vd(gelu_vf_loadu(x + GELU_VD_LANES * b));
        gelu_vd a = gelu_vd_abs(xd[b]);
        /* the low four bits of z are round(r), all the lookup reads */
        gelu_vd z = gelu_vd_add(gelu_vd_fma(a, GELU_FWD_SET1(GELU_BWD_C_A), GELU_FWD_SET1(GELU_BWD_C_B)),
                                GELU_FWD_SET1(GELU_EXP_SHIFT));
        k[b] = gelu_vd_piece_low_bits(tab, 16, GELU_BWD_C_ROW, z);
        s[b] = gelu_vd_sub(a, gelu_vd_piece_one(k[b], tab, GELU_BWD_C_CENTRE));
    }
    gelu_fwd_piece_horner(GELU_BWD_NB, k, tab, degrees[form], s, p);
    gelu_vf f[GELU_BWD_NB];
    unsigned unsure = 0;
    GELU_FWD_EACH(GELU_BWD_NB) {
        gelu_vd d = gelu_vd_select(gelu_vd_lt(xd[b], gelu_vd_zero()), p[b], gelu_vd_sub(GELU_FWD_SET1(1.0), p[b]));
        f[b] = gelu_vd_to_vf(d);
        unsure |= gelu_fwd_near_midpoint(d, GELU_BWD_C_ULPS);
    }
    if (unsure)
        return 0;
    gelu_vf g[GELU_BWD_NB];
    GELU_FWD_EACH(GELU_BWD_NB)
        g[b] = gelu_vf_loadu(dy + GELU_VD_LANES * b); /* before dx is written */
    GELU_FWD_EACH(GELU_BWD_NB)
        gelu_vf_storeu(dx + GELU_VD_LANES * b, gelu_vf_mul(g[b], f[b]));
    return 1;
}

/* The tier out of line, one function a form (its degree a constant); the range test inline: on
   data whose groups mostly fail the test (uniform[-8, 8]) the loop then keeps the general path's
   registers as they were. */
#define GELU_BWD_CENTRAL_EVAL(form, FORM)                                                                    \
    static __attribute__((noinline)) int gelu_bwd_central_##form(const float *x, const float *dy, float *dx) \
    {                                                                                                        \
        return gelu_bwd_central_body(GELU_FORM_##FORM, x, dy, dx);                                           \
    }
GELU_FORMS(GELU_BWD_CENTRAL_EVAL)

static GELU_FWD_ALWAYS int gelu_bwd_central_group(enum gelu_form form, const float *x, const float *dy, float *dx)
{
    unsigned ok = 1;
    for (int h = 0; h < GELU_BWD_GROUP / GELU_VW_LANES; h++) {
        gelu_vw xw = gelu_vw_loadu(x + GELU_VW_LANES * h);
        ok &= (gelu_vw_lt(gelu_vw_set1((float)GELU_BWD_C_LO), xw) &
               gelu_vw_lt(xw, gelu_vw_set1((float)GELU_BWD_C_HI))) == (1u << GELU_VW_LANES) - 1;
    }
    if (!ok)
        return 0;
    return form == GELU_FORM_ERF    ? gelu_bwd_central_erf(x, dy, dx)
           : form == GELU_FORM_TANH ? gelu_bwd_central_tanh(x, dy, dx)
                                    : gelu_bwd_central_quick(x, dy, dx);
}
#endif

/*
 * x at or below which GELU'(x) rounds to -0, so that dx = dy * -0: every float from there to
 * -inf has that result (the proven kernels' own, checked float by float down to the clamps
 * GELU_ERF_AMAX, GELU_TANH_WMAX and GELU_BWD_QUICK_WMAX, beyond which the value is the clamp's;
 * gelu_bitcompare keeps it so). A vector of such lanes skips the evaluation: x uniform in
 * [-60, -12] is nine tenths such lanes for erf, and ran at 0.37 of N(0, 1)'s speed through it.
 */
static const float gelu_bwd_zero_below[] = {
    [GELU_FORM_ERF] = -0x1.d152bcp+3f,   /* -14.54 */
    [GELU_FORM_TANH] = -0x1.5ca010p+3f,  /* -10.89 */
    [GELU_FORM_QUICK] = -0x1.feb2a8p+5f, /* -63.84 */
};

/* The vectors of a group that were not all such lanes, gathered (their x and dy copied, in
   place is fine) until they fill a group, then evaluated together so that their chains still
   overlap; out[v] is where vector v's dx goes. */
struct gelu_bwd_queue {
    float x[GELU_BWD_GROUP], dy[GELU_BWD_GROUP];
    float *out[GELU_BWD_NB];
    int n;
};

static GELU_FWD_ALWAYS void gelu_bwd_flush(enum gelu_form form, struct gelu_bwd_queue *q)
{
    float r[GELU_BWD_GROUP];
    for (int v = q->n; v < GELU_BWD_NB; v++) /* padding: x = 0, GELU' = 1/2, no flag */
        for (int l = 0; l < GELU_VD_LANES; l++)
            q->x[GELU_VD_LANES * v + l] = q->dy[GELU_VD_LANES * v + l] = 0.0f;
    gelu_bwd_blocks(form, GELU_BWD_NB, q->x, q->dy, r, 0);
    for (int v = 0; v < q->n; v++)
        gelu_vf_storeu(q->out[v], gelu_vf_loadu(r + GELU_VD_LANES * v));
    q->n = 0;
}

/* A group with a vector of lanes at or below gelu_bwd_zero_below: those vectors finished here
   (*uflow: a finite x, whose GELU' is tiny and inexact), the others queued. Returns 0, having
   done nothing, when no vector is such. */
static GELU_FWD_ALWAYS int gelu_bwd_zero_group(enum gelu_form form, const float *x, const float *dy, float *dx,
                                               struct gelu_bwd_queue *q, unsigned *uflow)
{
    const gelu_vd below = GELU_FWD_SET1((double)gelu_bwd_zero_below[form]);
    const unsigned all = (1u << GELU_VD_LANES) - 1;
    unsigned zero = 0;
    GELU_FWD_EACH(GELU_BWD_NB)
        zero |= (gelu_vm_bits(gelu_vd_le(gelu_vf_to_vd(gelu_vf_loadu(x + GELU_VD_LANES * b)), below)) == all) << b;
    if (__builtin_expect(zero == 0, 1))
        return 0;
    for (int b = 0; b < GELU_BWD_NB; b++) {
        const float *xb = x + GELU_VD_LANES * b, *gb = dy + GELU_VD_LANES * b;
        if (zero >> b & 1) {
            gelu_vd xd = gelu_vf_to_vd(gelu_vf_loadu(xb));
            *uflow |= gelu_vm_bits(gelu_vd_ne(xd, GELU_FWD_SET1(-INFINITY))); /* -inf: -0 exactly */
            gelu_vf_storeu(dx + GELU_VD_LANES * b, gelu_bwd_mul_nan(gelu_vf_loadu(gb), gelu_vf_from_bits(0x80000000u)));
            continue;
        }
        for (int l = 0; l < GELU_VD_LANES; l++) {
            q->x[GELU_VD_LANES * q->n + l] = xb[l];
            q->dy[GELU_VD_LANES * q->n + l] = gb[l];
        }
        q->out[q->n++] = dx + GELU_VD_LANES * b;
        if (q->n == GELU_BWD_NB)
            gelu_bwd_flush(form, q);
    }
    return 1;
}

static GELU_FWD_ALWAYS void gelu_bwd_run(enum gelu_form form, const float *x, const float *dy, float *dx, size_t n)
{
    size_t i = 0;
    struct gelu_bwd_queue q;
    unsigned uflow = 0;
    q.n = 0;
    for (; i + GELU_BWD_GROUP <= n; i += GELU_BWD_GROUP) {
#if GELU_BWD_PREFETCH
        for (int l = 0; l < GELU_BWD_GROUP; l += 16) { /* one line of 64 bytes each */
            gelu_prefetch(x + i + l + GELU_BWD_PREFETCH_FLOATS);
            gelu_prefetch(dy + i + l + GELU_BWD_PREFETCH_FLOATS);
        }
#endif
#if GELU_BWD_CENTRAL
        if (gelu_bwd_central_group(form, x + i, dy + i, dx + i))
            continue;
#endif
        if (gelu_bwd_zero_group(form, x + i, dy + i, dx + i, &q, &uflow))
            continue;
        gelu_bwd_blocks(form, GELU_BWD_NB, x + i, dy + i, dx + i, 0);
    }
    if (q.n)
        gelu_bwd_flush(form, &q);
    if (uflow)
        gelu_fwd_raise_underflow();
    for (; i < n; i += GELU_VD_LANES) {
        size_t left = n - i;
        gelu_bwd_blocks(form, 1, x + i, dy + i, dx + i, left >= GELU_VD_LANES ? 0 : left);
    }
}

/* gelu_<form>_backward_f32_<isa> for every form. */
#define GELU_BWD_EMIT(form, FORM)                                                                                     \
    void GELU_BWD_CAT(gelu_##form##_backward_f32, GELU_BWD_ISA)(const float *x, const float *dy, float *dx, size_t n) \
    {                                                                                                                 \
        gelu_bwd_run(GELU_FORM_##FORM, x, dy, dx, n);                                                                 \
    }
#define GELU_BWD_KERNELS GELU_FORMS(GELU_BWD_EMIT)

#endif
