/* Internal declarations shared by the per-ISA kernels, the dispatcher and the tests. */
#ifndef GELU_INTERNAL_H
#define GELU_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gelu.h"

enum gelu_form { GELU_FORM_ERF = 0, GELU_FORM_TANH = 1, GELU_FORM_QUICK = 2 };

/* The |x| clamp of each form's correctly rounded sequence, beyond which the result is x or -0
   (the constants are gelu_coeffs.h's, which the files using this include). */
#define GELU_CR_AMAX(form) \
    ((form) == GELU_FORM_ERF ? GELU_ERF_AMAX : (form) == GELU_FORM_QUICK ? GELU_QUICK_WMAX : GELU_TANH_WMAX)

/* The 16-bit storage formats: values travel as their raw uint16_t bits. */
enum gelu_half { GELU_HALF_BF16 = 0, GELU_HALF_F16 = 1 };

/*
 * The kernel table: one row per public entry point gelu_<name>, each implemented once per ISA
 * as gelu_<name>_<isa>, with the signature of its kind:
 *   F32  (const float *x, float *y, size_t n)        float32 in and out
 *   H16  (const uint16_t *x, uint16_t *y, size_t n)  bf16 or f16 in and out
 *   N16  (const float *x, uint16_t *y, size_t n)     float32 in, bf16 or f16 out
 * The dispatcher and the public entry points are generated from it, so a new point of the
 * space (form, type, accuracy) is one row here and its declarations in gelu.h.
 */
#define GELU_KERNELS(X)         \
    X(erf_f32, F32)             \
    X(tanh_f32, F32)            \
    X(quick_f32, F32)           \
    X(erf_f32_faithful, F32)    \
    X(tanh_f32_faithful, F32)   \
    X(erf_bf16, H16)            \
    X(tanh_bf16, H16)           \
    X(erf_f16, H16)             \
    X(tanh_f16, H16)            \
    X(erf_f32_to_bf16, N16)     \
    X(tanh_f32_to_bf16, N16)    \
    X(erf_f32_to_f16, N16)      \
    X(tanh_f32_to_f16, N16)

/* Element types of each kind: GELU_XT_<kind> in, GELU_YT_<kind> out. */
#define GELU_XT_F32 float
#define GELU_YT_F32 float
#define GELU_XT_H16 uint16_t
#define GELU_YT_H16 uint16_t
#define GELU_XT_N16 float
#define GELU_YT_N16 uint16_t

/* A kernel computes n results; arguments were validated by the dispatcher. */
typedef union {
    void (*F32)(const float *x, float *y, size_t n);
    void (*H16)(const uint16_t *x, uint16_t *y, size_t n);
    void (*N16)(const float *x, uint16_t *y, size_t n);
} gelu_kernel_fn;

#define GELU_DECLARE(name, kind)                                                          \
    void gelu_##name##_scalar(const GELU_XT_##kind *x, GELU_YT_##kind *y, size_t n);     \
    void gelu_##name##_avx2(const GELU_XT_##kind *x, GELU_YT_##kind *y, size_t n);       \
    void gelu_##name##_avx512(const GELU_XT_##kind *x, GELU_YT_##kind *y, size_t n);
GELU_KERNELS(GELU_DECLARE)
#undef GELU_DECLARE

#define GELU_ENUM(name, kind) GELU_K_##name,
enum gelu_kernel_id { GELU_KERNELS(GELU_ENUM) GELU_N_KERNELS };
#undef GELU_ENUM

/*
 * The slow path of the rounding test. Every kernel evaluates y in double with the same
 * operation sequence, rounds it to float, and flags the rare lanes where y*(1 -+ 2^-40) round
 * to different floats: the exact value may lie on the other side of a rounding boundary.
 * Those lanes come here; inputs that the exhaustive checker found misrounded are in a sorted
 * table with their correctly rounded result, every other flagged input keeps `fast`.
 */
float gelu_hard_case_f32(enum gelu_form form, float x, float fast);

/*
 * The correctly rounded kernels' double-precision y before its rounding to float (within
 * 2^-40 relative of the exact value wherever the rounding test can pass; see gelu_scalar.c).
 */
double gelu_cr_y(enum gelu_form form, float x);

/*
 * The faithful kernels' double y for x in [GELU_FAITHFUL_LO, FLT_MAX]: within 2^-26.8 of the
 * exact value relative (gelu_faithful_coeffs.h), from about ten FMAs and no exp.
 */
double gelu_faithful_y(enum gelu_form form, float x);

/*
 * One 16-bit result, correctly rounded, by the double-precision path (gelu_half.c): the
 * 16-bit kernels' scalar ISA, and the lanes that the vector kernels' fast path cannot decide.
 * Baseline x86-64 code, callable from every ISA file.
 */
uint16_t gelu_half_slow(enum gelu_form form, enum gelu_half type, float x);

static inline uint64_t gelu_bits64(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static inline double gelu_from_bits64(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static inline uint32_t gelu_bits32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float gelu_from_bits32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* Exact widening of the 16-bit formats: bf16 is the top half of a float; f16 by fields. */
static inline float gelu_bf16_to_f32(uint16_t h) { return gelu_from_bits32((uint32_t)h << 16); }

static inline float gelu_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 31, m = h & 0x3FF;
    if (e == 0) /* zero or subnormal: m 2^-24, exact in float */
        return gelu_from_bits32(sign | gelu_bits32((float)m * 0x1p-24f));
    if (e == 31) /* infinity or NaN, payload kept */
        return gelu_from_bits32(sign | 0x7F800000u | (m << 13));
    return gelu_from_bits32(sign | ((e + 112) << 23) | (m << 13));
}

#endif
