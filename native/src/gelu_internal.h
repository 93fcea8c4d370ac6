/* Internal declarations shared by the per-ISA kernels, the dispatcher and the tests. */
#ifndef GELU_INTERNAL_H
#define GELU_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gelu.h"

/* A kernel computes n results; arguments were validated by the dispatcher. */
typedef void (*gelu_kernel_fn)(const float *x, float *y, size_t n);

enum gelu_form { GELU_FORM_ERF = 0, GELU_FORM_TANH = 1 };

/*
 * The kernel table: one row per public entry point gelu_<name>, each implemented once per ISA
 * as gelu_<name>_<isa>. The dispatcher and the public entry points are generated from it, so a
 * new point of the space (form, type, accuracy) is one row here and one declaration in gelu.h.
 */
#define GELU_KERNELS(X)     \
    X(erf_f32)              \
    X(tanh_f32)             \
    X(erf_f32_faithful)     \
    X(tanh_f32_faithful)

#define GELU_DECLARE(name)                                            \
    void gelu_##name##_scalar(const float *x, float *y, size_t n);     \
    void gelu_##name##_avx2(const float *x, float *y, size_t n);       \
    void gelu_##name##_avx512(const float *x, float *y, size_t n);
GELU_KERNELS(GELU_DECLARE)
#undef GELU_DECLARE

#define GELU_ENUM(name) GELU_K_##name,
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

static inline uint64_t gelu_bits64(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static inline double gelu_from_bits64(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static inline uint32_t gelu_bits32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float gelu_from_bits32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

#endif
