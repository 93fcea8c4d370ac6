/*
 * Limits of the C API that the main API test does not reach:
 *
 *   size:  an n whose byte size overflows (n > PTRDIFF_MAX / 4, up to SIZE_MAX) is refused with
 *          GELU_ERR_SIZE by every entry point and ISA, and nothing is written (it used to wrap
 *          in the overlap check and run the kernel off the end of the arrays);
 *   cap:   GELU_MAX_ISA as ctest sets it for each run: `test_limits STATUS ISA VALUE` expects
 *          gelu_max_isa_status() == STATUS (unset, applied, unknown), gelu_max_isa_value() ==
 *          VALUE, and the active ISA to be the lower of ISA (or none: "-") and what the CPU has
 *          (found with __builtin_cpu_supports, aarch64: the HWCAP bits, not with the library's own
 *          detection).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include "gelu.h"
#include "gelu_isas.h"

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

static const char *names[] = GELU_ISA_NAMES;

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

static void check_sizes(void)
{
    float x[64], y[64];
    for (int i = 0; i < 64; i++)
        x[i] = 1.0f, y[i] = 42.0f;
    const size_t huge[] = {SIZE_MAX / 4 + 1, SIZE_MAX / 4 + 2, SIZE_MAX, SIZE_MAX / 2, (size_t)PTRDIFF_MAX / 4 + 1};
    for (size_t k = 0; k < sizeof huge / sizeof huge[0]; k++) {
        size_t n = huge[k];
        CHECK(gelu_erf_f32(x, y, n) == GELU_ERR_SIZE, "gelu_erf_f32 n=%zu", n);
        CHECK(gelu_tanh_f32(x, y, n) == GELU_ERR_SIZE, "gelu_tanh_f32 n=%zu", n);
        CHECK(gelu_quick_f32(x, y, n) == GELU_ERR_SIZE, "gelu_quick_f32 n=%zu", n);
        CHECK(gelu_erf_f32(x, x, n) == GELU_ERR_SIZE, "gelu_erf_f32 in place n=%zu", n);
        for (int isa = 0; isa < GELU_N_ISAS; isa++) {
            if (!gelu_isa_supported(isa))
                continue;
            CHECK(gelu_erf_f32_isa(isa, x, y, n) == GELU_ERR_SIZE, "erf %s n=%zu", names[isa], n);
            CHECK(gelu_tanh_f32_isa(isa, x, y, n) == GELU_ERR_SIZE, "tanh %s n=%zu", names[isa], n);
            CHECK(gelu_quick_f32_isa(isa, x, y, n) == GELU_ERR_SIZE, "quick %s n=%zu", names[isa], n);
        }
    }
    for (int i = 0; i < 64; i++)
        CHECK(y[i] == 42.0f && x[i] == 1.0f, "a refused call wrote element %d", i);
    /* the largest n that is not refused for its size still gets the other checks */
    CHECK(gelu_erf_f32(x, x + 1, (size_t)PTRDIFF_MAX / 4) == GELU_ERR_OVERLAP, "overlap at the size limit");
    CHECK(gelu_erf_f32(NULL, y, SIZE_MAX) == GELU_ERR_NULL, "NULL comes first");
}

int main(int argc, char **argv)
{
    check_sizes();
    if (argc == 4) {
        int want_status = !strcmp(argv[1], "applied")   ? GELU_MAX_ISA_APPLIED
                          : !strcmp(argv[1], "unknown") ? GELU_MAX_ISA_UNKNOWN
                                                        : GELU_MAX_ISA_UNSET;
        int cap = GELU_N_ISAS - 1;
        for (int i = 0; i < GELU_N_ISAS; i++)
            if (!strcmp(argv[2], names[i]))
                cap = i;
        int best = cpu_best(), want = best < cap ? best : cap;
        const char *env = getenv("GELU_MAX_ISA");
        printf("GELU_MAX_ISA=%s%s%s: status %d, value '%s', isa %s\n", env ? "'" : "(unset)", env ? env : "",
               env ? "'" : "", gelu_max_isa_status(), gelu_max_isa_value(), gelu_isa());
        CHECK(gelu_max_isa_status() == want_status, "status %d, expected %d", gelu_max_isa_status(), want_status);
        const char *value = !strcmp(argv[3], "-") ? "" : argv[3];
        CHECK(!strcmp(gelu_max_isa_value(), value), "value '%s', expected '%s'", gelu_max_isa_value(), value);
        CHECK(!strcmp(gelu_isa(), names[want]), "active ISA %s, expected %s", gelu_isa(), names[want]);
        for (int i = 0; i < GELU_N_ISAS; i++)
            CHECK(gelu_isa_supported(i) == (i <= want), "gelu_isa_supported(%s)", names[i]);
    }
    printf(failures ? "FAILED (%d)\n" : "OK\n", failures);
    return failures != 0;
}
