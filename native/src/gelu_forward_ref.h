/*
 * The reference operation sequence of the correctly rounded float32 kernels, written once over
 * a SIMD wrapper (include one of simd/gelu_simd_<isa>.h first): every ISA evaluates the same
 * doubles, hence the same floats, and ends in the same hard-case table. The vector kernels'
 * first tiers (gelu_forward_cr.h) send here the vectors they cannot vouch for.
 *
 * Shared by every forward body: GELU_FWD_ALWAYS, GELU_FWD_EACH (step b of nb independent
 * vectors, unrolled so that their dependency chains overlap) and the exp.
 */
#ifndef GELU_FORWARD_REF_H
#define GELU_FORWARD_REF_H

#include "gelu_forward_forms.h"

#define GELU_FWD_ALWAYS inline __attribute__((always_inline))
#define GELU_FWD_EACH(nb)    \
    _Pragma("GCC unroll 16") \
    for (int b = 0; b < (nb); b++)
#define GELU_FWD_SET1 gelu_vd_set1

/* Underflow (and inexact), which a lane's tiny inexact result requires: the kernels compute
   such lanes without a subnormal operation (slow on x86), so they raise it here, once a call
   (the flag is sticky: once is all IEEE 754 asks). Its multiply is itself such an operation,
   an assist of some hundred cycles: raised a register at a time, it made inputs with tiny
   results (faithful tanh x < -10.1, erf x < -13.1, quick x < -53.6) run 2.5 times as slow
   (A/B in one process, uniform[-20, -12]: 0.53 against 1.28 Gelem/s). */
static GELU_FWD_ALWAYS void gelu_fwd_raise_underflow(void)
{
    volatile float t = 0x1p-100f;
    t = t * t;
}

/* Raises invalid alone (0/0: no divide-by-zero), for a signalling NaN input whose result comes
   from a table or from bits. */
static GELU_FWD_ALWAYS void gelu_fwd_raise_invalid(void)
{
    volatile float t = 0.0f;
    t = t / t;
}

/*
 * exp(t[b]) for t in [-150, 0] with exp(r) ~ sum coef[j] r^j (degree `degree`): t = k ln2 + r,
 * |r| <= ln2/2, times 2^k from the exponent bits (the low bits of z hold k; k + 1023 > 0 for
 * every t here, so 2^k is a normal double). Step j of every vector before step j + 1 of any.
 */
static GELU_FWD_ALWAYS void gelu_fwd_exp(const double *coef, int degree, int nb, const gelu_vd *t, gelu_vd *out)
{
    gelu_vd z[16], r[16], p[16];
    GELU_FWD_EACH(nb) {
        z[b] = gelu_vd_fma(t[b], GELU_FWD_SET1(GELU_LOG2E), GELU_FWD_SET1(GELU_EXP_SHIFT));
        gelu_vd k = gelu_vd_sub(z[b], GELU_FWD_SET1(GELU_EXP_SHIFT));
        r[b] = gelu_vd_fnma(k, GELU_FWD_SET1(GELU_LN2_LO), gelu_vd_fnma(k, GELU_FWD_SET1(GELU_LN2_HI), t[b]));
        p[b] = GELU_FWD_SET1(coef[degree]);
    }
    _Pragma("GCC unroll 16")
    for (int j = degree - 1; j >= 0; j--)
        GELU_FWD_EACH(nb)
            p[b] = gelu_vd_fma(p[b], r[b], GELU_FWD_SET1(coef[j]));
    GELU_FWD_EACH(nb) {
        gelu_vi e = gelu_vi_shl(gelu_vi_add(gelu_vd_bits(z[b]), gelu_vi_set1(1023)), 52);
        out[b] = gelu_vd_mul(p[b], gelu_vd_from_bits(e));
    }
}

/* exp(t) for one vector: the reference exp (degree GELU_EXP_DEGREE) */
static GELU_FWD_ALWAYS gelu_vd gelu_fwd_exp_neg(gelu_vd t)
{
    gelu_vd e;
    gelu_fwd_exp(gelu_exp_coef, GELU_EXP_DEGREE, 1, &t, &e);
    return e;
}

/*
 * Horner's scheme on nb vectors, each over its piece's coefficients 0..deg of a table the
 * wrapper looks up (gelu_vd_piece_*): in pairs, as the ISAs that load a lane's row read two
 * coefficients a load, the top one alone when deg is even. s: the polynomial's variable.
 */
static GELU_FWD_ALWAYS void gelu_fwd_piece_horner(int nb, const gelu_vd_piece *k, const double *tab, int deg,
                                                  const gelu_vd *s, gelu_vd *p)
{
    const int odd = deg % 2;
    if (!odd)
        GELU_FWD_EACH(nb)
            p[b] = gelu_vd_piece_one(k[b], tab, deg);
    _Pragma("GCC unroll 16")
    for (int j = deg - 2 + odd; j >= 0; j -= 2)
        GELU_FWD_EACH(nb) {
            gelu_vd c0, c1;
            gelu_vd_piece_pair(k[b], tab, j, &c0, &c1);
            p[b] = odd && j == deg - 1 ? c1 : gelu_vd_fma(p[b], s[b], c1);
            p[b] = gelu_vd_fma(p[b], s[b], c0);
        }
}

/* The logistic forms' argument: v = w (c1 + c3 w^2), or c1 w. */
static GELU_FWD_ALWAYS gelu_vd gelu_fwd_logistic_v(const struct gelu_fwd_form *F, gelu_vd w)
{
    if (F->c3 == 0.0)
        return gelu_vd_mul(w, GELU_FWD_SET1(F->c1));
    return gelu_vd_mul(w, gelu_vd_fma(GELU_FWD_SET1(F->c3), gelu_vd_mul(w, w), GELU_FWD_SET1(F->c1)));
}

/*
 * Q for a = |x| clamped to [0, amax]:
 * erf: Phi(-a) = exp(-a^2/2) G(a), G by pieces [i, i+1) (s = (a - i) - 1/2), a^2 exact;
 * logistic: sigma(-v) = e/(1+e), e = exp(-v). For the quick form the double 1.702 and the
 * product are each off by at most 2^-53 relative, so e is off by v 2^-52 < 2^-45 at the clamp:
 * inside the rounding test's 2^-40, as the exhaustive run confirms.
 */
static GELU_FWD_ALWAYS gelu_vd gelu_fwd_ref_q(const struct gelu_fwd_form *F, gelu_vd a)
{
    if (F->erf) {
        gelu_vidx i = gelu_vidx_min(gelu_vidx_trunc(a), GELU_G_PIECES - 1);
        gelu_vd s = gelu_vd_sub(gelu_vd_sub(a, gelu_vidx_to_vd(i)), GELU_FWD_SET1(0.5));
        gelu_vd g = gelu_vd_lookup16(gelu_g_coef[GELU_G_DEGREE], i);
        for (int j = GELU_G_DEGREE - 1; j >= 0; j--)
            g = gelu_vd_fma(g, s, gelu_vd_lookup16(gelu_g_coef[j], i));
        return gelu_vd_mul(gelu_fwd_exp_neg(gelu_vd_mul(gelu_vd_mul(a, a), GELU_FWD_SET1(-0.5))), g);
    }
    gelu_vd e = gelu_fwd_exp_neg(gelu_vd_neg(gelu_fwd_logistic_v(F, a)));
    return gelu_vd_div(e, gelu_vd_add(GELU_FWD_SET1(1.0), e));
}

/*
 * y = x (x < 0 ? Q : 1 - Q), in double, before its rounding to float. NaN -> amax in the clamp
 * (quietly; the NaN still reaches y through x). Clamping x at -amax turns every x < -amax into
 * -0; -inf gets its exact -0 directly, since -amax Q would raise a spurious underflow. Q_MAX
 * keeps tiny |x| from rounding as an exact tie x/2 (the exact value is x/2 + 0.4 x^2, slightly
 * above). Every comparison is a quiet one: a quiet NaN x raises no invalid exception.
 */
static GELU_FWD_ALWAYS gelu_vd gelu_fwd_ref_y(const struct gelu_fwd_form *F, gelu_vd xd)
{
    gelu_vd amax = GELU_FWD_SET1(F->amax), namax = GELU_FWD_SET1(-F->amax);
    gelu_vd q = gelu_fwd_ref_q(F, gelu_vd_min_quiet(gelu_vd_abs(xd), amax));
    q = gelu_vd_min(q, GELU_FWD_SET1(GELU_Q_MAX));
    gelu_vd p = gelu_vd_select(gelu_vd_lt(xd, gelu_vd_zero()), q, gelu_vd_sub(GELU_FWD_SET1(1.0), q));
    gelu_vd xc = gelu_vd_select(gelu_vd_lt(xd, namax), namax, xd);
    return gelu_vd_mask_mul(GELU_FWD_SET1(-0.0), gelu_vd_ne(xd, GELU_FWD_SET1(-INFINITY)), xc, p);
}

/*
 * The rounding test: the lanes (of `lanes`) where y (1 -+ rel) round to different floats, so
 * that the exact value may lie on the other side of a rounding boundary.
 */
static GELU_FWD_ALWAYS unsigned gelu_fwd_unsure(gelu_vd y, double lo, double hi, unsigned lanes)
{
    gelu_vf l = gelu_vd_to_vf(gelu_vd_mul(y, GELU_FWD_SET1(lo)));
    gelu_vf h = gelu_vd_to_vf(gelu_vd_mul(y, GELU_FWD_SET1(hi)));
    return gelu_vf_bits_ne(l, h) & lanes;
}

/* The lanes whose double y lies within `ulps` of its ulps of a midpoint between floats: a test
   on the 29 bits the rounding to float drops (an add, an and, a compare; no multiply, no
   conversion). For a y whose float is normal or zero, where the rounding drops those bits. */
static GELU_FWD_ALWAYS unsigned gelu_fwd_near_midpoint(gelu_vd y, long long ulps)
{
    gelu_vi w = gelu_vi_and(gelu_vi_add(gelu_vd_bits(y), gelu_vi_set1(ulps - (1 << 28))), gelu_vi_set1((1 << 29) - 1));
    return gelu_vi_le(w, gelu_vi_set1(2 * ulps));
}

/* The same test, also giving y's float in every lane it passes: y lies between y lo and y hi,
   so where those round alike y rounds the same way, and one conversion is saved. */
static GELU_FWD_ALWAYS unsigned gelu_fwd_unsure_f(gelu_vd y, double lo, double hi, unsigned lanes, gelu_vf *f)
{
    *f = gelu_vd_to_vf(gelu_vd_mul(y, GELU_FWD_SET1(lo)));
    gelu_vf h = gelu_vd_to_vf(gelu_vd_mul(y, GELU_FWD_SET1(hi)));
    return gelu_vf_bits_ne(*f, h) & lanes;
}

/*
 * The reference tier on the first n lanes (n <= GELU_VD_LANES) at x: y, its float, and the
 * flagged lanes through the hard-case table (every other flagged input keeps its float).
 */
static void gelu_fwd_ref_vector(const struct gelu_fwd_form *F, const float *x, float *out, size_t n)
{
    gelu_vf xf = gelu_vf_load_first(x, n);
    gelu_vd y = gelu_fwd_ref_y(F, gelu_vf_to_vd(xf));
    gelu_vf f = gelu_vd_to_vf(y);
    unsigned flag = gelu_fwd_unsure(y, GELU_FLAG_LO, GELU_FLAG_HI, (1u << n) - 1);
    if (__builtin_expect(flag != 0, 0)) {
        float xs[GELU_VD_LANES], fs[GELU_VD_LANES];
        gelu_vf_storeu(xs, xf);
        gelu_vf_storeu(fs, f);
        for (; flag; flag &= flag - 1) {
            int j = __builtin_ctz(flag);
            fs[j] = gelu_hard_case_f32(F->id, xs[j], fs[j]);
        }
        f = gelu_vf_loadu(fs);
    }
    gelu_vf_store_first(out, n, f);
}

#endif
