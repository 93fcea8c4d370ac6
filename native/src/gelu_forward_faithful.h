/*
 * The faithful float32 forward kernels, written once over a SIMD wrapper: one operation
 * sequence, the same on every backend, which defines the faithful mode.
 *
 * On the central range [lo, hi) of a form (gelu_faithful_float_coeffs.h, made by
 * native/tools/gen_faithful_float.py, which explains the error budget), in float, a full
 * register (gelu_vw) an instruction: y = x P(x) with P = c0 + c1 t + t^2 q2(t) on one of 32
 * pieces, t = x - m_k exact, a coefficient one 32-entry table lookup. c0 + c1 t is kept exact
 * as a float pair (Fast2Sum, and the FMA's product error), so only t^2 q2, below 1/20 of P,
 * carries float rounding errors: P is within 2^-26.5 of the exact value, and y = fma(x, sh,
 * x lo) rounds once more, so the value before that rounding is within 2^-25 and the float is
 * one of the two around the exact value.
 *
 * x >= hi: y = x (Q = 1 - P < 2^-24 there, so x is one of the two floats). x < lo: the negative
 * tail in double (below; quick: its exp formula), one rounding to float. NaN: the input, quieted.
 * A register with a lane outside [lo, hi) takes these by selects, the tail lanes queued and
 * finished together: no lane goes alone.
 *
 * GELU_FWD_FNW   registers of floats a group holds (their chains overlap)
 * GELU_FWD_FTG   vectors of doubles the queued tail lanes run at once: one vector's exp chain
 *                alone leaves the pipes idle, too many spill
 * and GELU_FWD_STREAM as in gelu_forward_cr.h, which this follows.
 */
#ifndef GELU_FORWARD_FAITHFUL_H
#define GELU_FORWARD_FAITHFUL_H

#include "gelu_faithful_float_coeffs.h"
#include "gelu_forward_cr.h"

#define GELU_FWD_FGROUP (GELU_FWD_FNW * GELU_VW_LANES)

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

/*
 * P on one register, x in [lo, hi] (a finite x anywhere gives finite lanes), the central path:
 * the piece k from three fmas, t = x - m_k exact, q2 by Horner, then c0 + c1 t as sh + sl + l1
 * exactly and the rest, lo, small. y = fma(x, sh, x lo): zeros keep their sign (lo is +0 there).
 */
static GELU_FWD_ALWAYS gelu_vw gelu_fwd_faithful_central(const struct gelu_faithful_float *T, gelu_vw x)
{
    _Static_assert(GELU_FAITHFUL_FLOAT_DEGREE == 6, "a piece is 8 entries: m and c0 .. c6");
    gelu_vw s = gelu_vw_fma(x, gelu_vw_set1(T->gamma), gelu_vw_set1(T->beta));
    s = gelu_vw_fma(gelu_vw_abs(x), gelu_vw_set1(T->delta), s);
    gelu_vw c[8];
    gelu_vw_lookup_piece(T->c, T->p, gelu_vw_trunc(gelu_vw_fma(x, s, gelu_vw_set1(T->k0))), c);
    gelu_vw t = gelu_vw_sub(x, c[0]);
    gelu_vw q = c[GELU_FAITHFUL_FLOAT_DEGREE + 1];
    _Pragma("GCC unroll 8")
    for (int j = GELU_FAITHFUL_FLOAT_DEGREE - 1; j >= 2; j--)
        q = gelu_vw_fma(q, t, c[j + 1]);
    gelu_vw c0 = c[1], c1 = c[2];
    gelu_vw h1 = gelu_vw_mul(t, c1);
    gelu_vw l1 = gelu_vw_fms(t, c1, h1);
    gelu_vw sh = gelu_vw_add(c0, h1);
    gelu_vw sl = gelu_vw_add(gelu_vw_sub(c0, sh), h1);
    gelu_vw lo = gelu_vw_fma(gelu_vw_mul(t, q), t, gelu_vw_add(l1, sl));
    return gelu_vw_fma(x, sh, gelu_vw_mul(x, lo));
}

/*
 * A register with a lane outside [lo, hi): the central path on x held in it, then by selects;
 * the tail lanes (x < lo, -inf) are left to the queue, *low.
 */
static GELU_FWD_ALWAYS gelu_vw gelu_fwd_faithful_edges(const struct gelu_fwd_form *F, gelu_vw x, unsigned *low)
{
    const struct gelu_faithful_float *T = F->ff;
    /* max returns its second operand for a NaN: every lane is finite here */
    gelu_vw xc = gelu_vw_min(gelu_vw_max(x, gelu_vw_set1(T->lo)), gelu_vw_set1(T->hi));
    gelu_vw y = gelu_fwd_faithful_central(T, xc);
    unsigned high = gelu_vw_ge(x, gelu_vw_set1(T->hi));
    *low = gelu_vw_lt(x, gelu_vw_set1(T->lo));
    y = gelu_vw_select(high, x, y);
    return gelu_vw_select(gelu_vw_nge(x, gelu_vw_set1(T->lo)) & ~*low, gelu_vw_quiet(x), y);
}

/*
 * The tail lanes of a chunk of the output, gathered (their x, and which lanes of which
 * register) and then finished together, GELU_FWD_FTG vectors of doubles at a time, so that
 * their exp chains overlap and no register takes the tail for one lane (on uniform[-8, 8] a
 * quarter of the lanes are tail lanes); the results go back into their registers' lanes.
 */
#define GELU_FWD_FCHUNK (16 * GELU_FWD_FGROUP)
#define GELU_FWD_FTAIL (GELU_FWD_FTG * GELU_VD_LANES)
struct gelu_fwd_fqueue {
    _Alignas(64) float x[GELU_FWD_FCHUNK + GELU_FWD_FTAIL + GELU_VW_LANES];
    uint32_t reg[GELU_FWD_FCHUNK / GELU_VW_LANES], lanes[GELU_FWD_FCHUNK / GELU_VW_LANES];
    size_t n, nreg;
};

/* The queue's lanes into their places in y, the chunk's output. */
static GELU_FWD_ALWAYS void gelu_fwd_faithful_flush(const struct gelu_fwd_form *F, struct gelu_fwd_fqueue *q, float *y)
{
    for (size_t k = q->n; k % GELU_FWD_FTAIL != 0; k++)
        q->x[k] = F->ff->lo - 1; /* a tail value: the padding raises no flag */
    for (size_t k = 0; k < q->n; k += GELU_FWD_FTAIL) {
        gelu_vd xd[GELU_FWD_FTG], yd[GELU_FWD_FTG];
        GELU_FWD_EACH(GELU_FWD_FTG)
            xd[b] = gelu_vf_to_vd(gelu_vf_loadu(q->x + k + GELU_VD_LANES * b));
        gelu_fwd_faithful_outside(F, GELU_FWD_FTG, xd, yd);
        GELU_FWD_EACH(GELU_FWD_FTG) /* in place: the x of these lanes are read */
            gelu_vf_storeu(q->x + k + GELU_VD_LANES * b, gelu_vd_to_vf(yd[b]));
    }
    const float *r = q->x;
    for (size_t j = 0; j < q->nreg; j++) {
        float *p = y + (size_t)q->reg[j] * GELU_VW_LANES;
        gelu_vw_storeu(p, gelu_vw_expand(gelu_vw_loadu(p), q->lanes[j], r));
        r += __builtin_popcount(q->lanes[j]);
    }
    q->n = q->nreg = 0;
}

/* A group of floats at x (all readable) into y, its tail lanes queued; y is register `reg` of
   the chunk's output. */
static GELU_FWD_ALWAYS void gelu_fwd_faithful_group(const struct gelu_fwd_form *F, const float *x, float *y,
                                                    struct gelu_fwd_fqueue *q, size_t reg)
{
    const struct gelu_faithful_float *T = F->ff;
    gelu_vw xv[GELU_FWD_FNW];
    unsigned out[GELU_FWD_FNW], any = 0;
    _Pragma("GCC unroll 16")
    for (int w = 0; w < GELU_FWD_FNW; w++) {
        xv[w] = gelu_vw_loadu(x + GELU_VW_LANES * w);
        out[w] = ~(gelu_vw_ge(xv[w], gelu_vw_set1(T->lo)) & gelu_vw_lt(xv[w], gelu_vw_set1(T->hi))) &
                 ((1u << GELU_VW_LANES) - 1);
        any |= out[w];
    }
    if (__builtin_expect(any == 0, 1)) {
        _Pragma("GCC unroll 16")
        for (int w = 0; w < GELU_FWD_FNW; w++)
            gelu_vw_storeu(y + GELU_VW_LANES * w, gelu_fwd_faithful_central(T, xv[w]));
        return;
    }
    size_t n = q->n, nreg = q->nreg;
    _Pragma("GCC unroll 16")
    for (int w = 0; w < GELU_FWD_FNW; w++) {
        unsigned low = 0;
        gelu_vw f = out[w] ? gelu_fwd_faithful_edges(F, xv[w], &low) : gelu_fwd_faithful_central(T, xv[w]);
        gelu_vw_storeu(y + GELU_VW_LANES * w, f);
        if (low) {
            q->reg[nreg] = (uint32_t)(reg + (size_t)w);
            q->lanes[nreg++] = low;
            n += gelu_vw_compress(q->x + n, low, xv[w]);
        }
    }
    q->n = n;
    q->nreg = nreg;
}

/* Fewer than a group's floats through buffers: zeros pad them, and x is read first. */
static void gelu_fwd_faithful_partial(const struct gelu_fwd_form *F, const float *x, float *y, size_t n)
{
    _Alignas(64) float xb[GELU_FWD_FGROUP] = {0}, yb[GELU_FWD_FGROUP];
    struct gelu_fwd_fqueue q;
    q.n = q.nreg = 0;
    memcpy(xb, x, n * sizeof(float));
    gelu_fwd_faithful_group(F, xb, yb, &q, 0);
    gelu_fwd_faithful_flush(F, &q, yb);
    memcpy(y, yb, n * sizeof(float));
}

/*
 * Chunks of GELU_FWD_FCHUNK floats: the groups write y, the chunk's tail lanes are finished
 * into it afterwards. A streamed output goes through an L1 buffer instead (the tail lanes
 * would fetch back lines already streamed out), then streamed whole. x is read before y is
 * written: in place, a chunk's output lies within its input.
 */
static GELU_FWD_ALWAYS void gelu_fwd_run_faithful(const struct gelu_fwd_form *F, const float *x, float *y, size_t n,
                                                  int nt)
{
    size_t i = 0, head = gelu_fwd_stream_head(y, n, nt);
    int stream = head != 0;
    if (head % 16) { /* up to the first 64-byte boundary of y */
        gelu_fwd_faithful_partial(F, x, y, head % 16);
        i = head % 16;
    }
    struct gelu_fwd_fqueue q;
    _Alignas(64) float buf[GELU_FWD_FCHUNK];
    q.n = q.nreg = 0;
    while (i + GELU_FWD_FGROUP <= n) {
        size_t len = n - i < GELU_FWD_FCHUNK ? (n - i) / GELU_FWD_FGROUP * GELU_FWD_FGROUP : GELU_FWD_FCHUNK;
        float *out = stream ? buf : y + i;
        for (size_t k = 0; k < len; k += GELU_FWD_FGROUP) {
            gelu_fwd_prefetch(x + i + k, GELU_FWD_FGROUP);
            gelu_fwd_faithful_group(F, x + i + k, out + k, &q, k / GELU_VW_LANES);
        }
        if (q.n)
            gelu_fwd_faithful_flush(F, &q, out);
        if (stream)
            for (size_t k = 0; k < len; k += GELU_VW_LANES)
                gelu_vw_stream(y + i + k, gelu_vw_loadu(buf + k));
        i += len;
    }
    if (stream && !nt) /* an nt caller fences once, after its last block */
        gelu_sfence();
    if (i < n)
        gelu_fwd_faithful_partial(F, x + i, y + i, n - i);
}

#endif
