/*
 * 16-bit storage (bf16, f16): the double-precision path, which is both the scalar ISA's
 * kernels and the fallback of the vector kernels' float32 fast path.
 *
 * The result must be the exact value rounded once to the 16-bit format: rounding the
 * correctly rounded float would round twice (wrong for every odd bf16 subnormal, whose exact
 * result lies a hair above the midpoint x/2 that the float lands on). So y is evaluated in
 * double and rounded straight to the 16-bit format, with a rounding test in two tiers: first
 * the faithful kernels' y (2^-26.8, no exp; y (1 -+ 2^-26) must round alike; erf and tanh
 * only: the quick form was written and proven before it had a faithful y), then the correctly
 * rounded kernels' y (within 2^-40 of the exact value, the test at 2^-40). One case where
 * the last test cannot pass is handled before any evaluation (gelu_exhaustive_half and test_half search for others
 * on every input): |x| < 2^-30, where GELU(x) = x/2 + c x^2 (c = 0.399 erf and tanh, 0.4255
 * quick; either sign) lies strictly above x/2 by less than any distance from x/2 to a 16-bit
 * rounding boundary other than x/2 itself, so the result is x/2 rounded with a positive
 * nudge: one double ulp up from x/2, which is exact in double.
 *
 * Baseline code (x86-64, AArch64), no libm: the rounding is done by adding and subtracting a power of two
 * (exact under round to nearest, the mode every entry point sets).
 */
#include <float.h>
#include <math.h>

#include "gelu_coeffs.h"
#include "gelu_faithful_coeffs.h"
#include "gelu_half_hard_cases.h"
#include "gelu_internal.h"

/* The middle tier's rounding test: y (1 -+ 2^-26) must round alike. */
#define GELU_HALF_MID_LO (1.0 - 0x1p-26)
#define GELU_HALF_MID_HI (1.0 + 0x1p-26)

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

static inline uint16_t quiet_nan(float x, enum gelu_half type)
{
    uint32_t b = gelu_bits32(x) | 0x00400000u; /* quieted, sign and top payload bits kept */
    if (type == GELU_HALF_BF16)
        return (uint16_t)(b >> 16);
    return (uint16_t)(((b >> 16) & 0x8000u) | 0x7C00u | ((b >> 13) & 0x3FFu));
}

/*
 * The inputs whose exact value lies so close to a 16-bit midpoint that even the 2^-40 test
 * cannot decide (about 2^-28 of all floats for f16, 2^-31 for bf16), from the MPFR runs of
 * gelu_exhaustive_half: a binary search, consulted by the double path only.
 */
static int hard_case(enum gelu_form form, enum gelu_half type, float x, uint16_t *out)
{
#define GELU_ROW(form, FORM) {gelu_half_hard_cases_##form##_bf16, gelu_half_hard_cases_##form##_f16},
    static const uint32_t(*const tables[GELU_N_FORMS][2])[2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
#define GELU_ROW(form, FORM) {GELU_HALF_HARD_CASES_##FORM##_BF16, GELU_HALF_HARD_CASES_##FORM##_F16},
    static const size_t counts[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
    const uint32_t *row = gelu_table_find(tables[form][type], counts[form][type], gelu_bits32(x));
    if (row)
        *out = (uint16_t)row[1];
    return row != NULL;
}

uint16_t gelu_half_slow(enum gelu_form form, enum gelu_half type, float x)
{
    if (isnan(x))
        return quiet_nan(x, type);
    uint16_t known;
    if (hard_case(form, type, x, &known))
        return known;
    double xd = x;
    if (fabs(xd) < 0x1p-30) {
        if (xd == 0.0)
            return format_bits(xd, type);
        double half = xd * 0.5, up = gelu_from_bits64(gelu_bits64(half) + (half > 0 ? 1 : -1));
        return format_bits(round_to_format(up, type), type);
    }
    if (form != GELU_FORM_QUICK && xd >= GELU_FAITHFUL_LO && xd < GELU_FAITHFUL_HI) {
        /* the faithful kernels' y, within 2^-26.8 below HI (above, a is held at HI): decides all but about 2^-15 of the inputs */
        double y = gelu_faithful_y(form, x);
        uint16_t lo = format_bits(round_to_format(y * GELU_HALF_MID_LO, type), type);
        uint16_t hi = format_bits(round_to_format(y * GELU_HALF_MID_HI, type), type);
        if (lo == hi)
            return lo;
    }
    /* Beyond the clamps the value is known: -0 (its magnitude is below 2^-150, under half the
       least subnormal of both formats), or, from 20 on, x minus less than 2^-49 x (quick, whose
       sigma(-1.702x) decays slowest; erf and tanh: 2^-280), which rounds as the double just
       below x does: the nearest rounding boundary below x other than x itself is a float
       ulp, 2^-24 x or more, away. */
    if (xd <= -GELU_CR_AMAX(form))
        return 0x8000;
    if (xd == (double)INFINITY) /* GELU(+inf) = +inf; below, the double under x must be finite */
        return type == GELU_HALF_BF16 ? 0x7F80 : 0x7C00;
    if (xd >= 20.0)
        return format_bits(round_to_format(gelu_from_bits64(gelu_bits64(xd) - 1), type), type);
    double y = gelu_cr_y(form, x);
    uint16_t lo = format_bits(round_to_format(y * GELU_FLAG_LO, type), type);
    uint16_t hi = format_bits(round_to_format(y * GELU_FLAG_HI, type), type);
    /* where they differ lo is kept: the inputs where that is wrong are in the hard-case table */
    (void)hi;
    return lo;
}

static inline void run_H16(enum gelu_form form, enum gelu_half type, const uint16_t *x, uint16_t *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float xi = type == GELU_HALF_BF16 ? gelu_bf16_to_f32(x[i]) : gelu_f16_to_f32(x[i]);
        y[i] = gelu_half_slow(form, type, xi);
    }
}

static inline void run_N16(enum gelu_form form, enum gelu_half type, const float *x, uint16_t *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float xi = x[i]; /* read before y[i] is written: in place, y[i] overlaps x[i / 2] */
        y[i] = gelu_half_slow(form, type, xi);
    }
}

/* The scalar ISA's 16-bit kernels, for every form. */
#define GELU_HALF_ONE(name, run, form, type) \
    void name##_scalar(GELU_SIG_##run) { run_##run(form, type, x, y, n); }
#define GELU_HALF_SCALAR(form, FORM)                                                \
    GELU_HALF_ONE(gelu_##form##_bf16, H16, GELU_FORM_##FORM, GELU_HALF_BF16)        \
    GELU_HALF_ONE(gelu_##form##_f16, H16, GELU_FORM_##FORM, GELU_HALF_F16)          \
    GELU_HALF_ONE(gelu_##form##_f32_to_bf16, N16, GELU_FORM_##FORM, GELU_HALF_BF16) \
    GELU_HALF_ONE(gelu_##form##_f32_to_f16, N16, GELU_FORM_##FORM, GELU_HALF_F16)
GELU_FORMS(GELU_HALF_SCALAR)

uint16_t gelu_half_round(double y, enum gelu_half type) { return format_bits(round_to_format(y, type), type); }
