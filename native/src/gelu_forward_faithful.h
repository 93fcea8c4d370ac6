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
 * x >= hi: y = x (Q = 1 - P < 2^-24 there, so x is one of the two floats). |x| < 2^-40: x/2.
 * x < lo: the negative tail, in float too (an exp and, for erf, a table of R(a)). NaN: the input,
 * quieted.
 * A register with a lane outside [lo, hi) takes these by selects, the tail lanes queued and
 * finished together: no lane goes alone.
 *
 * GELU_FWD_FNW     registers of floats a group holds (their chains overlap)
 * GELU_FWD_FTG     registers the queued tail lanes run at once (their chains overlap)
 * GELU_FWD_FQUEUE  0: no queue, a tail register is finished where it is (one lane a register,
 *                  the scalar wrapper: a tail register is all tail lanes; the queue's stores,
 *                  flushes and their unpredictable loops cost more than they save); default 1
 * GELU_FWD_FMIX    1: a group whose registers hold tail lanes or x >= hi (but no NaN and no
 *                  |x| < 2^-40) runs every register's central path at once, straight-line, so
 *                  that their chains overlap: on AVX-512 1.11-1.15 times as fast on
 *                  uniform[-8, 8] (a branch a register kept the chains apart); on AVX2, whose
 *                  lookups need more registers, 0.93-0.99 times, so there it is 0; default 0
 *
 * The output is stored normally at every n, as in gelu_forward_cr.h (gelu_fwd_run_cr).
 */
#ifndef GELU_FORWARD_FAITHFUL_H
#define GELU_FORWARD_FAITHFUL_H

#include "gelu_faithful_float_coeffs.h"
#include "gelu_forward_cr.h"

#define GELU_FWD_FGROUP (GELU_FWD_FNW * GELU_VW_LANES)

/* gcc schedules before register allocation only when asked: without it a register's eight
   coefficient lookups all come before its Horner chain, and the vector registers spill in the
   hot loop (gelu_cbench, faithful, n = 65536, N(0, 1): about 10 % on AVX-512) */
#if defined(__GNUC__) && !defined(__clang__)
#define GELU_FWD_FAITHFUL_SCHED __attribute__((optimize("schedule-insns", "sched-pressure")))
#else
#define GELU_FWD_FAITHFUL_SCHED
#endif
#ifndef GELU_FWD_FQUEUE
#define GELU_FWD_FQUEUE 1
#endif
#ifndef GELU_FWD_FMIX
#define GELU_FWD_FMIX 0
#endif

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
 * exp(-v) for v = vh + vl in [8, 113] (w = -vh, wl = -vl): (eh + el) S 2^-64, S a power of 2.
 * n = round(-v 32/ln2) by the magic constant (n is z's low bits), r = -v - n ln2/32 with n l1
 * exact and w - n l1 exact (Sterbenz), |r| <= ln2/64 + 2^-17; e^r = 1 + p, p = r + r^2 (1/2 + r/6
 * + r^2/24) to 2^-39; 2^(j/32) as a float pair; S = 2^(floor(n/32) + 64), a normal float.
 */
static GELU_FWD_ALWAYS void gelu_fwd_ftail_exp(gelu_vw w, gelu_vw wl, gelu_vw *eh, gelu_vw *el, gelu_vw *s)
{
    const struct gelu_faithful_tail *T = &gelu_faithful_float_tail;
    gelu_vw z = gelu_vw_fma(w, gelu_vw_set1(T->inv_l), gelu_vw_set1(T->magic));
    gelu_vw n = gelu_vw_sub(z, gelu_vw_set1(T->magic));
    gelu_vw r = gelu_vw_fma(n, gelu_vw_set1(-T->l1), w);
    r = gelu_vw_fma(n, gelu_vw_set1(-T->l2), r);
    r = gelu_vw_add(gelu_vw_fma(n, gelu_vw_set1(-T->l3), r), wl);
    gelu_vw p = gelu_vw_fma(gelu_vw_fma(r, gelu_vw_set1(1.0f / 24), gelu_vw_set1(1.0f / 6)), r, gelu_vw_set1(0.5f));
    p = gelu_vw_fma(gelu_vw_mul(r, r), p, r);
    gelu_vwi zb = gelu_vw_bits(z), j = gelu_vwi_and(zb, gelu_vwi_set1(31));
    *eh = gelu_vw_lookup32(T->exp2[0], j);
    *el = gelu_vw_fma(*eh, p, gelu_vw_lookup32(T->exp2[1], j));
    /* z's bits are those of 1.5 2^23 plus n: floor(n/32) + 64 + 127 in the exponent field */
    *s = gelu_vwi_as_vw(gelu_vwi_shl(gelu_vwi_add(gelu_vwi_shr(zb, 5), gelu_vwi_set1(191 - (0x4B400000 >> 5))), 23));
}

/*
 * The negative tail in float on a register of x < lo (or -inf), a = -x held at the form's amax
 * (where every result rounds to -0): y = x Q(a), Q = (eh + el) S 2^-64 F with
 * erf:      F = R(a) = Phi(-a) e^(a^2/2) = c0 + t q from 32 pieces, v = a^2/2 (h + l exactly);
 * tanh:     F = 1 - e (e = exp(-v) < 2^-15.8, e^2 dropped), v = c1 a + c3 a^3 as a float pair;
 * quick:    the same with v = 1.702 a (e < 2^-14.7).
 * The products keep their rounding errors (fma), so Q is within 2^-26.3 of the exact value;
 * y = fma(x, Qh, x Ql) S, then times 2^-64 (exact unless y is subnormal, where the two roundings
 * still leave a float within one spacing: faithful). *uflow gets the lanes that must raise
 * underflow.
 */
static GELU_FWD_ALWAYS gelu_vw gelu_fwd_faithful_ftail(const struct gelu_fwd_form *F, gelu_vw x, unsigned *uflow)
{
    const struct gelu_faithful_tail *T = &gelu_faithful_float_tail;
    gelu_vw a = gelu_vw_min(gelu_vw_sub(gelu_vw_zero(), x), gelu_vw_set1(F->ff->tail_amax));
    gelu_vw xc = gelu_vw_sub(gelu_vw_zero(), a), eh, el, s, qh, ql;
    if (F->erf) {
        gelu_vw c[8];
        gelu_vw_lookup_piece(T->r, T->p, gelu_vw_trunc(gelu_vw_fma(a, gelu_vw_set1(T->s1), gelu_vw_set1(T->s0))), c);
        gelu_vw t = gelu_vw_sub(a, c[0]);
        gelu_vw q = c[GELU_FAITHFUL_TAIL_DEGREE_F + 1];
        _Pragma("GCC unroll 8")
        for (int j = GELU_FAITHFUL_TAIL_DEGREE_F - 1; j >= 1; j--)
            q = gelu_vw_fma(q, t, c[j + 1]);
        gelu_vw h = gelu_vw_mul(a, a);
        gelu_vw l = gelu_vw_fms(a, a, h);
        gelu_fwd_ftail_exp(gelu_vw_mul(h, gelu_vw_set1(-0.5f)), gelu_vw_mul(l, gelu_vw_set1(-0.5f)), &eh, &el, &s);
        qh = gelu_vw_mul(c[1], eh);
        ql = gelu_vw_fma(c[1], el, gelu_vw_fms(c[1], eh, qh));
        ql = gelu_vw_fma(gelu_vw_mul(t, q), gelu_vw_add(eh, el), ql);
    } else {
        gelu_vw vh, vl;
        if (F->c3 != 0) {
            gelu_vw h = gelu_vw_mul(a, a);
            gelu_vw l = gelu_vw_fms(a, a, h);
            gelu_vw p3 = gelu_vw_mul(a, h); /* a^3 = p3 + p3l */
            gelu_vw p3l = gelu_vw_fma(a, l, gelu_vw_fms(a, h, p3));
            gelu_vw x3 = gelu_vw_mul(gelu_vw_set1(T->tanh_c3[0]), p3);
            gelu_vw x3l = gelu_vw_fms(gelu_vw_set1(T->tanh_c3[0]), p3, x3);
            x3l = gelu_vw_fma(gelu_vw_set1(T->tanh_c3[0]), p3l, x3l);
            x3l = gelu_vw_fma(gelu_vw_set1(T->tanh_c3[1]), p3, x3l);
            gelu_vw x1 = gelu_vw_mul(gelu_vw_set1(T->tanh_c1[0]), a);
            gelu_vw x1l = gelu_vw_fma(gelu_vw_set1(T->tanh_c1[1]), a, gelu_vw_fms(gelu_vw_set1(T->tanh_c1[0]), a, x1));
            gelu_vw big = gelu_vw_max(x3, x1), small = gelu_vw_min(x3, x1); /* both positive: Fast2Sum */
            vh = gelu_vw_add(big, small);
            vl = gelu_vw_add(gelu_vw_add(gelu_vw_sub(big, vh), small), gelu_vw_add(x3l, x1l));
        } else {
            vh = gelu_vw_mul(gelu_vw_set1(T->quick_c[0]), a);
            vl = gelu_vw_fma(gelu_vw_set1(T->quick_c[1]), a, gelu_vw_fms(gelu_vw_set1(T->quick_c[0]), a, vh));
        }
        gelu_fwd_ftail_exp(gelu_vw_sub(gelu_vw_zero(), vh), gelu_vw_sub(gelu_vw_zero(), vl), &eh, &el, &s);
        /* e to float precision is enough, and below 2^-59 not at all: held there, it is never
           subnormal (an operand the pipes would take slowly) */
        gelu_vw es = gelu_vw_add(eh, el);
        gelu_vw e = gelu_vw_mul(gelu_vw_mul(es, gelu_vw_max(s, gelu_vw_set1(0x1p4f))), gelu_vw_set1(0x1p-64f));
        qh = eh;
        ql = gelu_vw_fnma(es, e, el);
    }
    gelu_vw ys = gelu_vw_mul(gelu_vw_fma(xc, qh, gelu_vw_mul(xc, ql)), s); /* exact: normal, <= 0 */
    /* ys 2^-64 rounded once: by a multiply where that is normal, and where it is subnormal or
       zero by its bits, the integer nearest |ys| 2^85, which adding 2^23 finds (a multiply with a
       subnormal result takes a slow assist on x86); only registers with such a lane (x below
       about -13.1 for erf, -10.1 for tanh, -53.6 for quick) take the second way */
    unsigned tiny = gelu_vw_lt(gelu_vw_set1(-0x1p-62f), ys);
    gelu_vw big = gelu_vw_mul(gelu_vw_min(ys, gelu_vw_set1(-0x1p-62f)), gelu_vw_set1(0x1p-64f));
    if (__builtin_expect(tiny == 0, 1))
        return big;
    gelu_vw small = gelu_vw_fma(gelu_vw_max(ys, gelu_vw_set1(-0x1p-62f)), gelu_vw_set1(-0x1p85f),
                                gelu_vw_set1(0x1p23f));
    *uflow |= tiny & ~gelu_vw_le(x, gelu_vw_set1(-INFINITY)); /* tiny and inexact (-inf's -0 is exact) */
    gelu_vwi bits = gelu_vwi_add(gelu_vw_bits(small), gelu_vwi_set1(0x80000000 - 0x4B000000));
    return gelu_vw_select(tiny, gelu_vwi_as_vw(bits), big);
}

/*
 * x/2 for |x| < 2^-40, one of the two floats around x/2 + c x^2 (c > 0): exact but for a
 * subnormal x/2, which must raise underflow however it rounds (*uflow gets those lanes); there
 * (|x| < 2^-125) from x's bits, the multiply's bits without its assist.
 */
static GELU_FWD_ALWAYS gelu_vw gelu_fwd_faithful_half(gelu_vw x, unsigned *uflow)
{
    unsigned sub = gelu_fwd_tiny_lanes(x);
    *uflow |= sub;
    return gelu_vw_select(sub, gelu_fwd_tiny_half(x, 0),
                          gelu_vw_mul(gelu_vw_select(sub, gelu_vw_set1(1.0f), x), gelu_vw_set1(0.5f)));
}

/*
 * A register with a lane outside [lo, hi) or with |x| < 2^-40 (where x lo would underflow): the
 * central path on x held in [lo, hi], then by selects; the tail lanes (x < lo, -inf) are left
 * to the queue, *low; *uflow gets the lanes that must raise underflow.
 */
static GELU_FWD_ALWAYS gelu_vw gelu_fwd_faithful_edges(const struct gelu_fwd_form *F, gelu_vw x, unsigned *low,
                                                       unsigned *uflow)
{
    const struct gelu_faithful_float *T = F->ff;
    *low = gelu_vw_lt(x, gelu_vw_set1(T->lo));
    if (*low == (1u << GELU_VW_LANES) - 1) { /* all tail lanes (the queue's result replaces them) */
        /* but those at or below -amax, where the tail holds a at amax and every result is -0
           (tiny and inexact but for -inf's): taken here, not queued (x in [-60, -12] ran 0.3
           of N(0, 1) through the queue) */
        unsigned zero = gelu_vw_le(x, gelu_vw_set1(-T->tail_amax));
        if (zero == 0)
            return x;
        *uflow |= zero & gelu_vw_lt(gelu_vw_set1(-INFINITY), x);
        *low ^= zero;
        return gelu_vw_select(zero, gelu_vw_set1(-0.0f), x);
    }
    unsigned nan = gelu_vw_nge(x, gelu_vw_set1(T->lo)) & ~*low;
    unsigned tiny = gelu_vw_lt(gelu_vw_abs(x), gelu_vw_set1(0x1p-40f));
    if (__builtin_expect((nan | tiny) == 0, 1)) { /* x >= hi lanes only (and tail lanes) */
        gelu_vw y = gelu_fwd_faithful_central(T, gelu_vw_min(gelu_vw_max(x, gelu_vw_set1(T->lo)), gelu_vw_set1(T->hi)));
        return gelu_vw_select_ge(x, gelu_vw_set1(T->hi), x, y);
    }
    if (tiny == (1u << GELU_VW_LANES) - 1) /* every lane x/2: the central path would be thrown
                                               away (subnormal x ran 0.37 of N(0, 1)) */
        return gelu_fwd_faithful_half(x, uflow);
    /* NaN and tiny lanes become 1 first: min and max would raise invalid on a NaN, the
       central path underflow on a tiny x */
    gelu_vw xs = gelu_vw_select(nan | tiny, gelu_vw_set1(1.0f), x);
    gelu_vw y = gelu_fwd_faithful_central(T, gelu_vw_min(gelu_vw_max(xs, gelu_vw_set1(T->lo)), gelu_vw_set1(T->hi)));
    y = gelu_vw_select(tiny, gelu_fwd_faithful_half(x, uflow), y);
    y = gelu_vw_select_ge(x, gelu_vw_set1(T->hi), x, y);
    return gelu_vw_select(nan, gelu_vw_quiet(x), y);
}

/*
 * The tail lanes of a chunk of the output, gathered (their x, and which lanes of which
 * register) and then finished together, GELU_FWD_FTG registers at a time, so that
 * their exp chains overlap and no register takes the tail for one lane (on uniform[-8, 8] a
 * quarter of the lanes are tail lanes); the results go back into their registers' lanes.
 */
#define GELU_FWD_FCHUNK (16 * GELU_FWD_FGROUP)
#define GELU_FWD_FTAIL (GELU_FWD_FTG * GELU_VW_LANES)
struct gelu_fwd_fqueue {
    _Alignas(64) float x[GELU_FWD_FCHUNK + GELU_FWD_FTAIL + GELU_VW_LANES];
    uint32_t reg[GELU_FWD_FCHUNK / GELU_VW_LANES], lanes[GELU_FWD_FCHUNK / GELU_VW_LANES];
    size_t n, nreg;
    unsigned uflow; /* lanes so far whose result must raise underflow */
};

/* The queue's lanes into their places in y, the chunk's output. */
static GELU_FWD_ALWAYS void gelu_fwd_faithful_flush(const struct gelu_fwd_form *F, struct gelu_fwd_fqueue *q, float *y)
{
    for (size_t k = q->n; k % GELU_FWD_FTAIL != 0; k++)
        q->x[k] = -8.0f; /* a tail value of every form: the padding raises no flag */
    for (size_t k = 0; k < q->n; k += GELU_FWD_FTAIL) {
        gelu_vw yv[GELU_FWD_FTG];
        _Pragma("GCC unroll 8")
        for (int b = 0; b < GELU_FWD_FTG; b++)
            yv[b] = gelu_fwd_faithful_ftail(F, gelu_vw_loadu(q->x + k + GELU_VW_LANES * b), &q->uflow);
        _Pragma("GCC unroll 8") /* in place: the x of these lanes are read */
        for (int b = 0; b < GELU_FWD_FTG; b++)
            gelu_vw_storeu(q->x + k + GELU_VW_LANES * b, yv[b]);
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
        out[w] = (~(gelu_vw_ge(xv[w], gelu_vw_set1(T->lo)) & gelu_vw_lt(xv[w], gelu_vw_set1(T->hi))) |
                  gelu_vw_lt(gelu_vw_abs(xv[w]), gelu_vw_set1(0x1p-40f))) &
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
    /* a group of tail lanes only is finished here rather than compressed into the queue and
       expanded back: by the tail, its registers' chains overlapping as in the queue (AVX2, x in
       [-8, -4]: tanh 1.18x; [-60, -12]: quick 1.15x), or, where every lane lies at or below
       -amax, as -0, tiny and inexact but for -inf's (AVX-512 tanh there 1.33x); a group with some
       of each takes gelu_fwd_faithful_edges (erf, x in [-60, -12]: 0.9x, still 3.5x its correctly
       rounded kernel) */
    unsigned all_low = 1;
    _Pragma("GCC unroll 16")
    for (int w = 0; w < GELU_FWD_FNW; w++)
        all_low &= gelu_vw_lt(xv[w], gelu_vw_set1(T->lo)) == (1u << GELU_VW_LANES) - 1;
    unsigned zero[GELU_FWD_FNW], any_zero = 0, all_zero = 1;
    _Pragma("GCC unroll 16")
    for (int w = 0; all_low && w < GELU_FWD_FNW; w++) {
        zero[w] = gelu_vw_le(xv[w], gelu_vw_set1(-T->tail_amax));
        any_zero |= zero[w];
        all_zero &= zero[w] == (1u << GELU_VW_LANES) - 1;
    }
    if (all_low && all_zero) {
        _Pragma("GCC unroll 16")
        for (int w = 0; w < GELU_FWD_FNW; w++) {
            q->uflow |= gelu_vw_lt(gelu_vw_set1(-INFINITY), xv[w]);
            gelu_vw_storeu(y + GELU_VW_LANES * w, gelu_vw_set1(-0.0f));
        }
        return;
    }
    if (all_low && !any_zero) {
        gelu_vw yv[GELU_FWD_FNW];
        _Pragma("GCC unroll 16")
        for (int w = 0; w < GELU_FWD_FNW; w++)
            yv[w] = gelu_fwd_faithful_ftail(F, xv[w], &q->uflow);
        _Pragma("GCC unroll 16")
        for (int w = 0; w < GELU_FWD_FNW; w++)
            gelu_vw_storeu(y + GELU_VW_LANES * w, yv[w]);
        return;
    }
    /* NaN or x < -amax (whose register gelu_fwd_faithful_edges may finish), one compare; |x| < 2^-40 */
    unsigned special = 0;
    _Pragma("GCC unroll 16")
    for (int w = 0; GELU_FWD_FMIX && w < GELU_FWD_FNW; w++)
        special |= gelu_vw_nge(xv[w], gelu_vw_set1(-T->tail_amax)) |
                   gelu_vw_lt(gelu_vw_abs(xv[w]), gelu_vw_set1(0x1p-40f));
    if (GELU_FWD_FMIX && __builtin_expect(special == 0, 1)) {
        /* the usual mix (tail lanes, x >= hi): every register's central path at once, on x held
           in [lo, hi], so that their chains overlap (a branch a register kept them apart); the
           same values as gelu_fwd_faithful_edges, whose tail lanes the queue replaces */
        gelu_vw yv[GELU_FWD_FNW];
        unsigned low[GELU_FWD_FNW];
        _Pragma("GCC unroll 16")
        for (int w = 0; w < GELU_FWD_FNW; w++)
            low[w] = gelu_vw_lt(xv[w], gelu_vw_set1(T->lo));
        _Pragma("GCC unroll 16")
        for (int w = 0; w < GELU_FWD_FNW; w++)
            yv[w] = gelu_fwd_faithful_central(
                T, gelu_vw_min(gelu_vw_max(xv[w], gelu_vw_set1(T->lo)), gelu_vw_set1(T->hi)));
        _Pragma("GCC unroll 16")
        for (int w = 0; w < GELU_FWD_FNW; w++) {
            gelu_vw_storeu(y + GELU_VW_LANES * w, gelu_vw_select_ge(xv[w], gelu_vw_set1(T->hi), xv[w], yv[w]));
            if (low[w]) {
                q->reg[nreg] = (uint32_t)(reg + (size_t)w);
                q->lanes[nreg++] = low[w];
                n += gelu_vw_compress(q->x + n, low[w], xv[w]);
            }
        }
        q->n = n;
        q->nreg = nreg;
        return;
    }
    _Pragma("GCC unroll 16")
    for (int w = 0; w < GELU_FWD_FNW; w++) {
        unsigned low = 0;
        gelu_vw f = out[w] ? gelu_fwd_faithful_edges(F, xv[w], &low, &q->uflow) : gelu_fwd_faithful_central(T, xv[w]);
        if (!GELU_FWD_FQUEUE && low) {
            _Static_assert(GELU_FWD_FQUEUE || GELU_VW_LANES == 1, "without the queue a register is one lane");
            f = gelu_fwd_faithful_ftail(F, xv[w], &q->uflow);
            low = 0;
        }
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

/* Fewer than a group's floats through buffers, with the (empty) queue q: zeros pad them, and x
   is read first. */
static void gelu_fwd_faithful_partial(const struct gelu_fwd_form *F, const float *x, float *y, size_t n,
                                      struct gelu_fwd_fqueue *q)
{
    _Alignas(64) float xb[GELU_FWD_FGROUP] = {0}, yb[GELU_FWD_FGROUP];
    memcpy(xb, x, n * sizeof(float));
    gelu_fwd_faithful_group(F, xb, yb, q, 0);
    gelu_fwd_faithful_flush(F, q, yb);
    memcpy(y, yb, n * sizeof(float));
}

/*
 * Chunks of GELU_FWD_FCHUNK floats: the groups write y, the chunk's tail lanes are finished
 * into it afterwards. x is read before y is written: in place, a chunk's output lies within
 * its input.
 */
static GELU_FWD_ALWAYS void gelu_fwd_run_faithful(const struct gelu_fwd_form *F, const float *x, float *y, size_t n)
{
    size_t i = 0;
    struct gelu_fwd_fqueue q;
    q.n = q.nreg = 0;
    q.uflow = 0;
    while (i + GELU_FWD_FGROUP <= n) {
        size_t len = n - i < GELU_FWD_FCHUNK ? (n - i) / GELU_FWD_FGROUP * GELU_FWD_FGROUP : GELU_FWD_FCHUNK;
        for (size_t k = 0; k < len; k += GELU_FWD_FGROUP) {
            gelu_fwd_prefetch(x + i + k, GELU_FWD_FGROUP);
            gelu_fwd_faithful_group(F, x + i + k, y + i + k, &q, k / GELU_VW_LANES);
        }
        if (q.n)
            gelu_fwd_faithful_flush(F, &q, y + i);
        i += len;
    }
    if (i < n)
        gelu_fwd_faithful_partial(F, x + i, y + i, n - i, &q);
    if (q.uflow)
        gelu_fwd_raise_underflow();
}

#endif
