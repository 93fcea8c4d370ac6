#include "inputs.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static uint32_t to_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

struct buf {
    float *v;
    size_t n, cap;
};

static void push(struct buf *b, float f)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1 << 20;
        b->v = realloc(b->v, b->cap * sizeof(float));
        if (!b->v)
            abort();
    }
    b->v[b->n++] = f;
}

/* `count` consecutive floats on each side of c, and the same around -c. */
static void around(struct buf *b, float c, int count)
{
    for (int sgn = 0; sgn < 2; sgn++) {
        uint32_t u = to_bits(fabsf(c)) | (sgn ? 0x80000000u : 0);
        for (int k = -count; k <= count; k++) {
            uint32_t w = u + (uint32_t)k;
            if ((w & 0x7fffffffu) <= 0x7f800000u && ((w ^ u) & 0x80000000u) == 0)
                push(b, from_bits(w));
        }
    }
}

size_t gelu_test_inputs(float **out)
{
    struct buf b = {0};
    /* 1. every 4093rd bit pattern: all exponents, both signs, NaNs and infinities */
    for (uint64_t u = 17; u <= 0xffffffffu; u += 4093)
        push(&b, from_bits((uint32_t)u));
    /* 2. uniform in [-16, 16], where nearly all the work is */
    uint64_t s = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 600000; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        push(&b, (float)((double)(s >> 11) * 0x1p-53 * 32.0 - 16.0));
    }
    /* 3. dense windows at the places where the algorithm switches behaviour */
    around(&b, 0.0f, 3000);     /* tiniest subnormals: y ~ x/2 ties */
    around(&b, FLT_MIN, 3000);  /* subnormal / normal input boundary */
    around(&b, 0x1p-30f, 2000); /* where Q_MAX stops mattering */
    around(&b, 0x1p-49f, 2000);
    for (int i = 1; i <= 16; i++) /* piece boundaries of G */
        around(&b, (float)i, 2000);
    around(&b, 0.5f, 2000);
    around(&b, 14.36f, 20000);  /* erf form: result underflows to -0 */
    around(&b, 13.1f, 20000);   /* erf form: result becomes subnormal */
    around(&b, 10.75f, 20000);  /* tanh form: result underflows */
    around(&b, 10.2f, 20000);   /* tanh form: result becomes subnormal */
    around(&b, 5.3f, 20000);    /* erf: result becomes x */
    around(&b, 4.3f, 20000);    /* tanh: result becomes x */
    around(&b, 63.527f, 20000); /* quick form: result underflows */
    around(&b, 53.654f, 20000); /* quick form: result becomes subnormal */
    around(&b, 10.18f, 20000);  /* quick: result becomes x */
    around(&b, 64.0f, 2000);    /* quick form's clamp */
    around(&b, 12.0f, 2000);    /* the clamps */
    around(&b, 15.0f, 2000);
    around(&b, 20.0f, 100);
    /* 4. special values */
    const float specials[] = {0.0f,    -0.0f,    INFINITY,     -INFINITY,     NAN,  -NAN,
                              FLT_MAX, -FLT_MAX, FLT_TRUE_MIN, -FLT_TRUE_MIN, 1.0f, -1.0f};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        push(&b, specials[i]);
    push(&b, from_bits(0x7f800001u)); /* signalling NaNs and payloads */
    push(&b, from_bits(0xff80abcdu));
    push(&b, from_bits(0x7fc12345u));
    *out = b.v;
    return b.n;
}
