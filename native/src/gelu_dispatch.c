/*
 * Public entry points and the one-time choice of instruction set.
 *
 * Built for baseline x86-64 only: this file runs before anyone knows what the CPU has, so
 * no AVX instruction may leak into it.
 */
#if defined(__AVX__)
#error "gelu_dispatch.c must be compiled without -mavx: it runs on every x86-64 CPU"
#endif

#include <cpuid.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "gelu_internal.h"

struct impl {
    int isa;
    const char *name;
    gelu_kernel_fn kernel[GELU_N_KERNELS];
};

#define GELU_ROW_SCALAR(name) gelu_##name##_scalar,
#define GELU_ROW_AVX2(name) gelu_##name##_avx2,
#define GELU_ROW_AVX512(name) gelu_##name##_avx512,
static const struct impl impls[] = {
    {GELU_ISA_SCALAR, "scalar", {GELU_KERNELS(GELU_ROW_SCALAR)}},
    {GELU_ISA_AVX2, "avx2", {GELU_KERNELS(GELU_ROW_AVX2)}},
    {GELU_ISA_AVX512, "avx512", {GELU_KERNELS(GELU_ROW_AVX512)}},
};
#define N_IMPLS ((int)(sizeof impls / sizeof impls[0]))

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* The best ISA the CPU has and the OS saves the registers of (CPUID alone is not enough). */
static int detect_cpu(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return GELU_ISA_SCALAR;
    const unsigned osxsave = 1u << 27, avx = 1u << 28, fma = 1u << 12;
    if ((c & (osxsave | avx | fma)) != (osxsave | avx | fma))
        return GELU_ISA_SCALAR;
    uint64_t xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) /* SSE and AVX state */
        return GELU_ISA_SCALAR;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return GELU_ISA_SCALAR;
    if (!(b & (1u << 5))) /* AVX2 */
        return GELU_ISA_SCALAR;
    const unsigned f = 1u << 16, dq = 1u << 17, bw = 1u << 30, vl = 1u << 31;
    if ((b & (f | dq | bw | vl)) == (f | dq | bw | vl) && (xcr0 & 0xE0) == 0xE0) /* opmask, ZMM */
        return GELU_ISA_AVX512;
    return GELU_ISA_AVX2;
}

/* GELU_MAX_ISA caps the choice; an unknown value caps nothing (the library never fails here). */
static int max_isa(void)
{
    const char *cap = getenv("GELU_MAX_ISA");
    if (cap)
        for (int i = 0; i < N_IMPLS; i++)
            if (strcmp(cap, impls[i].name) == 0)
                return impls[i].isa;
    return GELU_ISA_AVX512;
}

/* -1 until computed; every thread computes the same value, so a race only repeats the work. */
static _Atomic int usable_isa = -1;

static int best_isa(void)
{
    int isa = atomic_load_explicit(&usable_isa, memory_order_acquire);
    if (isa < 0) {
        int cpu = detect_cpu(), cap = max_isa();
        isa = cpu < cap ? cpu : cap;
        atomic_store_explicit(&usable_isa, isa, memory_order_release);
    }
    return isa;
}

static int check(const float *x, const float *y, size_t n)
{
    if (n == 0)
        return GELU_OK;
    if (!x || !y)
        return GELU_ERR_NULL;
    uintptr_t xs = (uintptr_t)x, ys = (uintptr_t)y, bytes = n * sizeof(float);
    if (xs != ys && xs < ys + bytes && ys < xs + bytes)
        return GELU_ERR_OVERLAP;
    return GELU_OK;
}

static int run(int isa, enum gelu_kernel_id k, const float *x, float *y, size_t n)
{
    if (isa < 0 || isa >= N_IMPLS || isa > best_isa())
        return GELU_ERR_ISA;
    int rc = check(x, y, n);
    if (rc != GELU_OK || n == 0)
        return rc;
    impls[isa].kernel[k](x, y, n);
    return GELU_OK;
}

/* The public entry points, two per row of the kernel table. */
#define GELU_ENTRY(name)                                                                       \
    int gelu_##name(const float *x, float *y, size_t n) { return run(best_isa(), GELU_K_##name, x, y, n); } \
    int gelu_##name##_isa(int isa, const float *x, float *y, size_t n) { return run(isa, GELU_K_##name, x, y, n); }
GELU_KERNELS(GELU_ENTRY)

const char *gelu_isa(void) { return impls[best_isa()].name; }

int gelu_isa_supported(int isa) { return isa >= 0 && isa < N_IMPLS && isa <= best_isa(); }

#define GELU_STR2(x) #x
#define GELU_STR(x) GELU_STR2(x)
const char *gelu_version(void)
{
    return GELU_STR(GELU_VERSION_MAJOR) "." GELU_STR(GELU_VERSION_MINOR) "." GELU_STR(GELU_VERSION_PATCH);
}

int gelu_version_number(void) { return GELU_VERSION_NUMBER; }
