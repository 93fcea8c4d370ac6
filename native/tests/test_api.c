/*
 * The C API's contract: argument errors, in place, overlap, every length and alignment of the
 * tails, the ISA choice and GELU_MAX_ISA. Usage: test_api [expected-isa]; with an argument,
 * the active ISA must be that one (ctest runs it once per cap with GELU_MAX_ISA set).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include "gelu.h"
#include "gelu_forms.h"
#include "gelu_isas.h"
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

typedef int (*isa_fn)(int, const float *, float *, size_t);

/* What this CPU supports, found without the library's own detection. */
static int cpu_best(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw"))
        return GELU_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return GELU_ISA_AVX2;
    return GELU_ISA_SCALAR;
#else
    return getauxval(AT_HWCAP) & HWCAP_ASIMD ? GELU_ISA_NEON : GELU_ISA_SCALAR;
#endif
}

int main(int argc, char **argv)
{
    const char *names[] = GELU_ISA_NAMES;
    float in[400], out[400], ref[400];

    /* argument errors leave the output untouched */
    for (int i = 0; i < 400; i++) {
        in[i] = (float)(i - 200) * 0.05f;
        out[i] = 42.0f;
    }
    CHECK(gelu_erf_f32(NULL, out, 3) == GELU_ERR_NULL, "NULL x");
    CHECK(gelu_tanh_f32(in, NULL, 3) == GELU_ERR_NULL, "NULL y");
    CHECK(gelu_erf_f32(NULL, NULL, 0) == GELU_OK, "NULL with n = 0 is fine");
    CHECK(gelu_erf_f32(in, in + 1, 10) == GELU_ERR_OVERLAP, "partial overlap, y after x");
    CHECK(gelu_erf_f32(in + 1, in, 10) == GELU_ERR_OVERLAP, "partial overlap, x after y");
    CHECK(gelu_erf_f32(in, in + 10, 10) == GELU_OK, "adjacent arrays do not overlap");
    for (int i = 0; i < 20; i++)
        in[i] = (float)(i - 200) * 0.05f;
    CHECK(gelu_erf_f32_isa(7, in, out, 3) == GELU_ERR_ISA, "unknown ISA");
    CHECK(gelu_erf_f32_isa(-1, in, out, 3) == GELU_ERR_ISA, "negative ISA");
    CHECK(out[0] == 42.0f && out[2] == 42.0f, "rejected calls wrote nothing");

    /* the active ISA is the best this CPU has, capped by GELU_MAX_ISA */
    int best = cpu_best();
    const char *cap = getenv("GELU_MAX_ISA");
    int want = best;
    for (int i = 0; cap && i < GELU_N_ISAS; i++)
        if (!strcmp(cap, names[i]) && i < want)
            want = i;
    CHECK(!strcmp(gelu_isa(), names[want]), "active ISA %s, expected %s", gelu_isa(), names[want]);
    if (argc > 1)
        CHECK(!strcmp(gelu_isa(), argv[1]), "active ISA %s, the test asked for %s", gelu_isa(), argv[1]);
    for (int i = 0; i < GELU_N_ISAS; i++)
        CHECK(gelu_isa_supported(i) == (i <= want), "gelu_isa_supported(%s)", names[i]);
    CHECK(gelu_erf_f32_isa(want + 1, in, out, 3) == GELU_ERR_ISA, "an ISA above the cap is refused");
    CHECK(gelu_version_number() == GELU_VERSION_NUMBER, "runtime and header versions differ");

    /* every entry point refuses NULL with n > 0, whichever array it is, however large n is */
#define GELU_FN(form, FORM) gelu_##form##_f32_isa,
    static const isa_fn cr_kernels[] = {GELU_FORMS(GELU_FN)};
#undef GELU_FN
#define GELU_FN(form, FORM) gelu_oracle_##form,
    static float (*const cr_oracles[])(float) = {GELU_FORMS(GELU_FN)};
#undef GELU_FN
    static const char *form_names[] = {GELU_FORMS(GELU_FORM_NAME)};
    for (int form = 0; form < GELU_N_FORMS; form++) {
        isa_fn fn = cr_kernels[form];
        for (int isa = 0; isa <= want; isa++)
            CHECK(fn(isa, NULL, out, 1) == GELU_ERR_NULL && fn(isa, in, NULL, 1) == GELU_ERR_NULL &&
                      fn(isa, NULL, NULL, SIZE_MAX) == GELU_ERR_NULL && fn(isa, NULL, NULL, 0) == GELU_OK,
                  "%s %s: NULL arguments", form_names[form], names[isa]);
    }
    CHECK(gelu_quick_f32(NULL, out, 2) == GELU_ERR_NULL, "gelu_quick_f32: NULL x");
    CHECK(gelu_tanh_f32(NULL, NULL, 1) == GELU_ERR_NULL && gelu_erf_f32(in, NULL, SIZE_MAX) == GELU_ERR_NULL,
          "dispatching entry points: NULL arguments");
    CHECK(out[0] == 42.0f, "refused NULL calls wrote nothing");

    /* every length 0..300 at every alignment 0..15 floats, out of place and in place */
    for (int form = 0; form < GELU_N_FORMS; form++) {
        isa_fn fn = cr_kernels[form];
        float (*oracle)(float) = cr_oracles[form];
        for (int i = 0; i < 400; i++) {
            in[i] = (float)sin(i * 0.7) * 7.0f;
            ref[i] = oracle(in[i]);
        }
        for (int isa = 0; isa <= want; isa++) {
            for (int off = 0; off < 16; off++) {
                for (int len = 0; len <= 300; len++) {
                    for (int i = 0; i < 400; i++)
                        out[i] = -99.0f;
                    CHECK(fn(isa, in + off, out + off, (size_t)len) == GELU_OK, "rc");
                    for (int i = 0; i < 400; i++) {
                        int inside = i >= off && i < off + len;
                        float expect = inside ? ref[i] : -99.0f;
                        if (memcmp(&out[i], &expect, 4) != 0 && fabsf(out[i] - expect) > 1e-6f * fabsf(expect)) {
                            CHECK(0, "%s isa=%s off=%d len=%d i=%d: %a vs %a", form_names[form], names[isa], off, len,
                                  i, out[i], expect);
                            goto next_isa;
                        }
                    }
                }
            }
            /* in place */
            memcpy(out, in, sizeof in);
            CHECK(fn(isa, out + 3, out + 3, 333) == GELU_OK, "in place rc");
            for (int i = 3; i < 336; i++)
                if (fabsf(out[i] - ref[i]) > 1e-6f * fabsf(ref[i])) {
                    CHECK(0, "in place %s i=%d", names[isa], i);
                    break;
                }
        next_isa:;
        }
    }
    /*
     * Every kernel (both accuracies) on every ISA against the scalar ISA, bit for bit: short
     * lengths at every alignment for the faithful kernels' tails, and long arrays (many of the
     * faithful kernels' chunks), at unaligned offsets, out of place and in place, with the floats around the output untouched.
     */
    {
#define GELU_FN(form, FORM) gelu_##form##_f32_isa, gelu_##form##_f32_faithful_isa,
        static const isa_fn kernels[] = {GELU_FORMS(GELU_FN)};
#undef GELU_FN
#define GELU_FN(form, FORM) #form, #form " faithful",
        static const char *kernel_names[] = {GELU_FORMS(GELU_FN)};
#undef GELU_FN
        const size_t big = (1u << 18) + 77, pad = 32;
        float *x = malloc((big + 2 * pad) * sizeof *x), *ref_out = malloc((big + 2 * pad) * sizeof *x),
              *got = malloc((big + 2 * pad) * sizeof *x);
        for (size_t i = 0; i < big + 2 * pad; i++)
            x[i] = (float)sin((double)i * 0.37) * (i % 7 == 0 ? 12.0f : 4.0f);
        for (int k = 0; k < 2 * GELU_N_FORMS; k++) {
            for (int off = 0; off < 16; off += 5) {
                for (int mode = 0; mode < 2; mode++) { /* 0: out of place, 1: in place */
                    size_t n = mode ? big - 11 : big;
                    for (size_t i = 0; i < big + 2 * pad; i++)
                        ref_out[i] = mode ? x[i] : -99.0f;
                    CHECK(kernels[k](GELU_ISA_SCALAR, mode ? ref_out + pad + off : x + pad + off, ref_out + pad + off,
                                     n) == GELU_OK,
                          "scalar rc");
                    for (int isa = 1; isa <= want; isa++) {
                        for (size_t i = 0; i < big + 2 * pad; i++)
                            got[i] = mode ? x[i] : -99.0f;
                        CHECK(kernels[k](isa, mode ? got + pad + off : x + pad + off, got + pad + off, n) == GELU_OK,
                              "rc");
                        CHECK(memcmp(got, ref_out, (big + 2 * pad) * sizeof *got) == 0,
                              "%s %s n=%zu off=%d %s: differs from scalar", kernel_names[k], names[isa], n, off,
                              mode ? "in place" : "out of place");
                    }
                }
            }
        }
        for (int k = 2; k < 5; k++) /* the faithful kernels' tails: every length to 80 at every alignment */
            for (int off = 0; off < 16; off++)
                for (size_t n = 0; n <= 80; n++) {
                    for (size_t i = 0; i < 128; i++)
                        ref_out[i] = got[i] = -99.0f;
                    kernels[k](GELU_ISA_SCALAR, x + off, ref_out + off, n);
                    for (int isa = 1; isa <= want; isa++) {
                        kernels[k](isa, x + off, got + off, n);
                        CHECK(memcmp(got, ref_out, 128 * sizeof *got) == 0, "%s %s n=%zu off=%d", kernel_names[k],
                              names[isa], n, off);
                    }
                }
        free(x);
        free(ref_out);
        free(got);
    }
    printf(failures ? "FAILED (%d)\n" : "OK\n", failures);
    return failures != 0;
}
