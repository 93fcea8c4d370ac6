/*
 * Scalar kernels: the float32 forward bodies (gelu_forward_*.h) over the one-lane wrapper, the
 * reference tier alone, the 16-bit body (gelu_half_body.h) and the backward body
 * (gelu_backward_body.h). Every other backend (AVX2, AVX-512, NEON, Java scalar, Java Vector
 * API) repeats its operation sequence step for step, so all of them give the same doubles and
 * therefore the same floats. Built for the baseline of each architecture.
 */
#include <float.h>
#include <math.h>

#include "gelu_internal.h"
#include "simd/gelu_simd_scalar.h"

#define GELU_ISA scalar
#define GELU_FWD_NB 1
#define GELU_FWD_FIRST 0
#define GELU_FWD_CENTRAL 0
/* faithful: one float a group, a tail float finished at once */
#define GELU_FWD_FNW 1
#define GELU_FWD_FTG 1
#define GELU_FWD_FQUEUE 0
#include "gelu_forward_kernels.h"

double gelu_cr_y(enum gelu_form form, float x) { return gelu_fwd_ref_y(&gelu_fwd_forms[form], x); }

/* ---- the backward kernels: the body of gelu_backward_body.h over this one lane, and the
   per-element entry points that the tools, the tests and the 16-bit backward use ---- */

#define GELU_BWD_ISA scalar
#define GELU_BWD_NB 1
#define GELU_BWD_CENTRAL 0
#define GELU_BWD_PREFETCH 0
#include "gelu_backward_body.h"
GELU_BWD_KERNELS

double gelu_deriv_y(enum gelu_form form, float x)
{
    gelu_vd xd = x, d;
    gelu_bwd_deriv(form, 1, &xd, &d);
    return d;
}

float gelu_backward_hard_case(enum gelu_form form, float x, float fast)
{
    return gelu_table_f32(gelu_bwd_forms[form].hard, gelu_bwd_forms[form].n_hard, x, fast);
}

/* GELU'(x) correctly rounded: the double, rounded once, or the table when the test flags it. */
float gelu_deriv_f32(enum gelu_form form, float x)
{
    gelu_vd xd = x, d;
    gelu_bwd_deriv(form, 1, &xd, &d);
    return gelu_bwd_round(form, xd, d, 1);
}

/* ---- the 16-bit kernels: the body of gelu_half_body.h over this one lane ---- */

#define GELU_HALF_ISA scalar
#define GELU_HALF_NB 1
#include "gelu_half_body.h"
GELU_HALF_KERNELS
