/*
 * The floating-point environment: results do not depend on the caller's MXCSR (aarch64: FPCR), the caller's
 * mode comes back unchanged, and no exception flag is raised beyond what IEEE 754 asks of GELU.
 *
 * Every kernel: every form, correctly rounded and faithful.
 *
 *   mode:  under FTZ, DAZ, FTZ+DAZ and each directed rounding (aarch64: also default NaN,
 *          alternative half precision and FZ16), every ISA returns the MPFR
 *          oracle's bits (faithful kernels: the scalar faithful kernel's, computed beforehand in
 *          the default mode) on subnormal inputs, the
 *          negative tail (-13.5 among them) and random bit patterns; the caller's control bits
 *          are exactly what they were after each call.
 *   flags: per input class, the flags raised (fetestexcept, invalid/divide-by-zero/overflow/
 *          underflow) are exactly the required ones: quiet NaN, +-inf, +-0, huge positive and
 *          ordinary values raise none; a signalling NaN raises invalid; huge negative and
 *          tiny/subnormal inputs, whose exact results are tiny and inexact, raise underflow.
 *   traps: in a child process with every exception trapped that the class must not raise
 *          (feenableexcept), the public entry point and the ISA's kernel itself are called;
 *          a SIGFPE fails the test.
 */
#define _GNU_SOURCE
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fpmode.h"

#include "gelu_internal.h"
#include "gelu_oracle.h"

static int failures;
#define CHECK(cond, ...)                                \
    do {                                                \
        if (!(cond)) {                                  \
            printf("FAIL %s:%d: ", __FILE__, __LINE__); \
            printf(__VA_ARGS__);                        \
            printf("\n");                               \
            failures++;                                 \
        }                                               \
    } while (0)

static const char *isa_names[] = GELU_ISA_NAMES;
/* Each form correctly rounded (even k) and faithful (odd k). */
#define N_KERNELS (2 * GELU_N_FORMS)
#define GELU_NAMES(form, FORM) #form, #form " faithful",
static const char *form_names[N_KERNELS] = {GELU_FORMS(GELU_NAMES)};
#undef GELU_NAMES
typedef int (*isa_fn)(int, const float *, float *, size_t);
#define GELU_FNS(form, FORM) gelu_##form##_f32_isa, gelu_##form##_f32_faithful_isa,
static const isa_fn entry[N_KERNELS] = {GELU_FORMS(GELU_FNS)};
#undef GELU_FNS
typedef void (*f32_kernel)(const float *, float *, size_t);
/* kernels[k][isa]: each ISA's kernel of entry[k] */
#define GELU_FNS(form, FORM)                               \
    {GELU_ISAS_EACH(GELU_ISAS_INIT, gelu_##form##_f32, )}, \
        {GELU_ISAS_EACH(GELU_ISAS_INIT, gelu_##form##_f32_faithful, )},
static const f32_kernel kernels[N_KERNELS][GELU_N_ISAS] = {GELU_FORMS(GELU_FNS)};
#undef GELU_FNS

/* The reference of kernel k at x, in the default mode: the oracle, or the scalar faithful kernel. */
static float reference(int k, float x)
{
    if (k % 2 == 0)
        return gelu_oracle(k / 2, x);
    float y;
    unsigned mode = test_fp_get();
    test_fp_set(TEST_FP_DEFAULT);
    kernels[k][0](&x, &y, 1);
    test_fp_set(mode);
    return y;
}

static float f32(uint32_t u) { return gelu_from_bits32(u); }

static int same(float a, float b) { return (isnan(a) && isnan(b)) || gelu_bits32(a) == gelu_bits32(b); }

/* ---- mode ---- */

#define N_MODE 6000
static float mode_in[N_MODE], mode_ref[N_KERNELS][N_MODE], mode_out[N_MODE];

static void mode_inputs(void)
{
    int k = 0;
    for (uint32_t i = 0; i < 1000; i++) /* subnormals of both signs, spread over the range */
        mode_in[k++] = f32((i * 8388u + 1u) | (i & 1 ? 0x80000000u : 0));
    for (int i = 0; i < 1000; i++) /* the negative tail, -9.5 to -15.5, where FTZ bit */
        mode_in[k++] = -9.5f - 6.0f * (float)i / 1000.0f;
    mode_in[k++] = -13.5f;
    uint64_t s = 0x9E3779B97F4A7C15u;
    while (k < N_MODE) { /* random bit patterns (NaN included) */
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        mode_in[k++] = f32((uint32_t)(s >> 32));
    }
    for (int i = 0; i < N_MODE; i++)
        for (int k = 0; k < N_KERNELS; k++)
            mode_ref[k][i] = reference(k, mode_in[i]);
}

static void check_modes(int isa)
{
    static const struct {
        const char *name;
        unsigned set; /* control bits to set on top of the default mode */
        int trap;     /* and invalid unmasked */
    } modes[] = {
        {"FTZ+DAZ", TEST_FP_FTZ | TEST_FP_DAZ, 0},
        {"FTZ", TEST_FP_FTZ, 0},
        {"DAZ", TEST_FP_DAZ, 0},
        {"round up", TEST_FP_UP, 0},
        {"round down", TEST_FP_DOWN, 0},
        {"round to zero", TEST_FP_ZERO, 0},
        {"FTZ+DAZ, round up, invalid unmasked", TEST_FP_FTZ | TEST_FP_DAZ | TEST_FP_UP, 1},
        {"the architecture's other bits (aarch64: DN, AHP, FZ16), round down", TEST_FP_ARCH_ODD | TEST_FP_DOWN, 0},
    };
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        for (int form = 0; form < N_KERNELS; form++) {
            unsigned caller = TEST_FP_DEFAULT | modes[m].set;
            if (modes[m].trap)
                caller = test_fp_trap_invalid(caller);
            int wrong = 0, first = -1;
            test_fp_set(caller);
            caller = test_fp_get(); /* what the CPU kept of it (AArch64 may drop trap enables) */
            int rc = entry[form](isa, mode_in, mode_out, N_MODE);
            unsigned after = test_fp_get();
            test_fp_set(TEST_FP_DEFAULT);
            CHECK(rc == GELU_OK, "rc %d", rc);
            CHECK((after & ~TEST_FP_FLAGS) == caller, "%s %s %s: caller's " TEST_FP_NAME " %#x came back as %#x",
                  isa_names[isa], form_names[form], modes[m].name, caller, after);
            for (int i = 0; i < N_MODE; i++)
                if (!same(mode_out[i], mode_ref[form][i])) {
                    wrong++;
                    if (first < 0)
                        first = i;
                }
            CHECK(wrong == 0,
                  "%s %s under %s: %d of %d results differ from the oracle, first x=%a: %a, "
                  "correctly rounded %a",
                  isa_names[isa], form_names[form], modes[m].name, wrong, N_MODE, mode_in[first], mode_out[first],
                  mode_ref[form][first]);
        }
    }
}

/* ---- flags and traps ---- */

#define WATCHED (FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW)

struct input_class {
    const char *name;
    int required; /* the flags IEEE 754 requires of GELU for every value of the class */
    uint32_t bits[8];
    int n;
};

static const struct input_class classes[] = {
    {"quiet NaN", 0, {0x7fc00000, 0xffc00000, 0x7fc12345, 0xffffffff, 0x7fffffff, 0xffd00001}, 6},
    {"signalling NaN", FE_INVALID, {0x7f800001, 0xff812345, 0x7fbfffff, 0xffa00000}, 4},
    {"+inf", 0, {0x7f800000}, 1},
    {"-inf", 0, {0xff800000}, 1},
    {"+-0", 0, {0x00000000, 0x80000000}, 2},
    /* 1e30, FLT_MAX, 20, 100, 3e38: GELU(x) = x exactly rounded, no overflow */
    {"huge positive", 0, {0x7149f2ca, 0x7f7fffff, 0x41a00000, 0x42c80000, 0x7f61b1e6}, 5},
    /* -70 (beyond every form's clamp), -1e30, -FLT_MAX, -100: the exact result is tiny,
       nonzero, rounded to -0 */
    {"huge negative", FE_UNDERFLOW, {0xc28c0000, 0xf149f2ca, 0xff7fffff, 0xc2c80000}, 4},
    /* denorm min, subnormals of both signs, FLT_MIN, -FLT_MIN: a subnormal, inexact result */
    {"tiny and subnormal",
     FE_UNDERFLOW,
     {0x00000001, 0x80000001, 0x000a5a5a, 0x807fffff, 0x00800000, 0x80800000, 0x00400000},
     7},
    /* -5, -1, -0.5, 0.25, 1, 3, 1e-20, -9 */
    {"ordinary",
     0,
     {0xc0a00000, 0xbf800000, 0xbf000000, 0x3e800000, 0x3f800000, 0x40400000, 0x1e3ce508, 0xc1100000},
     8},
};
#define N_CLASSES ((int)(sizeof classes / sizeof classes[0]))

static const char *flag_names(int f, char *buf)
{
    buf[0] = 0;
    if (f & FE_INVALID)
        strcat(buf, " invalid");
    if (f & FE_DIVBYZERO)
        strcat(buf, " divide-by-zero");
    if (f & FE_OVERFLOW)
        strcat(buf, " overflow");
    if (f & FE_UNDERFLOW)
        strcat(buf, " underflow");
    if (!buf[0])
        strcat(buf, " none");
    return buf;
}

/* The class's values repeated over n floats (n = 1, a tail, and whole blocks with a tail). */
static void fill(const struct input_class *c, float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = f32(c->bits[i % (size_t)c->n]);
}

static const size_t lengths[] = {1, 5, 70, 200};

static void check_flags(int isa)
{
    float x[200], y[200], ref[200];
    char a[80], b[80];
    for (int c = 0; c < N_CLASSES; c++)
        for (int form = 0; form < N_KERNELS; form++)
            for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
                size_t n = lengths[l];
                fill(&classes[c], x, n);
                for (size_t i = 0; i < n; i++)
                    ref[i] = reference(form, x[i]);
                feclearexcept(FE_ALL_EXCEPT);
                int rc = entry[form](isa, x, y, n);
                int raised = fetestexcept(WATCHED);
                CHECK(rc == GELU_OK, "rc %d", rc);
                CHECK(raised == classes[c].required, "%s %s, %s, n=%zu: raised%s, IEEE 754 requires%s", isa_names[isa],
                      form_names[form], classes[c].name, n, flag_names(raised, a), flag_names(classes[c].required, b));
                for (size_t i = 0; i < n; i++) {
                    if (!same(y[i], ref[i])) {
                        CHECK(0, "%s %s, %s: GELU(%a) = %a, reference %a", isa_names[isa], form_names[form],
                              classes[c].name, x[i], y[i], ref[i]);
                        break;
                    }
                }
            }
}

/* Runs the call in a child with the forbidden exceptions trapped; 1 if it died of SIGFPE. */
static int trapped(int isa, int form, int c, int direct)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        float x[200], y[200];
        fill(&classes[c], x, 200);
        feclearexcept(FE_ALL_EXCEPT);
        feenableexcept(WATCHED & ~classes[c].required);
        for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
            if (direct)
                kernels[form][isa](x, y, lengths[l]);
            else
                entry[form](isa, x, y, lengths[l]);
        }
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return 1;
    return WIFSIGNALED(status) ? (WTERMSIG(status) == SIGFPE ? 1 : 2) : WEXITSTATUS(status) != 0 ? 2 : 0;
}

static void check_traps(int isa)
{
    for (int c = 0; c < N_CLASSES; c++)
        for (int form = 0; form < N_KERNELS; form++)
            for (int direct = 0; direct < 2; direct++) {
                int r = trapped(isa, form, c, direct);
                CHECK(r == 0, "%s %s, %s, traps enabled, %s: %s", isa_names[isa], form_names[form], classes[c].name,
                      direct ? "kernel called directly" : "public entry point", r == 1 ? "SIGFPE" : "the child failed");
            }
}

int main(void)
{
    /* the default mode of a C program, and the one the oracle runs in */
    CHECK(test_fp_get() == TEST_FP_DEFAULT, "unexpected " TEST_FP_NAME " %#x at start", test_fp_get());
    mode_inputs();
    for (int isa = 0; isa < GELU_N_ISAS; isa++) {
        if (!gelu_isa_supported(isa)) {
            printf("skip %s: not supported here\n", isa_names[isa]);
            continue;
        }
        check_modes(isa);
        check_flags(isa);
        check_traps(isa);
        printf("%s: checked\n", isa_names[isa]);
    }
    printf(failures ? "FAILED (%d)\n" : "OK\n", failures);
    return failures != 0;
}
