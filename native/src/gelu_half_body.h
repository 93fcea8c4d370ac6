/*
 * 16-bit storage (bf16, f16), correctly rounded, written once over a SIMD wrapper, with no
 * input on a slow path. Include after one of simd/gelu_simd_<isa>.h, the forward kernels'
 * bodies and the instantiating file's choices:
 *
 * GELU_HALF_ISA     the name suffix (scalar, avx2, avx512, neon)
 * GELU_HALF_NB      registers a group holds
 *
 * The output is stored normally at every n: measured against non-temporal stores (AVX-512,
 * n = 2^24, N(0, 1), thread CPU time), the 16-bit kernels ran 1.08 to 1.34 times as fast so,
 * and alike at 2^18 and 2^20.
 *
 * A 16-bit input has 65,536 values (gelu_half_input.h): on the ISAs that set
 * GELU_HALF_INPUT_POLY (AVX-512), |x| <= 8 takes a float polynomial whose rounding to the
 * format was checked on every such input (gen_half_input.py), so it needs no rounding test;
 * the other inputs, and every input on the other ISAs, are a load from the table of every
 * input's result (gelu_half_tables.c), which this ISA's narrowing kernel fills on first use.
 *
 * A float input (the narrowing kernels): y = fma(-|x|, Q, max(0, x)) in float with Q from
 * gelu_half_coeffs.h (32 pieces, one table lookup per coefficient), a full register of floats
 * (gelu_vw) an instruction. Below |x| = 4, Q is the table's polynomial (16 pieces of width 1/4);
 * from 4 on (the tail) Q = R E, R the table's polynomial (16 pieces of width 1) and E an
 * exponential in float (gelu_half_tail_e), computed for a chunk's tail lanes packed into full
 * registers (gelu_half_tails; E = 1 exactly below 4). y is within GELU_HALF_ULPS float ulps of
 * the exact value for x > -4 and within the form's TAIL_ULPS for x <= -4 (gelu_half_ulps
 * measures both bounds); a register with a tail lane takes the tail's bound for all its lanes.
 * The 16-bit rounding of y is then decided unless y lies within that many ulps of a 16-bit
 * midpoint, which a window test on the float's low bits sees (16 bits for bf16; 13 for f16,
 * whose normal range only is taken there), or, for f16 in a register with a tail lane (the
 * negative tail's results are mostly f16 subnormals), unless y (1 -+ the bound) round apart.
 * Below -A_SCALE, where y leaves float's normal range (bf16's results down to its least
 * subnormal, at -A_MAX), E, Q and y are 2^64 times their values and gelu_half_decide takes
 * the bf16 bits from y's; at or below -A_MAX the result is -0 (f16's results are -0 there
 * already: its lanes below -A_SCALE are out of its range, known from x). The lanes it leaves (NaN, the
 * infinities, the undecided ones, a few in 10^4) are queued and finished together in double
 * (gelu_half_flush): x in [-13.5, -12.6] erf, whose lanes were left to it, ran 0.28 Gelem/s
 * (a tenth of N(0, 1)), 1.0 through the float path.
 *
 * The 16-bit backward is a lookup in the table of GELU' and one exact product (gelu_half_bwd_run).
 */
#ifndef GELU_HALF_BODY_H
#define GELU_HALF_BODY_H

#include <math.h>

#include "gelu_forward_ref.h"
#include "gelu_half_coeffs.h"
#include "gelu_half_hard_cases.h"

#define GELU_HALF_ALWAYS inline __attribute__((always_inline))
#define GELU_HALF_EACH(nb)  \
    _Pragma("GCC unroll 8") \
    for (int b = 0; b < (nb); b++)
#define GELU_HALF_CAT2(a, b) a##_##b
#define GELU_HALF_CAT(a, b) GELU_HALF_CAT2(a, b)
#define GELU_HALF_ALL ((1u << GELU_VW_LANES) - 1)
#define GELU_HALF_GROUP (GELU_HALF_NB * GELU_VW_LANES)

/* The fast path's table of Q and R, its tail's constants (gelu_half_tail_e) and bound in float
   ulps, and the exact path's hard cases (bf16,
   f16): the inputs whose y (1 -+ 2^-40) round differently and whose lower rounding is wrong,
   with their results. */
struct gelu_half_form {
    const float (*coef)[32];
    float a_scale, a_max, g4;
    int tail_ulps;
    const uint32_t (*hard[2])[2];
    size_t n_hard[2];
};
#define GELU_HALF_HARD(form, FORM)                                            \
    {gelu_half_hard_cases_##form##_bf16, gelu_half_hard_cases_##form##_f16},  \
    {                                                                         \
        GELU_HALF_HARD_CASES_##FORM##_BF16, GELU_HALF_HARD_CASES_##FORM##_F16 \
    }
#define GELU_HALF_FORM(form, FORM)                                                                            \
    {                                                                                                         \
        gelu_half_##form##_coef, GELU_HALF_##FORM##_A_SCALE, GELU_HALF_##FORM##_A_MAX, GELU_HALF_##FORM##_G4, \
            GELU_HALF_##FORM##_TAIL_ULPS, GELU_HALF_HARD(form, FORM)                                          \
    }
static const struct gelu_half_form gelu_half_forms[] = {
    [GELU_FORM_ERF] = GELU_HALF_FORM(erf, ERF),
    [GELU_FORM_TANH] = GELU_HALF_FORM(tanh, TANH),
    [GELU_FORM_QUICK] = GELU_HALF_FORM(quick, QUICK),
};

/*
 * The tail's E(a) = exp(-(G(a) - G4)) for a held to [4, A_SCALE] (gen_half.py); for bf16 to
 * [4, A_MAX], times 2^GELU_HALF_DEEP_SCALE for a > A_SCALE, where E, Q and y would leave float's
 * normal range (there a positive x's y is x still: x Q 2^64 is below 2^-42 x; f16's results
 * are -0 below -A_SCALE, which its range leaves to gelu_half_leave). G = g - e
 * exactly (the product's rounding error by an fma), -n = round(-(g - G4) / ln 2),
 * r = G - G4 - n ln 2 (g - n ln2_hi and the subtraction of G4 are exact), E = 2^-n (1 + r S(r)).
 * erf works with 2G = a^2 (one product less), so with 2 ln 2 and 2r, S's coefficients scaled to
 * match; there g - 2G4 is exact. At a = 4, g = G4 and e = 0 give n = 0, r = 0 and E = 1 exactly.
 */
static GELU_HALF_ALWAYS gelu_vw gelu_half_tail_e(enum gelu_form form, enum gelu_half type, gelu_vw ax)
{
    const struct gelu_half_form *f = &gelu_half_forms[form];
    const int erf = form == GELU_FORM_ERF, bf16 = type == GELU_HALF_BF16;
    const float k = erf ? 2.0f : 1.0f, g4 = k * f->g4;
    gelu_vw a = gelu_vw_min(gelu_vw_max(ax, gelu_vw_set1(4.0f)), gelu_vw_set1(bf16 ? f->a_max : f->a_scale));
    unsigned deep = bf16 ? gelu_vw_lt(gelu_vw_set1(f->a_scale), ax) : 0;
    gelu_vw g, e;
    if (form == GELU_FORM_TANH) {
        /* C3 a^3 + a: a^2 = h - hn, a h = c - cn, a^3 = c - (cn + a hn), C3 c = p - pn exactly, and
           p + a = g - sn exactly (p >= a here: a fast two-sum) */
        const gelu_vw c3 = gelu_vw_set1(GELU_HALF_TANH_C3);
        gelu_vw h = gelu_vw_mul(a, a), hn = gelu_vw_fnma(a, a, h), cu = gelu_vw_mul(a, h), cn = gelu_vw_fnma(a, h, cu);
        gelu_vw p = gelu_vw_mul(c3, cu), pn = gelu_vw_fnma(c3, cu, p);
        g = gelu_vw_add(p, a);
        gelu_vw sn = gelu_vw_sub(gelu_vw_sub(g, p), a);
        e = gelu_vw_add(gelu_vw_fma(c3, gelu_vw_fma(a, hn, cn), pn), sn);
    } else { /* erf: a^2; quick: a C */
        gelu_vw c = form == GELU_FORM_ERF ? a : gelu_vw_set1(GELU_HALF_QUICK_C);
        g = gelu_vw_mul(a, c);
        e = gelu_vw_fnma(a, c, g);
    }
    gelu_vw d = gelu_vw_sub(g, gelu_vw_set1(g4));
    gelu_vw mn = gelu_vw_round(gelu_vw_mul(d, gelu_vw_set1(-GELU_HALF_LOG2E / k)));
    gelu_vw r = gelu_vw_fma(mn, gelu_vw_set1(k * GELU_HALF_LN2_HI), erf ? d : g);
    if (!erf)
        r = gelu_vw_sub(r, gelu_vw_set1(g4));
    r = gelu_vw_sub(gelu_vw_fma(mn, gelu_vw_set1(k * GELU_HALF_LN2_LO), r), e);
    float scale = 1.0f / k; /* (1 + (r/k) S(r/k)): coefficient j of S over k^(j+1), exactly */
    for (int j = 0; j < GELU_HALF_EXP_DEGREE; j++)
        scale /= k;
    gelu_vw s = gelu_vw_set1(gelu_half_exp_s[GELU_HALF_EXP_DEGREE] * scale);
    for (int j = GELU_HALF_EXP_DEGREE - 1; j >= 0; j--) {
        scale *= k;
        s = gelu_vw_fma(s, r, gelu_vw_set1(gelu_half_exp_s[j] * scale));
    }
    if (bf16)
        mn = gelu_vw_add(mn, gelu_vw_select(deep, gelu_vw_set1(GELU_HALF_DEEP_SCALE), gelu_vw_zero()));
    return gelu_vw_scalef(gelu_vw_fma(r, s, gelu_vw_set1(1.0f)), mn);
}

/* Q from the table: r = min(4a, a + 12) is 4a below 4 (exact) and a + 12 from 4 on (within
   2^-20), so k picks the piece and t = r - k - 1/2 is in [-1/2, 1/2). 4a is fma(a, 4, 2^-100):
   the same float wherever t depends on it (below 2^-76 both give t = -1/2), but never subnormal:
   a subnormal that one instruction writes and another reads costs an assist on x86 (Zen 5: the
   narrowing kernels ran subnormal x at a third of N(0, 1)'s speed; loaded from memory, a
   subnormal costs nothing). */
static GELU_HALF_ALWAYS gelu_vw gelu_half_q(enum gelu_form form, gelu_vw ax)
{
    const float(*c)[32] = gelu_half_forms[form].coef;
    gelu_vw r = gelu_vw_min(gelu_vw_fma(ax, gelu_vw_set1(4.0f), gelu_vw_set1(0x1p-100f)),
                            gelu_vw_add(ax, gelu_vw_set1(12.0f)));
    r = gelu_vw_min(r, gelu_vw_set1(GELU_HALF_R_MAX));
    gelu_vwi k = gelu_vw_trunc(r);
    gelu_vw t = gelu_vw_sub(gelu_vw_sub(r, gelu_vwi_to_vw(k)), gelu_vw_set1(0.5f));
    gelu_vw q = gelu_vw_lookup32(c[GELU_HALF_DEGREE], k);
    _Pragma("GCC unroll 8") /* unrolled, the table rows stay in registers across the loop */
    for (int j = GELU_HALF_DEGREE - 1; j >= 0; j--)
        q = gelu_vw_fma(q, t, gelu_vw_lookup32(c[j], k));
    return q;
}

/* Lanes that the fast path cannot take: -inf, +inf, NaN, and for f16 x < -A_SCALE (all -0)
   (quiet compares). */
static GELU_HALF_ALWAYS unsigned gelu_half_out_of_range(enum gelu_form form, enum gelu_half type, gelu_vw x)
{
    float lo = type == GELU_HALF_BF16 ? -FLT_MAX : -gelu_half_forms[form].a_scale;
    return ~(gelu_vw_ge(x, gelu_vw_set1(lo)) & gelu_vw_lt(x, gelu_vw_set1(INFINITY))) & GELU_HALF_ALL;
}

/*
 * y rounded to bf16 or f16, and the lanes where that rounding is not decided. with_tail: the
 * register holds tail lanes; for a form whose tail bound is small (GELU_HALF_ONE_WINDOW) that
 * bound then serves the whole register, else the negative tail's lanes (tail) take it. f16 with
 * that bound: decided where y (1 -+ the bound) round alike, any y (f16's subnormal results, most
 * of the negative tail's, included; a float subnormal y is far below f16's least subnormal).
 */
#define GELU_HALF_ONE_WINDOW 16
static GELU_HALF_ALWAYS gelu_vh gelu_half_decide(enum gelu_form form, enum gelu_half type, gelu_vw y, unsigned tail,
                                                 int with_tail, unsigned deep, unsigned *undecided)
{
    const int tu = gelu_half_forms[form].tail_ulps, one = with_tail && tu <= GELU_HALF_ONE_WINDOW;
    gelu_vwi b = gelu_vw_bits(y), off = gelu_vwi_set1(0);
    if (type == GELU_HALF_BF16 && deep) {
        /* y is 2^64 times the value there, and negative. A normal result is y's bf16 bits less
           64 in the exponent (0x2000). Below bf16's normal range, the value's quantum 2^-133 is
           2^-69 here, as it is for the floats of [2^-62, 2^-61): z = y - 2^-62 rounds to bf16 as
           the value does, and the result is z's bits less 2^-62's (0x2080; k 2^-133 has the bits
           k, and 2^-126 those of 2^-61 less 2^-62's). z's rounding adds half an ulp of z, to an
           error of at most half the bound in ulps of z: the window holds. Nothing subnormal is
           computed (a subnormal would be flushed under FTZ, and costs an assist). */
        _Static_assert(GELU_HALF_DEEP_SCALE == 64, "the offsets are 2^64's");
        unsigned sub = deep & gelu_vw_lt(gelu_vw_set1(-0x1p-62f), y);
        y = gelu_vw_add(y, gelu_vw_select(sub, gelu_vw_set1(-0x1p-62f), gelu_vw_set1(-0.0f)));
        b = gelu_vw_bits(y);
        off = gelu_vw_bits(
            gelu_vw_select(sub, gelu_vwi_as_vw(gelu_vwi_set1(-0x2080)),
                           gelu_vw_select(deep, gelu_vwi_as_vw(gelu_vwi_set1(-0x2000)), gelu_vwi_as_vw(off))));
    }
    if (type == GELU_HALF_BF16) {
        const int wu = one ? tu : GELU_HALF_ULPS;
        gelu_vwi w = gelu_vwi_and(gelu_vwi_add(b, gelu_vwi_set1(wu - 0x8000)), gelu_vwi_set1(0xFFFF));
        *undecided = gelu_vwi_le(w, gelu_vwi_set1(2 * wu));
        if (with_tail && !one) {
            w = gelu_vwi_and(gelu_vwi_add(b, gelu_vwi_set1(tu - 0x8000)), gelu_vwi_set1(0xFFFF));
            *undecided = (*undecided & ~tail) | (gelu_vwi_le(w, gelu_vwi_set1(2 * tu)) & tail);
        }
        /* no tie reaches here, so adding half an ulp and truncating is round to nearest */
        gelu_vwi h = gelu_vwi_shr(gelu_vwi_add(b, gelu_vwi_set1(0x8000)), 16);
        return gelu_vwi_narrow16(deep ? gelu_vwi_add(h, off) : h);
    }
    gelu_vh h = gelu_vw_to_f16(y);
    unsigned apart = 0;
    if (with_tail) { /* y is within (tu + 1) 2^-23 |y| less half an ulp (the fma's rounding) of the exact value */
        gelu_vw ay = gelu_vw_abs(y), eps = gelu_vw_set1((float)(tu + 1) * 0x1p-23f);
        gelu_vw lo = gelu_vh_f16_to_vw(gelu_vw_to_f16(gelu_vw_fnma(ay, eps, y)));
        gelu_vw hi = gelu_vh_f16_to_vw(gelu_vw_to_f16(gelu_vw_fma(ay, eps, y)));
        apart = ~gelu_vwi_eq(gelu_vw_bits(lo), gelu_vw_bits(hi)) & GELU_HALF_ALL;
        if (one) {
            *undecided = apart;
            return h;
        }
    }
    gelu_vwi ab = gelu_vwi_and(b, gelu_vwi_set1(0x7FFFFFFF));
    /* f16's normal range, below 65504; and |y| <= 2^-26, whose exact value is below half f16's
       least subnormal, so a zero of y's sign (tiny x: the queue took them at a seventh of N(0, 1)'s
       speed) */
    unsigned taken = gelu_vwi_in_range(ab, 0x38800000, 0x477FE000) | gelu_vwi_le(ab, gelu_vwi_set1(0x32800000));
    gelu_vwi w = gelu_vwi_and(gelu_vwi_add(b, gelu_vwi_set1(GELU_HALF_ULPS - 0x1000)), gelu_vwi_set1(0x1FFF));
    *undecided = gelu_vwi_le(w, gelu_vwi_set1(2 * GELU_HALF_ULPS)) | (~taken & GELU_HALF_ALL);
    if (with_tail)
        *undecided = (*undecided & ~tail) | (apart & tail);
    return h;
}

/*
 * y (finite) rounded to the format's precision, ties to even, in double: adding and
 * subtracting c = 1.5 2^(q + 52), q the exponent of y's last kept bit (at least the least
 * subnormal's), rounds |y| to a multiple of 2^q, and y's sign goes back on (gelu_half.c's
 * round_to_format, without branches; zeros keep their sign). c is 2^e (y's exponent field
 * alone) times a constant, exactly.
 */
static GELU_HALF_ALWAYS gelu_vd gelu_half_round_vd(enum gelu_half type, gelu_vd y)
{
    int bf16 = type == GELU_HALF_BF16;
    gelu_vi bits = gelu_vd_bits(y);
    gelu_vd e = gelu_vd_from_bits(gelu_vi_and(bits, gelu_vi_set1(0x7FF0000000000000ll)));
    gelu_vd c = gelu_vd_max(gelu_vd_mul(e, GELU_FWD_SET1(bf16 ? 0x1.8p45 : 0x1.8p42)),
                            GELU_FWD_SET1(bf16 ? 0x1.8p-81 : 0x1.8p28));
    gelu_vd r = gelu_vd_sub(gelu_vd_add(gelu_vd_abs(y), c), c);
    return gelu_vd_from_bits(
        gelu_vi_or(gelu_vd_bits(r), gelu_vi_and(bits, gelu_vi_set1((long long)0x8000000000000000ull))));
}

/* The rounded floats (values of the format, or NaNs) as the format's bits: exact conversions. */
static GELU_HALF_ALWAYS gelu_vh gelu_half_bits(enum gelu_half type, gelu_vw r)
{
    return type == GELU_HALF_BF16 ? gelu_vwi_narrow16(gelu_vwi_shr(gelu_vw_bits(r), 16)) : gelu_vw_to_f16(r);
}

/*
 * The exact path on a part of a register, any x: the steps of gelu_half.c's double path and
 * of HalfMath.forward, by selects. y is the correctly rounded kernels' double (within 2^-40 of
 * the exact value, gelu_forward_ref.h) times 1 - 2^-40, rounded once to the format: where
 * y (1 -+ 2^-40) round differently the lower one is right but for the hard cases, a handful
 * of inputs compared here. Before that, the values known without y: |x| < 2^-30 gives x/2 one
 * double ulp toward +inf (GELU(x) = x/2 + c x^2, c > 0, lies strictly between x/2 and any
 * other rounding boundary); x >= 20 the double below x (GELU(x) is x less than 2^-49 x);
 * x <= -amax gives -0; +inf itself; a NaN is quieted. Every lane is finite before the
 * rounding, so it raises nothing the old path did not.
 */
static GELU_HALF_ALWAYS gelu_vf gelu_half_exact_part(enum gelu_form form, enum gelu_half type, gelu_vf xf)
{
    const struct gelu_fwd_form *F = &gelu_fwd_forms[form];
    const struct gelu_half_form *H = &gelu_half_forms[form];
    gelu_vd xd = gelu_vf_to_vd(xf), zero = gelu_vd_zero();
    gelu_vi one = gelu_vi_set1(1);
    gelu_vd y = gelu_vd_mul(gelu_fwd_ref_y(F, xd), GELU_FWD_SET1(GELU_FLAG_LO));
    gelu_vd top = gelu_vd_min(xd, GELU_FWD_SET1(FLT_MAX)); /* +inf: any finite value, replaced below */
    y = gelu_vd_select(gelu_vd_ge(xd, GELU_FWD_SET1(20.0)), gelu_vd_from_bits(gelu_vi_sub(gelu_vd_bits(top), one)), y);
    gelu_vi half = gelu_vd_bits(gelu_vd_mul(xd, GELU_FWD_SET1(0.5)));
    gelu_vd up = gelu_vd_select(gelu_vd_lt(xd, zero), gelu_vd_from_bits(gelu_vi_sub(half, one)),
                                gelu_vd_from_bits(gelu_vi_add(half, one)));
    up = gelu_vd_select(gelu_vd_eq(xd, zero), xd, up);
    y = gelu_vd_select(gelu_vd_lt(gelu_vd_abs(xd), GELU_FWD_SET1(0x1p-30)), up, y);
    y = gelu_vd_select(gelu_vd_le(xd, GELU_FWD_SET1(-F->amax)), GELU_FWD_SET1(-0.0), y);
    gelu_vm inf = gelu_vd_eq(xd, GELU_FWD_SET1(INFINITY));
    y = gelu_vd_select(gelu_vm_from_bits(gelu_vm_bits(inf) | gelu_vm_bits(gelu_vd_ne(xd, xd))), zero, y);
    gelu_vf r = gelu_vd_to_vf(gelu_half_round_vd(type, y));
    r = gelu_vf_select(inf, gelu_vf_from_bits(0x7F800000u), r);
    r = gelu_vf_blend(gelu_vf_isnan(xf), gelu_vf_quiet(xf), r);
    for (size_t k = 0; k < H->n_hard[type]; k++) {
        const uint32_t *row = H->hard[type][k];
        float v = type == GELU_HALF_BF16 ? gelu_bf16_to_f32((uint16_t)row[1]) : gelu_f16_to_f32((uint16_t)row[1]);
        unsigned hit = ~gelu_vf_bits_ne(xf, gelu_vf_from_bits(row[0])) & ((1u << GELU_VD_LANES) - 1);
        r = gelu_vf_select(gelu_vm_from_bits(hit), gelu_vf_from_bits(gelu_bits32(v)), r);
    }
    return r;
}

/* A register of floats through the exact path, a half at a time. */
static GELU_HALF_ALWAYS gelu_vh gelu_half_exact(enum gelu_form form, enum gelu_half type, gelu_vw x)
{
    gelu_vf lo = gelu_half_exact_part(form, type, gelu_vw_lo(x));
    gelu_vf hi = gelu_half_exact_part(form, type, gelu_vw_hi(x));
    return gelu_half_bits(type, gelu_vw_join(lo, hi));
}

/* 16-bit values of the type, widened exactly. */
static GELU_HALF_ALWAYS gelu_vw gelu_half_widen(enum gelu_half type, gelu_vh h)
{
    return type == GELU_HALF_F16 ? gelu_vh_f16_to_vw(h) : gelu_vh_bf16_to_vw(h);
}

/*
 * The narrowing kernels' lanes that the fast path leaves, gathered from a chunk of the output
 * and then finished together, a group of full registers at a time (a register with one such
 * lane would otherwise take the exact path whole: on uniform[-8, 8] nearly all of them): each
 * lane's x and its place in the chunk.
 *
 * The groups with a tail lane (|x| >= 4) wait too, so that E runs on the chunk's tail lanes
 * packed into full registers (on uniform[-8, 8] half the lanes, but nearly every register
 * holds some; E on every such register whole took 45% of the time there, tanh): each such
 * group's Q at its place in the chunk, its place and where its x is read again (gx): the input
 * itself, or a copy at its place (keep_x: where y overlaps x, later groups' outputs would
 * overwrite it; and for the partial group, whose x is a buffer; copying always took 3-5% longer
 * on uniform[-8, 8]), and the tail lanes' |x|, in their order, then their E.
 */
#define GELU_HALF_CHUNK (16 * GELU_HALF_GROUP)
struct gelu_half_queue {
    _Alignas(64) float x[GELU_HALF_CHUNK + GELU_FWD_GROUP + GELU_HALF_GROUP];
    uint32_t at[GELU_HALF_CHUNK + GELU_VW_LANES];
    size_t n;
    _Alignas(64) float tx[GELU_HALF_CHUNK], tq[GELU_HALF_CHUNK], te[GELU_HALF_CHUNK + GELU_VW_LANES];
    uint32_t groups[GELU_HALF_CHUNK / GELU_HALF_GROUP];
    const float *gx[GELU_HALF_CHUNK / GELU_HALF_GROUP];
    size_t n_groups, n_tail;
    int keep_x;
};

static GELU_HALF_ALWAYS void gelu_half_store(uint16_t *y, const gelu_vh *out)
{
    GELU_HALF_EACH(GELU_HALF_NB)
        gelu_vh_storeu(y + GELU_VW_LANES * b, out[b]);
}

/* A group's y and its 16-bit roundings; e: the registers' E (1 below |x| = 4), or NULL where
   no lane has |x| >= 4. A register with such a lane takes the negative tail's wider window
   (x <= -4; for x >= 4, Q < 2^-9.8 keeps the error of Q out of y's bound). */
/*
 * x at or below which the correctly rounded result is -0, bf16 and f16: there |GELU(x)| is below
 * half the least subnormal (2^-134, 2^-25), from x = -13.5615 (erf), -10.3332 (tanh), -56.9470
 * (quick) for bf16 and -5.7239, -5.2886, -11.6226 for f16 (MPFR, by bisection; GELU is monotone
 * there), rounded outward; from gen_half.py, which asserts both.
 */
static const float gelu_half_zero_below[][2] = {
    [GELU_FORM_ERF] = {-GELU_HALF_ERF_A_MAX, GELU_HALF_ERF_F16_ZERO_BELOW},
    [GELU_FORM_TANH] = {-GELU_HALF_TANH_A_MAX, GELU_HALF_TANH_F16_ZERO_BELOW},
    [GELU_FORM_QUICK] = {-GELU_HALF_QUICK_A_MAX, GELU_HALF_QUICK_F16_ZERO_BELOW},
};

/*
 * NaN and the infinities never reach the fast path's arithmetic (min, max and the conversions
 * raise invalid on a quiet NaN, inf - inf and inf 0 on an infinity; IEEE 754 asks nothing of
 * GELU for them): the path reads |x| held at 2^64 by its bits, an integer min that raises
 * nothing (Q, E and the test |x| >= 4 are the same for every |x| >= 2^64: r is held at R_MAX, a
 * at A_MAX), and a group with such a lane computes y on x with them set to 1 (nothing
 * overflows); gelu_half_leave gives their results from x.
 */
static GELU_HALF_ALWAYS gelu_vw gelu_half_abs_held(gelu_vw v)
{
    return gelu_vwi_as_vw(gelu_vwi_min_u(gelu_vw_bits(gelu_vw_abs(v)), gelu_vwi_set1(0x5F800000)));
}
static GELU_HALF_ALWAYS void gelu_half_finite(const gelu_vw *v, gelu_vw *vs)
{
    GELU_HALF_EACH(GELU_HALF_NB) {
        unsigned finite = gelu_vwi_le(gelu_vwi_and(gelu_vw_bits(v[b]), gelu_vwi_set1(0x7FFFFFFF)),
                                      gelu_vwi_set1(0x7F7FFFFF));
        vs[b] = gelu_vw_select(finite, v[b], gelu_vw_set1(1.0f));
    }
}

static GELU_HALF_ALWAYS void gelu_half_finish(enum gelu_form form, enum gelu_half type, const gelu_vw *v,
                                              const gelu_vw *q, const unsigned *big, const gelu_vw *e, gelu_vh *out,
                                              unsigned *slow)
{
    GELU_HALF_EACH(GELU_HALF_NB) {
        gelu_vw ax = gelu_vw_abs(v[b]), qb = q[b];
        unsigned tail = 0, deep = 0;
        if (e && big[b]) {
            qb = gelu_vw_mul(qb, e[b]);
            tail = gelu_half_forms[form].tail_ulps <= GELU_HALF_ONE_WINDOW ? GELU_HALF_ALL
                                                                           : gelu_vw_le(v[b], gelu_vw_set1(-4.0f));
            if (type == GELU_HALF_BF16)
                deep = gelu_vw_lt(v[b], gelu_vw_set1(-gelu_half_forms[form].a_scale));
        }
        /* max(0, x) returns x when both are zeros, so -0 stays -0 */
        gelu_vw y = gelu_vw_fnma(ax, qb, gelu_vw_max(gelu_vw_zero(), v[b]));
        if (deep) /* y scaled; x <= -A_MAX gives -0 (a is held there) */
            y = gelu_vw_select(gelu_vw_le(v[b], gelu_vw_set1(-gelu_half_forms[form].a_max)), gelu_vw_set1(-0.0f), y);
        out[b] = gelu_half_decide(form, type, y, tail, e && tail, deep, &slow[b]);
    }
}

/* The lanes of a group that the fast path leaves (slow, and those out of its range) to q,
   their places counted from `at`. */
static GELU_HALF_ALWAYS void gelu_half_leave(enum gelu_form form, enum gelu_half type, const gelu_vw *v, gelu_vh *out,
                                             unsigned *slow, struct gelu_half_queue *q, size_t at)
{
    unsigned any = 0;
    GELU_HALF_EACH(GELU_HALF_NB) {
        slow[b] |= gelu_half_out_of_range(form, type, v[b]);
        any |= slow[b];
    }
    if (any) {
        /* the lanes whose result x gives: -0 (x in [-60, -12] ran 0.13-0.17 of N(0, 1) through q),
           a NaN quieted, +inf (10 % NaN or infinities ran 0.33-0.45 through q) */
        unsigned zero[GELU_HALF_NB], nan[GELU_HALF_NB], inf[GELU_HALF_NB], any_known = 0;
        GELU_HALF_EACH(GELU_HALF_NB) {
            zero[b] = slow[b] & gelu_vw_le(v[b], gelu_vw_set1(gelu_half_zero_below[form][type]));
            nan[b] = slow[b] & gelu_vw_nge(v[b], gelu_vw_set1(-INFINITY));
            inf[b] = slow[b] & gelu_vw_ge(v[b], gelu_vw_set1(INFINITY));
            slow[b] &= ~(zero[b] | nan[b] | inf[b]);
            any_known |= zero[b] | nan[b] | inf[b];
        }
        if (any_known) /* through floats: widening and narrowing back are exact, as the exact path's */
            GELU_HALF_EACH(GELU_HALF_NB) {
                gelu_vw w = gelu_vw_select(zero[b], gelu_vw_set1(-0.0f), gelu_half_widen(type, out[b]));
                w = gelu_vw_select(inf[b], v[b], w);
                /* x + 0 quiets a NaN (its payload kept) and raises invalid for a signalling one */
                w = gelu_vw_select(nan[b], gelu_vw_add(v[b], gelu_vw_zero()), w);
                out[b] = gelu_half_bits(type, w);
            }
        GELU_HALF_EACH(GELU_HALF_NB) {
            gelu_lanes_compress(q->at + q->n, slow[b], (unsigned)(at + GELU_VW_LANES * b));
            q->n += gelu_vw_compress(q->x + q->n, slow[b], v[b]);
        }
    }
}

/* The lanes of the group whose results are not known from x: 1 when at most GELU_HALF_FEW of
   them are, and every other lies at or below gelu_half_zero_below (its result -0) or out of the
   fast path's range (x < -A_MAX, +inf, NaN). gelu_half_leave then finishes the group without Q
   or E, the few through q's exact path with the lanes out of range (x in [-60, -12] ran 0.4 of
   N(0, 1) computing both for every lane and throwing most away; erf bf16, where 1 % of those
   lanes, x in [-12.5, -12], need the tail, half its groups). */
#define GELU_HALF_FEW 4
static GELU_HALF_ALWAYS int gelu_half_known(enum gelu_form form, enum gelu_half type, const gelu_vw *v, int few)
{
    int unknown = 0;
    GELU_HALF_EACH(GELU_HALF_NB)
        unknown += __builtin_popcount(~(gelu_vw_le(v[b], gelu_vw_set1(gelu_half_zero_below[form][type])) |
                                        gelu_half_out_of_range(form, type, v[b])) &
                                      GELU_HALF_ALL);
    return unknown <= few;
}

/* A group whose every x is at or below gelu_half_zero_below (-inf too) into y as -0s, before
   any Q (x in [-60, -14], erf bf16: 1.3 Gelem/s through the group's path, which computes Q for
   every lane and throws it away); or one whose results are known from x but for a few
   (gelu_half_known), the few to q. Returns 0, having written nothing, for any other group. */
static __attribute__((noinline)) int gelu_half_known_group(enum gelu_form form, enum gelu_half type, const float *x,
                                                           uint16_t *y, struct gelu_half_queue *q, size_t at)
{
    gelu_vw v[GELU_HALF_NB];
    GELU_HALF_EACH(GELU_HALF_NB)
        v[b] = gelu_vw_loadu(x + GELU_VW_LANES * b);
    if (!gelu_half_known(form, type, v, GELU_HALF_FEW))
        return 0;
    gelu_vh out[GELU_HALF_NB];
    unsigned slow[GELU_HALF_NB];
    GELU_HALF_EACH(GELU_HALF_NB) {
        out[b] = gelu_half_bits(type, gelu_vw_zero());
        slow[b] = GELU_HALF_ALL;
    }
    gelu_half_leave(form, type, v, out, slow, q, at);
    gelu_half_store(y, out);
    return 1;
}
static __attribute__((noinline)) int gelu_half_far_group(enum gelu_form form, enum gelu_half type, const float *x,
                                                         uint16_t *y, struct gelu_half_queue *q, size_t at)
{
    int other = 0;
    GELU_HALF_EACH(GELU_HALF_NB)
        other += __builtin_popcount(
            ~gelu_vw_le(gelu_vw_loadu(x + GELU_VW_LANES * b), gelu_vw_set1(gelu_half_zero_below[form][type])) &
            GELU_HALF_ALL);
    /* apart, as its frame cost the all -0 groups a fifth; and only where it may apply (a lane
       out of range, NaN or an infinity, is known too, but rare) */
    if (other)
        return other <= GELU_HALF_FEW ? gelu_half_known_group(form, type, x, y, q, at) : 0;
    gelu_vh out[GELU_HALF_NB];
    GELU_HALF_EACH(GELU_HALF_NB)
        out[b] = gelu_half_bits(type, gelu_vw_set1(-0.0f));
    gelu_half_store(y, out);
    return 1;
}

/* A group of a float input, `at` in the chunk: GELU_HALF_NB registers by the fast path, the
   lanes it leaves to q; or, with a lane of |x| >= 4 and registers of more than one lane, the
   group to q's waiting groups. Returns whether y was written. few: GELU_HALF_FEW, or 0 where the
   group is padded (gelu_half_partial_narrow: its padding lanes must never reach q, whose results
   go to y at their places). */
static GELU_HALF_ALWAYS int gelu_half_group_narrow(enum gelu_form form, enum gelu_half type, const float *x,
                                                   uint16_t *y, struct gelu_half_queue *q, size_t at, int keep_x,
                                                   int few)
{
    gelu_vw v[GELU_HALF_NB], qv[GELU_HALF_NB], ax[GELU_HALF_NB];
    gelu_vh out[GELU_HALF_NB];
    unsigned slow[GELU_HALF_NB], big[GELU_HALF_NB], any_big = 0;
    GELU_HALF_EACH(GELU_HALF_NB) {
        v[b] = gelu_vw_loadu(x + GELU_VW_LANES * b);
        ax[b] = gelu_half_abs_held(v[b]);
        qv[b] = gelu_half_q(form, ax[b]);
        big[b] = gelu_vw_ge(ax[b], gelu_vw_set1(4.0f));
        any_big |= big[b];
    }
    gelu_vw e[GELU_HALF_NB], vs[GELU_HALF_NB];
    if (__builtin_expect(any_big == 0, 1)) { /* every |x| < 4: no NaN, no infinity */
        gelu_half_finish(form, type, v, qv, big, NULL, out, slow);
    } else if (GELU_VW_LANES == 1) { /* nothing to pack (scalar: waiting took 8-14% longer on uniform[-8, 8]) */
        GELU_HALF_EACH(GELU_HALF_NB)
            e[b] = gelu_half_tail_e(form, type, ax[b]);
        gelu_half_finite(v, vs);
        gelu_half_finish(form, type, vs, qv, big, e, out, slow);
    } else if (islessequal(x[0], gelu_half_zero_below[form][type]) && gelu_half_known(form, type, v, few)) {
        /* no lane needs Q or E: each is -0, or out of the fast path's range or one of the few
           (left to q's exact path) */
        GELU_HALF_EACH(GELU_HALF_NB) {
            out[b] = gelu_half_bits(type, gelu_vw_zero());
            slow[b] = GELU_HALF_ALL;
        }
    } else {
        GELU_HALF_EACH(GELU_HALF_NB) {
            if (keep_x)
                gelu_vw_storeu(q->tx + at + GELU_VW_LANES * b, v[b]);
            gelu_vw_storeu(q->tq + at + GELU_VW_LANES * b, qv[b]);
            q->n_tail += gelu_vw_compress(q->te + q->n_tail, big[b], ax[b]);
        }
        q->gx[q->n_groups] = keep_x ? q->tx + at : x;
        q->groups[q->n_groups++] = (uint32_t)at;
        return 0;
    }
    gelu_half_leave(form, type, v, out, slow, q, at);
    gelu_half_store(y, out);
    return 1;
}

/* Fewer than a group of elements, through buffers: zeros pad them (a zero is never left by
   the fast path), and x is read first. */
static void gelu_half_partial_narrow(enum gelu_form form, enum gelu_half type, const float *x, uint16_t *y, size_t n,
                                     struct gelu_half_queue *q, size_t at)
{
    float xb[GELU_HALF_GROUP] = {0};
    uint16_t yb[GELU_HALF_GROUP];
    memcpy(xb, x, n * sizeof(float));
    if (gelu_half_group_narrow(form, type, xb, yb, q, at, 1, 0))
        memcpy(y, yb, n * sizeof(uint16_t));
}

/* The waiting groups of a chunk of len elements into y (the chunk's): E for the tail lanes,
   full registers of them (zeros past the last: E = 1, nothing raised), then each group as
   gelu_half_group_narrow would, its registers' E expanded from theirs (1 for the others). */
static GELU_HALF_ALWAYS void gelu_half_tails(enum gelu_form form, enum gelu_half type, struct gelu_half_queue *q,
                                             uint16_t *y, size_t len)
{
    gelu_vw_storeu(q->te + q->n_tail, gelu_vw_zero());
    for (size_t k = 0; k < q->n_tail; k += GELU_VW_LANES)
        gelu_vw_storeu(q->te + k, gelu_half_tail_e(form, type, gelu_vw_loadu(q->te + k)));
    const float *te = q->te;
    for (size_t g = 0; g < q->n_groups; g++) {
        size_t at = q->groups[g];
        gelu_vw v[GELU_HALF_NB], qv[GELU_HALF_NB], e[GELU_HALF_NB];
        gelu_vh out[GELU_HALF_NB];
        unsigned slow[GELU_HALF_NB], big[GELU_HALF_NB];
        GELU_HALF_EACH(GELU_HALF_NB) {
            v[b] = gelu_vw_loadu(q->gx[g] + GELU_VW_LANES * b);
            qv[b] = gelu_vw_loadu(q->tq + at + GELU_VW_LANES * b);
            big[b] = gelu_vw_ge(gelu_half_abs_held(v[b]), gelu_vw_set1(4.0f));
            e[b] = gelu_vw_expand(gelu_vw_set1(1.0f), big[b], te);
            te += __builtin_popcount(big[b]);
        }
        gelu_vw vs[GELU_HALF_NB];
        gelu_half_finite(v, vs);
        gelu_half_finish(form, type, vs, qv, big, e, out, slow);
        gelu_half_leave(form, type, v, out, slow, q, at);
        if (at + GELU_HALF_GROUP <= len) {
            gelu_half_store(y + at, out);
        } else {
            uint16_t yb[GELU_HALF_GROUP];
            gelu_half_store(yb, out);
            memcpy(y + at, yb, (len - at) * sizeof(uint16_t));
        }
    }
    q->n_groups = q->n_tail = 0;
}

/*
 * nb vectors of the queue's lanes from x to r: the correctly rounded kernels' first tier
 * (gelu_forward_cr.h) gives y within fast_flag of the exact value, and where y (1 -+ fast_flag)
 * round alike to the format that is the result; a vector with a lane where they do not, or
 * with a NaN or an infinity (kept away from the first tier), takes the exact path (rare: about
 * 2^-25 of the lanes).
 */
static GELU_HALF_ALWAYS void gelu_half_flush_vectors(enum gelu_form form, enum gelu_half type, int nb, const float *x,
                                                     float *r)
{
    const struct gelu_fwd_form *F = &gelu_fwd_forms[form];
    gelu_vf xf[GELU_FWD_NB];
    gelu_vd xd[GELU_FWD_NB], yd[GELU_FWD_NB];
    unsigned special[GELU_FWD_NB];
    GELU_FWD_EACH(nb) {
        xf[b] = gelu_vf_loadu(x + GELU_VD_LANES * b);
        gelu_vd v = gelu_vf_to_vd(xf[b]);
        gelu_vm finite = gelu_vd_lt(gelu_vd_abs(v), GELU_FWD_SET1(INFINITY));
        special[b] = ~gelu_vm_bits(finite) & ((1u << GELU_VD_LANES) - 1);
        xd[b] = gelu_vd_select(finite, v, gelu_vd_zero());
    }
    gelu_fwd_first_y(F, nb, xd, yd);
    GELU_FWD_EACH(nb) {
        gelu_vf lo = gelu_vd_to_vf(gelu_half_round_vd(type, gelu_vd_mul(yd[b], GELU_FWD_SET1(F->fast_flag_lo))));
        gelu_vf hi = gelu_vd_to_vf(gelu_half_round_vd(type, gelu_vd_mul(yd[b], GELU_FWD_SET1(F->fast_flag_hi))));
        if (__builtin_expect((gelu_vf_bits_ne(lo, hi) | special[b]) != 0, 0))
            lo = gelu_half_exact_part(form, type, xf[b]);
        gelu_vf_storeu(r + GELU_VD_LANES * b, lo);
    }
}

/* The queue's lanes, GELU_FWD_NB vectors at a time (their chains overlap), the rest (usually
   all: a few lanes a chunk) one vector at a time; then into their places in y, the chunk's len
   elements: a padding lane of the chunk's last group, should it ever be queued, is dropped,
   not written past y's end (under valgrind, whose f16 conversions differ from the hardware's,
   a zero of the padding was left undecided and written there). */
static GELU_HALF_ALWAYS void gelu_half_flush(enum gelu_form form, enum gelu_half type, struct gelu_half_queue *q,
                                             uint16_t *y, size_t len)
{
    _Alignas(64) float r[GELU_HALF_CHUNK + GELU_FWD_GROUP + GELU_HALF_GROUP];
    size_t n = q->n, k = 0;
    for (size_t i = n; i % GELU_VD_LANES != 0 || i % GELU_VW_LANES != 0; i++)
        q->x[i] = 0.0f;
    for (; k + GELU_FWD_GROUP <= n; k += GELU_FWD_GROUP)
        gelu_half_flush_vectors(form, type, GELU_FWD_NB, q->x + k, r + k);
    for (; k < n || k % GELU_VW_LANES != 0; k += GELU_VD_LANES)
        gelu_half_flush_vectors(form, type, 1, q->x + k, r + k);
    for (k = 0; k < n; k += GELU_VW_LANES) {
        uint16_t h[GELU_VW_LANES];
        gelu_vh_storeu(h, gelu_half_bits(type, gelu_vw_loadu(r + k)));
        for (size_t l = 0; l < GELU_VW_LANES && k + l < n; l++)
            if (q->at[k + l] < len)
                y[q->at[k + l]] = h[l];
    }
    q->n = 0;
}

/* 1 when one of the n 16-bit values at x is a signalling NaN of the type (bits without the sign
   above the infinity's, the quiet bit clear). First whether any is a NaN, two values a 32-bit
   lane, four integer operations a register: |h| + (0x7FFF - inf) sets bit 15 of a value exactly
   when it is a NaN, and carries nothing into the next; then, where there is one, which. */
static GELU_HALF_ALWAYS int gelu_half_any_snan(enum gelu_half type, const uint16_t *x, size_t n)
{
    const unsigned inf = type == GELU_HALF_BF16 ? 0x7F80 : 0x7C00, quiet = type == GELU_HALF_BF16 ? 0x40 : 0x200;
    const size_t per = 2 * GELU_VW_LANES; /* 16-bit values a register */
    gelu_vwi acc = gelu_vwi_set1(0);
    size_t i = 0;
    for (; GELU_VW_LANES > 1 && i + per <= n; i += per) { /* (the scalar wrapper: the words below) */
        gelu_vwi w = gelu_vwi_and(gelu_vw_bits(gelu_vw_loadu((const float *)(const void *)(x + i))),
                                  gelu_vwi_set1(0x7FFF7FFF));
        acc = gelu_vwi_or(acc, gelu_vwi_add(w, gelu_vwi_set1((int)((0x7FFF - inf) * 0x00010001u))));
    }
    unsigned nan = gelu_vwi_eq(gelu_vwi_and(acc, gelu_vwi_set1((int)0x80008000u)), gelu_vwi_set1(0)) != GELU_HALF_ALL;
    uint64_t acc64 = 0; /* the rest (and the scalar wrapper's all), four a 64-bit word, alike */
    for (; i + 4 <= n; i += 4) {
        uint64_t w;
        memcpy(&w, x + i, sizeof w);
        acc64 |= (w & 0x7FFF7FFF7FFF7FFFull) + (0x7FFFu - inf) * 0x0001000100010001ull;
    }
    nan |= (acc64 & 0x8000800080008000ull) != 0;
    for (size_t k = i; k < n; k++)
        nan |= (x[k] & 0x7FFFu) > inf;
    if (__builtin_expect(!nan, 1))
        return 0;
    for (size_t k = 0; k < n; k++)
        if ((x[k] & 0x7FFFu) - (inf + 1) < quiet - 1)
            return 1;
    return 0;
}

/* A 16-bit input from the table (x[i] read before y[i] is written). Loads beat the narrowing
   fast path and a vector gather here: 3.5 against 3.1 (AVX-512 fast path) and 1.7 (AVX2
   gathers) Gelem/s, bf16 erf, n = 65536, any distribution (gelu_cbench, 2026-12-06); the
   16-bit-input polynomial of gelu_half_input.h beats it on AVX-512. */
static GELU_HALF_ALWAYS void gelu_half_lookup4(const uint16_t *table, const uint16_t *x, uint16_t *y, size_t n)
{
    /* four elements a step, their loads before their stores (n a multiple of 4): element by
       element, AVX2 bf16 erf ran 1.0-1.8 Gelem/s on N(0, 1), n = 65536, and the other forms
       3.1-3.3, by where the buffers lay, not by their code; so 3.4-3.6 for every one (a 64-bit
       load of x and a 64-bit store of four results put together: 2.8-2.9) */
    for (size_t i = 0; i < n; i += 4) {
        uint16_t a = table[x[i]], b = table[x[i + 1]], c = table[x[i + 2]], d = table[x[i + 3]];
        y[i] = a, y[i + 1] = b, y[i + 2] = c, y[i + 3] = d;
    }
}
static GELU_HALF_ALWAYS void gelu_half_lookup(const uint16_t *table, const uint16_t *x, uint16_t *y, size_t n)
{
    size_t body = n & ~(size_t)3;
    gelu_half_lookup4(table, x, y, body);
    for (size_t i = body; i < n; i++)
        y[i] = table[x[i]];
}

#include "gelu_half_input.h"

/* A chunk of a float input, len <= GELU_HALF_CHUNK: into y, then its queued lanes finished
   into y. In place, a group's output overwrites only the floats of x read already (its own
   group's among them, read whole before it is stored); the queue holds its lanes' x. Through
   an L1 buffer copied to y afterwards (which streaming needed) it took 2-14% longer (n = 2^16
   and 2^20, N(0, 1), uniform[-8, 8], t(3)). */
static GELU_HALF_ALWAYS void gelu_half_narrow_chunk(enum gelu_form form, enum gelu_half type, const float *x,
                                                    uint16_t *y, size_t len, struct gelu_half_queue *q)
{
    size_t j = 0;
    if (__builtin_expect(islessequal(x[0], gelu_half_zero_below[form][type]), 0)) {
        /* a chunk that starts at or below the bound: its groups of -0s go before any Q (a test
           a group in every chunk cost N(0, 1) 5-9 %) */
        for (; j + GELU_HALF_GROUP <= len; j += GELU_HALF_GROUP)
            if (!gelu_half_far_group(form, type, x + j, y + j, q, j))
                gelu_half_group_narrow(form, type, x + j, y + j, q, j, q->keep_x, GELU_HALF_FEW);
    } else {
        for (; j + GELU_HALF_GROUP <= len; j += GELU_HALF_GROUP)
            gelu_half_group_narrow(form, type, x + j, y + j, q, j, q->keep_x, GELU_HALF_FEW);
    }
    if (j < len)
        gelu_half_partial_narrow(form, type, x + j, y + j, len - j, q, j);
    if (q->n_groups)
        gelu_half_tails(form, type, q, y, len);
    if (q->n)
        gelu_half_flush(form, type, q, y, len);
}

/* A float input: chunks. */
static GELU_HALF_ALWAYS void gelu_half_run_narrow(enum gelu_form form, enum gelu_half type, const float *x, uint16_t *y,
                                                  size_t n)
{
    struct gelu_half_queue q;
    q.n = q.n_groups = q.n_tail = 0;
    q.keep_x = (uintptr_t)y < (uintptr_t)(x + n) && (uintptr_t)x < (uintptr_t)(y + n);
    for (size_t i = 0; i < n; i += GELU_HALF_CHUNK)
        gelu_half_narrow_chunk(form, type, x + i, y + i, n - i < GELU_HALF_CHUNK ? n - i : GELU_HALF_CHUNK, &q);
}

/*
 * The 16-bit backward, dx = fl(dy d) for d = GELU'(x) correctly rounded to float, from the
 * table: the product of a 16-bit dy and a float is exact in double (at most 35 significant
 * bits), rounded once to the format. A NaN is dy's (quieted), else d's (x's, quieted), else the
 * default one (0 times infinity): gelu_ops.h's ops_prod16, by selects.
 */
static GELU_HALF_ALWAYS gelu_vf gelu_half_bwd_half(enum gelu_half type, gelu_vf g, gelu_vf d)
{
    gelu_vd p = gelu_vd_mul(gelu_vf_to_vd(d), gelu_vf_to_vd(g));
    gelu_vm finite = gelu_vd_lt(gelu_vd_abs(p), GELU_FWD_SET1(INFINITY));
    if (__builtin_expect(gelu_vm_bits(finite) == (1u << GELU_VD_LANES) - 1, 1))
        return gelu_vd_to_vf(gelu_half_round_vd(type, p));
    /* an infinite dy, or a NaN */
    gelu_vd r = gelu_half_round_vd(type, gelu_vd_select(finite, p, gelu_vd_zero()));
    gelu_vf f = gelu_vd_to_vf(gelu_vd_select(finite, r, p)); /* an infinity stays one */
    f = gelu_vf_blend(gelu_vf_isnan(f), gelu_vf_from_bits(GELU_DEFAULT_NAN), f);
    f = gelu_vf_blend(gelu_vf_isnan(g), gelu_vf_quiet(g), f);
    return gelu_vf_blend(gelu_vf_isnan(d), gelu_vf_quiet(d), f);
}

static GELU_HALF_ALWAYS gelu_vh gelu_half_bwd_register(enum gelu_half type, const float *deriv, gelu_vh x, gelu_vh dy)
{
    gelu_vw g = gelu_vw_lookup_h(deriv, x), d = gelu_half_widen(type, dy);
    gelu_vf lo = gelu_half_bwd_half(type, gelu_vw_lo(g), gelu_vw_lo(d));
    gelu_vf hi = gelu_half_bwd_half(type, gelu_vw_hi(g), gelu_vw_hi(d));
    return gelu_half_bits(type, gelu_vw_join(lo, hi));
}

/* n elements; x and dy are read a register ahead of dx's store (dx may be x or dy). */
static GELU_HALF_ALWAYS void gelu_half_bwd_run(enum gelu_half type, const float *deriv, const uint16_t *x,
                                               const uint16_t *dy, uint16_t *dx, size_t n)
{
    size_t i = 0;
    for (; i + GELU_HALF_GROUP <= n; i += GELU_HALF_GROUP) {
        gelu_vh out[GELU_HALF_NB];
        GELU_HALF_EACH(GELU_HALF_NB)
            out[b] = gelu_half_bwd_register(type, deriv, gelu_vh_loadu(x + i + GELU_VW_LANES * b),
                                            gelu_vh_loadu(dy + i + GELU_VW_LANES * b));
        GELU_HALF_EACH(GELU_HALF_NB)
            gelu_vh_storeu(dx + i + GELU_VW_LANES * b, out[b]);
    }
    for (; i < n; i += GELU_VW_LANES) { /* through buffers: zeros pad them */
        size_t len = n - i < GELU_VW_LANES ? n - i : GELU_VW_LANES;
        uint16_t xb[GELU_VW_LANES] = {0}, gb[GELU_VW_LANES] = {0}, yb[GELU_VW_LANES];
        memcpy(xb, x + i, len * 2);
        memcpy(gb, dy + i, len * 2);
        gelu_vh_storeu(yb, gelu_half_bwd_register(type, deriv, gelu_vh_loadu(xb), gelu_vh_loadu(gb)));
        memcpy(dx + i, yb, len * 2);
    }
}

/* gelu_<form>_{bf16,f16}_<isa>, gelu_<form>_f32_to_{bf16,f16}_<isa> and
   gelu_<form>_backward_{bf16,f16}_<isa> for every form: the tables come from this ISA's
   narrowing and float32 backward kernels. */
#define GELU_HALF_ISA_NAME(name) GELU_HALF_CAT(name, GELU_HALF_ISA)
#define GELU_HALF_TYPE(form, FORM, type, TYPE)                                                                  \
    void GELU_HALF_ISA_NAME(gelu_##form##_##type)(const uint16_t *x, uint16_t *y, size_t n)                     \
    {                                                                                                           \
        gelu_half_input_run(GELU_FORM_##FORM, TYPE, GELU_HALF_ISA_NAME(gelu_##form##_f32_to_##type), x, y, n);  \
    }                                                                                                           \
    void GELU_HALF_ISA_NAME(gelu_##form##_f32_to_##type)(const float *x, uint16_t *y, size_t n)                 \
    {                                                                                                           \
        gelu_half_run_narrow(GELU_FORM_##FORM, TYPE, x, y, n);                                                  \
    }                                                                                                           \
    void GELU_HALF_ISA_NAME(gelu_##form##_backward_##type)(const uint16_t *x, const uint16_t *dy, uint16_t *dx, \
                                                           size_t n)                                            \
    {                                                                                                           \
        const float *deriv = gelu_half_deriv_table(GELU_FORM_##FORM, TYPE,                                      \
                                                   GELU_HALF_ISA_NAME(gelu_##form##_backward_f32));             \
        gelu_half_bwd_run(TYPE, deriv, x, dy, dx, n);                                                           \
    }
#define GELU_HALF_EMIT(form, FORM)                   \
    GELU_HALF_TYPE(form, FORM, bf16, GELU_HALF_BF16) \
    GELU_HALF_TYPE(form, FORM, f16, GELU_HALF_F16)
#define GELU_HALF_KERNELS GELU_FORMS(GELU_HALF_EMIT)

#endif
