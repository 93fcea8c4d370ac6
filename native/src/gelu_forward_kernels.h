/*
 * The float32 forward kernels of one ISA: include after the ISA's SIMD wrapper
 * (simd/gelu_simd_<isa>.h) and its choices (GELU_ISA, the name suffix; GELU_FWD_NB,
 * GELU_FWD_FIRST, GELU_FWD_CENTRAL, GELU_FWD_STREAM: gelu_forward_cr.h; GELU_FWD_FNV,
 * GELU_FWD_FTG: gelu_forward_faithful.h). Emits gelu_<form>_f32_<isa> and
 * gelu_<form>_f32_faithful_<isa> for every form of GELU_FORMS (gelu_forms.h), and with streaming
 * their _nt variants.
 */
#ifndef GELU_FORWARD_KERNELS_H
#define GELU_FORWARD_KERNELS_H

#define GELU_FWD_CAT2(a, b) a##_##b
#define GELU_FWD_CAT(a, b) GELU_FWD_CAT2(a, b)
#define GELU_FWD_ISA_NAME(name) GELU_FWD_CAT(name, GELU_ISA)

#include "gelu_forward_faithful.h"

/* the two kernels of a form, with a name suffix (empty, or _nt: streamed whatever n) */
#define GELU_FWD_EMIT(form, id, suffix, nt)                                                                      \
    void GELU_FWD_ISA_NAME(gelu_##form##_f32##suffix)(const float *x, float *y, size_t n)                        \
    {                                                                                                            \
        gelu_fwd_run_cr(&gelu_fwd_forms[id], x, y, n, nt);                                                       \
    }                                                                                                            \
    GELU_FWD_FAITHFUL_SCHED void GELU_FWD_ISA_NAME(gelu_##form##_f32_faithful##suffix)(const float *x, float *y, \
                                                                                       size_t n)                 \
    {                                                                                                            \
        gelu_fwd_run_faithful(&gelu_fwd_forms[id], x, y, n, nt);                                                 \
    }
/* X(form, FORM) of GELU_FORMS (gelu_forms.h) */
#define GELU_FWD_EMIT_PLAIN(form, FORM) GELU_FWD_EMIT(form, GELU_FORM_##FORM, , 0)
#define GELU_FWD_EMIT_NT(form, FORM) GELU_FWD_EMIT(form, GELU_FORM_##FORM, _nt, 1)
GELU_FORMS(GELU_FWD_EMIT_PLAIN)
#if GELU_FWD_STREAM
GELU_FORMS(GELU_FWD_EMIT_NT)
#endif

#endif
