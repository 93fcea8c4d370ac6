/*
 * The faithful float32 forward kernels, written once over a SIMD wrapper: one operation
 * sequence, the same on every backend, which defines the faithful mode. For x in [LO, FLT_MAX]
 * (quick: [LO, HI)), y = fma(-|x|, Q, max(0, x)) in double from the pieces of Q
 * (gelu_fwd_pieces: x Q for x < 0, x - |x| Q for x >= 0, -0 kept), rounded once to float. The
 * error of Q moves y by less than 2^-26.8 relative (quick: 2^-29.2), so the float is one of the
 * two around the exact value; above HI, where Q is held at Q(HI) < 2^-25 (erf, tanh), y is x or
 * the float below it, both faithful. Below LO the negative tail takes over (quick: outside
 * [LO, HI), its exp formula on both sides); NaN and the infinities take the correctly rounded
 * kernel of the same ISA (a quiet NaN, +inf, -0). So a result is a function of its input alone.
 *
 * GELU_FWD_FNV   vectors a group interleaves (a multiple of GELU_VW_LANES / GELU_VD_LANES)
 * GELU_FWD_FTG   vectors the rare tails run at once: one vector's exp chain alone leaves the
 *                pipes idle, too many spill (AVX-512, x uniform in [-8, 8], n = 65536: 0.33
 *                Gelem/s one by one, 0.43 six, 0.50 three)
 * and GELU_FWD_STREAM as in gelu_forward_cr.h, which this follows.
 */
#ifndef GELU_FORWARD_FAITHFUL_H
#define GELU_FORWARD_FAITHFUL_H

#include "gelu_forward_cr.h"

#define GELU_FWD_FGROUP (GELU_FWD_FNV * GELU_VD_LANES)

/*
 * The faithful negative tail on nb vectors, finite x < LO: x held at -amax (the correctly
 * rounded kernels' clamp, where every result rounds to -0), a = -x, and y = x Q(a) in double with
 * erf:      Q = exp(fma(a a, -1/2, H_k(t))), H = ln(Phi(-a)) + a^2/2 from its 16-piece table
 *           (a a is exact: a is a float);
 * logistic: Q = e (1 - e + e^2) = fma(e, fma(e, e, -e), e), e = exp(-(a (c1 + c3 a a))), which
 *           is sigma(-2u) = e/(1 + e) to e^3 < 2^-32 relative.
 * Q is within 2^-30 of the exact value; the exp is to 2^-34 on [-150, -5].
 */
static GELU_FWD_ALWAYS void gelu_fwd_faithful_tail(const struct gelu_fwd_form *F, int nb, const gelu_vd *xd, gelu_vd *y)
{
    gelu_vd xc[16], a[16], aa[16], v[16], e[16];
    GELU_FWD_EACH(nb) {
        xc[b] = gelu_vd_max(xd[b], GELU_FWD_SET1(-F->amax));
        a[b] = gelu_vd_neg(xc[b]);
        aa[b] = gelu_vd_mul(a[b], a[b]);
    }
    if (F->erf) {
        const double(*c)[16] = gelu_faithful_tail_coef;
        gelu_vd t[16], h[16], z[16];
        GELU_FWD_EACH(nb) {
            gelu_vd r = gelu_vd_fma(a[b], GELU_FWD_SET1(GELU_FAITHFUL_TAIL_A), GELU_FWD_SET1(GELU_FAITHFUL_TAIL_B));
            z[b] = gelu_vd_add(r, GELU_FWD_SET1(GELU_EXP_SHIFT));
            t[b] = gelu_vd_sub(r, gelu_vd_sub(z[b], GELU_FWD_SET1(GELU_EXP_SHIFT)));
            h[b] = gelu_vd_lookup16_low_bits(c[GELU_FAITHFUL_TAIL_DEGREE], z[b]);
        }
        _Pragma("GCC unroll 8")
        for (int j = GELU_FAITHFUL_TAIL_DEGREE - 1; j >= 0; j--)
            GELU_FWD_EACH(nb)
                h[b] = gelu_vd_fma(h[b], t[b], gelu_vd_lookup16_low_bits(c[j], z[b]));
        GELU_FWD_EACH(nb)
            v[b] = gelu_vd_fma(aa[b], GELU_FWD_SET1(-0.5), h[b]);
        gelu_fwd_exp(gelu_faithful_exp_coef, GELU_FAITHFUL_EXP_DEGREE, nb, v, e);
        GELU_FWD_EACH(nb)
            y[b] = gelu_vd_mul(xc[b], e[b]);
        return;
    }
    GELU_FWD_EACH(nb)
        v[b] = gelu_vd_neg(gelu_vd_mul(a[b], gelu_vd_fma(GELU_FWD_SET1(F->c3), aa[b], GELU_FWD_SET1(F->c1))));
    gelu_fwd_exp(gelu_faithful_exp_coef, GELU_FAITHFUL_EXP_DEGREE, nb, v, e);
    GELU_FWD_EACH(nb)
        y[b] = gelu_vd_mul(xc[b], gelu_vd_fma(e[b], gelu_vd_fms(e[b], e[b], e[b]), e[b]));
}

/*
 * The quick form outside [LO, HI), finite x: Q(HI) = 8.6e-5 is far from negligible, so both
 * sides take the formula itself: with a = |x| held at amax = 64 (where 64 Q(64) < 2^-151, so
 * x < -64 gives -0 and x > 64 gives x, as from the exact value), e = exp(-1.702 a) and
 * Q = e/(1 + e), y = fma(-a, Q, max(0, x)) as on the central range. Error of Q, relative: the
 * exp 2^-34.1, its argument (1.702 and the product, each 2^-53) a 2^-52 < 2^-45, the sum and
 * the division 2^-53 each: below 2^-33.9. That is y's error for x < 0 (plus the fma's 2^-53);
 * for x >= HI it is shrunk by Q/(1 - Q) < 2^-13. Either way far below the 2^-25 a faithful
 * float needs.
 */
static GELU_FWD_ALWAYS void gelu_fwd_faithful_outer(const struct gelu_fwd_form *F, int nb, const gelu_vd *xd,
                                                    gelu_vd *y)
{
    gelu_vd nc[16], v[16], e[16];
    GELU_FWD_EACH(nb) {
        nc[b] = gelu_vd_max(gelu_vd_negabs(xd[b]), GELU_FWD_SET1(-F->amax));
        v[b] = gelu_vd_mul(nc[b], GELU_FWD_SET1(F->c1));
    }
    gelu_fwd_exp(gelu_faithful_exp_coef, GELU_FAITHFUL_EXP_DEGREE, nb, v, e);
    GELU_FWD_EACH(nb) {
        gelu_vd q = gelu_vd_div(e[b], gelu_vd_add(GELU_FWD_SET1(1.0), e[b]));
        y[b] = gelu_vd_fma(nc[b], q, gelu_vd_max(gelu_vd_zero(), xd[b]));
    }
}

/* The double y before its one rounding to float, finite x outside the central range. */
static GELU_FWD_ALWAYS void gelu_fwd_faithful_outside(const struct gelu_fwd_form *F, int nb, const gelu_vd *xd,
                                                      gelu_vd *y)
{
    if (F->outer_both)
        gelu_fwd_faithful_outer(F, nb, xd, y);
    else
        gelu_fwd_faithful_tail(F, nb, xd, y);
}

/* The lanes of vector v of a group, from bits over its full-width float vectors. */
static GELU_FWD_ALWAYS unsigned gelu_fwd_lanes_of(const unsigned *wbits, int v)
{
    const int per_w = GELU_VW_LANES / GELU_VD_LANES;
    return (wbits[v / per_w] >> (v % per_w * GELU_VD_LANES)) & ((1u << GELU_VD_LANES) - 1);
}

/*
 * GELU_FWD_FNV vectors of floats at x (all readable) into f. When a lane is outside the
 * central range, the outside path runs on its GELU_FWD_FTG vectors and is blended in; a lane
 * that is NaN or infinite gets the correctly rounded kernel's float.
 */
static GELU_FWD_ALWAYS void gelu_fwd_faithful_group(const struct gelu_fwd_form *F, const float *x, gelu_vf *f)
{
    enum { NW = GELU_FWD_FGROUP / GELU_VW_LANES };
    unsigned outside[NW], slow[NW], any_outside = 0, any_slow = 0;
    _Pragma("GCC unroll 16")
    for (int w = 0; w < NW; w++) {
        gelu_vw xw = gelu_vw_loadu(x + GELU_VW_LANES * w);
        unsigned ok = gelu_vw_ge(xw, gelu_vw_set1((float)GELU_FAITHFUL_LO)) &
                      gelu_vw_lt(xw, gelu_vw_set1(F->faithful_top));
        unsigned finite = gelu_vw_le(gelu_vw_abs(xw), gelu_vw_set1(FLT_MAX));
        outside[w] = finite & ~ok;
        slow[w] = ~finite & ((1u << GELU_VW_LANES) - 1);
        any_outside |= outside[w];
        any_slow |= slow[w];
    }
    gelu_vd xd[GELU_FWD_FNV], yd[GELU_FWD_FNV];
    GELU_FWD_EACH(GELU_FWD_FNV)
        xd[b] = gelu_vf_to_vd(gelu_vf_loadu(x + GELU_VD_LANES * b));
    if (__builtin_expect(any_slow != 0, 0)) /* NaN and the infinities become 0: no lane may raise a flag */
        GELU_FWD_EACH(GELU_FWD_FNV)
            xd[b] = gelu_vd_select(gelu_vm_from_bits(gelu_fwd_lanes_of(slow, b)), gelu_vd_zero(), xd[b]);
    gelu_fwd_pieces(F->faithful, GELU_FAITHFUL_DEGREE, GELU_FWD_FNV, xd, yd);
    if (__builtin_expect(any_outside != 0, 0)) {
        _Pragma("GCC unroll 16")
        for (int g = 0; g < GELU_FWD_FNV; g += GELU_FWD_FTG) {
            unsigned in_g = 0;
            _Pragma("GCC unroll 16")
            for (int b = g; b < g + GELU_FWD_FTG; b++)
                in_g |= gelu_fwd_lanes_of(outside, b);
            if (!in_g)
                continue;
            /* the other lanes become an outside value, so that they raise no flag there */
            gelu_vd xt[GELU_FWD_FTG], yt[GELU_FWD_FTG];
            GELU_FWD_EACH(GELU_FWD_FTG)
                xt[b] = gelu_vd_select(gelu_vm_from_bits(gelu_fwd_lanes_of(outside, g + b)), xd[g + b],
                                       GELU_FWD_SET1(GELU_FAITHFUL_LO - 1));
            gelu_fwd_faithful_outside(F, GELU_FWD_FTG, xt, yt);
            GELU_FWD_EACH(GELU_FWD_FTG)
                yd[g + b] = gelu_vd_select(gelu_vm_from_bits(gelu_fwd_lanes_of(outside, g + b)), yt[b], yd[g + b]);
        }
    }
    GELU_FWD_EACH(GELU_FWD_FNV)
        f[b] = gelu_vd_to_vf(yd[b]);
    if (__builtin_expect(any_slow != 0, 0)) {
        static void (*const cr[3])(const float *, float *, size_t) = {
            GELU_FWD_ISA_NAME(gelu_erf_f32), GELU_FWD_ISA_NAME(gelu_tanh_f32), GELU_FWD_ISA_NAME(gelu_quick_f32)};
        GELU_FWD_EACH(GELU_FWD_FNV) {
            unsigned s = gelu_fwd_lanes_of(slow, b);
            if (s) {
                float crf[GELU_VD_LANES];
                cr[F->id](x + GELU_VD_LANES * b, crf, GELU_VD_LANES);
                /* a blend, not a C comparison: a NaN must not raise invalid */
                f[b] = gelu_vf_select(gelu_vm_from_bits(s), gelu_vf_loadu(crf), f[b]);
            }
        }
    }
}

/* Fewer than a group's floats through a buffer: zeros pad it, and x is read first. */
static void gelu_fwd_faithful_partial(const struct gelu_fwd_form *F, const float *x, float *y, size_t n)
{
    _Alignas(64) float xb[GELU_FWD_FGROUP] = {0}, yb[GELU_FWD_FGROUP];
    gelu_vf f[GELU_FWD_FNV];
    memcpy(xb, x, n * sizeof(float));
    gelu_fwd_faithful_group(F, xb, f);
    GELU_FWD_EACH(GELU_FWD_FNV)
        gelu_vf_storeu(yb + GELU_VD_LANES * b, f[b]);
    memcpy(y, yb, n * sizeof(float));
}

static GELU_FWD_ALWAYS void gelu_fwd_run_faithful(const struct gelu_fwd_form *F, const float *x, float *y, size_t n,
                                                  int nt)
{
    size_t i = 0, head = gelu_fwd_stream_head(y, n, nt);
    int stream = head != 0;
    if (head % 16) { /* up to the first 64-byte boundary of y */
        gelu_fwd_faithful_partial(F, x, y, head % 16);
        i = head % 16;
    }
    gelu_vf f[GELU_FWD_FNV];
    for (; i + GELU_FWD_FGROUP <= n; i += GELU_FWD_FGROUP) {
        gelu_fwd_prefetch(x + i, GELU_FWD_FGROUP);
        gelu_fwd_faithful_group(F, x + i, f);
        GELU_FWD_EACH(GELU_FWD_FNV) {
            if (stream)
                gelu_vf_stream(y + i + GELU_VD_LANES * b, f[b]);
            else
                gelu_vf_storeu(y + i + GELU_VD_LANES * b, f[b]);
        }
    }
    if (stream && !nt) /* an nt caller fences once, after its last block */
        gelu_sfence();
    if (i < n)
        gelu_fwd_faithful_partial(F, x + i, y + i, n - i);
}

#endif
