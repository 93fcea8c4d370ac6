/*
 * gelu.h - correctly rounded (and, on request, faithful) GELU activations for float32 arrays.
 *
 * Accuracy, part of each name:
 *   gelu_<form>_f32           correctly rounded: for every float input, the float nearest (ties
 *                             to even) to the exact mathematical value.
 *   gelu_<form>_f32_faithful  faithful: one of the two floats around the exact value (the exact
 *                             value itself when it is a float); about 3x faster. Still one
 *                             operation sequence, so every ISA returns the same bits here too.
 * Both accuracies give the same special values and signed zeros.
 *
 * Forms:
 *
 *   gelu_erf_f32:  y = x * Phi(x) = x/2 * erfc(-x/sqrt(2))
 *   gelu_tanh_f32: y = x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
 *                  with sqrt(2/pi) and 0.044715 taken as exact real numbers.
 *
 * Special values: NaN -> NaN (quieted), +inf -> +inf, -inf -> -0, +-0 -> +-0; the negative
 * tail is exact down to the subnormal range.
 *
 * Threading: all functions are thread-safe and reentrant. The instruction set is chosen once,
 * on first use (CPUID + XGETBV), and can be capped with the environment variable
 * GELU_MAX_ISA=scalar|avx2|avx512 read at that moment. The library never prints or aborts.
 *
 * Buffers: y may equal x (in place). Partially overlapping x and y are rejected.
 */
#ifndef GELU_H
#define GELU_H

#include <stddef.h>
#include <stdint.h>

#define GELU_VERSION_MAJOR 0
#define GELU_VERSION_MINOR 1
#define GELU_VERSION_PATCH 0
#define GELU_VERSION_NUMBER (GELU_VERSION_MAJOR * 10000 + GELU_VERSION_MINOR * 100 + GELU_VERSION_PATCH)

#if defined(GELU_BUILDING_LIBRARY)
#define GELU_API __attribute__((visibility("default")))
#else
#define GELU_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. */
#define GELU_OK 0
#define GELU_ERR_NULL (-1)    /* x or y is NULL while n > 0 */
#define GELU_ERR_OVERLAP (-2) /* x and y overlap but are not the same array */
#define GELU_ERR_ISA (-3)     /* the requested instruction set is unknown, absent or capped */

/* Instruction sets, in increasing order. */
#define GELU_ISA_SCALAR 0
#define GELU_ISA_AVX2 1   /* AVX2 + FMA */
#define GELU_ISA_AVX512 2 /* AVX-512 F, DQ, VL, BW */

/* y[i] = GELU(x[i]) for i < n, erf form. Returns GELU_OK or a negative error code. */
GELU_API int gelu_erf_f32(const float *x, float *y, size_t n);

/* y[i] = GELU_tanh(x[i]) for i < n. Returns GELU_OK or a negative error code. */
GELU_API int gelu_tanh_f32(const float *x, float *y, size_t n);

/* Faithful variants of the two above: each result is one of the two floats around the exact value. */
GELU_API int gelu_erf_f32_faithful(const float *x, float *y, size_t n);
GELU_API int gelu_tanh_f32_faithful(const float *x, float *y, size_t n);

/* Same as above on one explicit instruction set; GELU_ERR_ISA when it cannot run here. */
GELU_API int gelu_erf_f32_isa(int isa, const float *x, float *y, size_t n);
GELU_API int gelu_tanh_f32_isa(int isa, const float *x, float *y, size_t n);
GELU_API int gelu_erf_f32_faithful_isa(int isa, const float *x, float *y, size_t n);
GELU_API int gelu_tanh_f32_faithful_isa(int isa, const float *x, float *y, size_t n);

/* The instruction set in use: "avx512", "avx2" or "scalar". */
GELU_API const char *gelu_isa(void);

/* 1 when the instruction set can run here (present, enabled by the OS, not capped), else 0. */
GELU_API int gelu_isa_supported(int isa);

/* Runtime version: "MAJOR.MINOR.PATCH" and GELU_VERSION_NUMBER of the loaded library. */
GELU_API const char *gelu_version(void);
GELU_API int gelu_version_number(void);

#ifdef __cplusplus
}
#endif

#endif /* GELU_H */
