/*
 * Public entry points and the one-time choice of instruction set.
 *
 * Built for the architecture's baseline only (x86-64, AArch64): this file runs before anyone
 * knows what the CPU has, so no instruction of an optional ISA may leak into it.
 */
#if defined(__AVX__)
#error "gelu_dispatch.c must be compiled without -mavx: it runs on every x86-64 CPU"
#endif

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include "gelu_fpenv.h"
#include "gelu_internal.h"

struct impl {
    int isa;
    const char *name;
    gelu_kernel_fn kernel[GELU_N_KERNELS];
};

#define GELU_ROW_SCALAR(name, kind) {.kind = name##_scalar},
#if defined(__x86_64__)
#define GELU_ROW_AVX2(name, kind) {.kind = name##_avx2},
#define GELU_ROW_AVX512(name, kind) {.kind = name##_avx512},
static const struct impl impls[] = {
    {GELU_ISA_SCALAR, "scalar", {GELU_KERNELS(GELU_ROW_SCALAR)}},
    {GELU_ISA_AVX2, "avx2", {GELU_KERNELS(GELU_ROW_AVX2)}},
    {GELU_ISA_AVX512, "avx512", {GELU_KERNELS(GELU_ROW_AVX512)}},
};
#else
#define GELU_ROW_NEON(name, kind) {.kind = name##_neon},
static const struct impl impls[] = {
    {GELU_ISA_SCALAR, "scalar", {GELU_KERNELS(GELU_ROW_SCALAR)}},
    {GELU_ISA_NEON, "neon", {GELU_KERNELS(GELU_ROW_NEON)}},
};
#endif
#define N_IMPLS ((int)(sizeof impls / sizeof impls[0]))
_Static_assert(N_IMPLS == GELU_N_ISAS, "one row per ISA of gelu_isas.h");
#define BEST_IMPL (N_IMPLS - 1) /* the uncapped choice */

#if defined(__x86_64__)
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
    const unsigned osxsave = 1u << 27, avx = 1u << 28, fma = 1u << 12, f16c = 1u << 29;
    if ((c & (osxsave | avx | fma | f16c)) != (osxsave | avx | fma | f16c)) /* every AVX2 CPU has F16C */
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
#else
/* Advanced SIMD with double lanes and FMA is part of AArch64 (Linux sets HWCAP_ASIMD on every
   AArch64 CPU); checked anyway, so that a system that hides it gets the scalar kernels. */
static int detect_cpu(void) { return getauxval(AT_HWCAP) & HWCAP_ASIMD ? GELU_ISA_NEON : GELU_ISA_SCALAR; }
#endif

/*
 * GELU_MAX_ISA caps the choice: an ISA name, case and surrounding white space ignored. An
 * unknown value caps nothing (the library never fails or prints here) but is remembered, so
 * that gelu_max_isa_status() can report it.
 */
static int cap_status = GELU_MAX_ISA_UNSET;
static char cap_value[64];

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

static int max_isa(void)
{
    const char *cap = getenv("GELU_MAX_ISA");
    if (!cap)
        return BEST_IMPL;
    size_t len = strlen(cap);
    size_t keep = len < sizeof cap_value - 1 ? len : sizeof cap_value - 1;
    memcpy(cap_value, cap, keep);
    cap_value[keep] = 0;
    while (is_blank(*cap))
        cap++, len--;
    while (len > 0 && is_blank(cap[len - 1]))
        len--;
    if (len == 0)
        return BEST_IMPL; /* set but blank: as if unset */
    for (int i = 0; i < N_IMPLS; i++)
        if (strlen(impls[i].name) == len && strncasecmp(cap, impls[i].name, len) == 0) {
            cap_status = GELU_MAX_ISA_APPLIED;
            return impls[i].isa;
        }
    cap_status = GELU_MAX_ISA_UNKNOWN;
    return BEST_IMPL;
}

/* Computed once, on first use, by whichever thread gets there first. */
static _Atomic int usable_isa = -1;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;

static void choose(void)
{
    int cpu = detect_cpu(), cap = max_isa();
    atomic_store_explicit(&usable_isa, cpu < cap ? cpu : cap, memory_order_release);
}

static int best_isa(void)
{
    int isa = atomic_load_explicit(&usable_isa, memory_order_acquire);
    if (isa < 0) {
        pthread_once(&choose_once, choose);
        isa = atomic_load_explicit(&usable_isa, memory_order_acquire);
    }
    return isa;
}

/* What the checks return besides the error codes: valid and nothing to do, or valid and work. */
#define NOTHING GELU_OK
#define RUN 1

static int check_isa(int isa) { return isa < 0 || isa >= N_IMPLS || isa > best_isa() ? GELU_ERR_ISA : RUN; }

/* Byte ranges [a, a + an) and [b, b + bn) share a byte. */
static int overlap(const void *a, size_t an, const void *b, size_t bn)
{
    uintptr_t as = (uintptr_t)a, bs = (uintptr_t)b;
    return as < bs ? bs - as < an : as - bs < bn;
}

/*
 * Arguments of n elements of xsize bytes in and ysize bytes out. y == x (in place) is
 * accepted for every kind, narrowing included: the kernels read each block of x before they
 * write its results, which start at the same address and are shorter.
 */
static int check(int isa, const void *x, size_t xsize, const void *y, size_t ysize, size_t n)
{
    if (check_isa(isa) != RUN)
        return GELU_ERR_ISA;
    if (n == 0)
        return NOTHING;
    if (!x || !y)
        return GELU_ERR_NULL;
    size_t size = xsize > ysize ? xsize : ysize;
    if (n > PTRDIFF_MAX / size) /* no array is that large; n * size could wrap */
        return GELU_ERR_SIZE;
    if (x != y && overlap(x, n * xsize, y, n * ysize))
        return GELU_ERR_OVERLAP;
    return RUN;
}

/* Two inputs of n elements, one output: y may be either input (in place), the inputs may overlap. */
static int check_glu(int isa, const void *a, const void *gate, const void *y, size_t size, size_t n)
{
    int rc = check(isa, a, size, y, size, n);
    if (rc != RUN)
        return rc;
    if (!gate)
        return GELU_ERR_NULL;
    return gate != y && overlap(gate, n * size, y, n * size) ? GELU_ERR_OVERLAP : RUN;
}

/* The bytes spanned by rows rows of width elements, ld apart; 0 when that overflows PTRDIFF_MAX. */
static size_t span(size_t rows, size_t width, size_t ld, size_t size)
{
    size_t max = PTRDIFF_MAX / size;
    if (width > max || (rows > 1 && (rows - 1) > (max - width) / ld))
        return 0;
    return ((rows - 1) * ld + width) * size;
}

/*
 * Row-major x (rows of width times cols elements, ldx apart) in, y (rows of cols, ldy apart) out. In
 * place is y == x with ldy == ldx: each block of a row is read before its results are
 * written. Any other overlap of the two spans is rejected, padding included: the kernels
 * never touch the padding, but a y that lives in x's padding is not worth the risk.
 */
static int check_rows(int isa, const void *x, size_t width, const void *y, size_t size, size_t rows, size_t cols,
                      size_t ldx, size_t ldy)
{
    if (check_isa(isa) != RUN)
        return GELU_ERR_ISA;
    if (cols > PTRDIFF_MAX / size / width) /* no row is that long; width cols could wrap */
        return GELU_ERR_SIZE;
    size_t xcols = width * cols;
    if (ldx < xcols || ldy < cols)
        return GELU_ERR_SHAPE;
    if (rows == 0 || cols == 0)
        return NOTHING;
    if (!x || !y)
        return GELU_ERR_NULL;
    size_t xs = span(rows, xcols, ldx, size), ys = span(rows, cols, ldy, size);
    if (xs == 0 || ys == 0)
        return GELU_ERR_SIZE;
    if (!(x == y && ldx == ldy) && overlap(x, xs, y, ys))
        return GELU_ERR_OVERLAP;
    return RUN;
}

static int check_bias(int isa, const void *x, const void *bias, const void *y, size_t size, size_t rows, size_t cols,
                      size_t ldx, size_t ldy)
{
    int rc = check_rows(isa, x, 1, y, size, rows, cols, ldx, ldy);
    if (rc != RUN)
        return rc;
    if (!bias)
        return GELU_ERR_NULL;
    return overlap(bias, cols * size, y, span(rows, cols, ldy, size)) ? GELU_ERR_OVERLAP : RUN;
}

/* The checks of each kind, on the parameter names of its GELU_SIG_<kind>. */
#define GELU_CHECK_F32 check(isa, x, sizeof *x, y, sizeof *y, n)
#define GELU_CHECK_H16 GELU_CHECK_F32
#define GELU_CHECK_N16 GELU_CHECK_F32
#define GELU_CHECK_GLU_F32 check_glu(isa, a, gate, y, sizeof *y, n)
#define GELU_CHECK_GLU_H16 GELU_CHECK_GLU_F32
#define GELU_CHECK_BIAS_F32 check_bias(isa, x, bias, y, sizeof *y, rows, cols, ldx, ldy)
#define GELU_CHECK_BIAS_H16 GELU_CHECK_BIAS_F32
#define GELU_CHECK_GLUR_F32 check_rows(isa, x, 2, y, sizeof *y, rows, cols, ldx, ldy)
#define GELU_CHECK_GLUR_H16 GELU_CHECK_GLUR_F32
#define GELU_CHECK_BWD_F32 check_glu(isa, x, dy, dx, sizeof *dx, n)
#define GELU_CHECK_BWD_H16 GELU_CHECK_BWD_F32

/*
 * The public entry points, two per row of the kernel table, each running its kernel in the
 * floating-point mode the kernels are proven in and giving the caller's mode back after.
 */
#define GELU_ENTRY(name, kind)                                   \
    int name##_isa(int isa, GELU_SIG_##kind)                     \
    {                                                            \
        int rc = GELU_CHECK_##kind;                              \
        if (rc != RUN)                                           \
            return rc;                                           \
        unsigned caller_mode = gelu_fpenv_enter();               \
        impls[isa].kernel[GELU_K_##name].kind(GELU_ARGS_##kind); \
        gelu_fpenv_leave(caller_mode);                           \
        return GELU_OK;                                          \
    }                                                            \
    int name(GELU_SIG_##kind) { return name##_isa(best_isa(), GELU_ARGS_##kind); }
GELU_KERNELS(GELU_ENTRY)

const char *gelu_isa(void) { return impls[best_isa()].name; }

int gelu_isa_supported(int isa) { return isa >= 0 && isa < N_IMPLS && isa <= best_isa(); }

int gelu_max_isa_status(void)
{
    best_isa();
    return cap_status;
}

const char *gelu_max_isa_value(void)
{
    best_isa();
    return cap_value;
}

#define GELU_STR2(x) #x
#define GELU_STR(x) GELU_STR2(x)
const char *gelu_version(void)
{
    return GELU_STR(GELU_VERSION_MAJOR) "." GELU_STR(GELU_VERSION_MINOR) "." GELU_STR(GELU_VERSION_PATCH);
}

int gelu_version_number(void) { return GELU_VERSION_NUMBER; }
