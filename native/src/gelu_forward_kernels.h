/*
 * The float32 forward kernels of one ISA: include after the ISA's SIMD wrapper
 * (simd/gelu_simd_<isa>.h) and its choices (GELU_ISA, the name suffix; GELU_FWD_NB,
 * GELU_FWD_FIRST, GELU_FWD_CENTRAL: gelu_forward_cr.h; GELU_FWD_FNW, GELU_FWD_FTG:
 * gelu_forward_faithful.h). Emits gelu_<form>_f32_<isa> and gelu_<form>_f32_faithful_<isa> for
 * every form of GELU_FORMS (gelu_forms.h).
 */
#ifndef GELU_FORWARD_KERNELS_H
#define GELU_FORWARD_KERNELS_H

#define GELU_FWD_CAT2(a, b) a##_##b
#define GELU_FWD_CAT(a, b) GELU_FWD_CAT2(a, b)
#define GELU_FWD_ISA_NAME(name) GELU_FWD_CAT(name, GELU_ISA)

#include "gelu_forward_faithful.h"

/* the two kernels of a form: X(form, FORM) of GELU_FORMS (gelu_forms.h) */
#define GELU_FWD_EMIT(form, FORM)                                                                                  \
    void GELU_FWD_ISA_NAME(gelu_##form##_f32)(const float *x, float *y, size_t n)                                  \
    {                                                                                                              \
        gelu_fwd_run_cr(&gelu_fwd_forms[GELU_FORM_##FORM], x, y, n);                                               \
    }                                                                                                              \
    GELU_FWD_FAITHFUL_SCHED void GELU_FWD_ISA_NAME(gelu_##form##_f32_faithful)(const float *x, float *y, size_t n) \
    {                                                                                                              \
        gelu_fwd_run_faithful(&gelu_fwd_forms[GELU_FORM_##FORM], x, y, n);                                         \
    }
GELU_FORMS(GELU_FWD_EMIT)

#endif
