/*
 * Correctly rounded GELU by MPFR, independent of the library's algorithm.
 *
 * Each value is evaluated at precision p with a generous error allowance; if MPFR cannot
 * prove that the float rounding is decided (mpfr_can_round), p doubles. GELU(x) is
 * transcendental for x != 0, so no input is an exact midpoint and the loop ends.
 * Beyond |x| >= 20 the results are known exactly: x (the deficit is below 2^-280 relative)
 * or -0 (the magnitude is below 2^-280, far under half the least subnormal).
 */
#include "gelu_oracle.h"

#include <math.h>
#include <mpfr.h>

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

static float oracle(eval_fn eval, float x)
{
    if (isnan(x))
        return x;
    if (x >= 20.0f)
        return x;
    if (x <= -20.0f)
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

float gelu_oracle_erf(float x) { return oracle(eval_erf, x); }
float gelu_oracle_tanh(float x) { return oracle(eval_tanh, x); }

/* The sign of (GELU(x) - y) for a float y, 0 only if undecided at 4096 bits (never seen). */
int gelu_oracle_side(int form, float x, float y)
{
    eval_fn eval = form ? eval_tanh : eval_erf;
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
