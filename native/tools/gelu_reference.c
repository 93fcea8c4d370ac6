/*
 * The fast trustworthy reference of the exhaustive checks: long double, escalated to MPFR.
 *
 * The value is evaluated in x87 long double (64-bit significand) with glibc's erfcl and expl.
 * Its rounding to float is trusted only when r*(1 - 2^-44) and r*(1 + 2^-44) round to the same
 * float, that is when the long double value would have to be wrong by more than 2^-44 relative
 * (about 2^20 of its ulps) to change the answer; every other input (a few thousand per form)
 * is decided by the MPFR oracle, which proves its own rounding (gelu_oracle.c).
 */
#include "gelu_reference.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gelu_oracle.h"

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static long double ref_erf(float x) { return (long double)x * erfcl(-(long double)x / sqrtl(2.0L)) / 2.0L; }

static long double ref_tanh(float x)
{
    const long double c = 0.797884560802865355879892119868763737L; /* sqrt(2/pi) */
    long double xl = x, u = c * (xl + 0.044715L * xl * xl * xl);
    return xl / (1.0L + expl(-2.0L * u));
}

static long double ref_quick(float x)
{
    long double xl = x;
    return xl / (1.0L + expl(-1.702L * xl)); /* 1.702L within 2^-64: at most 2^-57 on the result */
}

static long double ref_ld(int form, float x) { return form == 0 ? ref_erf(x) : form == 1 ? ref_tanh(x) : ref_quick(x); }

/* The correctly rounded result; *used_oracle says whether MPFR had to decide. */
float gelu_reference(int form, float x, int *used_oracle)
{
    *used_oracle = 0;
    if (isnan(x))
        return x;
    if (isinf(x)) /* the limits: x*Phi(x) -> x at +inf, and -> -0 at -inf */
        return x > 0 ? x : -0.0f;
    if (x != 0 && fabsf(x) < 0x1p-60f) {
        /* Both forms are x/2 + x^2/sqrt(2 pi) + O(x^4): the float rounding of x/2 plus any
           positive amount far below half an ulp, which the nudge below reproduces. */
        long double h = (long double)x / 2;
        return (float)(h + fabsl(h) * 0x1p-40L);
    }
    long double r = ref_ld(form, x);
    float lo = (float)(r * (1.0L - 0x1p-44L)), hi = (float)(r * (1.0L + 0x1p-44L));
    if (bits(lo) == bits(hi) && !(x == 0))
        return (float)r;
    *used_oracle = 1;
    return gelu_oracle(form, x);
}

/*
 * 1 when got is one of the two floats around GELU(x) (the faithful promise), given the
 * correctly rounded want: got is want, or want's neighbour on the side where the exact value
 * lies. The side comes from long double when the exact value is clearly apart from want,
 * else from MPFR. A zero must keep the sign of x; special values must be exact.
 */
int gelu_reference_faithful(int form, float x, float want, float got)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    if (bits(got) == bits(want))
        return 1;
    if (isinf(x) || x == 0 || isinf(want) || isinf(got))
        return 0;
    if (got == 0 && signbit(got) != signbit(x))
        return 0;
    if (bits(nextafterf(want, got)) != bits(got))
        return 0;
    int got_side = got > want ? 1 : -1, side;
    if (fabsf(x) >= gelu_oracle_big(form)) {
        side = -1; /* x minus a deficit far below an ulp, or a negative magnitude below 2^-280 */
    } else if (fabsf(x) < 0x1p-60f) {
        long double h = (long double)x / 2; /* the exact value is h plus x^2/sqrt(2 pi) > 0 */
        side = h < (long double)want ? -1 : 1;
    } else {
        long double r = ref_ld(form, x), d = r - (long double)want;
        side = fabsl(d) > fabsl(r) * 0x1p-50L ? (d > 0 ? 1 : -1) : gelu_oracle_side(form, x, want);
    }
    return side == got_side;
}

/* v rounded to the format's precision (8 or 11 bits), subnormals included, ties to even. */
static float round_half(double v, int type)
{
    static const int bits16[2] = {8, 11}, min_exp[2] = {-133, -24};
    if (v == 0)
        return (float)v;
    int e;
    frexp(v, &e); /* 2^(e-1) <= |v| < 2^e */
    int q = e - bits16[type];
    if (q < min_exp[type])
        q = min_exp[type];
    return (float)ldexp(rint(ldexp(v, -q)), q); /* rint: the current mode, round to nearest even */
}

/*
 * The 16-bit reference needs far less than the float one: a 16-bit rounding boundary is at
 * least 2^-12 relative away from a value that rounds the other way, so the value is taken in
 * double from glibc's erfc and exp (within 2^-41 of the exact value: the rounding of their
 * argument is amplified at most 2|z|^2 < 2^9 (erf), 2|u| < 2^10 (tanh) or 1.702|x| < 2^7 (quick) times), trusted when v (1 -+ 2^-30) round alike, and MPFR
 * decides the rest. Four times faster than long double, which the 2^32-input checks need.
 */
static double ref_erf_d(float x) { return (double)x * erfc(-(double)x * 0.70710678118654752440) * 0.5; }

static double ref_tanh_d(float x)
{
    double xd = x, u = 0.79788456080286535588 * (xd + 0.044715 * xd * xd * xd);
    return xd / (1.0 + exp(-2.0 * u));
}

static double ref_quick_d(float x) { return (double)x / (1.0 + exp(-1.702 * (double)x)); }

int gelu_reference_half(int form, float x, uint16_t out[2])
{
    const float big = (float)gelu_oracle_big(form);
    if (isnan(x) || isinf(x) || x == 0 || x <= -big) { /* the oracle's own shortcuts, no MPFR */
        out[0] = gelu_oracle_half(form, 0, x);
        out[1] = gelu_oracle_half(form, 1, x);
        return 0;
    }
    double r;
    if (x >= big)
        r = (double)x * (1.0 - 0x1p-40);
    else if (fabsf(x) < 0x1p-60f) /* x/2 plus a positive amount far below any rounding distance */
        r = (double)x / 2 + fabs((double)x / 2) * 0x1p-40;
    else
        r = form == 0 ? ref_erf_d(x) : form == 1 ? ref_tanh_d(x) : ref_quick_d(x);
    int oracle = 0;
    for (int type = 0; type < 2; type++) {
        uint16_t lo = gelu_half_bits(round_half(r * (1.0 - 0x1p-30), type), type);
        uint16_t hi = gelu_half_bits(round_half(r * (1.0 + 0x1p-30), type), type);
        if (lo == hi) {
            out[type] = lo;
        } else {
            oracle++;
            out[type] = gelu_oracle_half(form, type, x);
        }
    }
    return oracle;
}
