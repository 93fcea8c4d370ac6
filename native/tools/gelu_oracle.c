/*
 * Correctly rounded GELU by MPFR, independent of the library's algorithm.
 *
 * Each value is evaluated at precision p with a generous error allowance; if MPFR cannot
 * prove that the float rounding is decided (mpfr_can_round), p doubles. GELU(x) is
 * transcendental for x != 0, so no input is an exact midpoint and the loop ends.
 * Beyond |x| >= 20 (quick form: 64) the results are known exactly: x (the deficit is below
 * 2^-280 relative; quick: 2^-157) or -0 (the magnitude is below 2^-280, far under half the least
 * subnormal 2^-150; quick: 64/(1 + e^108.9) < 2^-151).
 */
#include "gelu_oracle.h"

#include <math.h>
#include <mpfr.h>
#include <stdint.h>
#include <string.h>

typedef void (*eval_fn)(mpfr_t y, float x, mpfr_prec_t p);

/* y = x/2 * erfc(-x/sqrt 2) */
static void eval_erf(mpfr_t y, float x, mpfr_prec_t p)
{
    mpfr_t t, s;
    mpfr_inits2(p, t, s, (mpfr_ptr)0);
    mpfr_sqrt_ui(s, 2, MPFR_RNDN);
    mpfr_set_flt(t, x, MPFR_RNDN);
    mpfr_div(t, t, s, MPFR_RNDN);
    mpfr_neg(t, t, MPFR_RNDN);
    mpfr_erfc(t, t, MPFR_RNDN);
    mpfr_set_flt(s, x, MPFR_RNDN);
    mpfr_mul(y, t, s, MPFR_RNDN);
    mpfr_div_2ui(y, y, 1, MPFR_RNDN);
    mpfr_clears(t, s, (mpfr_ptr)0);
}

/* y = x / (1 + exp(-2u)), u = sqrt(2/pi) * (x + 0.044715 x^3), which equals x/2 (1 + tanh u) */
static void eval_tanh(mpfr_t y, float x, mpfr_prec_t p)
{
    mpfr_t c, k, x3, u;
    mpfr_inits2(p, c, k, u, (mpfr_ptr)0);
    mpfr_init2(x3, 80); /* x^3 of a 24-bit x is exact in 72 bits */
    mpfr_const_pi(c, MPFR_RNDN);
    mpfr_ui_div(c, 2, c, MPFR_RNDN);
    mpfr_sqrt(c, c, MPFR_RNDN);
    mpfr_set_str(k, "0.044715", 10, MPFR_RNDN);
    mpfr_set_flt(x3, x, MPFR_RNDN);
    mpfr_pow_ui(x3, x3, 3, MPFR_RNDN);
    mpfr_mul(u, k, x3, MPFR_RNDN);
    mpfr_add_d(u, u, (double)x, MPFR_RNDN);
    mpfr_mul(u, u, c, MPFR_RNDN);
    mpfr_mul_si(u, u, -2, MPFR_RNDN);
    mpfr_exp(u, u, MPFR_RNDN);
    mpfr_add_ui(u, u, 1, MPFR_RNDN);
    mpfr_set_flt(c, x, MPFR_RNDN);
    mpfr_div(y, c, u, MPFR_RNDN);
    mpfr_clears(c, k, u, x3, (mpfr_ptr)0);
}

/* y = x / (1 + exp(-1.702 x)) = x sigma(1.702 x), 1.702 the exact decimal */
static void eval_quick(mpfr_t y, float x, mpfr_prec_t p)
{
    mpfr_t k, u;
    mpfr_inits2(p, k, u, (mpfr_ptr)0);
    mpfr_set_str(k, "1.702", 10, MPFR_RNDN);
    mpfr_mul_d(u, k, -(double)x, MPFR_RNDN);
    mpfr_exp(u, u, MPFR_RNDN);
    mpfr_add_ui(u, u, 1, MPFR_RNDN);
    mpfr_set_flt(k, x, MPFR_RNDN);
    mpfr_div(y, k, u, MPFR_RNDN);
    mpfr_clears(k, u, (mpfr_ptr)0);
}

static eval_fn form_eval(int form) { return form == 0 ? eval_erf : form == 1 ? eval_tanh : eval_quick; }

double gelu_oracle_big(int form) { return form == 2 ? 64.0 : 20.0; }

static float oracle(int form, float x)
{
    eval_fn eval = form_eval(form);
    float big = (float)gelu_oracle_big(form);
    if (isnan(x))
        return x;
    if (x >= big)
        return x;
    if (x <= -big)
        return -0.0f;
    if (x == 0.0f)
        return x;
    float r = 0;
    mpfr_t y;
    for (mpfr_prec_t p = 96;; p *= 2) {
        mpfr_init2(y, p);
        eval(y, x, p);
        /* each step loses at most a few bits; the exp/erfc condition number is below 2^10 */
        if (mpfr_can_round(y, p - 24, MPFR_RNDN, MPFR_RNDZ, 24 + 1)) {
            r = mpfr_get_flt(y, MPFR_RNDN);
            mpfr_clear(y);
            return r;
        }
        mpfr_clear(y);
    }
}

float gelu_oracle_erf(float x) { return oracle(0, x); }
float gelu_oracle_tanh(float x) { return oracle(1, x); }
float gelu_oracle_quick(float x) { return oracle(2, x); }
float gelu_oracle(int form, float x) { return oracle(form, x); }

/* The sign of (GELU(x) - y) for a float y, 0 only if undecided at 4096 bits (never seen). */
int gelu_oracle_side(int form, float x, float y)
{
    eval_fn eval = form_eval(form);
    for (mpfr_prec_t p = 128; p <= 4096; p *= 2) {
        mpfr_t v, d, e;
        mpfr_inits2(p, v, d, e, (mpfr_ptr)0);
        eval(v, x, p);
        mpfr_sub_d(d, v, (double)y, MPFR_RNDN);
        mpfr_div_2ui(e, v, (unsigned long)(p - 24), MPFR_RNDN); /* the error allowance of oracle() */
        int side = mpfr_cmpabs(d, e) > 0 ? mpfr_sgn(d) : 0;
        mpfr_clears(v, d, e, (mpfr_ptr)0);
        if (side)
            return side > 0 ? 1 : -1;
    }
    return 0;
}

/* The raw bits of a float that is a bf16 (type 0) or f16 (type 1) value, or infinite. */
uint16_t gelu_half_bits(float f, int type)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    if (type == 0)
        return (uint16_t)(b >> 16);
    uint16_t sign = (uint16_t)((b >> 16) & 0x8000);
    float a = fabsf(f);
    if (a >= 65536.0f) /* infinite, or rounded beyond f16's largest value */
        return sign | 0x7C00;
    if (a < 0x1p-14f)
        return sign | (uint16_t)(a * 0x1p24f);
    memcpy(&b, &a, 4);
    return sign | (uint16_t)((b >> 13) - (112u << 10));
}

/* The 16-bit formats: significant bits and exponent range (MPFR's convention, 0.5 <= m < 1). */
static const int half_prec[2] = {8, 11}, half_emin[2] = {-132, -23}, half_emax[2] = {128, 16};

/* v rounded once, to nearest even, to the format, with its exponent range and subnormals: raw bits. */
static uint16_t round_half(mpfr_t v, int type)
{
    mpfr_exp_t old_min = mpfr_get_emin(), old_max = mpfr_get_emax();
    mpfr_t r;
    mpfr_init2(r, half_prec[type]);
    mpfr_set_emin(half_emin[type]);
    mpfr_set_emax(half_emax[type]);
    int inex = mpfr_set(r, v, MPFR_RNDN);
    inex = mpfr_check_range(r, inex, MPFR_RNDN);
    mpfr_subnormalize(r, inex, MPFR_RNDN);
    float f = mpfr_get_flt(r, MPFR_RNDN);
    mpfr_set_emin(old_min);
    mpfr_set_emax(old_max);
    mpfr_clear(r);
    return gelu_half_bits(f, type);
}

/*
 * GELU(x) rounded once, to nearest even, to bf16 (type 0: 8 bits, exponents as float) or
 * f16 (type 1: 11 bits, largest 65504, least subnormal 2^-24), by MPFR with the format's
 * exponent range and subnormals. NaN: the quieted NaN with the sign and top payload bits.
 */
uint16_t gelu_oracle_half(int form, int type, float x)
{
    uint32_t xb;
    memcpy(&xb, &x, 4);
    if (isnan(x)) {
        xb |= 0x00400000u;
        return type == 0 ? (uint16_t)(xb >> 16) : (uint16_t)(((xb >> 16) & 0x8000) | 0x7C00 | ((xb >> 13) & 0x3FF));
    }
    const float big = (float)gelu_oracle_big(form);
    if (x == 0.0f || x <= -big) /* the magnitude is below 2^-150 (see gelu_oracle_big) */
        return (uint16_t)(signbit(x) ? 0x8000 : 0);
    eval_fn eval = form_eval(form);
    mpfr_t v;
    for (mpfr_prec_t p = 96;; p *= 2) {
        mpfr_init2(v, p);
        if (x >= big) { /* GELU(x) = x (1 - d), d < 2^-150: x itself, nudged down */
            mpfr_set_flt(v, x, MPFR_RNDN);
            mpfr_nextbelow(v);
        } else {
            eval(v, x, p);
        }
        if (x >= big || mpfr_can_round(v, p - 24, MPFR_RNDN, MPFR_RNDZ, half_prec[type] + 1))
            break;
        mpfr_clear(v);
    }
    uint16_t h = round_half(v, type);
    mpfr_clear(v);
    return h;
}

/*
 * g dy rounded once, to nearest even, to bf16 (type 0) or f16 (type 1): the exact product of
 * two floats (48 bits at most), by MPFR with the format's exponent range and subnormals. For
 * numbers (an infinity times a nonzero number is that infinity; not a NaN, not 0 times inf).
 */
uint16_t gelu_oracle_product16(int type, float g, float dy)
{
    mpfr_t a, b;
    mpfr_inits2(64, a, b, (mpfr_ptr)0);
    mpfr_set_flt(a, g, MPFR_RNDN);
    mpfr_set_flt(b, dy, MPFR_RNDN);
    mpfr_mul(a, a, b, MPFR_RNDN); /* exact */
    uint16_t h = round_half(a, type);
    mpfr_clears(a, b, (mpfr_ptr)0);
    return h;
}
