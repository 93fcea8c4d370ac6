/*
 * The 16-bit kernels' tables: a 16-bit input has only 65,536 values, so a table per form and
 * format holds the result of every one. The forward table holds GELU(x) rounded once to the
 * format: a 16-bit input's whole kernel is a load from it. The derivative table holds GELU'(x)
 * correctly rounded to float, all the 16-bit backward needs before its product. Each table is
 * filled on first use by the calling ISA's proven kernels (the narrowing forward on the
 * widened inputs, the float32 backward with dy = 1), so it holds the bits every ISA returns,
 * and then read only: with the dispatch table, the library's only state. A mutex guards the
 * filling, an acquire load the finished table; the arrays are zero pages until then (768 KB
 * and 1.5 MB at most, in .bss).
 *
 * Filling runs the kernels on every 16-bit value, signalling NaNs among them, so it raises
 * invalid: the caller's flags are put back afterwards, and the call that filled the table raises
 * only what its own inputs ask for. The derivative table keeps a signalling NaN x as that NaN
 * (widened), not quieted: the 16-bit backward converts GELU' to double, so a signalling NaN x
 * raises invalid there, as IEEE 754 asks, and its result is the same quieted NaN.
 */
#include <fenv.h>
#include <pthread.h>
#include <stdatomic.h>

#include "gelu_internal.h"

#define VALUES 65536
#define CHUNK 1024

static uint16_t fwd[GELU_N_FORMS][2][VALUES];
static float deriv[GELU_N_FORMS][2][VALUES];
static atomic_int fwd_ready[GELU_N_FORMS][2], deriv_ready[GELU_N_FORMS][2];
static pthread_mutex_t filling = PTHREAD_MUTEX_INITIALIZER;

/* the 16-bit values first .. first + CHUNK - 1 of the format, as floats (exact) */
static void widen(enum gelu_half type, uint32_t first, float *x)
{
    for (uint32_t i = 0; i < CHUNK; i++)
        x[i] = type == GELU_HALF_BF16 ? gelu_bf16_to_f32((uint16_t)(first + i))
                                      : gelu_f16_to_f32((uint16_t)(first + i));
}

const uint16_t *gelu_half_fwd_table(enum gelu_form form, enum gelu_half type, gelu_n16_fn narrow)
{
    if (!atomic_load_explicit(&fwd_ready[form][type], memory_order_acquire)) {
        pthread_mutex_lock(&filling);
        if (!atomic_load_explicit(&fwd_ready[form][type], memory_order_relaxed)) {
            float x[CHUNK];
            fexcept_t caller;
            fegetexceptflag(&caller, FE_ALL_EXCEPT);
            for (uint32_t i = 0; i < VALUES; i += CHUNK) {
                widen(type, i, x);
                narrow(x, fwd[form][type] + i, CHUNK);
            }
            fesetexceptflag(&caller, FE_ALL_EXCEPT);
            atomic_store_explicit(&fwd_ready[form][type], 1, memory_order_release);
        }
        pthread_mutex_unlock(&filling);
    }
    return fwd[form][type];
}

const float *gelu_half_deriv_table(enum gelu_form form, enum gelu_half type, gelu_bwd_f32_fn backward)
{
    if (!atomic_load_explicit(&deriv_ready[form][type], memory_order_acquire)) {
        pthread_mutex_lock(&filling);
        if (!atomic_load_explicit(&deriv_ready[form][type], memory_order_relaxed)) {
            float x[CHUNK], one[CHUNK];
            fexcept_t caller;
            fegetexceptflag(&caller, FE_ALL_EXCEPT);
            for (uint32_t i = 0; i < CHUNK; i++)
                one[i] = 1.0f;
            for (uint32_t i = 0; i < VALUES; i += CHUNK) {
                widen(type, i, x);
                backward(x, one, deriv[form][type] + i, CHUNK); /* fl(1 d) = d, a NaN x's quieted */
                for (uint32_t k = 0; k < CHUNK; k++) {          /* but a signalling one kept (above), by its bits */
                    uint32_t b = gelu_bits32(x[k]);
                    if ((b & 0x7FFFFFFFu) > 0x7F800000u && !(b & 0x00400000u))
                        deriv[form][type][i + k] = gelu_from_bits32(b);
                }
            }
            fesetexceptflag(&caller, FE_ALL_EXCEPT);
            atomic_store_explicit(&deriv_ready[form][type], 1, memory_order_release);
        }
        pthread_mutex_unlock(&filling);
    }
    return deriv[form][type];
}
