/*
 * 16-bit storage, proven: every one of the 2^16 bf16 inputs and the 2^16 f16 inputs, each
 * form (erf, tanh, quick), each ISA, against MPFR rounding straight to the 16-bit format
 * (gelu_oracle_half); out of place and in place, and at every offset of a vector block (the inputs are shifted
 * by one element per pass, so each value meets each lane). The narrowing functions
 * (float32 in) on the same values widened, and on every 65537th float bit pattern plus the
 * edges of each format (largest value, overflow threshold, least subnormal). The same under
 * the caller's odd floating-point modes. The 16-bit functions once more on the inputs their
 * polynomial path takes (|x| <= 8, gelu_half_input.h) packed together, so that no register
 * holds a lane outside it (a register with one would take the table). The narrowing functions
 * once more on the deep negative tail, where their float path scales E, Q and y by 2^64 and
 * takes bf16's subnormal results from the bits (every 127th float of [-A_MAX - 1/2, -A_SCALE],
 * every 509th under qemu),
 * each input among other kinds of input at random places, also under FTZ+DAZ. Then the
 * argument checks.
 * Usage: test_half [STRIDE [STEP]]  (the float sample of the narrowing functions, default 65537;
 *        the deep tail's step, default 127: under an emulator, MPFR's time there adds up)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gelu.h"
#include "gelu_forms.h"
#include "gelu_half_coeffs.h"
#include "gelu_half_convert.h"
#include "gelu_half_hard_cases.h"
#include "gelu_half_input_coeffs.h"
#include "gelu_isas.h"
#include "gelu_oracle.h"

#include "fpmode.h"

typedef int (*h16_fn)(int, const uint16_t *, uint16_t *, size_t);
typedef int (*n16_fn)(int, const float *, uint16_t *, size_t);

static const char *forms[GELU_N_FORMS] = {GELU_FORMS(GELU_FORM_NAME)}, *types[2] = {"bf16", "f16"};
#define GELU_ROW(form, FORM) {gelu_##form##_bf16_isa, gelu_##form##_f16_isa},
static const h16_fn h16[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
#define GELU_ROW(form, FORM) {gelu_##form##_f32_to_bf16_isa, gelu_##form##_f32_to_f16_isa},
static const n16_fn n16[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
static const char *isas[GELU_N_ISAS] = GELU_ISA_NAMES;
static int failures;

static float widen(int type, uint16_t h) { return type ? half_f16_to_f32(h) : half_bf16_to_f32(h); }

static void report(const char *what, int form, int type, int isa, float x, uint16_t got, uint16_t want)
{
    if (++failures <= 20)
        fprintf(stderr, "FAIL %s %s %s %s: x=%a got 0x%04x want 0x%04x\n", what, forms[form], types[type], isas[isa],
                (double)x, got, want);
}

#define N 65536

static void all_16bit(int form, int type, const uint16_t *want)
{
    static uint16_t x[N + 64], y[N + 64];
    static float xf[N + 64];
    for (int isa = 0; isa < GELU_N_ISAS; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        for (int shift = 0; shift < 33; shift += 11) { /* 0, 11, 22: every lane of 16 and 32 */
            for (int i = 0; i < N; i++)
                x[i] = (uint16_t)(i + shift);
            if (h16[form][type](isa, x, y, N) != GELU_OK)
                report("call", form, type, isa, 0, 0, 0);
            for (int i = 0; i < N; i++)
                if (y[i] != want[x[i]])
                    report("16-bit", form, type, isa, widen(type, x[i]), y[i], want[x[i]]);
            h16[form][type](isa, x, x, N); /* in place */
            for (int i = 0; i < N; i++)
                if (x[i] != want[(uint16_t)(i + shift)])
                    report("16-bit in place", form, type, isa, widen(type, (uint16_t)(i + shift)), x[i],
                           want[(uint16_t)(i + shift)]);
            for (int i = 0; i < N; i++)
                xf[i] = widen(type, (uint16_t)(i + shift));
            n16[form][type](isa, xf, y, N);
            for (int i = 0; i < N; i++)
                if (y[i] != want[(uint16_t)(i + shift)])
                    report("narrowing", form, type, isa, xf[i], y[i], want[(uint16_t)(i + shift)]);
            n16[form][type](isa, xf, (uint16_t *)xf, N); /* in place: y over the front of x */
            for (int i = 0; i < N; i++)
                if (((uint16_t *)xf)[i] != want[(uint16_t)(i + shift)])
                    report("narrowing in place", form, type, isa, widen(type, (uint16_t)(i + shift)),
                           ((uint16_t *)xf)[i], want[(uint16_t)(i + shift)]);
        }
    }
}

/* The 16-bit inputs x (n of them) on every ISA the machine has, against the oracle's results. */
static void every_isa(const char *what, int form, int type, const uint16_t *want, const uint16_t *x, uint16_t *y,
                      size_t n)
{
    for (int isa = 0; isa < GELU_N_ISAS; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        h16[form][type](isa, x, y, n);
        for (size_t i = 0; i < n; i++)
            if (y[i] != want[x[i]])
                report(what, form, type, isa, widen(type, x[i]), y[i], want[x[i]]);
    }
}

/* Every input with |x| <= 8, one after another (repeated to a whole number of 64-lane groups):
   each goes through the polynomial path on the ISAs that have it. Then again with every 32nd
   lane 7.5 (in the path's range, above the bound of every shorter table, which a group takes
   only when its every |x| is at most that bound): each goes through the form's full table too. */
static void polynomial_range(int form, int type, const uint16_t *want)
{
    static uint16_t x[N + 64], y[N + 64], mixed[2 * N + 128];
    size_t n = 0;
    for (uint32_t i = 0; i < N; i++) {
        float v = fabsf(widen(type, (uint16_t)i));
        uint32_t b;
        memcpy(&b, &v, 4);
        if (b <= GELU_HALF_INPUT_ABS_MAX_BITS)
            x[n++] = (uint16_t)i;
    }
    for (size_t i = 0; n % 64 != 0; i++)
        x[n++] = x[i];
    every_isa("16-bit, |x| <= 8 packed", form, type, want, x, y, n);
    uint16_t seven = type ? 0x4780 : 0x40F0; /* 7.5, f16 or bf16 */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m % 32 == 31)
            mixed[m++] = seven;
        mixed[m++] = x[i];
    }
    while (m % 64 != 0)
        mixed[m++] = seven;
    static uint16_t ym[2 * N + 128];
    every_isa("16-bit, |x| <= 8 with 7.5 in every group", form, type, want, mixed, ym, m);
}

/* Every input alone among zeros, a 64-lane group each (the other lanes of a group decide its
   path: an input that only a range test flags must be flagged by it alone, as among zeros). */
static void alone(int form, int type, const uint16_t *want)
{
    static uint16_t x[64 * N], y[64 * N];
    memset(x, 0, sizeof x);
    for (uint32_t i = 0; i < N; i++)
        x[64 * i + i % 64] = (uint16_t)i;
    every_isa("16-bit, every input alone among zeros", form, type, want, x, y, 64 * N);
}

static float from_bits(uint32_t b)
{
    float f;
    memcpy(&f, &b, 4);
    return f;
}
static uint32_t float_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

/* The narrowing functions on float inputs that are not 16-bit values. */
static void sampled_floats(int form, int type, uint32_t stride)
{
    static const float edges[] = {65504.0f,   65519.99f,   65520.0f,        65520.01f,     0x1p-24f,
                                  0x1.8p-25f, 0x1p-25f,    0x1.000002p-25f, 3.3895314e38f, 3.3961776e38f,
                                  0x1p-133f,  0x1.8p-134f, 1e-45f,          -1e-45f,       0x1.fffffep127f,
                                  -5.25f,     -4.25f,      -5.2500005f,     -4.2500005f};
    size_t count = sizeof edges / sizeof edges[0], cap = count + (size_t)(0x100000000ull / stride) + 2;
    float *x = malloc(cap * sizeof *x);
    uint16_t *want = malloc(cap * sizeof *want), *y = malloc(cap * sizeof *y);
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        x[n++] = edges[i], x[n++] = -edges[i];
    for (uint64_t b = 0; b < 0x100000000ull && n < cap; b += stride)
        x[n++] = from_bits((uint32_t)b);
    for (size_t i = 0; i < n; i++)
        want[i] = gelu_oracle_half(form, type, x[i]);
    for (int isa = 0; isa < GELU_N_ISAS; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        n16[form][type](isa, x, y, n);
        for (size_t i = 0; i < n; i++)
            if (y[i] != want[i])
                report("narrowing sample", form, type, isa, x[i], y[i], want[i]);
    }
    free(x), free(want), free(y);
}

/*
 * The deep negative tail, x in [-A_MAX - 1/2, -A_SCALE] (every step-th float), four places in nine
 * among other inputs at random (central, the rest of the tail, zeros of the result,
 * huge, NaN, -inf), so that registers mix them; in the default mode and under FTZ+DAZ, whose
 * flushing any subnormal arithmetic there would show. Against MPFR.
 */
static void deep_tail(int form, int type, uint32_t step)
{
    static const float a_scale[GELU_N_FORMS] = {GELU_HALF_ERF_A_SCALE, GELU_HALF_TANH_A_SCALE, GELU_HALF_QUICK_A_SCALE};
    static const float a_max[GELU_N_FORMS] = {GELU_HALF_ERF_A_MAX, GELU_HALF_TANH_A_MAX, GELU_HALF_QUICK_A_MAX};
    uint32_t lo = float_bits(-a_scale[form]), hi = float_bits(-(a_max[form] + 0.5f));
    size_t n = 3 * ((hi - lo) / step + 1);
    float *x = malloc(n * sizeof *x);
    uint16_t *want = malloc(n * sizeof *want), *y = malloc(n * sizeof *y);
    uint64_t r = 0x9E3779B97F4A7C15ull;
    uint32_t u = lo;
    for (size_t i = 0; i < n; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        double t = (double)(r >> 11) * 0x1p-53;
        switch (r % 9) {
        case 0: x[i] = (float)(8 * t - 4); break;                    /* central */
        case 1: x[i] = (float)(-4 - (a_scale[form] - 4) * t); break; /* the tail above the deep one */
        case 2: x[i] = (float)(4 + 60 * t); break;                   /* positive tail */
        case 3: x[i] = (float)(-a_max[form] - 100 * t); break;       /* -0 */
        case 4: x[i] = t < 0.3 ? NAN : t < 0.6 ? -INFINITY : -0x1p100f; break;
        default: /* the deep tail, in order */ x[i] = from_bits(u); u = u + step <= hi ? u + step : lo;
        }
    }
    for (size_t i = 0; i < n; i++)
        want[i] = gelu_oracle_half(form, type, x[i]);
    unsigned saved = test_fp_get();
    for (int odd = 0; odd < 2; odd++)
        for (int isa = 0; isa < GELU_N_ISAS; isa++) {
            if (!gelu_isa_supported(isa))
                continue;
            test_fp_set(odd ? TEST_FP_DEFAULT | TEST_FP_FTZ | TEST_FP_DAZ : saved);
            n16[form][type](isa, x, y, n);
            test_fp_set(saved);
            for (size_t i = 0; i < n; i++)
                if (y[i] != want[i])
                    report(odd ? "deep tail, FTZ+DAZ" : "deep tail", form, type, isa, x[i], y[i], want[i]);
        }
    free(x), free(want), free(y);
}

/* Every entry of the hard-case tables: MPFR agrees with it, and every ISA returns it. */
static void hard_cases(void)
{
#define GELU_ROW(form, FORM) {gelu_half_hard_cases_##form##_bf16, gelu_half_hard_cases_##form##_f16},
    const uint32_t(*tables[GELU_N_FORMS][2])[2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
#define GELU_ROW(form, FORM) {GELU_HALF_HARD_CASES_##FORM##_BF16, GELU_HALF_HARD_CASES_##FORM##_F16},
    const size_t counts[GELU_N_FORMS][2] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
    size_t total = 0;
    for (int form = 0; form < GELU_N_FORMS; form++)
        for (int type = 0; type < 2; type++)
            for (size_t k = 0; k < counts[form][type]; k++, total++) {
                float x = from_bits(tables[form][type][k][0]);
                uint16_t want = gelu_oracle_half(form, type, x), got;
                if (want != tables[form][type][k][1])
                    report("hard-case table entry", form, type, 0, x, (uint16_t)tables[form][type][k][1], want);
                for (int isa = 0; isa < GELU_N_ISAS; isa++)
                    if (gelu_isa_supported(isa) && (n16[form][type](isa, &x, &got, 1), got != want))
                        report("hard case", form, type, isa, x, got, want);
            }
    printf("%zu hard cases: %s\n", total, failures ? "FAILURES" : "ok");
}

static void expect(const char *what, int got, int want)
{
    if (got != want) {
        fprintf(stderr, "FAIL %s: %d, expected %d\n", what, got, want);
        failures++;
    }
}

static void argument_checks(void)
{
    static uint16_t h[64];
    static float f[64];
    expect("bf16 NULL x", gelu_erf_bf16(NULL, h, 4), GELU_ERR_NULL);
    expect("bf16 NULL y", gelu_tanh_bf16(h, NULL, 4), GELU_ERR_NULL);
    expect("bf16 n = 0 with NULL", gelu_erf_bf16(NULL, NULL, 0), GELU_OK);
    expect("f16 overlap", gelu_erf_f16(h, h + 1, 8), GELU_ERR_OVERLAP);
    expect("f16 overlap backwards", gelu_erf_f16(h + 1, h, 8), GELU_ERR_OVERLAP);
    expect("f16 adjacent", gelu_erf_f16(h, h + 8, 8), GELU_OK);
    /* narrowing: x is 4n bytes, y 2n */
    expect("narrowing in place", gelu_erf_f32_to_bf16(f, (uint16_t *)f, 16), GELU_OK);
    expect("narrowing y inside x", gelu_erf_f32_to_bf16(f, (uint16_t *)f + 1, 16), GELU_ERR_OVERLAP);
    expect("narrowing y just past x", gelu_erf_f32_to_f16(f, (uint16_t *)(f + 16), 16), GELU_OK);
    expect("narrowing x inside y", gelu_erf_f32_to_f16(f + 4, (uint16_t *)f, 16), GELU_ERR_OVERLAP);
    expect("narrowing x just past y", gelu_erf_f32_to_f16(f + 8, (uint16_t *)f, 16), GELU_OK);
    expect("narrowing size", gelu_erf_f32_to_f16(f, h, (size_t)PTRDIFF_MAX / 2), GELU_ERR_SIZE);
    expect("16-bit size", gelu_erf_bf16(h, h, (size_t)PTRDIFF_MAX / 2 + 1), GELU_ERR_SIZE);
    expect("unknown ISA", gelu_erf_bf16_isa(7, h, h, 4), GELU_ERR_ISA);
    expect("quick bf16 NULL x", gelu_quick_bf16(NULL, h, 4), GELU_ERR_NULL);
    expect("quick f16 overlap", gelu_quick_f16(h, h + 1, 8), GELU_ERR_OVERLAP);
    expect("quick narrowing y inside x", gelu_quick_f32_to_bf16(f, (uint16_t *)f + 1, 16), GELU_ERR_OVERLAP);
    expect("quick narrowing in place", gelu_quick_f32_to_f16(f, (uint16_t *)f, 16), GELU_OK);
}

/*
 * Long arrays (the narrowing kernels' many chunks, each finishing its queued lanes in y), at
 * every alignment of y a 16-bit array can have, out of place, in place and narrowing (out of
 * place and in place).
 */
static void long_arrays(int form, int type, const uint16_t *want)
{
    enum { BIG = (1 << 18) + 123 };
    uint16_t *x = malloc((BIG + 64) * 2), *y = malloc((BIG + 64) * 2);
    float *xf = malloc((BIG + 64) * 4);
    for (int isa = 0; isa < GELU_N_ISAS; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        for (int off = 0; off < 32; off += 5) {
            for (int i = 0; i < BIG; i++)
                x[off + i] = (uint16_t)(i * 7), xf[i] = widen(type, (uint16_t)(i * 7));
            h16[form][type](isa, x + off, y + off, BIG);
            for (int i = 0; i < BIG; i++)
                if (y[off + i] != want[(uint16_t)(i * 7)])
                    report("long", form, type, isa, widen(type, (uint16_t)(i * 7)), y[off + i],
                           want[(uint16_t)(i * 7)]);
            h16[form][type](isa, x + off, x + off, BIG);
            for (int i = 0; i < BIG; i++)
                if (x[off + i] != want[(uint16_t)(i * 7)])
                    report("long in place", form, type, isa, 0, x[off + i], want[(uint16_t)(i * 7)]);
            n16[form][type](isa, xf, y + off, BIG);
            for (int i = 0; i < BIG; i++)
                if (y[off + i] != want[(uint16_t)(i * 7)])
                    report("long narrowing", form, type, isa, xf[i], y[off + i], want[(uint16_t)(i * 7)]);
            n16[form][type](isa, xf, (uint16_t *)xf, BIG);
            for (int i = 0; i < BIG; i++)
                if (((uint16_t *)xf)[i] != want[(uint16_t)(i * 7)])
                    report("long narrowing in place", form, type, isa, widen(type, (uint16_t)(i * 7)),
                           ((uint16_t *)xf)[i], want[(uint16_t)(i * 7)]);
        }
    }
    free(x), free(y), free(xf);
}

/*
 * The caller's floating-point mode changes nothing: flush-to-zero, denormals-are-zero and
 * rounding toward +inf (what -Ofast and fesetround leave behind) around every ISA's call, the
 * same bits as the oracle, and the caller's mode comes back.
 */
static void caller_mode(int form, int type, const uint16_t *want)
{
    static uint16_t x[N], y[N];
    for (int i = 0; i < N; i++)
        x[i] = (uint16_t)i;
    unsigned saved = test_fp_get(), odd = TEST_FP_DEFAULT | TEST_FP_FTZ | TEST_FP_DAZ | TEST_FP_UP | TEST_FP_ARCH_ODD;
    for (int isa = 0; isa < GELU_N_ISAS; isa++) {
        if (!gelu_isa_supported(isa))
            continue;
        test_fp_set(odd);
        h16[form][type](isa, x, y, N);
        unsigned after = test_fp_get();
        test_fp_set(saved);
        if ((after & ~TEST_FP_FLAGS) != (odd & ~TEST_FP_FLAGS)) {
            fprintf(stderr, "FAIL %s %s %s: " TEST_FP_NAME " 0x%x came back as 0x%x\n", forms[form], types[type],
                    isas[isa], odd, after);
            failures++;
        }
        for (int i = 0; i < N; i++)
            if (y[i] != want[i])
                report("under FTZ+DAZ+round-up", form, type, isa, widen(type, (uint16_t)i), y[i], want[i]);
    }
}

int main(int argc, char **argv)
{
    uint32_t stride = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 65537;
    uint32_t step = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 127;
    static uint16_t want[N];
    for (int form = 0; form < GELU_N_FORMS; form++)
        for (int type = 0; type < 2; type++) {
            for (int i = 0; i < N; i++)
                want[i] = gelu_oracle_half(form, type, widen(type, (uint16_t)i));
            all_16bit(form, type, want);
            polynomial_range(form, type, want);
            alone(form, type, want);
            caller_mode(form, type, want);
            long_arrays(form, type, want);
            sampled_floats(form, type, stride);
            deep_tail(form, type, step);
            printf("%s %s: all 2^16 inputs and a float sample, every ISA: %s\n", forms[form], types[type],
                   failures ? "FAILURES" : "ok");
        }
    hard_cases();
    argument_checks();
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    return failures != 0;
}
