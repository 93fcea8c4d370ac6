/*
 * Writes golden values for the Java tests: "x erf tanh quick erf_side tanh_side quick_side" per
 * line, the first four as float bit patterns in hex, each result the correctly rounded value from the MPFR
 * oracle, and each side the sign of (exact - correctly rounded) as + or - (0 where the exact
 * value is the float itself: zeros, infinities). The side tells which neighbour a faithful
 * result may be.
 * Usage: gelu_golden | gzip -9n > java/src/test/resources/dev/gelu/golden.tsv.gz   (scripts/make-golden.sh)
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gelu_oracle.h"

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static char side(int form, float x, float y)
{
    if (x == 0 || isinf(x))
        return '0';
    if (fabsf(x) >= gelu_oracle_big(form)) /* x minus a tiny deficit, or a magnitude below 2^-150 */
        return '-';
    return gelu_oracle_side(form, x, y) > 0 ? '+' : '-';
}

static void emit(float x)
{
    float e = gelu_oracle_erf(x), t = gelu_oracle_tanh(x), q = gelu_oracle_quick(x);
    printf("%08x %08x %08x %08x %c %c %c\n", bits(x), bits(e), bits(t), bits(q), side(0, x, e), side(1, x, t),
           side(2, x, q));
}

int main(void)
{
    printf("# x erf tanh quick erf_side tanh_side quick_side: IEEE binary32 bits in hex; results correctly rounded "
           "(MPFR); "
           "side = sign of exact - result. Made by native/tools/gelu_golden.c\n");
    const float specials[] = {0.0f,         -0.0f,         INFINITY, -INFINITY, FLT_MAX, -FLT_MAX, FLT_MIN, -FLT_MIN,
                              FLT_TRUE_MIN, -FLT_TRUE_MIN, 1.0f,     -1.0f,     0.5f,    -0.5f,    15.0f,   -15.0f,
                              12.0f,        -12.0f,        20.0f,    -20.0f,    -10.0f,  -14.0f,   1e-30f,  -1e-30f,
                              64.0f,        -64.0f,        -63.5f,   -53.6f,    10.18f,  -40.0f};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        emit(specials[i]);
    /* every 2^18-th bit pattern, NaNs excluded (their payload rule is tested separately) */
    for (uint64_t u = 12345; u <= 0xffffffffu; u += 1u << 18) {
        float x = from_bits((uint32_t)u);
        if (!isnan(x))
            emit(x);
    }
    /* a fine grid over [-16, 16], a coarser one over the quick form's tail [-66, -16), and the
       subnormal inputs */
    for (int i = -16000; i <= 16000; i += 3)
        emit(i / 1000.0f + 0.000123f);
    for (int i = -66000; i < -16000; i += 37)
        emit(i / 1000.0f + 0.000123f);
    for (uint32_t u = 1; u < 0x00800000u; u += 0x1357)
        emit(from_bits(u)), emit(from_bits(u | 0x80000000u));
    return 0;
}
