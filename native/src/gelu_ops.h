/*
 * The composed operations (bias + GELU, GEGLU, GEGLU on [a | gate] rows), written once and
 * instantiated per ISA by gelu_ops_<isa>.c, which defines GELU_OPS_ISA and is compiled with
 * that ISA's flags.
 *
 * Each operation is defined by composition (gelu.h), so each is built from the same ISA's
 * forward kernels: the input is prepared block by block in a buffer that stays in L1 (the
 * sum x + bias, widened for 16-bit types), the forward kernel runs on the block, and the
 * product (GEGLU) is taken on the way out, the kernel (bias) or the product (GEGLU) writing y
 * directly with normal stores (streaming it past the caches measured slower: gelu_forward_cr.h,
 * gelu_fwd_run_cr). One pass over memory instead of two or three, and the same bits as the
 * unfused calls because they are the same kernels. The element loops here are plain C that the
 * compiler vectorizes for the ISA: adds, multiplies, compares and selects, all exactly
 * specified by IEEE 754 (no contraction: -ffp-contract=off).
 */
#ifndef GELU_OPS_ISA
#error "define GELU_OPS_ISA (scalar, avx2, avx512 or neon) before including gelu_ops.h"
#endif

#include <stdint.h>
#if defined(__F16C__)
#include <immintrin.h>
#endif

#include "gelu_internal.h"

#define OPS_CAT2(a, b) a##_##b
#define OPS_CAT(a, b) OPS_CAT2(a, b)
/* The kernel of this ISA: ISA(gelu_erf_f32) is gelu_erf_f32_avx512 in the AVX-512 file. */
#define ISA(name) OPS_CAT(name, GELU_OPS_ISA)

/* Elements per block: the buffers stay in L1 next to the kernels' tables, and 192 is a whole
   number of every kernel's main-loop step (AVX-512: 64 correctly rounded, 48 faithful), so no
   block ends in a masked tail. At 2^24 elements it measured faster than 256 or 384 (gelu_cbench
   --clock cpu, faithful bias: 1.15-1.47 against 1.65-1.72 ns), and 256 faster than 1024 or 4096. */
#define OPS_BLOCK 192

/* GELU_DEFAULT_NAN in the 16-bit types: the quiet NaN an operation makes from numbers (inf - inf, 0 * inf). */
#define OPS_NAN_BF16 0x7FC0u
#define OPS_NAN_F16 0x7E00u

/*
 * The next block's input, fetched while the kernel works on this one: the kernels prefetch
 * their own input, which here is the L1 buffer, and ahead of a compute-bound loop the hardware
 * prefetcher falls behind (the forward kernels' PREFETCH_FLOATS).
 */
static inline void ops_prefetch(const void *p, size_t bytes)
{
    for (size_t k = 0; k < bytes; k += 64)
        __builtin_prefetch((const char *)p + k);
}

typedef void (*ops_f32_fn)(const float *x, float *y, size_t n);
typedef void (*ops_n16_fn)(const float *x, uint16_t *y, size_t n);
typedef void (*ops_h16_fn)(const uint16_t *x, uint16_t *y, size_t n);

static inline int ops_is_nan16(uint16_t h, enum gelu_half type)
{
    return type == GELU_HALF_BF16 ? (h & 0x7FFF) > 0x7F80 : (h & 0x7FFF) > 0x7C00;
}

/*
 * s = fl(x + b), a NaN being x's, else b's, else the default one. Any NaN operand makes the
 * sum NaN, so one test of the sums finds the rare block that needs the selects.
 */
static inline void ops_add(const float *x, const float *b, float *s, size_t n)
{
    int nan = 0;
    for (size_t j = 0; j < n; j++) {
        float v = x[j] + b[j];
        nan |= v != v;
        s[j] = v;
    }
    if (__builtin_expect(nan, 0))
        for (size_t j = 0; j < n; j++) {
            float xj = x[j], bj = b[j], v = s[j]; /* s is not x: x is read again here */
            v = v != v ? gelu_from_bits32(GELU_DEFAULT_NAN) : v;
            v = bj != bj ? bj : v;
            s[j] = xj != xj ? xj : v;
        }
}

/* y = fl(a t) for the float GELU results t, a NaN being a's (quieted), else t's, else the default one. */
static inline void ops_mul_f32(const float *a, const float *t, float *y, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        float aj = a[j], tj = t[j], v = aj * tj;
        v = v != v ? gelu_from_bits32(GELU_DEFAULT_NAN) : v;
        v = tj != tj ? tj : v;
        y[j] = aj != aj ? gelu_from_bits32(gelu_bits32(aj) | 0x00400000u) : v;
    }
}

static inline void ops_widen(const uint16_t *h, float *f, size_t n, enum gelu_half type)
{
    size_t j = 0;
    if (type == GELU_HALF_BF16) {
        for (; j < n; j++)
            f[j] = gelu_bf16_to_f32(h[j]);
        return;
    }
#if defined(__F16C__)
    for (; j + 8 <= n; j += 8) /* a NaN may come out quieted here and not below: its GELU is quieted anyway */
        _mm256_storeu_ps(f + j, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + j))));
#endif
    for (; j < n; j++)
        f[j] = gelu_f16_to_f32(h[j]);
}

/*
 * y = fl(a t) in the 16-bit type, for 16-bit a and the 16-bit GELU results t. The float
 * product of two 16-bit values is exact (at most 22 significant bits, in float's normal
 * range for f16; for bf16 exact whenever |a t| >= 2^-134, and below that both the exact
 * product and the float one round to zero, the tie at 2^-134 to even), so rounding it once
 * to the type is the correctly rounded product.
 */
static inline void ops_mul_h16(const uint16_t *a, const uint16_t *t, uint16_t *y, size_t n, enum gelu_half type)
{
    float fa[OPS_BLOCK], ft[OPS_BLOCK];
    ops_widen(a, fa, n, type);
    ops_widen(t, ft, n, type);
    uint16_t quiet = type == GELU_HALF_BF16 ? 0x0040 : 0x0200;
    uint16_t dflt = type == GELU_HALF_BF16 ? OPS_NAN_BF16 : OPS_NAN_F16;
    size_t j = 0;
    if (type == GELU_HALF_BF16) {
        for (; j < n; j++) {
            float p = fa[j] * ft[j];
            uint32_t u = gelu_bits32(p);
            uint16_t r = (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1)) >> 16); /* ties to even; inf stays inf */
            r = p != p ? dflt : r;
            r = ops_is_nan16(t[j], type) ? t[j] : r;
            y[j] = ops_is_nan16(a[j], type) ? (uint16_t)(a[j] | quiet) : r;
        }
        return;
    }
    uint16_t r16[OPS_BLOCK];
#if defined(__F16C__)
    for (; j + 8 <= n; j += 8) {
        __m256 p = _mm256_mul_ps(_mm256_loadu_ps(fa + j), _mm256_loadu_ps(ft + j));
        _mm_storeu_si128((__m128i *)(r16 + j), _mm256_cvtps_ph(p, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }
#endif
    for (; j < n; j++) {
        float p = fa[j] * ft[j];
        uint16_t inf = (uint16_t)((gelu_bits32(p) >> 16 & 0x8000) | 0x7C00);
        r16[j] = p != p                            ? 0
                 : p >= 65536.0f || p <= -65536.0f ? inf
                                                   : gelu_half_round(p, type); /* above f16's range: inf */
    }
    for (j = 0; j < n; j++) {
        float p = fa[j] * ft[j];
        uint16_t r = p != p ? dflt : r16[j];
        r = ops_is_nan16(t[j], type) ? t[j] : r;
        y[j] = ops_is_nan16(a[j], type) ? (uint16_t)(a[j] | quiet) : r;
    }
}

/* ---- bias + GELU: each row in blocks, x + bias into a float buffer, then the forward kernel. */

static inline void ops_bias_f32(ops_f32_fn fwd, const float *x, const float *bias, float *y, size_t rows, size_t cols,
                                size_t ldx, size_t ldy)
{
    float s[OPS_BLOCK];
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j += OPS_BLOCK) {
            size_t len = cols - j < OPS_BLOCK ? cols - j : OPS_BLOCK;
            float *out = y + i * ldy + j;
            ops_add(x + i * ldx + j, bias + j, s, len);           /* read before y's block is written (in place) */
            ops_prefetch(x + i * ldx + j + len, len * sizeof *x); /* the next block, or the next row's */
            fwd(s, out, len);
        }
}

static inline void ops_bias_h16(ops_n16_fn fwd, enum gelu_half type, const uint16_t *x, const uint16_t *bias,
                                uint16_t *y, size_t rows, size_t cols, size_t ldx, size_t ldy)
{
    float fx[OPS_BLOCK], fb[OPS_BLOCK], fs[OPS_BLOCK];
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j += OPS_BLOCK) {
            size_t len = cols - j < OPS_BLOCK ? cols - j : OPS_BLOCK;
            uint16_t *out = y + i * ldy + j;
            ops_widen(x + i * ldx + j, fx, len, type);
            ops_widen(bias + j, fb, len, type);
            ops_add(fx, fb, fs, len);
            ops_prefetch(x + i * ldx + j + len, len * sizeof *x);
            fwd(fs, out, len);
        }
}

/* ---- GEGLU: GELU of a block of gate into a buffer, then the product on the way out. */

static inline void ops_glu_f32(ops_f32_fn fwd, const float *a, const float *gate, float *y, size_t n)
{
    float t[OPS_BLOCK];
    for (size_t j = 0; j < n; j += OPS_BLOCK) {
        size_t len = n - j < OPS_BLOCK ? n - j : OPS_BLOCK;
        ops_prefetch(a + j, len * sizeof *a); /* this block's a, read after the kernel */
        fwd(gate + j, t, len);
        ops_mul_f32(a + j, t, y + j, len);
    }
}

static inline void ops_glu_h16(ops_h16_fn fwd, enum gelu_half type, const uint16_t *a, const uint16_t *gate,
                               uint16_t *y, size_t n)
{
    uint16_t t[OPS_BLOCK];
    for (size_t j = 0; j < n; j += OPS_BLOCK) {
        size_t len = n - j < OPS_BLOCK ? n - j : OPS_BLOCK;
        ops_prefetch(a + j, len * sizeof *a);
        fwd(gate + j, t, len);
        ops_mul_h16(a + j, t, y + j, len, type);
    }
}

/* ---- The named kernels of the table, one set per form, type and accuracy. */

#define OPS_F32(form, type, fwd)                                                                \
    void ISA(gelu_##form##_bias_##type)(GELU_SIG_BIAS_F32)                                      \
    {                                                                                           \
        ops_bias_f32(ISA(fwd), x, bias, y, rows, cols, ldx, ldy);                               \
    }                                                                                           \
    void ISA(geglu_##form##_##type)(GELU_SIG_GLU_F32) { ops_glu_f32(ISA(fwd), a, gate, y, n); } \
    void ISA(geglu_##form##_rows_##type)(GELU_SIG_GLUR_F32)                                     \
    {                                                                                           \
        for (size_t i = 0; i < rows; i++)                                                       \
            ops_glu_f32(ISA(fwd), x + i * ldx, x + i * ldx + cols, y + i * ldy, cols);          \
    }

#define OPS_H16(form, type, htype)                                                                             \
    void ISA(gelu_##form##_bias_##type)(GELU_SIG_BIAS_H16)                                                     \
    {                                                                                                          \
        ops_bias_h16(ISA(gelu_##form##_f32_to_##type), htype, x, bias, y, rows, cols, ldx, ldy);               \
    }                                                                                                          \
    void ISA(geglu_##form##_##type)(GELU_SIG_GLU_H16)                                                          \
    {                                                                                                          \
        ops_glu_h16(ISA(gelu_##form##_##type), htype, a, gate, y, n);                                          \
    }                                                                                                          \
    void ISA(geglu_##form##_rows_##type)(GELU_SIG_GLUR_H16)                                                    \
    {                                                                                                          \
        for (size_t i = 0; i < rows; i++)                                                                      \
            ops_glu_h16(ISA(gelu_##form##_##type), htype, x + i * ldx, x + i * ldx + cols, y + i * ldy, cols); \
    }

/* Every operation of every form (gelu_forms.h). */
#define OPS_FORM(form, FORM)                                \
    OPS_F32(form, f32, gelu_##form##_f32)                   \
    OPS_F32(form, f32_faithful, gelu_##form##_f32_faithful) \
    OPS_H16(form, bf16, GELU_HALF_BF16)                     \
    OPS_H16(form, f16, GELU_HALF_F16)
GELU_FORMS(OPS_FORM)
