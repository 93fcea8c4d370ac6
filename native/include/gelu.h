/*
 * gelu.h - correctly rounded (and, on request, faithful) GELU activations for float32, bf16
 * and f16 arrays.
 *
 * Accuracy, part of each name:
 *   gelu_<form>_f32           correctly rounded: for every float input, the float nearest (ties
 *                             to even) to the exact mathematical value.
 *   gelu_<form>_f32_faithful  faithful: one of the two floats around the exact value (the exact
 *                             value itself when it is a float), and faster. Still one
 *                             operation sequence, so every ISA returns the same bits here too.
 * Both accuracies give the same special values and signed zeros.
 *
 * Forms:
 *
 *   gelu_erf_f32:  y = x * Phi(x) = x/2 * erfc(-x/sqrt(2))
 *   gelu_tanh_f32: y = x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
 *                  with sqrt(2/pi) and 0.044715 taken as exact real numbers.
 *   gelu_quick_f32: y = x * sigma(1.702 x) = x / (1 + exp(-1.702 x)), with 1.702 the exact
 *                  decimal (the "quick" GELU of some models).
 *
 * Special values: NaN -> NaN (quieted), +inf -> +inf, -inf -> -0, +-0 -> +-0; the negative
 * tail is exact down to the subnormal range.
 *
 * Threading: all functions are thread-safe and reentrant. The instruction set is chosen once,
 * on first use (x86-64: CPUID + XGETBV; aarch64: NEON, always there), and can be capped with
 * the environment variable GELU_MAX_ISA=scalar|avx2|avx512 on x86-64, scalar|neon on aarch64
 * (case and surrounding white space ignored) read at that moment; an unknown value caps
 * nothing and is reported by gelu_max_isa_status(). The 16-bit kernels (16-bit input, and the
 * 16-bit backward) fill a table of every input's result per form and format on first use
 * (128 KB forward, 256 KB backward; about a millisecond, under a mutex; read-only after): with
 * the ISA choice, the library's only state. The library never prints or aborts.
 *
 * Floating-point environment: the results do not depend on the caller's mode. Every entry
 * point computes in the mode its results are proven in (round to nearest, no flush-to-zero,
 * no denormals-are-zero, all exceptions masked) and gives the caller's MXCSR (aarch64: FPCR)
 * back on return,
 * so a host built with -Ofast (FTZ+DAZ) or running under fesetround gets the same bits. The
 * caller's exception flags are kept and a float32 call adds only what IEEE 754 asks of GELU:
 * invalid for a signalling NaN input, underflow for an input whose exact result is tiny and
 * inexact (subnormal and tiny inputs; x below about -13 for erf, -10 for tanh, -53 for quick); never
 * divide-by-zero or overflow, nothing for quiet NaN, +-inf or +-0. Inexact is not tracked.
 * The 16-bit calls keep the same rules for invalid and divide-by-zero; their underflow and
 * overflow flags follow their float32 and double steps, not the 16-bit result.
 * No trap is taken inside the library, even with exceptions unmasked (feenableexcept). The
 * x87 state is not used.
 *
 * Buffers: y may equal x (in place). Partially overlapping x and y are rejected, and so is an
 * n whose byte size (n times the larger element size) exceeds PTRDIFF_MAX (no array is that
 * large).
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
#define GELU_ERR_SIZE (-4)    /* n times the larger element size exceeds PTRDIFF_MAX */
#define GELU_ERR_SHAPE (-5)   /* a leading dimension is shorter than its row (ldx < cols, ldy < cols) */

/* Instruction sets, in increasing order within each architecture (an id is the ISA's rank on
   its architecture, so isa <= the best one is the set that runs; ids repeat across them). */
#define GELU_ISA_SCALAR 0 /* every architecture: plain C */
#define GELU_ISA_AVX2 1   /* x86-64: AVX2 + FMA + F16C */
#define GELU_ISA_AVX512 2 /* x86-64: AVX-512 F, DQ, VL, BW */
#define GELU_ISA_NEON 1   /* aarch64: Advanced SIMD (every AArch64 CPU has it) */

/* y[i] = GELU(x[i]) for i < n, erf form. Returns GELU_OK or a negative error code. */
GELU_API int gelu_erf_f32(const float *x, float *y, size_t n);

/* y[i] = GELU_tanh(x[i]) for i < n. Returns GELU_OK or a negative error code. */
GELU_API int gelu_tanh_f32(const float *x, float *y, size_t n);

/* y[i] = GELU_quick(x[i]) = x[i] * sigma(1.702 x[i]) for i < n. Returns GELU_OK or a negative error code. */
GELU_API int gelu_quick_f32(const float *x, float *y, size_t n);

/* Faithful variants of the three above: each result is one of the two floats around the exact value. */
GELU_API int gelu_erf_f32_faithful(const float *x, float *y, size_t n);
GELU_API int gelu_tanh_f32_faithful(const float *x, float *y, size_t n);
GELU_API int gelu_quick_f32_faithful(const float *x, float *y, size_t n);

/*
 * 16-bit storage, correctly rounded: each value is the raw bits of a bf16 (the top half of a
 * float32) or an IEEE binary16 (f16) number, and each result is the exact GELU rounded once,
 * straight to the 16-bit format (not through a float32 result, which would round twice).
 * NaN -> NaN (quieted, sign and top payload bits kept), +inf -> +inf, -inf -> -0, +-0 -> +-0,
 * subnormals of both formats exact; an f32 input whose result exceeds f16's range gives inf.
 * y may equal x (in place), for the narrowing functions too (y then overwrites the front
 * of the float array). Every ISA returns the same bits.
 */
GELU_API int gelu_erf_bf16(const uint16_t *x, uint16_t *y, size_t n);
GELU_API int gelu_tanh_bf16(const uint16_t *x, uint16_t *y, size_t n);
GELU_API int gelu_quick_bf16(const uint16_t *x, uint16_t *y, size_t n);
GELU_API int gelu_erf_f16(const uint16_t *x, uint16_t *y, size_t n);
GELU_API int gelu_tanh_f16(const uint16_t *x, uint16_t *y, size_t n);
GELU_API int gelu_quick_f16(const uint16_t *x, uint16_t *y, size_t n);
/* float32 in, 16-bit out: y[i] = GELU(x[i]) rounded once to bf16 or f16. */
GELU_API int gelu_erf_f32_to_bf16(const float *x, uint16_t *y, size_t n);
GELU_API int gelu_tanh_f32_to_bf16(const float *x, uint16_t *y, size_t n);
GELU_API int gelu_quick_f32_to_bf16(const float *x, uint16_t *y, size_t n);
GELU_API int gelu_erf_f32_to_f16(const float *x, uint16_t *y, size_t n);
GELU_API int gelu_tanh_f32_to_f16(const float *x, uint16_t *y, size_t n);
GELU_API int gelu_quick_f32_to_f16(const float *x, uint16_t *y, size_t n);

/*
 * Composed operations, defined by composition so that a fused call returns the same bits as
 * the unfused calls (one pass over memory instead of two or three):
 *
 *   gelu_<form>_bias_<type>:  y[i*ldy + j] = GELU(fl(x[i*ldx + j] + bias[j])) for i < rows,
 *       j < cols: row-major data with leading dimensions in elements (ldx, ldy >= cols; the
 *       padding between rows is never read or written). The sum is rounded to float32 (16-bit
 *       types: computed in float32 from the widened values, as the f32_to_<type> functions
 *       would get it), then GELU at the function's accuracy into the output type.
 *   geglu_<form>_<type>:      y[i] = fl(a[i] * GELU(gate[i])) for i < n: GELU at the function's
 *       accuracy rounded to the type (the gelu_<form>_<type> result), then the product rounded
 *       once to the type.
 *   geglu_<form>_rows_<type>: the same on the one-tensor layout where row i of x holds
 *       [a | gate], cols elements each (PyTorch's a, gate = x.chunk(2, -1)): ldx >= 2 cols,
 *       y has rows of cols elements, ldy >= cols.
 *
 * NaN: a NaN result is the quieted first NaN among the operands, in the order x then bias, or
 * a then the GELU of gate (itself the quieted gate); the same on every ISA. In place: y == x
 * with ldy == ldx (bias, rows), y == a or y == gate (geglu); every other overlap of an input
 * with the output, bias included, is GELU_ERR_OVERLAP. Nothing is written when an error is
 * returned. rows == 0 or cols == 0 (n == 0) is a valid empty call, but never with a leading
 * dimension shorter than the row (GELU_ERR_SHAPE).
 */
GELU_API int gelu_erf_bias_f32(const float *x, const float *bias, float *y, size_t rows, size_t cols, size_t ldx,
                               size_t ldy);
GELU_API int gelu_tanh_bias_f32(const float *x, const float *bias, float *y, size_t rows, size_t cols, size_t ldx,
                                size_t ldy);
GELU_API int gelu_quick_bias_f32(const float *x, const float *bias, float *y, size_t rows, size_t cols, size_t ldx,
                                 size_t ldy);
GELU_API int gelu_erf_bias_f32_faithful(const float *x, const float *bias, float *y, size_t rows, size_t cols,
                                        size_t ldx, size_t ldy);
GELU_API int gelu_tanh_bias_f32_faithful(const float *x, const float *bias, float *y, size_t rows, size_t cols,
                                         size_t ldx, size_t ldy);
GELU_API int gelu_quick_bias_f32_faithful(const float *x, const float *bias, float *y, size_t rows, size_t cols,
                                          size_t ldx, size_t ldy);
GELU_API int gelu_erf_bias_bf16(const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows, size_t cols,
                                size_t ldx, size_t ldy);
GELU_API int gelu_tanh_bias_bf16(const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows, size_t cols,
                                 size_t ldx, size_t ldy);
GELU_API int gelu_quick_bias_bf16(const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows, size_t cols,
                                  size_t ldx, size_t ldy);
GELU_API int gelu_erf_bias_f16(const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows, size_t cols,
                               size_t ldx, size_t ldy);
GELU_API int gelu_tanh_bias_f16(const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows, size_t cols,
                                size_t ldx, size_t ldy);
GELU_API int gelu_quick_bias_f16(const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows, size_t cols,
                                 size_t ldx, size_t ldy);
GELU_API int geglu_erf_f32(const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_tanh_f32(const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_quick_f32(const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_erf_f32_faithful(const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_tanh_f32_faithful(const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_quick_f32_faithful(const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_erf_bf16(const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_tanh_bf16(const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_quick_bf16(const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_erf_f16(const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_tanh_f16(const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_quick_f16(const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_erf_rows_f32(const float *x, float *y, size_t rows, size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_tanh_rows_f32(const float *x, float *y, size_t rows, size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_quick_rows_f32(const float *x, float *y, size_t rows, size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_erf_rows_f32_faithful(const float *x, float *y, size_t rows, size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_tanh_rows_f32_faithful(const float *x, float *y, size_t rows, size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_quick_rows_f32_faithful(const float *x, float *y, size_t rows, size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_erf_rows_bf16(const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_tanh_rows_bf16(const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_quick_rows_bf16(const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_erf_rows_f16(const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_tanh_rows_f16(const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_quick_rows_f16(const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx, size_t ldy);

/*
 * Backward: dx[i] = fl(dy[i] * GELU'(x[i])) for i < n, GELU'(x) correctly rounded to float32
 * first (erf: Phi(x) + x phi(x); tanh and quick: the derivative of their exact formulas),
 * then the product rounded once to the type (16-bit types: exactly, straight from the float32
 * GELU' and the 16-bit dy). GELU'(NaN) is the quieted NaN, GELU'(+inf) = 1, GELU'(-inf) = -0,
 * GELU'(+-0) = 0.5. A NaN dx is the quieted NaN of dy, else of x, else (0 * inf) the positive
 * quiet NaN. dx may be x or dy (in place); any other overlap is GELU_ERR_OVERLAP.
 */
GELU_API int gelu_erf_backward_f32(const float *x, const float *dy, float *dx, size_t n);
GELU_API int gelu_tanh_backward_f32(const float *x, const float *dy, float *dx, size_t n);
GELU_API int gelu_quick_backward_f32(const float *x, const float *dy, float *dx, size_t n);
GELU_API int gelu_erf_backward_bf16(const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);
GELU_API int gelu_tanh_backward_bf16(const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);
GELU_API int gelu_quick_backward_bf16(const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);
GELU_API int gelu_erf_backward_f16(const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);
GELU_API int gelu_tanh_backward_f16(const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);
GELU_API int gelu_quick_backward_f16(const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);

/* Same as above on one explicit instruction set; GELU_ERR_ISA when it cannot run here. */
GELU_API int gelu_erf_f32_isa(int isa, const float *x, float *y, size_t n);
GELU_API int gelu_tanh_f32_isa(int isa, const float *x, float *y, size_t n);
GELU_API int gelu_quick_f32_isa(int isa, const float *x, float *y, size_t n);
GELU_API int gelu_erf_f32_faithful_isa(int isa, const float *x, float *y, size_t n);
GELU_API int gelu_tanh_f32_faithful_isa(int isa, const float *x, float *y, size_t n);
GELU_API int gelu_quick_f32_faithful_isa(int isa, const float *x, float *y, size_t n);
GELU_API int gelu_erf_bf16_isa(int isa, const uint16_t *x, uint16_t *y, size_t n);
GELU_API int gelu_tanh_bf16_isa(int isa, const uint16_t *x, uint16_t *y, size_t n);
GELU_API int gelu_quick_bf16_isa(int isa, const uint16_t *x, uint16_t *y, size_t n);
GELU_API int gelu_erf_f16_isa(int isa, const uint16_t *x, uint16_t *y, size_t n);
GELU_API int gelu_tanh_f16_isa(int isa, const uint16_t *x, uint16_t *y, size_t n);
GELU_API int gelu_quick_f16_isa(int isa, const uint16_t *x, uint16_t *y, size_t n);
GELU_API int gelu_erf_f32_to_bf16_isa(int isa, const float *x, uint16_t *y, size_t n);
GELU_API int gelu_tanh_f32_to_bf16_isa(int isa, const float *x, uint16_t *y, size_t n);
GELU_API int gelu_quick_f32_to_bf16_isa(int isa, const float *x, uint16_t *y, size_t n);
GELU_API int gelu_erf_f32_to_f16_isa(int isa, const float *x, uint16_t *y, size_t n);
GELU_API int gelu_tanh_f32_to_f16_isa(int isa, const float *x, uint16_t *y, size_t n);
GELU_API int gelu_quick_f32_to_f16_isa(int isa, const float *x, uint16_t *y, size_t n);
GELU_API int gelu_erf_bias_f32_isa(int isa, const float *x, const float *bias, float *y, size_t rows, size_t cols,
                                   size_t ldx, size_t ldy);
GELU_API int gelu_tanh_bias_f32_isa(int isa, const float *x, const float *bias, float *y, size_t rows, size_t cols,
                                    size_t ldx, size_t ldy);
GELU_API int gelu_quick_bias_f32_isa(int isa, const float *x, const float *bias, float *y, size_t rows, size_t cols,
                                     size_t ldx, size_t ldy);
GELU_API int gelu_erf_bias_f32_faithful_isa(int isa, const float *x, const float *bias, float *y, size_t rows,
                                            size_t cols, size_t ldx, size_t ldy);
GELU_API int gelu_tanh_bias_f32_faithful_isa(int isa, const float *x, const float *bias, float *y, size_t rows,
                                             size_t cols, size_t ldx, size_t ldy);
GELU_API int gelu_quick_bias_f32_faithful_isa(int isa, const float *x, const float *bias, float *y, size_t rows,
                                              size_t cols, size_t ldx, size_t ldy);
GELU_API int gelu_erf_bias_bf16_isa(int isa, const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows,
                                    size_t cols, size_t ldx, size_t ldy);
GELU_API int gelu_tanh_bias_bf16_isa(int isa, const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows,
                                     size_t cols, size_t ldx, size_t ldy);
GELU_API int gelu_quick_bias_bf16_isa(int isa, const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows,
                                      size_t cols, size_t ldx, size_t ldy);
GELU_API int gelu_erf_bias_f16_isa(int isa, const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows,
                                   size_t cols, size_t ldx, size_t ldy);
GELU_API int gelu_tanh_bias_f16_isa(int isa, const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows,
                                    size_t cols, size_t ldx, size_t ldy);
GELU_API int gelu_quick_bias_f16_isa(int isa, const uint16_t *x, const uint16_t *bias, uint16_t *y, size_t rows,
                                     size_t cols, size_t ldx, size_t ldy);
GELU_API int geglu_erf_f32_isa(int isa, const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_tanh_f32_isa(int isa, const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_quick_f32_isa(int isa, const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_erf_f32_faithful_isa(int isa, const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_tanh_f32_faithful_isa(int isa, const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_quick_f32_faithful_isa(int isa, const float *a, const float *gate, float *y, size_t n);
GELU_API int geglu_erf_bf16_isa(int isa, const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_tanh_bf16_isa(int isa, const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_quick_bf16_isa(int isa, const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_erf_f16_isa(int isa, const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_tanh_f16_isa(int isa, const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_quick_f16_isa(int isa, const uint16_t *a, const uint16_t *gate, uint16_t *y, size_t n);
GELU_API int geglu_erf_rows_f32_isa(int isa, const float *x, float *y, size_t rows, size_t cols, size_t ldx,
                                    size_t ldy);
GELU_API int geglu_tanh_rows_f32_isa(int isa, const float *x, float *y, size_t rows, size_t cols, size_t ldx,
                                     size_t ldy);
GELU_API int geglu_quick_rows_f32_isa(int isa, const float *x, float *y, size_t rows, size_t cols, size_t ldx,
                                      size_t ldy);
GELU_API int geglu_erf_rows_f32_faithful_isa(int isa, const float *x, float *y, size_t rows, size_t cols, size_t ldx,
                                             size_t ldy);
GELU_API int geglu_tanh_rows_f32_faithful_isa(int isa, const float *x, float *y, size_t rows, size_t cols, size_t ldx,
                                              size_t ldy);
GELU_API int geglu_quick_rows_f32_faithful_isa(int isa, const float *x, float *y, size_t rows, size_t cols, size_t ldx,
                                               size_t ldy);
GELU_API int geglu_erf_rows_bf16_isa(int isa, const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx,
                                     size_t ldy);
GELU_API int geglu_tanh_rows_bf16_isa(int isa, const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx,
                                      size_t ldy);
GELU_API int geglu_quick_rows_bf16_isa(int isa, const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx,
                                       size_t ldy);
GELU_API int geglu_erf_rows_f16_isa(int isa, const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx,
                                    size_t ldy);
GELU_API int geglu_tanh_rows_f16_isa(int isa, const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx,
                                     size_t ldy);
GELU_API int geglu_quick_rows_f16_isa(int isa, const uint16_t *x, uint16_t *y, size_t rows, size_t cols, size_t ldx,
                                      size_t ldy);
GELU_API int gelu_erf_backward_f32_isa(int isa, const float *x, const float *dy, float *dx, size_t n);
GELU_API int gelu_tanh_backward_f32_isa(int isa, const float *x, const float *dy, float *dx, size_t n);
GELU_API int gelu_quick_backward_f32_isa(int isa, const float *x, const float *dy, float *dx, size_t n);
GELU_API int gelu_erf_backward_bf16_isa(int isa, const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);
GELU_API int gelu_tanh_backward_bf16_isa(int isa, const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);
GELU_API int gelu_quick_backward_bf16_isa(int isa, const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);
GELU_API int gelu_erf_backward_f16_isa(int isa, const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);
GELU_API int gelu_tanh_backward_f16_isa(int isa, const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);
GELU_API int gelu_quick_backward_f16_isa(int isa, const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n);

/* The instruction set in use: "avx512", "avx2" or "scalar" (x86-64); "neon" or "scalar" (aarch64). */
GELU_API const char *gelu_isa(void);

/* 1 when the instruction set can run here (present, enabled by the OS, not capped), else 0. */
GELU_API int gelu_isa_supported(int isa);

/* What became of GELU_MAX_ISA at the first use: GELU_MAX_ISA_UNSET (not set, or blank),
   GELU_MAX_ISA_APPLIED (an ISA name: the cap in force) or GELU_MAX_ISA_UNKNOWN (anything else:
   ignored, nothing capped). gelu_max_isa_value() is the value as read (its first 63 bytes),
   "" when unset. */
#define GELU_MAX_ISA_UNSET 0
#define GELU_MAX_ISA_APPLIED 1
#define GELU_MAX_ISA_UNKNOWN (-1)
GELU_API int gelu_max_isa_status(void);
GELU_API const char *gelu_max_isa_value(void);

/* Runtime version: "MAJOR.MINOR.PATCH" and GELU_VERSION_NUMBER of the loaded library. */
GELU_API const char *gelu_version(void);
GELU_API int gelu_version_number(void);

#ifdef __cplusplus
}
#endif

#endif /* GELU_H */
