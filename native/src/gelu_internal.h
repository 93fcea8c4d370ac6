/* Internal declarations shared by the per-ISA kernels, the dispatcher and the tests. */
#ifndef GELU_INTERNAL_H
#define GELU_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gelu.h"
#include "gelu_forms.h"
#include "gelu_isas.h"

#define GELU_FORM_ENUM(form, FORM) GELU_FORM_##FORM,
enum gelu_form { GELU_FORMS(GELU_FORM_ENUM) };
#undef GELU_FORM_ENUM

/* The |x| clamp of each form's correctly rounded sequence, beyond which the result is x or -0
   (the constants are gelu_coeffs.h's, which the files using this include). */
#define GELU_CR_AMAX(form) \
    ((form) == GELU_FORM_ERF ? GELU_ERF_AMAX : (form) == GELU_FORM_QUICK ? GELU_QUICK_WMAX : GELU_TANH_WMAX)

/* The 16-bit storage formats: values travel as their raw uint16_t bits. */
enum gelu_half { GELU_HALF_BF16 = 0, GELU_HALF_F16 = 1 };

/*
 * The kernel table: one row per public entry point, each implemented once per ISA as
 * <name>_<isa>, with the signature of its kind:
 *   F32   (const float *x, float *y, size_t n)                        float32 in and out
 *   H16   (const uint16_t *x, uint16_t *y, size_t n)                  bf16 or f16 in and out
 *   N16   (const float *x, uint16_t *y, size_t n)                     float32 in, 16-bit out
 *   BIAS  (const T *x, const T *bias, T *y, rows, cols, ldx, ldy)     y[i][j] = GELU(x[i][j] + bias[j])
 *   GLU   (const T *a, const T *gate, T *y, size_t n)                 y[i] = a[i] GELU(gate[i])
 *   GLUR  (const T *x, T *y, rows, cols, ldx, ldy)                    rows of [a | gate], 2 cols wide
 *   BWD   (const T *x, const T *dy, T *dx, size_t n)                  dx[i] = dy[i] GELU'(x[i])
 * with T = float (kinds *_F32) or uint16_t (*_H16). The dispatcher and the public entry
 * points are generated from it, so a new point of the space (operation, type, accuracy) is
 * one row here, its declaration in gelu.h and its per-ISA instantiation; a new form is a row
 * of gelu_forms.h, which gives it every row below (native/tests/test_header.c checks that
 * gelu.h declares them all).
 */
#define GELU_KERNELS(X)                           \
    GELU_FORMS_EACH(GELU_ROW_F32, X)              \
    GELU_FORMS_EACH(GELU_ROW_F32_FAITHFUL, X)     \
    GELU_FORMS_EACH(GELU_ROW_BF16, X)             \
    GELU_FORMS_EACH(GELU_ROW_F16, X)              \
    GELU_FORMS_EACH(GELU_ROW_F32_TO_BF16, X)      \
    GELU_FORMS_EACH(GELU_ROW_F32_TO_F16, X)       \
    GELU_FORMS_EACH(GELU_ROW_OPS_F32, X)          \
    GELU_FORMS_EACH(GELU_ROW_OPS_F32_FAITHFUL, X) \
    GELU_FORMS_EACH(GELU_ROW_OPS_BF16, X)         \
    GELU_FORMS_EACH(GELU_ROW_OPS_F16, X)          \
    GELU_FORMS_EACH(GELU_ROW_BACKWARD, X)

/* The rows of one form (each form of gelu_forms.h gets every one of them). */
#define GELU_ROW_F32(X, form, FORM) X(gelu_##form##_f32, F32)
#define GELU_ROW_F32_FAITHFUL(X, form, FORM) X(gelu_##form##_f32_faithful, F32)
#define GELU_ROW_BF16(X, form, FORM) X(gelu_##form##_bf16, H16)
#define GELU_ROW_F16(X, form, FORM) X(gelu_##form##_f16, H16)
#define GELU_ROW_F32_TO_BF16(X, form, FORM) X(gelu_##form##_f32_to_bf16, N16)
#define GELU_ROW_F32_TO_F16(X, form, FORM) X(gelu_##form##_f32_to_f16, N16)
#define GELU_ROW_OPS_F32(X, form, FORM) GELU_OPS(X, form, f32, BIAS_F32, GLU_F32, GLUR_F32)
#define GELU_ROW_OPS_F32_FAITHFUL(X, form, FORM) GELU_OPS(X, form, f32_faithful, BIAS_F32, GLU_F32, GLUR_F32)
#define GELU_ROW_OPS_BF16(X, form, FORM) GELU_OPS(X, form, bf16, BIAS_H16, GLU_H16, GLUR_H16)
#define GELU_ROW_OPS_F16(X, form, FORM) GELU_OPS(X, form, f16, BIAS_H16, GLU_H16, GLUR_H16)
#define GELU_ROW_BACKWARD(X, form, FORM) GELU_BACKWARD(X, form)

/* The composed operations of one form and type: bias + GELU, GEGLU, GEGLU on [a | gate] rows. */
#define GELU_OPS(X, form, type, bias, glu, glur) \
    X(gelu_##form##_bias_##type, bias)           \
    X(geglu_##form##_##type, glu)                \
    X(geglu_##form##_rows_##type, glur)

/* The backward of one form in every type. */
#define GELU_BACKWARD(X, form)              \
    X(gelu_##form##_backward_f32, BWD_F32)  \
    X(gelu_##form##_backward_bf16, BWD_H16) \
    X(gelu_##form##_backward_f16, BWD_H16)

/* The parameter list of each kind, and the arguments that pass it on. */
#define GELU_SIG_F32 const float *x, float *y, size_t n
#define GELU_SIG_H16 const uint16_t *x, uint16_t *y, size_t n
#define GELU_SIG_N16 const float *x, uint16_t *y, size_t n
#define GELU_ARGS_F32 x, y, n
#define GELU_ARGS_H16 x, y, n
#define GELU_ARGS_N16 x, y, n
#define GELU_SIG_BIAS_F32 const float *x, const float *bias, float *y, size_t rows, size_t cols, size_t ldx, size_t ldy
#define GELU_SIG_BIAS_H16 \
    const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows, size_t cols, size_t ldx, size_t ldy
#define GELU_ARGS_BIAS_F32 x, bias, y, rows, cols, ldx, ldy
#define GELU_ARGS_BIAS_H16 x, bias, y, rows, cols, ldx, ldy
#define GELU_SIG_GLU_F32 const float *a, const float *gate, float *y, size_t n
#define GELU_SIG_GLU_H16 const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n
#define GELU_ARGS_GLU_F32 a, gate, y, n
#define GELU_ARGS_GLU_H16 a, gate, y, n
#define GELU_SIG_GLUR_F32 const float *x, float *y, size_t rows, size_t cols, size_t ldx, size_t ldy
#define GELU_SIG_GLUR_H16 const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx, size_t ldy
#define GELU_ARGS_GLUR_F32 x, y, rows, cols, ldx, ldy
#define GELU_ARGS_GLUR_H16 x, y, rows, cols, ldx, ldy
#define GELU_SIG_BWD_F32 const float *x, const float *dy, float *dx, size_t n
#define GELU_SIG_BWD_H16 const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n
#define GELU_ARGS_BWD_F32 x, dy, dx, n
#define GELU_ARGS_BWD_H16 x, dy, dx, n

/* A kernel does the work; arguments were validated by the dispatcher. */
#define GELU_KIND_MEMBER(kind) void (*kind)(GELU_SIG_##kind);
typedef union {
    GELU_KIND_MEMBER(F32)
    GELU_KIND_MEMBER(H16)
    GELU_KIND_MEMBER(N16)
    GELU_KIND_MEMBER(BIAS_F32)
    GELU_KIND_MEMBER(BIAS_H16)
    GELU_KIND_MEMBER(GLU_F32)
    GELU_KIND_MEMBER(GLU_H16)
    GELU_KIND_MEMBER(GLUR_F32)
    GELU_KIND_MEMBER(GLUR_H16)
    GELU_KIND_MEMBER(BWD_F32)
    GELU_KIND_MEMBER(BWD_H16)
} gelu_kernel_fn;
#undef GELU_KIND_MEMBER

#define GELU_DECLARE_ONE(fn, kind) void fn(GELU_SIG_##kind);
#define GELU_DECLARE(name, kind) GELU_ISAS_EACH(GELU_DECLARE_ONE, name, kind)
GELU_KERNELS(GELU_DECLARE)
#undef GELU_DECLARE
#undef GELU_DECLARE_ONE

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

/* The row of a table of {x bits, result bits} sorted by x whose key is `key`, or NULL; and the
   float of the row for x, or `fast` when x is not in the table (gelu_hard_cases.c). */
const uint32_t *gelu_table_find(const uint32_t (*table)[2], size_t count, uint32_t key);
float gelu_table_f32(const uint32_t (*table)[2], size_t count, float x, float fast);

/*
 * The correctly rounded kernels' double-precision y before its rounding to float (within
 * 2^-40 relative of the exact value wherever the rounding test can pass; see gelu_forward_ref.h).
 */
double gelu_cr_y(enum gelu_form form, float x);

/*
 * The tables of every 16-bit input's result (gelu_half_tables.c), filled on first use by the
 * given kernel of the calling ISA, thread-safely: GELU(x) rounded to the format, and GELU'(x)
 * correctly rounded to float.
 */
typedef void (*gelu_n16_fn)(const float *x, uint16_t *y, size_t n);
typedef void (*gelu_bwd_f32_fn)(const float *x, const float *dy, float *dx, size_t n);
const uint16_t *gelu_half_fwd_table(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow);
const float *gelu_half_deriv_table(enum gelu_form form, enum gelu_half type, gelu_bwd_f32_fn backward);

/* The quiet NaN an operation makes from numbers (inf - inf, 0 * inf): the same on every backend. */
#define GELU_DEFAULT_NAN 0x7FC00000u

/* A finite double (not a NaN) rounded once to the 16-bit format, ties to even: its raw bits. */
uint16_t gelu_half_round(double y, enum gelu_half type);

static inline uint64_t gelu_bits64(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}
static inline double gelu_from_bits64(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}
static inline uint32_t gelu_bits32(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static inline float gelu_from_bits32(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

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

/*
 * Backward: dx = fl(dy * GELU'(x)), GELU'(x) correctly rounded to float first (gelu_backward_body.h;
 * the kernels gelu_<form>_backward_f32_<isa> are rows of the table above). gelu_deriv_y is the double GELU'(x) before its
 * rounding, within 2^-44 relative of the exact value wherever that is at least 2^-150 in
 * magnitude (measured: 2^-50.4 erf, 2^-46.0 tanh, 2^-46.6 quick); gelu_deriv_f32 is
 * GELU'(x) correctly rounded (the kernels' per-element step, for the vector kernels' rare lanes);
 * gelu_backward_hard_case is the table of the rounding test's slow path.
 */
double gelu_deriv_y(enum gelu_form form, float x);
float gelu_deriv_f32(enum gelu_form form, float x);
float gelu_backward_hard_case(enum gelu_form form, float x, float fast);

/*
 * fl(a t) with the library's choice of NaN: a's (quieted), else t's, else the default one.
 * Hardware returns the first operand's NaN and compilers may swap the operands of a
 * multiplication, so the kernels select explicitly (the vector kernels with the same selects).
 */
static inline float gelu_mul_nan(float a, float t)
{
    float p = a * t;
    p = p != p ? gelu_from_bits32(GELU_DEFAULT_NAN) : p;
    p = t != t ? t : p;
    return a != a ? gelu_from_bits32(gelu_bits32(a) | 0x00400000u) : p;
}

#endif
