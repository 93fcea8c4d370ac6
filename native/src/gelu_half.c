/*
 * A double rounded once to the 16-bit formats (bf16, f16), for the composed operations'
 * 16-bit products (gelu_ops.h). The kernels round in their SIMD bodies (gelu_half_body.h,
 * gelu_half_round_vd: the same additions, without branches).
 *
 * Baseline code (x86-64, AArch64), no libm: the rounding is done by adding and subtracting a power of two
 * (exact under round to nearest, the mode every entry point sets).
 */
#include <math.h>

#include "gelu_internal.h"

/* Significant bits, and the exponent of the least subnormal, of each format. */
static const int half_bits[2] = {8, 11};
static const int half_min_exp[2] = {-133, -24};

/* |y| (finite double, not a NaN) rounded to the format's precision, ties to even, in double. */
static inline double round_to_format(double y, enum gelu_half type)
{
    uint64_t b = gelu_bits64(y);
    int e = (int)((b >> 52) & 0x7FF) - 1023; /* y is 0 or a normal double here */
    if (y == 0.0)
        return y;
    int q = e - (half_bits[type] - 1);
    if (q < half_min_exp[type])
        q = half_min_exp[type];
    /* c = 1.5 * 2^(q + 52): |y| < 2^(q + 12) <= c/2^40, so y + c rounds y to a multiple of 2^q */
    double c = gelu_from_bits64(((uint64_t)(q + 52 + 1023) << 52) | (1ull << 51));
    double r = fabs(y) + c;
    r -= c;
    return y < 0 ? -r : r;
}

/* The bits of a double that is a value of the format, or beyond its largest finite value. */
static inline uint16_t format_bits(double r, enum gelu_half type)
{
    uint32_t sign = gelu_bits64(r) >> 63 ? 0x8000u : 0;
    double a = fabs(r);
    if (type == GELU_HALF_BF16)
        return (uint16_t)(gelu_bits32((float)r) >> 16); /* (float) is exact, or inf above bf16's range */
    if (a >= 65536.0) /* 65504 is the largest f16; anything rounded above it is 65536 */
        return (uint16_t)(sign | 0x7C00u);
    if (a < 0x1p-14) /* subnormal f16: a = m 2^-24 */
        return (uint16_t)(sign | (uint32_t)(a * 0x1p24));
    return (uint16_t)(sign | ((gelu_bits32((float)a) >> 13) - (112u << 10)));
}

uint16_t gelu_half_round(double y, enum gelu_half type) { return format_bits(round_to_format(y, type), type); }
