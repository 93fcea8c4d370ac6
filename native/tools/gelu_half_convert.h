/*
 * Conversions between float and the 16-bit formats for the tools and the benchmark (not the
 * library's own, which stay private to native/src): exact widening, and narrowing with
 * round to nearest even, the way a framework converts a float tensor. Plain integer code, so
 * that it runs on any x86-64 and needs neither F16C nor a compiler with _Float16. Narrowing
 * assumes the default rounding mode. NaN stays NaN (quieted, sign and top payload bits kept).
 */
#ifndef GELU_HALF_CONVERT_H
#define GELU_HALF_CONVERT_H

#include <stdint.h>
#include <string.h>

static inline uint32_t half_conv_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static inline float half_conv_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* bf16 is the top half of a float. */
static inline float half_bf16_to_f32(uint16_t h) { return half_conv_float((uint32_t)h << 16); }

static inline uint16_t half_f32_to_bf16(float f)
{
    uint32_t b = half_conv_bits(f);
    if ((b & 0x7FFFFFFFu) > 0x7F800000u) /* NaN: cutting the low half could leave infinity */
        return (uint16_t)((b | 0x00400000u) >> 16);
    /* Adding just under half of the dropped unit, plus its last kept bit, rounds ties to even;
       a carry out of the significand moves into the exponent, up to infinity, as it should. */
    return (uint16_t)((b + 0x7FFFu + ((b >> 16) & 1)) >> 16);
}

static inline float half_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 31, m = h & 0x3FF;
    if (e == 0) /* zero or subnormal: m 2^-24, exact in float */
        return half_conv_float(sign | half_conv_bits((float)m * 0x1p-24f));
    if (e == 31) /* infinity or NaN, payload kept */
        return half_conv_float(sign | 0x7F800000u | (m << 13));
    return half_conv_float(sign | ((e + 112) << 23) | (m << 13));
}

static inline uint16_t half_f32_to_f16(float f)
{
    uint32_t b = half_conv_bits(f), sign = (b >> 16) & 0x8000, a = b & 0x7FFFFFFFu;
    if (a > 0x7F800000u)
        return (uint16_t)(sign | 0x7E00 | ((a >> 13) & 0x3FF));
    if (a >= 0x477FF000u) /* 65520, halfway from 65504 to 2^16, and above: infinity */
        return (uint16_t)(sign | 0x7C00);
    if (a < 0x38800000u) { /* below 2^-14: f16's subnormal step 2^-24 is the ulp of 0.5 in float,
                              so adding 0.5 rounds to that step (ties to even) in one addition */
        float t = half_conv_float(a) + 0.5f;
        return (uint16_t)(sign | (half_conv_bits(t) - half_conv_bits(0.5f)));
    }
    /* Normal: 13 bits dropped, ties to even as for bf16; rebias the exponent from 127 to 15. */
    return (uint16_t)(sign | (((a + 0xFFFu + ((a >> 13) & 1)) >> 13) - (112u << 10)));
}

#endif
