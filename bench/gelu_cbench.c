/*
 * Times the native kernels without a JVM, next to other GELU implementations ("anchors") and
 * a copy floor, all in the same run so that the noise of a shared machine cancels out in
 * their ratios.
 *
 *   gelu_cbench [--sizes 1,16,...] [--threads 1,2] [--rounds 5] [--min-ms 20]
 *               [--dist normal|uniform8|student3|outliers|subnormal|far] [--only NAME,...] [--clock cpu]
 *               [--max-isa avx2] [--ref-dist normal]
 *
 * Out of place, x from a fixed seed: N(0, 1) by default (what pre-activations look like),
 * uniform on [-8, 8] (the adversarial case: a lane in the deep tail in almost every vector),
 * Student's t with 3 degrees of freedom (heavy tails), outliers: N(0, 1) with 1% of the
 * draws from N(0, 30^2) (outlier channels of transformer activations), or two inputs chosen to
 * find slow paths: subnormal (uniform below 2^-126, both signs) and far (uniform in [-60, -12],
 * where every form's result is tiny or zero). The f32 rows read and write float;
 * the 16-bit rows (names ending in -bf16, -f16, -2byte) read the same draws rounded to bf16
 * or f16 (to nearest even), and the narrowing ones (-f32-to-bf16, -f32-to-f16) read the
 * float draws and write 16 bits. --only keeps the named implementations (and the copy
 * floors). For each (threads, n), every
 * implementation is warmed up and calibrated to a round of >= min-ms, then the rounds run
 * round-robin across implementations (so drift hits all alike) and each reports its median.
 * With 2 threads the array is split into two contiguous halves, one per thread, and every
 * call ends with a barrier: that is one parallel call of n elements.
 *
 * The oneDNN rows: "onednn" is oneDNN 3.8.1 (the anchor, bench/fetch_onednn.sh), "onednn2"
 * the system's 2.x (Debian's 2.6), both in this process (gelu_cbench_onednn.h); their isa
 * column is the kernel oneDNN picked. The quick form runs as eltwise_swish with alpha = 1.702,
 * x * sigma(1.702 x) exactly. A oneDNN row without a jit kernel on this CPU is left out with a
 * '# left-out-...' line saying so: f16, where oneDNN's f16 eltwise needs AVX512-FP16.
 * --max-isa avx2 compares AVX2 with AVX2: our AVX-512 rows (and SLEEF's, libmvec's) are left
 * out and both oneDNNs are capped with dnnl_set_max_cpu_isa. The environment does the same
 * for ours and oneDNN (GELU_MAX_ISA=avx2 ONEDNN_MAX_CPU_ISA=AVX2), the isa column shows it,
 * but only the flag marks the output ('# max-isa=avx2') for bench/report.py's AVX2 table.
 *
 * --ref-dist D also times each of our rows (names starting gelu-ffm) on draws of D, at n <= 2^16,
 * round-robin with the rest: a distribution's throughput as a share of N(0, 1)'s then comes
 * from one run, as the ratios to the anchors do (two runs minutes apart on a shared machine
 * differed by 20 %, which the share carried whole).
 *
 * Prints '# key=value' lines (settings, versions, rows left out) and then CSV:
 *   impl,form,isa,threads,n,gelem_per_s,ns_per_elem,dist
 * The anchors are compiled in only when CMake found their libraries (GELU_HAVE_*).
 */
#define _GNU_SOURCE /* clock_gettime, sched_yield and aligned_alloc under -std=c11 */
#include <gnu/libc-version.h>
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gelu.h"
#include "gelu_half_convert.h"

#include "gelu_cbench_onednn.h"
#ifdef GELU_HAVE_SLEEF_VECTOR
#include <sleef.h>
#endif

#define MAX_SIZES 32
#define MAX_ROUNDS 64

/* The constants as float code rounds them: (float)M_SQRT1_2 and PyTorch's sqrt(2/pi). */
static const float SQRT1_2 = 0.707106781186547524f;
static const float SQRT_2_PI = 0.7978845608f;

/* The element types of x and y; bf16 and f16 are raw uint16_t. */
enum elem { F32, BF16, F16 };
static const size_t elem_size[] = {4, 2, 2};

struct impl {
    const char *name, *form, *isa;
    int arg; /* ours: GELU_ISA_*; oneDNN: the form, enum gelu_dnnl_form */
    int (*usable)(const struct impl *im);
    /* Per thread and size, on the thread that runs it; NULL when there is no state. */
    void *(*setup)(const struct impl *im, const void *x, void *y, size_t n);
    void (*teardown)(void *state);
    void (*run)(const struct impl *im, void *state, const void *x, void *y, size_t n);
    enum elem in, out;
    enum op_kind { FWD, BIAS, GEGLU, BACKWARD } op; /* forward y = GELU(x), or an operation below */
};

/* ---- the composed operations' other inputs: x (or the gate) is the usual x ---- */

/* bias + GELU treats each thread's n elements as rows of OPS_COLS (an FFN width) when they
   divide, else as one row; GEGLU's a is a second array of draws, and so is the backward's dy
   (in each element type, as x is). */
#define OPS_COLS 4096
static float *bias_all, *a_all;
static const void *x_of[3], *a_of[3];
/* --ref-dist: the arrays hold 2 max_n elements, the draws of the reference from max_n on */
static size_t ref_at;

static size_t ops_cols(size_t n) { return n % OPS_COLS == 0 ? OPS_COLS : n; }

/* GEGLU's a, or the backward's dy, for the slice whose x is given, in the row's input type. */
static const void *slice_a(const struct impl *im, const void *x)
{
    return (const char *)a_of[im->in] + ((const char *)x - (const char *)x_of[im->in]);
}

/* ---- ours ---- */

static int ours_usable(const struct impl *im) { return gelu_isa_supported(im->arg); }

static void ours_erf(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)st;
    gelu_erf_f32_isa(im->arg, x, y, n);
}

static void ours_tanh(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)st;
    gelu_tanh_f32_isa(im->arg, x, y, n);
}

static void ours_erf_faithful(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)st;
    gelu_erf_f32_faithful_isa(im->arg, x, y, n);
}

static void ours_tanh_faithful(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)st;
    gelu_tanh_f32_faithful_isa(im->arg, x, y, n);
}

static void ours_quick(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)st;
    gelu_quick_f32_isa(im->arg, x, y, n);
}

static void ours_quick_faithful(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)st;
    gelu_quick_f32_faithful_isa(im->arg, x, y, n);
}

/* The 16-bit entry points: bf16/f16 in and out, and float in, 16 bits out (narrowing). */
#define OURS_16(fn)                                                                          \
    static void ours_##fn(const struct impl *im, void *st, const void *x, void *y, size_t n) \
    {                                                                                        \
        (void)st;                                                                            \
        gelu_##fn##_isa(im->arg, x, y, n);                                                   \
    }
OURS_16(erf_bf16)
OURS_16(tanh_bf16)
OURS_16(erf_f16)
OURS_16(tanh_f16)
OURS_16(quick_bf16)
OURS_16(quick_f16)
OURS_16(erf_f32_to_bf16)
OURS_16(tanh_f32_to_bf16)
OURS_16(erf_f32_to_f16)
OURS_16(tanh_f32_to_f16)
OURS_16(quick_f32_to_bf16)
OURS_16(quick_f32_to_f16)

/* bias + GELU and GEGLU, fused */
#define OURS_OPS(form)                                                                                     \
    static void ours_bias_##form(const struct impl *im, void *st, const void *x, void *y, size_t n)       \
    {                                                                                                      \
        (void)st;                                                                                          \
        size_t cols = ops_cols(n);                                                                         \
        gelu_##form##_bias_f32_isa(im->arg, x, bias_all, y, n / cols, cols, cols, cols);                   \
    }                                                                                                      \
    static void ours_geglu_##form(const struct impl *im, void *st, const void *x, void *y, size_t n)      \
    {                                                                                                      \
        (void)st;                                                                                          \
        geglu_##form##_f32_isa(im->arg, slice_a(im, x), x, y, n);                                          \
    }
OURS_OPS(erf)
OURS_OPS(tanh)

#define OURS_BACKWARD(form)                                                                                \
    static void ours_backward_##form(const struct impl *im, void *st, const void *x, void *y, size_t n)   \
    {                                                                                                      \
        (void)st;                                                                                          \
        gelu_##form##_backward_f32_isa(im->arg, x, slice_a(im, x), y, n);                                  \
    }
OURS_BACKWARD(erf)
OURS_BACKWARD(tanh)
OURS_BACKWARD(quick)

/* The 16-bit backward: x and dy in the format, dx = fl16(dy * GELU'(x)). */
#define OURS_BACKWARD16(fn)                                                                  \
    static void ours_##fn(const struct impl *im, void *st, const void *x, void *y, size_t n) \
    {                                                                                        \
        (void)st;                                                                            \
        gelu_##fn##_isa(im->arg, x, slice_a(im, x), y, n);                                   \
    }
OURS_BACKWARD16(erf_backward_bf16)
OURS_BACKWARD16(tanh_backward_bf16)
OURS_BACKWARD16(quick_backward_bf16)
OURS_BACKWARD16(erf_backward_f16)
OURS_BACKWARD16(tanh_backward_f16)

static void ours_bias_erf_faithful(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)st;
    size_t cols = ops_cols(n);
    gelu_erf_bias_f32_faithful_isa(im->arg, x, bias_all, y, n / cols, cols, cols, cols);
}

static void ours_geglu_erf_faithful(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)st;
    geglu_erf_f32_faithful_isa(im->arg, slice_a(im, x), x, y, n);
}

/* ---- scalar glibc loops: PyTorch's scalar fallback formulas in float ---- */

static void glibc_erff(const struct impl *im, void *st, const void *xv, void *yv, size_t n)
{
    (void)im, (void)st;
    const float *x = xv;
    float *y = yv;
    for (size_t k = 0; k < n; k++)
        y[k] = 0.5f * x[k] * (1.0f + erff(x[k] * SQRT1_2));
}

static void glibc_tanhf(const struct impl *im, void *st, const void *xv, void *yv, size_t n)
{
    (void)im, (void)st;
    const float *x = xv;
    float *y = yv;
    for (size_t k = 0; k < n; k++)
        y[k] = 0.5f * x[k] * (1.0f + tanhf(SQRT_2_PI * (x[k] + 0.044715f * x[k] * x[k] * x[k])));
}

/* The copy floors move n elements of the row's type: 4 bytes each, or 2 for the -2byte rows. */
static void copy_memcpy(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)st;
    memcpy(y, x, n * elem_size[im->in]);
}

/* ---- vector loops: only these regions may use AVX-512 or AVX2, the rest runs anywhere ---- */

static int has_avx512f(const struct impl *im) { return (void)im, __builtin_cpu_supports("avx512f"); }

#pragma GCC push_options
#pragma GCC target("avx512f")

/* Streams past the caches: for n beyond the caches, the floor for a kernel that reads x once
   and writes y once. The stores need 64-byte alignment, so the head up to the first cache line
   goes through memcpy. In bytes, so that one loop serves 4- and 2-byte elements. */
static void copy_stream(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)st;
    const char *src = x;
    char *dst = y;
    size_t bytes = n * elem_size[im->in], head = -(uintptr_t)dst & 63;
    head = head < bytes ? head : bytes;
    memcpy(dst, src, head);
    size_t k = head;
    for (; k + 64 <= bytes; k += 64)
        _mm512_stream_ps((float *)(dst + k), _mm512_loadu_ps(src + k));
    memcpy(dst + k, src + k, bytes - k);
    _mm_sfence();
}

/* x/2 * f(x * c) on 16 floats at a time, the tail under a mask: the GELU loop that a user of a
   vector math library writes. Inlined with f known, so f costs no indirect call. */
static inline void vector_loop(__m512 (*f)(__m512), float c, const float *x, float *y, size_t n)
{
    const __m512 half = _mm512_set1_ps(0.5f), cv = _mm512_set1_ps(c);
    for (size_t k = 0; k < n; k += 16) {
        __mmask16 m = n - k >= 16 ? 0xffff : (__mmask16)((1u << (n - k)) - 1);
        __m512 v = _mm512_maskz_loadu_ps(m, x + k);
        __m512 r = _mm512_mul_ps(_mm512_mul_ps(half, v), f(_mm512_mul_ps(v, cv)));
        _mm512_mask_storeu_ps(y + k, m, r);
    }
}

#ifdef GELU_HAVE_LIBMVEC_ERFC
/* glibc ships no header for its vector variants; this is the x86-64 vector ABI name of erfcf
   on 16 floats in a zmm register. The erfc form needs no 1 + erf. */
__m512 _ZGVeN16v_erfcf(__m512 x);

static void libmvec_erfcf(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)im, (void)st;
    vector_loop(_ZGVeN16v_erfcf, -SQRT1_2, x, y, n);
}
#endif

#ifdef GELU_HAVE_SLEEF_VECTOR
/* sleef.h declares its __m512 functions only under -mavx512f, which this file does not use. */
__m512 Sleef_erff16_u10avx512f(__m512 x);

static inline __m512 sleef_one_plus_erf16(__m512 v)
{
    return _mm512_add_ps(_mm512_set1_ps(1.0f), Sleef_erff16_u10avx512f(v));
}

static void sleef_erff16(const struct impl *im, void *st, const void *x, void *y, size_t n)
{
    (void)im, (void)st;
    vector_loop(sleef_one_plus_erf16, SQRT1_2, x, y, n);
}
#endif

/* The two-pass compositions a user writes around our forward call: y = x + bias, then GELU in
   place; y = GELU(gate), then y *= a in place. The add and multiply loops are AVX-512 too. */
static void add_rows(const float *x, float *y, size_t n)
{
    size_t cols = ops_cols(n);
    for (size_t r = 0; r < n; r += cols)
        for (size_t k = 0; k < cols; k += 16) {
            __mmask16 m = cols - k >= 16 ? 0xffff : (__mmask16)((1u << (cols - k)) - 1);
            __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, x + r + k), _mm512_maskz_loadu_ps(m, bias_all + k));
            _mm512_mask_storeu_ps(y + r + k, m, v);
        }
}

static void mul_in_place(const float *a, float *y, size_t n)
{
    for (size_t k = 0; k < n; k += 16) {
        __mmask16 m = n - k >= 16 ? 0xffff : (__mmask16)((1u << (n - k)) - 1);
        _mm512_mask_storeu_ps(y + k, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, a + k), _mm512_maskz_loadu_ps(m, y + k)));
    }
}

#define TWOPASS_OPS(form)                                                                                  \
    static void twopass_bias_##form(const struct impl *im, void *st, const void *x, void *y, size_t n)    \
    {                                                                                                      \
        (void)im, (void)st;                                                                                \
        add_rows(x, y, n);                                                                                 \
        gelu_##form##_f32(y, y, n);                                                                        \
    }                                                                                                      \
    static void twopass_geglu_##form(const struct impl *im, void *st, const void *x, void *y, size_t n)   \
    {                                                                                                      \
        (void)st;                                                                                          \
        gelu_##form##_f32(x, y, n);                                                                        \
        mul_in_place(slice_a(im, x), y, n);                                                                \
    }
TWOPASS_OPS(erf)
TWOPASS_OPS(tanh)

#pragma GCC pop_options

#ifdef GELU_HAVE_SLEEF_VECTOR
/* Without AVX-512 the widest SLEEF erff is the 8-wide AVX2 one. */
static int has_avx2_only(const struct impl *im)
{
    (void)im;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           !__builtin_cpu_supports("avx512f");
}

#pragma GCC push_options
#pragma GCC target("avx2,fma")

__m256 Sleef_erff8_u10avx2(__m256 x);

static void sleef_erff8(const struct impl *im, void *st, const void *xv, void *yv, size_t n)
{
    (void)im, (void)st;
    const float *x = xv;
    float *y = yv;
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f), c = _mm256_set1_ps(SQRT1_2);
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        __m256 v = _mm256_loadu_ps(x + k);
        __m256 e = Sleef_erff8_u10avx2(_mm256_mul_ps(v, c));
        _mm256_storeu_ps(y + k, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, e)));
    }
    for (; k < n; k++) /* the tail with SLEEF's scalar erff of the same 1-ulp bound */
        y[k] = 0.5f * x[k] * (1.0f + Sleef_erff_u10(x[k] * SQRT1_2));
}

#pragma GCC pop_options
#endif

/* ---- oneDNN, 3.8.1 and 2.x side by side (gelu_cbench_onednn.h): one primitive per thread
   and size, on the caller's own buffers (no copies) ---- */

static int cap_avx2; /* --max-isa avx2 */

/* The isa column of a oneDNN row is the kernel oneDNN picked for it, in its own words
   ("jit:avx512_core", "jit:avx2"): what --max-isa or ONEDNN_MAX_CPU_ISA did shows in the output. */
static struct {
    const struct impl *im;
    const struct gelu_dnnl_lib *lib;
    char name[48];
} dnnl_kernels[64];
static int n_dnnl_kernels;

static const char *row_isa(const struct impl *im)
{
    for (int k = 0; k < n_dnnl_kernels; k++)
        if (dnnl_kernels[k].im == im)
            return dnnl_kernels[k].name;
    return im->isa;
}

#if defined(GELU_HAVE_DNNL3) || defined(GELU_HAVE_DNNL2)
static struct gelu_dnnl_job dnnl_job(const struct impl *im, size_t n)
{
    struct gelu_dnnl_job j = {im->op == BIAS ? GELU_DNNL_BIAS : im->op == BACKWARD ? GELU_DNNL_BACKWARD : GELU_DNNL_FORWARD,
                              im->arg, im->in == BF16 ? GELU_DNNL_BF16 : im->in == F16 ? GELU_DNNL_F16 : GELU_DNNL_F32,
                              1, n};
    if (im->op == BIAS)
        j.rows = n / ops_cols(n), j.cols = ops_cols(n);
    return j;
}

/* A oneDNN row runs when its library loads and has a jit kernel for the row on this CPU: its
   reference kernel would not be the anchor a user gets. Every row left out says why in a
   '# left-out-...' line (f16: oneDNN's f16 eltwise needs AVX512-FP16). */
static int dnnl_usable(const struct gelu_dnnl_lib *lib, const struct impl *im)
{
    const char *why = lib->load(cap_avx2);
    if (why) {
        printf("# left-out-%s-%s=%s did not load: %s\n", im->name, im->form, lib->label, why);
        return 0;
    }
    if (n_dnnl_kernels == (int)(sizeof dnnl_kernels / sizeof dnnl_kernels[0]))
        abort();
    char *name = dnnl_kernels[n_dnnl_kernels].name;
    struct gelu_dnnl_job j = dnnl_job(im, 4096);
    if (!lib->kernel(&j, name, sizeof dnnl_kernels[0].name)) {
        printf("# left-out-%s-%s=oneDNN %s has no jit kernel for it on this CPU (it offers: %s)%s\n", im->name,
               im->form, lib->version(), name,
               im->in == F16 ? "; its f16 eltwise needs AVX512-FP16, no f16 anchor here" : "");
        return 0;
    }
    dnnl_kernels[n_dnnl_kernels].im = im;
    dnnl_kernels[n_dnnl_kernels++].lib = lib;
    return 1;
}

static void *dnnl_setup(const struct gelu_dnnl_lib *lib, const struct impl *im, const void *x, void *y, size_t n)
{
    struct gelu_dnnl_job j = dnnl_job(im, n);
    const void *other = im->op == BIAS ? bias_all : im->op == BACKWARD ? slice_a(im, x) : NULL;
    return lib->setup(&j, x, other, y);
}

/* The row hooks of one library (the rows carry no library pointer: these name it). */
#define DNNL_HOOKS(lib)                                                                              \
    static int lib##_usable(const struct impl *im) { return dnnl_usable(&lib, im); }                 \
    static void *lib##_setup(const struct impl *im, const void *x, void *y, size_t n)                \
    {                                                                                                \
        return dnnl_setup(&lib, im, x, y, n);                                                        \
    }                                                                                                \
    static void lib##_teardown(void *state) { lib.teardown(state); }                                 \
    static void lib##_run(const struct impl *im, void *state, const void *x, void *y, size_t n)      \
    {                                                                                                \
        (void)im, (void)x, (void)y, (void)n;                                                         \
        lib.run(state);                                                                              \
    }
#ifdef GELU_HAVE_DNNL3
DNNL_HOOKS(gelu_dnnl3)
#endif
#ifdef GELU_HAVE_DNNL2
DNNL_HOOKS(gelu_dnnl2)
#endif
#endif

/* A library's rows, named label + the usual suffixes: forward float32 (quick: eltwise_swish
   with alpha 1.702), 16-bit, bias + GELU (binary add with a GELU post-op) and the backward. */
#define DNNL_ROW(lib, name, form, alg, type, op) \
    {name, form, "jit", alg, lib##_usable, lib##_setup, lib##_teardown, lib##_run, type, type, op}
#define DNNL_FWD(lib, label)                                      \
    DNNL_ROW(lib, label, "erf", GELU_DNNL_ERF, F32, FWD),         \
    DNNL_ROW(lib, label, "tanh", GELU_DNNL_TANH, F32, FWD),       \
    DNNL_ROW(lib, label, "quick", GELU_DNNL_QUICK, F32, FWD)
#define DNNL_16(lib, label)                                                 \
    DNNL_ROW(lib, label "-bf16", "erf", GELU_DNNL_ERF, BF16, FWD),          \
    DNNL_ROW(lib, label "-bf16", "tanh", GELU_DNNL_TANH, BF16, FWD),        \
    DNNL_ROW(lib, label "-bf16", "quick", GELU_DNNL_QUICK, BF16, FWD),      \
    DNNL_ROW(lib, label "-f16", "erf", GELU_DNNL_ERF, F16, FWD),            \
    DNNL_ROW(lib, label "-f16", "tanh", GELU_DNNL_TANH, F16, FWD),          \
    DNNL_ROW(lib, label "-f16", "quick", GELU_DNNL_QUICK, F16, FWD)
#define DNNL_BIAS(lib, label)                                     \
    DNNL_ROW(lib, label "-bias", "erf", GELU_DNNL_ERF, F32, BIAS), \
    DNNL_ROW(lib, label "-bias", "tanh", GELU_DNNL_TANH, F32, BIAS)
#define DNNL_BACKWARD(lib, label)                                                  \
    DNNL_ROW(lib, label "-backward", "erf", GELU_DNNL_ERF, F32, BACKWARD),         \
    DNNL_ROW(lib, label "-backward", "tanh", GELU_DNNL_TANH, F32, BACKWARD),       \
    DNNL_ROW(lib, label "-backward", "quick", GELU_DNNL_QUICK, F32, BACKWARD),     \
    DNNL_ROW(lib, label "-backward-bf16", "erf", GELU_DNNL_ERF, BF16, BACKWARD),   \
    DNNL_ROW(lib, label "-backward-bf16", "tanh", GELU_DNNL_TANH, BF16, BACKWARD), \
    DNNL_ROW(lib, label "-backward-bf16", "quick", GELU_DNNL_QUICK, BF16, BACKWARD)

static const struct impl all_impls[] = {
    {"gelu-ffm", "erf", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_erf, F32, F32, FWD},
    {"gelu-ffm", "erf", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_erf, F32, F32, FWD},
    {"gelu-ffm", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_erf, F32, F32, FWD},
    {"gelu-ffm", "tanh", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_tanh, F32, F32, FWD},
    {"gelu-ffm", "tanh", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_tanh, F32, F32, FWD},
    {"gelu-ffm", "tanh", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_tanh, F32, F32, FWD},
    {"gelu-ffm-faithful", "erf", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_erf_faithful, F32, F32, FWD},
    {"gelu-ffm-faithful", "erf", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_erf_faithful, F32, F32, FWD},
    {"gelu-ffm-faithful", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_erf_faithful, F32, F32, FWD},
    {"gelu-ffm-faithful", "tanh", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_tanh_faithful, F32, F32, FWD},
    {"gelu-ffm-faithful", "tanh", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_tanh_faithful, F32, F32, FWD},
    {"gelu-ffm-faithful", "tanh", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_tanh_faithful, F32, F32, FWD},
    {"gelu-ffm", "quick", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_quick, F32, F32, FWD},
    {"gelu-ffm", "quick", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_quick, F32, F32, FWD},
    {"gelu-ffm-faithful", "quick", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_quick_faithful, F32, F32, FWD},
    {"gelu-ffm-faithful", "quick", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_quick_faithful, F32, F32, FWD},
#ifdef GELU_HAVE_DNNL3
    DNNL_FWD(gelu_dnnl3, "onednn"),
#endif
#ifdef GELU_HAVE_DNNL2
    DNNL_FWD(gelu_dnnl2, "onednn2"),
#endif
#ifdef GELU_HAVE_SLEEF_VECTOR
    {"sleef-erff-u10", "erf", "avx512", 0, has_avx512f, NULL, NULL, sleef_erff16, F32, F32, FWD},
    {"sleef-erff-u10", "erf", "avx2", 0, has_avx2_only, NULL, NULL, sleef_erff8, F32, F32, FWD},
#endif
#ifdef GELU_HAVE_LIBMVEC_ERFC
    {"libmvec-erfcf", "erf", "avx512", 0, has_avx512f, NULL, NULL, libmvec_erfcf, F32, F32, FWD},
#endif
    {"glibc-erff", "erf", "scalar", 0, NULL, NULL, NULL, glibc_erff, F32, F32, FWD},
    {"glibc-tanhf", "tanh", "scalar", 0, NULL, NULL, NULL, glibc_tanhf, F32, F32, FWD},
    {"memcpy", "copy", "libc", 0, NULL, NULL, NULL, copy_memcpy, F32, F32, FWD},
    {"stream-copy", "copy", "avx512", 0, has_avx512f, NULL, NULL, copy_stream, F32, F32, FWD},
    /* 16-bit storage (names ending in the type): bf16 and f16 in and out, then float in and
       16 bits out; the copy floors of 2-byte elements. */
    {"gelu-ffm-bf16", "erf", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_erf_bf16, BF16, BF16, FWD},
    {"gelu-ffm-bf16", "erf", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_erf_bf16, BF16, BF16, FWD},
    {"gelu-ffm-bf16", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_erf_bf16, BF16, BF16, FWD},
    {"gelu-ffm-bf16", "tanh", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_tanh_bf16, BF16, BF16, FWD},
    {"gelu-ffm-bf16", "tanh", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_tanh_bf16, BF16, BF16, FWD},
    {"gelu-ffm-bf16", "tanh", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_tanh_bf16, BF16, BF16, FWD},
    {"gelu-ffm-f16", "erf", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_erf_f16, F16, F16, FWD},
    {"gelu-ffm-f16", "erf", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_erf_f16, F16, F16, FWD},
    {"gelu-ffm-f16", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_erf_f16, F16, F16, FWD},
    {"gelu-ffm-f16", "tanh", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_tanh_f16, F16, F16, FWD},
    {"gelu-ffm-f16", "tanh", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_tanh_f16, F16, F16, FWD},
    {"gelu-ffm-f16", "tanh", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_tanh_f16, F16, F16, FWD},
    {"gelu-ffm-bf16", "quick", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_quick_bf16, BF16, BF16, FWD},
    {"gelu-ffm-bf16", "quick", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_quick_bf16, BF16, BF16, FWD},
    {"gelu-ffm-bf16", "quick", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_quick_bf16, BF16, BF16, FWD},
    {"gelu-ffm-f16", "quick", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_quick_f16, F16, F16, FWD},
    {"gelu-ffm-f16", "quick", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_quick_f16, F16, F16, FWD},
    {"gelu-ffm-f16", "quick", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_quick_f16, F16, F16, FWD},
    {"gelu-ffm-f32-to-bf16", "erf", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_erf_f32_to_bf16, F32, BF16, FWD},
    {"gelu-ffm-f32-to-bf16", "erf", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_erf_f32_to_bf16, F32, BF16, FWD},
    {"gelu-ffm-f32-to-bf16", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_erf_f32_to_bf16, F32, BF16, FWD},
    {"gelu-ffm-f32-to-bf16", "tanh", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_tanh_f32_to_bf16, F32, BF16, FWD},
    {"gelu-ffm-f32-to-bf16", "tanh", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_tanh_f32_to_bf16, F32, BF16, FWD},
    {"gelu-ffm-f32-to-bf16", "tanh", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_tanh_f32_to_bf16, F32, BF16, FWD},
    {"gelu-ffm-f32-to-f16", "erf", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_erf_f32_to_f16, F32, F16, FWD},
    {"gelu-ffm-f32-to-f16", "erf", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_erf_f32_to_f16, F32, F16, FWD},
    {"gelu-ffm-f32-to-f16", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_erf_f32_to_f16, F32, F16, FWD},
    {"gelu-ffm-f32-to-f16", "tanh", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_tanh_f32_to_f16, F32, F16, FWD},
    {"gelu-ffm-f32-to-f16", "tanh", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_tanh_f32_to_f16, F32, F16, FWD},
    {"gelu-ffm-f32-to-f16", "tanh", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_tanh_f32_to_f16, F32, F16, FWD},
    {"gelu-ffm-f32-to-bf16", "quick", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_quick_f32_to_bf16, F32, BF16, FWD},
    {"gelu-ffm-f32-to-bf16", "quick", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_quick_f32_to_bf16, F32, BF16, FWD},
    {"gelu-ffm-f32-to-f16", "quick", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_quick_f32_to_f16, F32, F16, FWD},
    {"gelu-ffm-f32-to-f16", "quick", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_quick_f32_to_f16, F32, F16, FWD},
#ifdef GELU_HAVE_DNNL3
    DNNL_16(gelu_dnnl3, "onednn"),
#endif
#ifdef GELU_HAVE_DNNL2
    DNNL_16(gelu_dnnl2, "onednn2"),
#endif
    /* Composed operations, float32 (bench/README: what each row computes). */
    {"gelu-ffm-bias", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_bias_erf, F32, F32, BIAS},
    {"gelu-ffm-bias", "tanh", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_bias_tanh, F32, F32, BIAS},
    {"gelu-ffm-bias", "erf", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_bias_erf, F32, F32, BIAS},
    {"gelu-ffm-faithful-bias", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_bias_erf_faithful, F32, F32, BIAS},
    {"twopass-bias", "erf", "avx512", 0, has_avx512f, NULL, NULL, twopass_bias_erf, F32, F32, BIAS},
    {"twopass-bias", "tanh", "avx512", 0, has_avx512f, NULL, NULL, twopass_bias_tanh, F32, F32, BIAS},
#ifdef GELU_HAVE_DNNL3
    DNNL_BIAS(gelu_dnnl3, "onednn"),
#endif
#ifdef GELU_HAVE_DNNL2
    DNNL_BIAS(gelu_dnnl2, "onednn2"),
#endif
    {"gelu-ffm-geglu", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_geglu_erf, F32, F32, GEGLU},
    {"gelu-ffm-geglu", "tanh", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_geglu_tanh, F32, F32, GEGLU},
    {"gelu-ffm-geglu", "erf", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_geglu_erf, F32, F32, GEGLU},
    {"gelu-ffm-faithful-geglu", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_geglu_erf_faithful, F32, F32, GEGLU},
    {"twopass-geglu", "erf", "avx512", 0, has_avx512f, NULL, NULL, twopass_geglu_erf, F32, F32, GEGLU},
    {"twopass-geglu", "tanh", "avx512", 0, has_avx512f, NULL, NULL, twopass_geglu_tanh, F32, F32, GEGLU},
    {"gelu-ffm-backward", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_backward_erf, F32, F32, BACKWARD},
    {"gelu-ffm-backward", "tanh", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_backward_tanh, F32, F32, BACKWARD},
    {"gelu-ffm-backward", "erf", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_backward_erf, F32, F32, BACKWARD},
    {"gelu-ffm-backward", "erf", "scalar", GELU_ISA_SCALAR, ours_usable, NULL, NULL, ours_backward_erf, F32, F32, BACKWARD},
    {"gelu-ffm-backward", "tanh", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_backward_tanh, F32, F32, BACKWARD},
    {"gelu-ffm-backward", "quick", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_backward_quick, F32, F32, BACKWARD},
    {"gelu-ffm-backward", "quick", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_backward_quick, F32, F32, BACKWARD},
    {"gelu-ffm-backward-bf16", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_erf_backward_bf16, BF16, BF16, BACKWARD},
    {"gelu-ffm-backward-bf16", "tanh", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_tanh_backward_bf16, BF16, BF16, BACKWARD},
    {"gelu-ffm-backward-bf16", "quick", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_quick_backward_bf16, BF16, BF16, BACKWARD},
    {"gelu-ffm-backward-bf16", "erf", "avx2", GELU_ISA_AVX2, ours_usable, NULL, NULL, ours_erf_backward_bf16, BF16, BF16, BACKWARD},
    {"gelu-ffm-backward-f16", "erf", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_erf_backward_f16, F16, F16, BACKWARD},
    {"gelu-ffm-backward-f16", "tanh", "avx512", GELU_ISA_AVX512, ours_usable, NULL, NULL, ours_tanh_backward_f16, F16, F16, BACKWARD},
#ifdef GELU_HAVE_DNNL3
    DNNL_BACKWARD(gelu_dnnl3, "onednn"),
#endif
#ifdef GELU_HAVE_DNNL2
    DNNL_BACKWARD(gelu_dnnl2, "onednn2"),
#endif
    {"memcpy-2byte", "copy", "libc", 0, NULL, NULL, NULL, copy_memcpy, BF16, BF16, FWD},
    {"stream-copy-2byte", "copy", "avx512", 0, has_avx512f, NULL, NULL, copy_stream, BF16, BF16, FWD},
};

#define MAX_IMPLS ((int)(sizeof all_impls / sizeof all_impls[0]))

/* ---- the team: the main thread plus, for 2 threads, one worker created once ---- */

/* A spinning barrier: pthread_barrier_wait sleeps in the kernel and its wake-up would add
   microseconds to every call, which thread pools (OpenMP, ATen) avoid by spinning too. It
   yields after a while so that an oversubscribed shared machine still makes progress. */
struct barrier {
    atomic_int count, sense;
    int n;
};

static void barrier_wait(struct barrier *b, int *sense)
{
    *sense = !*sense;
    if (atomic_fetch_add(&b->count, 1) == b->n - 1) {
        atomic_store(&b->count, 0);
        atomic_store(&b->sense, *sense);
        return;
    }
    for (int spins = 0; atomic_load(&b->sense) != *sense;) {
        if (spins < 2000) {
            spins++;
            _mm_pause();
        } else {
            sched_yield();
        }
    }
}

enum op { OP_SETUP, OP_RUN, OP_TEARDOWN, OP_EXIT };

struct slice {
    size_t first, n; /* this thread's elements [first, first + n) */
    int sense;
    void *state[2 * MAX_IMPLS];
};

static struct {
    struct barrier bar;
    int nthreads;
    enum op op;
    int impl;
    long reps;
    struct slice slice[2];
} team;

static const struct impl *impls[2 * MAX_IMPLS];
static int n_impls, is_ref[2 * MAX_IMPLS];
static const char *dist_name, *ref_name;

/* The reference rows run only at the n of the share table's column. */
#define REF_MAX_N 65536
static int runs_at(int i, size_t n) { return !is_ref[i] || n <= REF_MAX_N; }

/* The inputs, one array per element type (the same draws), and one output array for all. */
static void *y_all;

static const void *slice_x(int i, const struct slice *s)
{
    return (const char *)x_of[impls[i]->in] + (s->first + (is_ref[i] ? ref_at : 0)) * elem_size[impls[i]->in];
}

static void *slice_y(const struct impl *im, const struct slice *s)
{
    return (char *)y_all + s->first * elem_size[im->out];
}

/* What one thread does for one job; with 2 threads every call and every job ends at the
   barrier, so the main thread's clock stops when both halves are done. The job is read before
   the first barrier: past the last one, the main thread may already be posting the next. */
static void do_job(struct slice *s)
{
    const enum op op = team.op;
    const int sync = team.nthreads > 1;
    const long reps = team.reps;
    const struct impl *im = impls[team.impl];
    void *st = s->state[team.impl];
    switch (op) {
    case OP_SETUP:
    case OP_TEARDOWN:
        for (int i = 0; i < n_impls; i++) {
            if (!impls[i]->setup || s->n == 0)
                continue;
            if (op == OP_SETUP)
                s->state[i] = impls[i]->setup(impls[i], slice_x(i, s), slice_y(impls[i], s), s->n);
            else
                impls[i]->teardown(s->state[i]);
        }
        if (sync)
            barrier_wait(&team.bar, &s->sense);
        break;
    case OP_RUN: {
        const void *x = slice_x(team.impl, s);
        void *y = slice_y(im, s);
        for (long k = 0; k < reps; k++) {
            if (s->n)
                im->run(im, st, x, y, s->n);
            if (sync)
                barrier_wait(&team.bar, &s->sense);
        }
        break;
    }
    case OP_EXIT:
        break;
    }
}

static void *worker(void *arg)
{
    struct slice *s = arg;
    for (;;) {
        barrier_wait(&team.bar, &s->sense); /* the main thread has posted a job */
        if (team.op == OP_EXIT)
            return NULL;
        do_job(s);
    }
}

/* --cpu-time: the main thread's CPU time instead of the wall clock, for a loaded shared machine
   (1 thread only: a descheduled thread then costs nothing; stalls on memory still count). */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now(void)
{
    struct timespec ts;
    clock_gettime(bench_clock, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Runs a job on the whole team; returns its wall time as the main thread sees it. */
static double job(enum op op, int impl, long reps)
{
    team.op = op;
    team.impl = impl;
    team.reps = reps;
    if (team.nthreads > 1)
        barrier_wait(&team.bar, &team.slice[0].sense);
    double t0 = now();
    do_job(&team.slice[0]);
    return now() - t0;
}

/* Splits [0, n) at a multiple of 32 elements (64 bytes of 2-byte elements), so that the halves
   share no cache line of y. For the sizes of scripts/bench.sh this is where the split at 16
   floats of the f32-only bench fell, too. */
static void split(size_t n)
{
    size_t mid = team.nthreads == 1 ? n : (n / 2 + 31) / 32 * 32;
    mid = mid < n ? mid : n;
    team.slice[0].first = 0, team.slice[0].n = mid;
    team.slice[1].first = mid, team.slice[1].n = n - mid;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Element k of an array of the type, as a float (exact). */
static float elem_get(enum elem t, const void *a, size_t k)
{
    if (t == BF16)
        return half_bf16_to_f32(((const uint16_t *)a)[k]);
    if (t == F16)
        return half_f16_to_f32(((const uint16_t *)a)[k]);
    return ((const float *)a)[k];
}

/* f rounded to the type (to nearest even) and back. */
static float elem_round(enum elem t, float f)
{
    if (t == BF16)
        return half_bf16_to_f32(half_f32_to_bf16(f));
    if (t == F16)
        return half_f16_to_f32(half_f32_to_f16(f));
    return f;
}

/* A broken loop would time fast: check a sample of y against ours in float32 rounded to the
   output type (or x for a copy). The bound allows about an ulp of the output type. */
static void check_output(int i, size_t n)
{
    static const float rel[] = {1e-3f, 1e-2f, 2e-3f};
    const struct impl *im = impls[i];
    const size_t at = is_ref[i] ? ref_at : 0;
    for (size_t k = 0; k < n; k += n / 61 + 1) {
        float xk = elem_get(im->in, x_of[im->in], at + k), yk = elem_get(im->out, y_all, k), want = xk;
        float ak = elem_get(im->in, a_of[im->in], at + k);
        if (im->op == BIAS) {
            const struct slice *s = team.nthreads > 1 && k >= team.slice[1].first ? &team.slice[1] : &team.slice[0];
            xk += bias_all[(k - s->first) % ops_cols(s->n)];
        }
        if (im->op == BACKWARD && strcmp(im->form, "erf") == 0)
            gelu_erf_backward_f32(&xk, &ak, &want, 1);
        else if (im->op == BACKWARD && strcmp(im->form, "tanh") == 0)
            gelu_tanh_backward_f32(&xk, &ak, &want, 1);
        else if (im->op == BACKWARD)
            gelu_quick_backward_f32(&xk, &ak, &want, 1);
        else if (strcmp(im->form, "erf") == 0)
            gelu_erf_f32(&xk, &want, 1);
        else if (strcmp(im->form, "tanh") == 0)
            gelu_tanh_f32(&xk, &want, 1);
        else if (strcmp(im->form, "quick") == 0)
            gelu_quick_f32(&xk, &want, 1);
        if (im->op == GEGLU)
            want *= a_all[k];
        want = elem_round(im->out, want);
        if (!(yk == want || fabsf(yk - want) <= 1e-5f + rel[im->out] * fabsf(want))) {
            fprintf(stderr, "gelu_cbench: %s %s %s: y[%zu] = %g, want %g\n", im->name, im->form,
                    row_isa(im), k, yk, want);
            exit(1);
        }
    }
}

static void bench_size(size_t n, int rounds, double min_s)
{
    static long reps[2 * MAX_IMPLS];
    static double t[2 * MAX_IMPLS][MAX_ROUNDS];
    split(n);
    job(OP_SETUP, 0, 0);
    /* Warm-up and calibration: double the calls per round until a round lasts min_s. */
    for (int i = 0; i < n_impls; i++) {
        if (!runs_at(i, n))
            continue;
        memset(y_all, 0, n * sizeof(float));
        for (reps[i] = 1; job(OP_RUN, i, reps[i]) < min_s; reps[i] *= 2)
            ;
        check_output(i, n);
    }
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < n_impls; i++)
            if (runs_at(i, n))
                t[i][r] = job(OP_RUN, i, reps[i]) / reps[i];
    job(OP_TEARDOWN, 0, 0);
    for (int i = 0; i < n_impls; i++) {
        if (!runs_at(i, n))
            continue;
        qsort(t[i], rounds, sizeof t[i][0], cmp);
        double med = rounds % 2 ? t[i][rounds / 2] : (t[i][rounds / 2 - 1] + t[i][rounds / 2]) / 2;
        printf("%s,%s,%s,%d,%zu,%.6g,%.6g,%s\n", impls[i]->name, impls[i]->form, row_isa(impls[i]),
               team.nthreads, n, n / med * 1e-9, med / n * 1e9, is_ref[i] ? ref_name : dist_name);
    }
    fflush(stdout);
}

/* "1,16,256" -> values; returns the count. */
static int parse_list(const char *s, size_t *out, int max)
{
    int k = 0;
    for (char *end; *s && k < max; s = *end ? end + 1 : end) {
        out[k++] = strtoull(s, &end, 10);
        if (end == s)
            return 0;
    }
    return k;
}

static void usage(void)
{
    fprintf(stderr, "usage: gelu_cbench [--sizes N,...] [--threads 1,2] [--rounds R] [--min-ms MS] "
                    "[--dist normal|uniform8|student3|outliers|subnormal|far] [--only NAME,...] [--clock cpu] "
                    "[--max-isa avx2] [--ref-dist normal|...]\n");
    exit(2);
}

/* A uniform draw in (0, 1) from a fixed-seed LCG: the same inputs on every run. */
static double uniform01(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return ((*s >> 8) + 0.5) * (1.0 / 16777216.0);
}

/* One input of the named distribution (Box-Muller for the normal ones). */
static float draw(const char *dist, unsigned *s)
{
    if (strcmp(dist, "uniform8") == 0)
        return (float)((uniform01(s) - 0.5) * 16.0);
    if (strcmp(dist, "subnormal") == 0) /* both signs, below 2^-126: slow operands on x86 */
        return (float)((uniform01(s) - 0.5) * 0x1p-125);
    if (strcmp(dist, "far") == 0) /* [-60, -12]: results tiny or zero on every form */
        return (float)(-12.0 - 48.0 * uniform01(s));
    double z = sqrt(-2.0 * log(uniform01(s))) * cos(6.283185307179586 * uniform01(s));
    if (strcmp(dist, "outliers") == 0) /* 1% of the draws 30 times wider: outlier channels */
        return (float)(uniform01(s) < 0.01 ? 30.0 * z : z);
    if (strcmp(dist, "student3") == 0) { /* z / sqrt(chi2_3 / 3) */
        double c = 0;
        for (int k = 0; k < 3; k++) {
            double g = sqrt(-2.0 * log(uniform01(s))) * cos(6.283185307179586 * uniform01(s));
            c += g * g;
        }
        return (float)(z / sqrt(c / 3.0));
    }
    return (float)z;
}

static int known_dist(const char *d)
{
    static const char *names[] = {"normal", "uniform8", "student3", "outliers", "subnormal", "far"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(d, names[k]) == 0)
            return 1;
    return 0;
}

/* n draws of dist from the fixed seed into x (and its bf16, f16 roundings) from element at,
   then the bias row (when bias is not NULL: drawn either way, so that a follows alike), then
   n draws into a_all and its roundings. */
static void draw_inputs(const char *dist, size_t at, size_t n, float *x, uint16_t *xb, uint16_t *xh, float *bias,
                        uint16_t *ab, uint16_t *ah)
{
    unsigned s = 12345;
    for (size_t i = at; i < at + n; i++) {
        x[i] = draw(dist, &s);
        /* The same draws as a framework would store them in bf16 or f16. */
        xb[i] = half_f32_to_bf16(x[i]);
        xh[i] = half_f32_to_f16(x[i]);
    }
    for (size_t i = 0; i < OPS_COLS; i++) {
        float b = 0.1f * draw(dist, &s);
        if (bias)
            bias[i] = b;
    }
    for (size_t i = at; i < at + n; i++) {
        a_all[i] = draw(dist, &s);
        ab[i] = half_f32_to_bf16(a_all[i]);
        ah[i] = half_f32_to_f16(a_all[i]);
    }
}

#if defined(GELU_HAVE_DNNL3) || defined(GELU_HAVE_DNNL2)
/* '# onednn=3.8.1' when a row of the library runs. */
static void print_dnnl_version(const struct gelu_dnnl_lib *lib)
{
    for (int k = 0; k < n_dnnl_kernels; k++)
        if (dnnl_kernels[k].lib == lib) {
            printf("# %s=%s\n", lib->label, lib->version());
            return;
        }
}
#endif

static void print_meta(int rounds, double min_ms, const char *dist)
{
    printf("# rounds=%d\n# min-ms=%g\n# dist=%s\n", rounds, min_ms, dist);
    printf("# clock=%s\n", bench_clock == CLOCK_MONOTONIC ? "wall" : "thread-cpu");
    char date[32];
    time_t t = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&t));
    printf("# date=%s\n", date);
    printf("# compiler=gcc %s\n", __VERSION__);
    printf("# glibc=%s\n", gnu_get_libc_version());
    printf("# gelu-ffm=%s (dispatch %s)\n", gelu_version(), gelu_isa());
    if (cap_avx2)
        printf("# max-isa=avx2 (ours: the AVX2 and scalar rows; oneDNN: dnnl_set_max_cpu_isa(avx2))\n");
#ifdef GELU_HAVE_DNNL3
    print_dnnl_version(&gelu_dnnl3);
#endif
#ifdef GELU_HAVE_DNNL2
    print_dnnl_version(&gelu_dnnl2);
#endif
#ifdef GELU_HAVE_SLEEF_VECTOR
    printf("# sleef=%d.%d.%d\n", SLEEF_VERSION_MAJOR, SLEEF_VERSION_MINOR, SLEEF_VERSION_PATCHLEVEL);
#endif
}

/* --max-isa avx2 leaves out our AVX-512 rows and the other AVX-512 loops (the copy floors stay:
   they bound the memory, not the arithmetic); oneDNN is capped at load. */
static int above_avx2(const struct impl *im)
{
    return strcmp(im->isa, "avx512") == 0 && strcmp(im->form, "copy") != 0;
}

/* --only: a comma-separated list of implementation names; the copy floors always run. */
static int selected(const struct impl *im, const char *only)
{
    if (!only || strcmp(im->form, "copy") == 0)
        return 1;
    for (const char *p = only; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
        if (strlen(im->name) == strcspn(p, ",") && strncmp(im->name, p, strlen(im->name)) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    size_t sizes[MAX_SIZES] = {1, 16, 256, 4096, 65536, 1u << 20, 1u << 24}, threads[2] = {1, 2};
    int n_sizes = 7, n_threads = 2, rounds = 5;
    double min_ms = 20;
    const char *dist = "normal", *only = NULL, *ref = NULL;
    for (int a = 1; a < argc; a++) {
        if (a + 1 == argc)
            usage();
        if (strcmp(argv[a], "--sizes") == 0)
            n_sizes = parse_list(argv[++a], sizes, MAX_SIZES);
        else if (strcmp(argv[a], "--threads") == 0)
            n_threads = parse_list(argv[++a], threads, 2);
        else if (strcmp(argv[a], "--rounds") == 0)
            rounds = atoi(argv[++a]);
        else if (strcmp(argv[a], "--min-ms") == 0)
            min_ms = atof(argv[++a]);
        else if (strcmp(argv[a], "--dist") == 0)
            dist = argv[++a];
        else if (strcmp(argv[a], "--ref-dist") == 0)
            ref = argv[++a];
        else if (strcmp(argv[a], "--only") == 0)
            only = argv[++a];
        else if (strcmp(argv[a], "--clock") == 0 && strcmp(argv[a + 1], "cpu") == 0)
            bench_clock = CLOCK_THREAD_CPUTIME_ID, a++;
        else if (strcmp(argv[a], "--max-isa") == 0 && strcmp(argv[a + 1], "avx2") == 0)
            cap_avx2 = 1, a++;
        else
            usage();
    }
    if (n_sizes == 0 || n_threads == 0 || rounds < 1 || rounds > MAX_ROUNDS || !(min_ms > 0))
        usage();
    if (!known_dist(dist) || (ref && !known_dist(ref)))
        usage();
    for (int t = 0; t < n_threads; t++)
        if ((threads[t] != 1 && threads[t] != 2) || (threads[t] == 2 && bench_clock != CLOCK_MONOTONIC))
            usage();
    for (int i = 0; i < n_sizes; i++)
        if (sizes[i] == 0)
            usage();

    size_t max_n = 0;
    for (int i = 0; i < n_sizes; i++)
        max_n = sizes[i] > max_n ? sizes[i] : max_n;
    /* with a reference distribution, its draws follow the first max_n of each array */
    ref_at = ref ? max_n : 0;
    size_t len = max_n + ref_at, bytes = (len * sizeof(float) + 63) / 64 * 64;
    float *x = aligned_alloc(64, bytes), *y = aligned_alloc(64, bytes);
    uint16_t *xb = aligned_alloc(64, bytes / 2), *xh = aligned_alloc(64, bytes / 2);
    uint16_t *ab = aligned_alloc(64, bytes / 2), *ah = aligned_alloc(64, bytes / 2);
    bias_all = aligned_alloc(64, OPS_COLS * sizeof(float));
    a_all = aligned_alloc(64, bytes);
    if (!x || !y || !xb || !xh || !ab || !ah || !bias_all || !a_all)
        return 1;
    draw_inputs(dist, 0, max_n, x, xb, xh, bias_all, ab, ah);
    if (ref) /* the same draws as a run of --dist ref would make (its bias unused) */
        draw_inputs(ref, max_n, max_n, x, xb, xh, NULL, ab, ah);
    x_of[F32] = x, x_of[BF16] = xb, x_of[F16] = xh;
    a_of[F32] = a_all, a_of[BF16] = ab, a_of[F16] = ah;
    y_all = y;
    for (int i = 0; i < MAX_IMPLS; i++)
        if (selected(&all_impls[i], only) && !(cap_avx2 && above_avx2(&all_impls[i])) &&
            (!all_impls[i].usable || all_impls[i].usable(&all_impls[i])))
            impls[n_impls++] = &all_impls[i];
    for (int i = 0, n = n_impls; ref && i < n; i++)
        if (strncmp(impls[i]->name, "gelu-ffm", 8) == 0)
            is_ref[n_impls] = 1, impls[n_impls++] = impls[i];
    dist_name = dist, ref_name = ref;

    print_meta(rounds, min_ms, dist);
    printf("impl,form,isa,threads,n,gelem_per_s,ns_per_elem,dist\n");
    for (int t = 0; t < n_threads; t++) {
        /* The worker lives for one threads setting only: while idle it would spin on a core
           that the single-thread runs need. */
        team.nthreads = (int)threads[t];
        team.bar.n = team.nthreads;
        pthread_t tid;
        if (team.nthreads > 1 && pthread_create(&tid, NULL, worker, &team.slice[1]) != 0)
            return 1;
        for (int i = 0; i < n_sizes; i++)
            bench_size(sizes[i], rounds, min_ms * 1e-3);
        if (team.nthreads > 1) {
            job(OP_EXIT, 0, 0);
            pthread_join(tid, NULL);
        }
    }
    free(x);
    free(y);
    free(xb);
    free(xh);
    free(ab);
    free(ah);
    free(bias_all);
    free(a_all);
    return 0;
}
