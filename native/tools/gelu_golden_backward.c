/*
 * Writes golden values of GELU'(x) for the Java tests: "x erf tanh quick" per line, IEEE binary32
 * bits in hex, each derivative correctly rounded to float by the MPFR oracle
 * (gelu_oracle_deriv.c). The inputs: the special values, every 2^19-th bit pattern (NaNs left
 * out: their rule is tested apart), a grid over [-16, 16], the floats nearest each form's zero
 * crossing (near x = -0.7518, where GELU' is the difference of two nearly equal terms), a
 * sample of the subnormals, and every value of bf16 and of f16 (the inputs of the 16-bit
 * backward, whose GELU' is this float one).
 * Usage: gelu_golden_backward | gzip -9n > java/src/test/resources/dev/gelu/golden_backward.tsv.gz
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gelu_half_convert.h"
#include "gelu_oracle_deriv.h"

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

static void emit(float x)
{
    printf("%08x %08x %08x %08x\n", bits(x), bits(gelu_oracle_deriv(0, x)), bits(gelu_oracle_deriv(1, x)),
           bits(gelu_oracle_deriv(2, x)));
}

int main(void)
{
    printf("# x erf tanh quick: GELU'(x) of each form correctly rounded to float (MPFR), binary32 bits in hex. "
           "Made by native/tools/gelu_golden_backward.c\n");
    const float specials[] = {0.0f,     -0.0f,        INFINITY,      -INFINITY, FLT_MAX, -FLT_MAX, FLT_MIN,
                              -FLT_MIN, FLT_TRUE_MIN, -FLT_TRUE_MIN, 1.0f,      -1.0f,   0.5f,     -0.5f,
                              15.0f,    -15.0f,       -14.5f,        -10.9f,    -63.9f,  5.9f,     5.5f,
                              11.5f,    20.0f,        -20.0f,        1e-30f,    -1e-30f};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        emit(specials[i]);
    for (uint64_t u = 54321; u <= 0xffffffffu; u += 1u << 19) {
        float x = from_bits((uint32_t)u);
        if (!isnan(x))
            emit(x);
    }
    for (int i = -16000; i <= 16000; i += 7)
        emit(i / 1000.0f + 0.000321f);
    /* 400 floats on each side of each crossing (erf, tanh, quick) */
    const float roots[] = {-0.75179152469356445746f, -0.75246142207101625849f, -0.7511542554412889513f};
    for (int r = 0; r < 3; r++)
        for (int k = -400; k <= 400; k++)
            emit(from_bits((uint32_t)((int32_t)bits(roots[r]) + k)));
    for (uint32_t u = 1; u < 0x00800000u; u += 0x2468)
        emit(from_bits(u)), emit(from_bits(u | 0x80000000u));
    for (uint32_t h = 0; h < 0x10000; h++) {
        float b = half_bf16_to_f32((uint16_t)h), f = half_f16_to_f32((uint16_t)h);
        if (!isnan(b))
            emit(b);
        if (!isnan(f))
            emit(f);
    }
    return 0;
}
