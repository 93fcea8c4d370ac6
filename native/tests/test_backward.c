/*
 * The backward kernels against the MPFR oracle of GELU'(x) (gelu_oracle_deriv), each form,
 * each ISA variant that runs here:
 *   - GELU'(x) itself (dy = 1) on every float within 3000 ulps of each zero crossing, on
 *     the tails where the result becomes subnormal and then -0, around 0, on the specials,
 *     on the inputs of the hard-case table, on random bit patterns, on runs inside the range of
 *     the AVX-512 first tier and around its piece boundaries, and on random x in [-8, 8];
 *   - dx = fl(dy * GELU'(x)) with random dy (both signs, subnormal, infinite), out of place
 *     and in place (dx == dy, dx == x), at every offset of a vector block;
 *   - every length up to 70 with the arrays ending at an unmapped page (a tail that read or
 *     wrote past the end would fault);
 *   - the same inside gelu_fpenv_enter/leave from callers in FTZ+DAZ and in round-up mode
 *     (the dispatcher brackets every kernel so; the result must not depend on the caller).
 * Exit status 0 when every result is the oracle's.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gelu.h"
#include "gelu_backward_central.h"
#include "gelu_backward_hard_cases.h"
#include "gelu_fpenv.h"
#include "gelu_internal.h"
#include "gelu_oracle_deriv.h"

#include "fpmode.h"

typedef void (*bwd_fn)(const float *x, const float *dy, float *dx, size_t n);

#define N_FORMS GELU_N_FORMS
static const char *form_names[N_FORMS] = {GELU_FORMS(GELU_FORM_NAME)}, *isa_names[GELU_N_ISAS] = GELU_ISA_NAMES;
#define GELU_ROW(f, F) {GELU_ISAS_EACH(GELU_ISAS_INIT, gelu_##f##_backward_f32, )},
static const bwd_fn kernels[N_FORMS][GELU_N_ISAS] = {GELU_FORMS(GELU_ROW)};
#undef GELU_ROW
/* The zero crossings x = -r (gen_backward.py prints r to 20 digits). */
static const double roots[N_FORMS] = {-0.75179152469356445746, -0.75246142207101625849, -0.7511542554412889513};
/* Where each form's negative tail turns subnormal and then -0. */
static const float tail_lo[N_FORMS] = {-15.5f, -12.5f, -90.0f}, tail_hi[N_FORMS] = {-12.5f, -9.0f, -40.0f};
/* The kernels' gelu_bwd_zero_below (gelu_backward_body.h): vectors of x at or below it skip
   the evaluation, so every float near it is checked, in runs that fill whole vectors */
static const float zero_below[N_FORMS] = {-0x1.d152bcp+3f, -0x1.5ca010p+3f, -0x1.feb2a8p+5f};

#define MAX_N 200000
static float xs[MAX_N], want[MAX_N], dys[MAX_N], dxs[MAX_N], buf[MAX_N + 64], buf2[MAX_N + 64];
static size_t n;
static int failures;

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t next32(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static int same(float a, float b) { return (isnan(a) && isnan(b)) || gelu_bits32(a) == gelu_bits32(b); }

static void add(float x)
{
    if (n < MAX_N)
        xs[n++] = x;
}

static void inputs(int form)
{
    n = 0;
    float r = (float)roots[form];
    for (int k = -3000; k <= 3000; k++) /* every float near the zero crossing */
        add(gelu_from_bits32((uint32_t)((int32_t)gelu_bits32(r) + k)));
    for (int k = -3000; k <= 3000; k++) /* every float near the zero threshold */
        add(gelu_from_bits32((uint32_t)((int32_t)gelu_bits32(zero_below[form]) + k)));
    for (int k = 0; k < 20000; k++) /* the tail: normal, subnormal, -0 results */
        add(tail_lo[form] + (tail_hi[form] - tail_lo[form]) * (float)k / 20000.0f);
    for (int k = -2000; k <= 2000; k++) /* around 0, where GELU' = 0.5 + 0.8 x: floats near 0.5's midpoints */
        add((float)k * 0x1p-36f);
    for (int k = 0; k < 2000; k++) /* subnormal and tiny x of both signs */
        add(gelu_from_bits32((next32() & 0x807FFFFFu) | (k & 1 ? 0x00800000u : 0)));
    static const float special[] = {0.0f,    -0.0f,    INFINITY,  -INFINITY,  NAN,    -NAN,    FLT_MAX, -FLT_MAX,
                                    FLT_MIN, -FLT_MIN, 0x1p-149f, -0x1p-149f, 15.0f,  -15.0f,  12.0f,   -12.0f,
                                    88.0f,   -88.0f,   20.0f,     -20.0f,     100.0f, -100.0f, 1.0f,    -1.0f};
    for (size_t k = 0; k < sizeof special / sizeof special[0]; k++)
        add(special[k]);
    add(gelu_from_bits32(0x7FA00000u)); /* signalling NaN */
    /* the inputs of the hard-case table (the oracle, not the table, says what is right) */
#define GELU_TABLE(f, F) gelu_##f##_backward_hard_cases,
    const uint32_t(*tables[N_FORMS])[2] = {GELU_FORMS(GELU_TABLE)};
#undef GELU_TABLE
    for (size_t k = 0; tables[form][k][0] != 0xffffffffu; k++)
        add(gelu_from_bits32(tables[form][k][0]));
    while (n < 130000) /* random bit patterns */
        add(gelu_from_bits32(next32()));
    /* AVX-512's first tier takes 32 lanes at a time, all in (-3.4375, 5.5): whole runs in that
       range, random, then every float near its piece boundaries (a = |x| at which
       fma(a, A, B) is a half-integer) on both signs */
    while (n < 160000)
        add((float)((double)next32() / 4294967296.0 * 8.9375 - 3.4375));
    for (int k = 0; k <= 16; k++)
        for (int sign = -1; sign <= 1; sign += 2) {
            float edge = (float)((k - 0.5 - GELU_BWD_C_B) / GELU_BWD_C_A) * (float)sign;
            for (int u = -32; u < 32; u++)
                add(gelu_from_bits32((uint32_t)((int32_t)gelu_bits32(edge) + u)));
        }
    while (n < MAX_N) /* random x in [-8, 8] */
        add((float)((double)next32() / 4294967296.0 * 16.0 - 8.0));
}

static void report(const char *what, int form, int isa, float x, float dy, float got, float exp)
{
    if (++failures <= 20)
        fprintf(stderr, "FAIL %s %s %s: x=%a dy=%a got %a want %a\n", what, form_names[form], isa_names[isa], (double)x,
                (double)dy, (double)got, (double)exp);
}

static float random_dy(void)
{
    uint32_t u = next32();
    switch (u & 7) {
    case 0: return gelu_from_bits32(next32() & 0x807FFFFFu); /* subnormal */
    case 1: return u & 8 ? INFINITY : -INFINITY;
    default: return (float)((double)next32() / 4294967296.0 * 8.0 - 4.0);
    }
}

static void check(int form, int isa, unsigned caller_mode, const char *mode)
{
    bwd_fn fn = kernels[form][isa];
    char what[96];
    for (size_t k = 0; k < n; k++)
        buf2[k] = 1.0f;
    unsigned saved = test_fp_get();
    test_fp_set(caller_mode);
    unsigned caller = gelu_fpenv_enter();
    fn(xs, buf2, buf, n); /* dy = 1: dx is GELU'(x) itself */
    gelu_fpenv_leave(caller);
    unsigned after = test_fp_get();
    test_fp_set(saved);
    if ((after & ~TEST_FP_FLAGS) != (caller_mode & ~TEST_FP_FLAGS))
        report(TEST_FP_NAME " not restored", form, isa, 0, 0, (float)after, (float)caller_mode);
    snprintf(what, sizeof what, "GELU' (%s)", mode);
    for (size_t k = 0; k < n; k++)
        if (!same(buf[k], want[k]))
            report(what, form, isa, xs[k], 1.0f, buf[k], want[k]);
    for (int shift = 0; shift < 17; shift += 5) { /* each value at several offsets of a block */
        size_t m = n - (size_t)shift;
        memcpy(buf, dys + shift, m * 4);
        memcpy(buf2, xs + shift, m * 4);
        test_fp_set(caller_mode);
        caller = gelu_fpenv_enter();
        fn(xs + shift, dys + shift, dxs, m);
        fn(xs + shift, buf, buf, m);    /* dx == dy */
        fn(buf2, dys + shift, buf2, m); /* dx == x */
        gelu_fpenv_leave(caller);
        test_fp_set(saved);
        for (size_t k = 0; k < m; k++) {
            float x = xs[k + shift], dy = dys[k + shift], exp = dy * want[k + shift];
            snprintf(what, sizeof what, "dx (%s, offset %d)", mode, shift);
            if (!same(dxs[k], exp))
                report(what, form, isa, x, dy, dxs[k], exp);
            if (!same(buf[k], exp))
                report("dx in place over dy", form, isa, x, dy, buf[k], exp);
            if (!same(buf2[k], exp))
                report("dx in place over x", form, isa, x, dy, buf2[k], exp);
        }
    }
}

/* x, dy and dx each end where an unmapped page begins; every length up to 70 */
static void guard_pages(int form, int isa)
{
    long page = sysconf(_SC_PAGESIZE);
    char *mem = mmap(NULL, (size_t)page * 6, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        report("mmap", form, isa, 0, 0, 0, 0);
        return;
    }
    for (int k = 1; k < 6; k += 2)
        mprotect(mem + (size_t)page * (size_t)k, (size_t)page, PROT_NONE);
    float *end[3];
    for (int k = 0; k < 3; k++)
        end[k] = (float *)(mem + (size_t)page * (size_t)(2 * k + 1));
    for (size_t len = 0; len <= 70; len++) {
        float *x = end[0] - len, *dy = end[1] - len, *dx = end[2] - len;
        for (size_t k = 0; k < len; k++)
            x[k] = xs[k], dy[k] = dys[k];
        kernels[form][isa](x, dy, dx, len);
        for (size_t k = 0; k < len; k++)
            if (!same(dx[k], dys[k] * want[k]))
                report("dx at a guard page", form, isa, xs[k], dys[k], dx[k], dys[k] * want[k]);
    }
    munmap(mem, (size_t)page * 6);
}

int main(void)
{
    static const struct {
        unsigned mxcsr;
        const char *name;
    } modes[] = {{TEST_FP_DEFAULT, "default mode"},
                 {TEST_FP_DEFAULT | TEST_FP_FTZ | TEST_FP_DAZ, "caller in FTZ+DAZ"},
                 {TEST_FP_DEFAULT | TEST_FP_UP | TEST_FP_ARCH_ODD, "caller rounding up"}};
    for (int form = 0; form < N_FORMS; form++) {
        inputs(form);
        for (size_t k = 0; k < n; k++) {
            want[k] = gelu_oracle_deriv(form, xs[k]);
            dys[k] = random_dy();
        }
        /* the values themselves, checked once by hand where they are defined rather than computed */
        if (!same(gelu_oracle_deriv(form, INFINITY), 1.0f) || !same(gelu_oracle_deriv(form, -INFINITY), -0.0f) ||
            !same(gelu_oracle_deriv(form, -0.0f), 0.5f) || !isnan(gelu_oracle_deriv(form, NAN)))
            report("oracle specials", form, 0, 0, 0, 0, 0);
        int isas = 0;
        for (int isa = 0; isa < GELU_N_ISAS; isa++) {
            if (!kernels[form][isa] || !gelu_isa_supported(isa))
                continue;
            isas++;
            guard_pages(form, isa);
            for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++)
                check(form, isa, modes[m].mxcsr, modes[m].name);
        }
        printf("%s: %zu inputs on %d ISA(s), %d failures so far\n", form_names[form], n, isas, failures);
    }
    printf(failures ? "FAILED: %d\n" : "OK\n", failures);
    return failures != 0;
}
