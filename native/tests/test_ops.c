/*
 * The composed operations (bias + GELU, GEGLU, GEGLU on [a | gate] rows) against their
 * definition by composition, on every ISA, form, type and accuracy: the sum and the product
 * are computed here independently (the product of two 16-bit values exactly in double, then
 * rounded to the type by a search over the type's values), GELU by the forward entry points
 * on the scalar ISA (proven elsewhere: test_accuracy, test_half, gelu_exhaustive). Also: the
 * padding between rows is never written, in place works, bad arguments write nothing, and the
 * caller's MXCSR changes no bit.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gelu.h"
#include "gelu_forms.h"
#include "gelu_half_convert.h"
#include "gelu_isas.h"

#include "fpmode.h"

enum { F32, F32_FAITHFUL, BF16, F16, N_TYPES };
static const char *type_names[N_TYPES] = {"f32", "f32_faithful", "bf16", "f16"};
static const char *form_names[GELU_N_FORMS] = {GELU_FORMS(GELU_FORM_NAME)};

typedef int (*bias32_fn)(int, const float *, const float *, float *, size_t, size_t, size_t, size_t);
typedef int (*bias16_fn)(int, const uint16_t *, const uint16_t *, uint16_t *, size_t, size_t, size_t, size_t);
typedef int (*glu32_fn)(int, const float *, const float *, float *, size_t);
typedef int (*glu16_fn)(int, const uint16_t *, const uint16_t *, uint16_t *, size_t);
typedef int (*rows32_fn)(int, const float *, float *, size_t, size_t, size_t, size_t);
typedef int (*rows16_fn)(int, const uint16_t *, uint16_t *, size_t, size_t, size_t, size_t);
typedef int (*fwd32_fn)(int, const float *, float *, size_t);
typedef int (*fwd16_fn)(int, const uint16_t *, uint16_t *, size_t);
typedef int (*narrow_fn)(int, const float *, uint16_t *, size_t);

/* [form][type]: the float tables' second column is the faithful accuracy. */
#define GELU_ROW(form, FORM) {gelu_##form##_bias_f32_isa, gelu_##form##_bias_f32_faithful_isa},
static const bias32_fn bias32[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
#define GELU_ROW(form, FORM) {gelu_##form##_bias_bf16_isa, gelu_##form##_bias_f16_isa},
static const bias16_fn bias16[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
#define GELU_ROW(form, FORM) {geglu_##form##_f32_isa, geglu_##form##_f32_faithful_isa},
static const glu32_fn glu32[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
#define GELU_ROW(form, FORM) {geglu_##form##_bf16_isa, geglu_##form##_f16_isa},
static const glu16_fn glu16[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
#define GELU_ROW(form, FORM) {geglu_##form##_rows_f32_isa, geglu_##form##_rows_f32_faithful_isa},
static const rows32_fn rows32[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
#define GELU_ROW(form, FORM) {geglu_##form##_rows_bf16_isa, geglu_##form##_rows_f16_isa},
static const rows16_fn rows16[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
#define GELU_ROW(form, FORM) {gelu_##form##_f32_isa, gelu_##form##_f32_faithful_isa},
static const fwd32_fn fwd32[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
#define GELU_ROW(form, FORM) {gelu_##form##_bf16_isa, gelu_##form##_f16_isa},
static const fwd16_fn fwd16[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
#define GELU_ROW(form, FORM) {gelu_##form##_f32_to_bf16_isa, gelu_##form##_f32_to_f16_isa},
static const narrow_fn narrow[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW

static int failures;
#define CHECK(cond, ...)                                    \
    do {                                                    \
        if (!(cond)) {                                      \
            if (failures++ < 20) {                          \
                printf("FAIL %s:%d: ", __FILE__, __LINE__); \
                printf(__VA_ARGS__);                        \
                printf("\n");                               \
            }                                               \
        }                                                   \
    } while (0)

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next32(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static float bits_f(uint32_t u) { return half_conv_float(u); }

/* Mostly the range an activation sees, plus every kind of special value. */
static float random_float(void)
{
    static const uint32_t special[] = {0x7FC00000, 0xFFC12345, 0x7F800001, 0x7F800000, 0xFF800000, 0x00000000,
                                       0x80000000, 0x00000001, 0x80000003, 0x007FFFFF, 0x7F7FFFFF, 0xFF7FFFFF,
                                       0xC1A00000, 0x41A00000, 0xBF40A3D7, 0xC0800000};
    uint32_t r = next32() % 100;
    if (r < 6)
        return bits_f(special[next32() % (sizeof special / sizeof special[0])]);
    if (r < 12)
        return bits_f(next32()); /* any bit pattern */
    float u = (float)(next32() >> 8) * 0x1p-24f;
    return (u - 0.5f) * (r < 80 ? 8.0f : 40.0f);
}

static uint16_t random_half(int type)
{
    uint32_t r = next32() % 100;
    if (r < 20)
        return (uint16_t)next32(); /* any code: NaNs, infinities, subnormals */
    float f = random_float();
    return type == BF16 ? half_f32_to_bf16(f) : half_f32_to_f16(f);
}

static int is_nan32(float f) { return f != f; }
static float widen(uint16_t h, int type) { return type == BF16 ? half_bf16_to_f32(h) : half_f16_to_f32(h); }
static int is_nan16(uint16_t h, int type) { return (h & 0x7FFF) > (type == BF16 ? 0x7F80 : 0x7C00); }

/* The definition's sum: fl(x + b), a NaN being x's, else b's, else the positive quiet NaN. */
static float def_add(float x, float b)
{
    if (is_nan32(x))
        return x;
    if (is_nan32(b))
        return b;
    float s = x + b;
    return is_nan32(s) ? bits_f(0x7FC00000) : s;
}

static float def_mul32(float a, float t)
{
    if (is_nan32(a))
        return bits_f(half_conv_bits(a) | 0x00400000);
    if (is_nan32(t))
        return t;
    float p = a * t;
    return is_nan32(p) ? bits_f(0x7FC00000) : p;
}

/* The 16-bit value nearest to the finite double p, ties to the even code; beyond the largest
   finite value by half an ulp or more: infinity. A binary search over the positive codes. */
static uint16_t nearest16(double p, int type)
{
    uint16_t sign = signbit(p) ? 0x8000 : 0, inf = type == BF16 ? 0x7F80 : 0x7C00;
    double a = fabs(p);
    unsigned lo = 0, hi = inf; /* widen(lo) <= a < widen(hi) as long as a < inf */
    if (a >= (double)widen((uint16_t)(inf - 1), type)) {
        lo = inf - 1;
    } else {
        while (hi - lo > 1) {
            unsigned mid = (lo + hi) / 2;
            if ((double)widen((uint16_t)mid, type) <= a)
                lo = mid;
            else
                hi = mid;
        }
    }
    hi = lo + 1;
    double vlo = widen((uint16_t)lo, type);
    /* the value above the largest finite one, for the comparison: max + one ulp */
    double vhi = hi == inf ? vlo + (vlo - (double)widen((uint16_t)(lo - 1), type)) : widen((uint16_t)hi, type);
    double dlo = a - vlo, dhi = vhi - a; /* exact: all three have at most 24 significant bits in a small range */
    unsigned pick = dlo < dhi ? lo : dhi < dlo ? hi : (lo & 1 ? hi : lo);
    return (uint16_t)(sign | pick);
}

static uint16_t def_mul16(uint16_t a, uint16_t t, int type)
{
    if (is_nan16(a, type))
        return (uint16_t)(a | (type == BF16 ? 0x0040 : 0x0200));
    if (is_nan16(t, type))
        return t;
    double p = (double)widen(a, type) * (double)widen(t, type); /* exact in double */
    if (p != p)
        return type == BF16 ? 0x7FC0 : 0x7E00;
    return nearest16(p, type);
}

struct shape {
    size_t rows, cols, ldx, ldy;
};
static const struct shape
    shapes[] = {{1, 1, 1, 1},           {3, 17, 17, 17},       {4, 33, 40, 35},       {2, 1023, 1023, 1030},
                {3, 1025, 1100, 1025},  {1, 5000, 5000, 5000}, {6, 2500, 2503, 2600}, {9, 7, 64, 8},
                {64, 4100, 4100, 4103}, /* a large tensor (2^18 and more) */
                {65539, 5, 7, 6}};      /* large too, in rows shorter than a vector, at every alignment */
#define N_SHAPES (sizeof shapes / sizeof shapes[0])
#define CANARY32 0x5A5A5A5Au
#define CANARY16 0x5A5Au

/* ---- bias + GELU */

static void test_bias32(int isa, int form, int type)
{
    int acc = type == F32_FAITHFUL;
    for (size_t k = 0; k < N_SHAPES; k++) {
        struct shape s = shapes[k];
        size_t nx = (s.rows - 1) * s.ldx + s.cols, ny = (s.rows - 1) * s.ldy + s.cols + 8;
        float *x = malloc(nx * 4), *b = malloc(s.cols * 4), *y = malloc(ny * 4), *sum = malloc(s.cols * 4),
              *want = malloc(s.cols * 4);
        for (size_t i = 0; i < nx; i++)
            x[i] = random_float();
        for (size_t j = 0; j < s.cols; j++)
            b[j] = random_float();
        for (size_t i = 0; i < ny; i++)
            y[i] = bits_f(CANARY32);
        int rc = bias32[form][acc](isa, x, b, y, s.rows, s.cols, s.ldx, s.ldy);
        CHECK(rc == GELU_OK, "bias %s %s isa %d rc %d", form_names[form], type_names[type], isa, rc);
        for (size_t i = 0; i < s.rows; i++) {
            for (size_t j = 0; j < s.cols; j++)
                sum[j] = def_add(x[i * s.ldx + j], b[j]);
            fwd32[form][acc](GELU_ISA_SCALAR, sum, want, s.cols);
            for (size_t j = 0; j < s.ldy && i * s.ldy + j < ny; j++) {
                uint32_t got = half_conv_bits(y[i * s.ldy + j]);
                if (j < s.cols)
                    CHECK(got == half_conv_bits(want[j]), "bias %s %s isa %d [%zu][%zu] x %a b %a: %08x, want %08x",
                          form_names[form], type_names[type], isa, i, j, x[i * s.ldx + j], b[j], got,
                          half_conv_bits(want[j]));
                else
                    CHECK(got == CANARY32, "bias %s isa %d wrote padding [%zu][%zu]", type_names[type], isa, i, j);
            }
        }
        for (size_t i = s.rows ? (s.rows - 1) * s.ldy + s.cols : 0; i < ny; i++)
            CHECK(half_conv_bits(y[i]) == CANARY32, "bias wrote past the end");
        /* in place: y == x, ldy == ldx */
        float *z = malloc(nx * 4);
        memcpy(z, x, nx * 4);
        rc = bias32[form][acc](isa, z, b, z, s.rows, s.cols, s.ldx, s.ldx);
        CHECK(rc == GELU_OK, "bias in place rc %d", rc);
        for (size_t i = 0; i < s.rows; i++)
            for (size_t j = 0; j < s.ldx && i * s.ldx + j < nx; j++)
                CHECK(half_conv_bits(z[i * s.ldx + j]) ==
                          half_conv_bits(j < s.cols ? y[i * s.ldy + j] : x[i * s.ldx + j]),
                      "bias in place %s isa %d [%zu][%zu]", type_names[type], isa, i, j);
        free(x), free(b), free(y), free(sum), free(want), free(z);
    }
}

static void test_bias16(int isa, int form, int type)
{
    int h = type == F16;
    for (size_t k = 0; k < N_SHAPES; k++) {
        struct shape s = shapes[k];
        size_t nx = (s.rows - 1) * s.ldx + s.cols, ny = (s.rows - 1) * s.ldy + s.cols + 8;
        uint16_t *x = malloc(nx * 2), *b = malloc(s.cols * 2), *y = malloc(ny * 2), *want = malloc(s.cols * 2);
        float *sum = malloc(s.cols * 4);
        for (size_t i = 0; i < nx; i++)
            x[i] = random_half(type);
        for (size_t j = 0; j < s.cols; j++)
            b[j] = random_half(type);
        for (size_t i = 0; i < ny; i++)
            y[i] = CANARY16;
        int rc = bias16[form][h](isa, x, b, y, s.rows, s.cols, s.ldx, s.ldy);
        CHECK(rc == GELU_OK, "bias %s rc %d", type_names[type], rc);
        for (size_t i = 0; i < s.rows; i++) {
            for (size_t j = 0; j < s.cols; j++)
                sum[j] = def_add(widen(x[i * s.ldx + j], type), widen(b[j], type));
            narrow[form][h](GELU_ISA_SCALAR, sum, want, s.cols);
            for (size_t j = 0; j < s.ldy && i * s.ldy + j < ny; j++) {
                if (j < s.cols)
                    CHECK(y[i * s.ldy + j] == want[j], "bias %s %s isa %d [%zu][%zu] x %04x b %04x: %04x, want %04x",
                          form_names[form], type_names[type], isa, i, j, x[i * s.ldx + j], b[j], y[i * s.ldy + j],
                          want[j]);
                else
                    CHECK(y[i * s.ldy + j] == CANARY16, "bias %s wrote padding", type_names[type]);
            }
        }
        uint16_t *z = malloc(nx * 2);
        memcpy(z, x, nx * 2);
        rc = bias16[form][h](isa, z, b, z, s.rows, s.cols, s.ldx, s.ldx);
        CHECK(rc == GELU_OK, "bias in place rc %d", rc);
        for (size_t i = 0; i < s.rows; i++)
            for (size_t j = 0; j < s.ldx && i * s.ldx + j < nx; j++)
                CHECK(z[i * s.ldx + j] == (j < s.cols ? y[i * s.ldy + j] : x[i * s.ldx + j]),
                      "bias in place %s isa %d [%zu][%zu]", type_names[type], isa, i, j);
        free(x), free(b), free(y), free(sum), free(want), free(z);
    }
}

/* ---- GEGLU, two inputs and [a | gate] rows */

static const size_t glu_sizes[] = {1, 7, 16, 1023, 1024, 1025, 4099, (1 << 18) + 5};
#define N_GLU (sizeof glu_sizes / sizeof glu_sizes[0])

static void test_glu32(int isa, int form, int type)
{
    int acc = type == F32_FAITHFUL;
    for (size_t k = 0; k < N_GLU; k++) {
        size_t n = glu_sizes[k];
        float *a = malloc(n * 4), *g = malloc(n * 4), *t = malloc(n * 4), *y = malloc((n + 4) * 4), *z = malloc(n * 4);
        for (size_t i = 0; i < n; i++)
            a[i] = random_float(), g[i] = random_float();
        for (size_t i = 0; i < n + 4; i++)
            y[i] = bits_f(CANARY32);
        fwd32[form][acc](GELU_ISA_SCALAR, g, t, n);
        int rc = glu32[form][acc](isa, a, g, y, n);
        CHECK(rc == GELU_OK, "geglu rc %d", rc);
        for (size_t i = 0; i < n; i++)
            CHECK(half_conv_bits(y[i]) == half_conv_bits(def_mul32(a[i], t[i])),
                  "geglu %s %s isa %d a %a g %a: %08x, want %08x", form_names[form], type_names[type], isa, a[i], g[i],
                  half_conv_bits(y[i]), half_conv_bits(def_mul32(a[i], t[i])));
        for (size_t i = n; i < n + 4; i++)
            CHECK(half_conv_bits(y[i]) == CANARY32, "geglu wrote past the end");
        memcpy(z, a, n * 4); /* in place into a, then into gate */
        glu32[form][acc](isa, z, g, z, n);
        CHECK(memcmp(z, y, n * 4) == 0, "geglu in place (a) %s isa %d", type_names[type], isa);
        memcpy(z, g, n * 4);
        glu32[form][acc](isa, a, z, z, n);
        CHECK(memcmp(z, y, n * 4) == 0, "geglu in place (gate) %s isa %d", type_names[type], isa);
        /* the same values as [a | gate] rows */
        size_t rows = n > 5000 ? 1 : 3, cols = n, ldx = 2 * n + 5, ldy = n + 3;
        float *x = malloc(rows * ldx * 4), *yr = malloc(rows * ldy * 4);
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < ldx; j++)
                x[i * ldx + j] = j < n ? a[j] : j < 2 * n ? g[j - n] : bits_f(CANARY32);
        for (size_t i = 0; i < rows * ldy; i++)
            yr[i] = bits_f(CANARY32);
        rc = rows32[form][acc](isa, x, yr, rows, cols, ldx, ldy);
        CHECK(rc == GELU_OK, "geglu rows rc %d", rc);
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < ldy; j++)
                CHECK(half_conv_bits(yr[i * ldy + j]) == (j < n ? half_conv_bits(y[j]) : CANARY32),
                      "geglu rows %s isa %d [%zu][%zu]", type_names[type], isa, i, j);
        rc = rows32[form][acc](isa, x, x, rows, cols, ldx, ldx); /* in place: y over the a halves */
        CHECK(rc == GELU_OK, "geglu rows in place rc %d", rc);
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < n; j++)
                CHECK(half_conv_bits(x[i * ldx + j]) == half_conv_bits(y[j]) &&
                          half_conv_bits(x[i * ldx + n + j]) == half_conv_bits(g[j]),
                      "geglu rows in place %s isa %d [%zu][%zu]", type_names[type], isa, i, j);
        free(a), free(g), free(t), free(y), free(z), free(x), free(yr);
    }
}

static void test_glu16(int isa, int form, int type)
{
    int h = type == F16;
    for (size_t k = 0; k < N_GLU; k++) {
        size_t n = glu_sizes[k];
        uint16_t *a = malloc(n * 2), *g = malloc(n * 2), *t = malloc(n * 2), *y = malloc((n + 4) * 2),
                 *z = malloc(n * 2);
        for (size_t i = 0; i < n; i++)
            a[i] = random_half(type), g[i] = random_half(type);
        for (size_t i = 0; i < n + 4; i++)
            y[i] = CANARY16;
        fwd16[form][h](GELU_ISA_SCALAR, g, t, n);
        int rc = glu16[form][h](isa, a, g, y, n);
        CHECK(rc == GELU_OK, "geglu rc %d", rc);
        for (size_t i = 0; i < n; i++)
            CHECK(y[i] == def_mul16(a[i], t[i], type), "geglu %s %s isa %d a %04x g %04x (GELU %04x): %04x, want %04x",
                  form_names[form], type_names[type], isa, a[i], g[i], t[i], y[i], def_mul16(a[i], t[i], type));
        for (size_t i = n; i < n + 4; i++)
            CHECK(y[i] == CANARY16, "geglu wrote past the end");
        memcpy(z, a, n * 2);
        glu16[form][h](isa, z, g, z, n);
        CHECK(memcmp(z, y, n * 2) == 0, "geglu in place (a) %s isa %d", type_names[type], isa);
        memcpy(z, g, n * 2);
        glu16[form][h](isa, a, z, z, n);
        CHECK(memcmp(z, y, n * 2) == 0, "geglu in place (gate) %s isa %d", type_names[type], isa);
        size_t rows = 2, ldx = 2 * n + 1, ldy = n + 2;
        uint16_t *x = malloc(rows * ldx * 2), *yr = malloc(rows * ldy * 2);
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < ldx; j++)
                x[i * ldx + j] = j < n ? a[j] : j < 2 * n ? g[j - n] : CANARY16;
        for (size_t i = 0; i < rows * ldy; i++)
            yr[i] = CANARY16;
        rc = rows16[form][h](isa, x, yr, rows, n, ldx, ldy);
        CHECK(rc == GELU_OK, "geglu rows rc %d", rc);
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < ldy; j++)
                CHECK(yr[i * ldy + j] == (j < n ? y[j] : CANARY16), "geglu rows %s isa %d [%zu][%zu]", type_names[type],
                      isa, i, j);
        free(a), free(g), free(t), free(y), free(z), free(x), free(yr);
    }
}

/* Every 16-bit product: all a against a spread of GELU results, so each rounding case occurs. */
static void test_products16(int isa, int type)
{
    int h = type == F16;
    size_t n = 65536;
    uint16_t *a = malloc(n * 2), *g = malloc(n * 2), *t = malloc(n * 2), *y = malloc(n * 2);
    for (int round = 0; round < 4; round++) {
        for (size_t i = 0; i < n; i++)
            a[i] = (uint16_t)i, g[i] = random_half(type);
        fwd16[0][h](GELU_ISA_SCALAR, g, t, n);
        glu16[0][h](isa, a, g, y, n);
        for (size_t i = 0; i < n; i++)
            CHECK(y[i] == def_mul16(a[i], t[i], type), "product %s isa %d a %04x t %04x: %04x, want %04x",
                  type_names[type], isa, a[i], t[i], y[i], def_mul16(a[i], t[i], type));
    }
    free(a), free(g), free(t), free(y);
}

/* ---- backward in 16 bits: every x against random dy, GELU' from the float32 backward */

typedef int (*bwd32_fn)(int, const float *, const float *, float *, size_t);
typedef int (*bwd16_fn)(int, const uint16_t *, const uint16_t *, uint16_t *, size_t);
#define GELU_FN(form, FORM) gelu_##form##_backward_f32_isa,
static const bwd32_fn bwd32[GELU_N_FORMS] = {GELU_FORMS(GELU_FN)};
#undef GELU_FN
#define GELU_ROW(form, FORM) {gelu_##form##_backward_bf16_isa, gelu_##form##_backward_f16_isa},
static const bwd16_fn bwd16[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW

/* The definition: fl(dy d), a NaN being dy's (quieted), else x's, else the default one. */
static uint16_t def_bwd16(uint16_t dy, float d, int type)
{
    if (is_nan16(dy, type))
        return (uint16_t)(dy | (type == BF16 ? 0x0040 : 0x0200));
    if (is_nan32(d))
        return type == BF16 ? half_f32_to_bf16(d) : half_f32_to_f16(d);
    double p = (double)widen(dy, type) * (double)d; /* exact in double */
    if (p != p)
        return type == BF16 ? 0x7FC0 : 0x7E00;
    return nearest16(p, type);
}

/* float32: dx = fl(dy d) with the NaN choice of def_mul32, d from the scalar ISA with dy = 1 */
static void test_bwd32(int isa, int form)
{
    size_t n = 20000;
    float *x = malloc(n * 4), *dy = malloc(n * 4), *one = malloc(n * 4), *d = malloc(n * 4), *dx = malloc(n * 4);
    for (size_t i = 0; i < n; i++)
        x[i] = random_float(), dy[i] = random_float(), one[i] = 1.0f;
    bwd32[form](GELU_ISA_SCALAR, x, one, d, n);
    int rc = bwd32[form](isa, x, dy, dx, n);
    CHECK(rc == GELU_OK, "backward rc %d", rc);
    for (size_t i = 0; i < n; i++)
        CHECK(half_conv_bits(dx[i]) == half_conv_bits(def_mul32(dy[i], d[i])),
              "backward f32 %d isa %d x %08x dy %08x: %08x, want %08x", form, isa, half_conv_bits(x[i]),
              half_conv_bits(dy[i]), half_conv_bits(dx[i]), half_conv_bits(def_mul32(dy[i], d[i])));
    free(x), free(dy), free(one), free(d), free(dx);
}

static void test_bwd16(int isa, int form, int type)
{
    int h = type == F16;
    size_t n = (1 << 18) + 5; /* every code four times, and a large tensor */
    uint16_t *x = malloc(n * 2), *dy = malloc(n * 2), *dx = malloc(n * 2), *z = malloc(n * 2);
    float *fx = malloc(n * 4), *one = malloc(n * 4), *d = malloc(n * 4);
    for (size_t i = 0; i < n; i++) {
        x[i] = (uint16_t)i, dy[i] = random_half(type), fx[i] = widen(x[i], type), one[i] = 1.0f;
    }
    bwd32[form](GELU_ISA_SCALAR, fx, one, d, n);
    int rc = bwd16[form][h](isa, x, dy, dx, n);
    CHECK(rc == GELU_OK, "backward rc %d", rc);
    for (size_t i = 0; i < n; i++)
        CHECK(dx[i] == def_bwd16(dy[i], d[i], type), "backward %d %s isa %d x %04x dy %04x (d %a): %04x, want %04x",
              form, type_names[type], isa, x[i], dy[i], d[i], dx[i], def_bwd16(dy[i], d[i], type));
    size_t small = 3000; /* in place over x, then over dy, short and long */
    for (int k = 0; k < 2; k++) {
        size_t m = k ? n : small;
        memcpy(z, x, m * 2);
        bwd16[form][h](isa, z, dy, z, m);
        CHECK(memcmp(z, dx, m * 2) == 0, "backward in place (x) %s isa %d", type_names[type], isa);
        memcpy(z, dy, m * 2);
        bwd16[form][h](isa, x, z, z, m);
        CHECK(memcmp(z, dx, m * 2) == 0, "backward in place (dy) %s isa %d", type_names[type], isa);
    }
    free(x), free(dy), free(dx), free(z), free(fx), free(one), free(d);
}

/* ---- bad arguments: an error code and nothing written */

static void test_errors(int isa)
{
    float x[64], b[8], y[64];
    for (int i = 0; i < 64; i++)
        x[i] = (float)i, y[i] = bits_f(CANARY32);
    for (int i = 0; i < 8; i++)
        b[i] = 1.0f;
#define UNTOUCHED()                                             \
    do {                                                        \
        int ok = 1;                                             \
        for (int i = 0; i < 64; i++)                            \
            ok &= half_conv_bits(y[i]) == CANARY32;             \
        CHECK(ok, "an error call wrote y (line %d)", __LINE__); \
    } while (0)
    CHECK(gelu_erf_bias_f32_isa(isa, x, b, y, 2, 8, 7, 8) == GELU_ERR_SHAPE, "ldx < cols");
    CHECK(gelu_erf_bias_f32_isa(isa, x, b, y, 2, 8, 8, 7) == GELU_ERR_SHAPE, "ldy < cols");
    CHECK(gelu_erf_bias_f32_isa(isa, x, b, y, 0, 8, 7, 8) == GELU_ERR_SHAPE, "ldx < cols, no rows");
    CHECK(gelu_erf_bias_f32_isa(isa, x, b, y, 0, 8, 8, 8) == GELU_OK, "no rows");
    CHECK(gelu_erf_bias_f32_isa(isa, x, b, y, 4, 0, 0, 0) == GELU_OK, "no cols");
    CHECK(gelu_erf_bias_f32_isa(isa, NULL, b, y, 2, 8, 8, 8) == GELU_ERR_NULL, "x NULL");
    CHECK(gelu_erf_bias_f32_isa(isa, x, NULL, y, 2, 8, 8, 8) == GELU_ERR_NULL, "bias NULL");
    CHECK(gelu_erf_bias_f32_isa(isa, x, b, NULL, 2, 8, 8, 8) == GELU_ERR_NULL, "y NULL");
    CHECK(gelu_erf_bias_f32_isa(isa, x, y + 3, y, 2, 8, 8, 8) == GELU_ERR_OVERLAP, "bias inside y");
    CHECK(gelu_erf_bias_f32_isa(isa, x, y, y, 2, 8, 8, 8) == GELU_ERR_OVERLAP, "bias == y");
    CHECK(gelu_erf_bias_f32_isa(isa, y, b, y, 2, 8, 8, 9) == GELU_ERR_OVERLAP, "y == x with another ld");
    CHECK(gelu_erf_bias_f32_isa(isa, y + 1, b, y, 2, 8, 8, 8) == GELU_ERR_OVERLAP, "x shifted into y");
    CHECK(gelu_erf_bias_f32_isa(isa, x, b, y, SIZE_MAX / 2, 8, 8, 8) == GELU_ERR_SIZE, "rows overflow");
    CHECK(gelu_erf_bias_f32_isa(isa, x, b, y, 2, SIZE_MAX / 2, SIZE_MAX / 2, SIZE_MAX / 2) == GELU_ERR_SIZE, "cols");
    CHECK(gelu_erf_bias_f32_isa(3, x, b, y, 2, 8, 8, 8) == GELU_ERR_ISA, "unknown ISA");
    UNTOUCHED();
    CHECK(geglu_erf_f32_isa(isa, x, x, y, 8) == GELU_OK, "a == gate is two reads");
    for (int i = 0; i < 64; i++)
        y[i] = bits_f(CANARY32);
    CHECK(geglu_erf_f32_isa(isa, x, y + 1, y, 8) == GELU_ERR_OVERLAP, "gate overlaps y");
    CHECK(geglu_erf_f32_isa(isa, y + 2, x, y, 8) == GELU_ERR_OVERLAP, "a overlaps y");
    CHECK(geglu_erf_f32_isa(isa, x, NULL, y, 8) == GELU_ERR_NULL, "gate NULL");
    CHECK(geglu_erf_f32_isa(isa, x, x, y, PTRDIFF_MAX) == GELU_ERR_SIZE, "n overflow");
    CHECK(geglu_erf_rows_f32_isa(isa, x, y, 2, 8, 15, 8) == GELU_ERR_SHAPE, "ldx < 2 cols");
    CHECK(geglu_erf_rows_f32_isa(isa, x, y, 2, 8, 16, 7) == GELU_ERR_SHAPE, "rows: ldy < cols");
    CHECK(geglu_erf_rows_f32_isa(isa, y, y + 1, 2, 8, 16, 16) == GELU_ERR_OVERLAP, "rows: y shifted into x");
    CHECK(geglu_erf_rows_f32_isa(isa, y, y, 2, 8, 16, 8) == GELU_ERR_OVERLAP, "rows: y == x with another ld");
    CHECK(geglu_erf_rows_f32_isa(isa, x, y, 2, SIZE_MAX / 3, SIZE_MAX, SIZE_MAX) == GELU_ERR_SIZE,
          "rows: 2 cols wraps");
    UNTOUCHED();
    uint16_t hx[16] = {0}, hy[16];
    for (int i = 0; i < 16; i++)
        hy[i] = CANARY16;
    CHECK(gelu_erf_bias_bf16_isa(isa, hx, hx, hy, 2, 8, 8, 7) == GELU_ERR_SHAPE, "bf16 ldy < cols");
    CHECK(gelu_erf_bias_f16_isa(isa, hx, hy + 8, hy, 2, 8, 8, 8) == GELU_ERR_OVERLAP, "f16 bias in y");
    CHECK(geglu_erf_f16_isa(isa, hy + 1, hx, hy, 8) == GELU_ERR_OVERLAP, "f16 a overlaps y");
    CHECK(geglu_erf_rows_bf16_isa(isa, hx, hy, 1, 8, 15, 8) == GELU_ERR_SHAPE, "bf16 rows ldx");
    int ok = 1;
    for (int i = 0; i < 16; i++)
        ok &= hy[i] == CANARY16;
    CHECK(ok, "a 16-bit error call wrote y");
}

/* ---- the caller's MXCSR (FTZ, DAZ, rounding up) changes no bit and comes back */

static void test_mxcsr(int isa)
{
    enum { R = 3, C = 700 };
    float x[R * C], b[C], y1[R * C], y2[R * C], g1[C], g2[C];
    uint16_t h[C], hb[C], h1[C], h2[C];
    for (int i = 0; i < R * C; i++)
        x[i] = random_float();
    for (int i = 0; i < C; i++)
        b[i] = random_float(), h[i] = random_half(BF16), hb[i] = random_half(BF16);
    gelu_tanh_bias_f32_isa(isa, x, b, y1, R, C, C, C);
    geglu_erf_f32_isa(isa, b, x, g1, C);
    gelu_erf_bias_bf16_isa(isa, h, hb, h1, 1, C, C, C);
    unsigned saved = test_fp_get(), odd = TEST_FP_DEFAULT | TEST_FP_FTZ | TEST_FP_DAZ | TEST_FP_UP | TEST_FP_ARCH_ODD;
    test_fp_set(odd);
    gelu_tanh_bias_f32_isa(isa, x, b, y2, R, C, C, C);
    geglu_erf_f32_isa(isa, b, x, g2, C);
    gelu_erf_bias_bf16_isa(isa, h, hb, h2, 1, C, C, C);
    unsigned after = test_fp_get() & ~TEST_FP_FLAGS;
    test_fp_set(saved);
    CHECK(after == odd, TEST_FP_NAME " not given back: %#x", after);
    CHECK(memcmp(y1, y2, sizeof y1) == 0 && memcmp(g1, g2, sizeof g1) == 0 && memcmp(h1, h2, sizeof h1) == 0,
          "the caller's " TEST_FP_NAME " changed a result on isa %d", isa);
}

int main(void)
{
    int checked = 0;
    for (int isa = GELU_ISA_SCALAR; isa < GELU_N_ISAS; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        for (int form = 0; form < GELU_N_FORMS; form++)
            for (int type = 0; type < N_TYPES; type++) {
                if (type < BF16) {
                    test_bias32(isa, form, type);
                    test_glu32(isa, form, type);
                } else {
                    test_bias16(isa, form, type);
                    test_glu16(isa, form, type);
                }
            }
        for (int form = 0; form < GELU_N_FORMS; form++) {
            test_bwd32(isa, form);
            test_bwd16(isa, form, BF16);
            test_bwd16(isa, form, F16);
        }
        test_products16(isa, BF16);
        test_products16(isa, F16);
        test_errors(isa);
        test_mxcsr(isa);
        checked++;
    }
    printf("composed operations: %d ISAs, %d failures\n", checked, failures);
    return failures != 0 || checked == 0;
}
