/*
 * The forms of the float32 forward kernels as data: the kernel bodies (gelu_forward_*.h) read
 * a form's constants and tables from its row here, so a form is a row, not a branch. Every
 * row is a compile-time constant where the bodies use it, so the compiler folds it away.
 */
#ifndef GELU_FORWARD_FORMS_H
#define GELU_FORWARD_FORMS_H

#include <math.h>

#include "gelu_coeffs.h"
#include "gelu_cr_central_coeffs.h"
#include "gelu_faithful_float_coeffs.h"
#include "gelu_internal.h"

struct gelu_fwd_form {
    enum gelu_form id; /* the hard-case tables' key */
    /* the |x| clamp of the correctly rounded sequence: beyond it the result is x or -0; also
       where the faithful negative tail holds x */
    double amax;
    /* Q(a): erf's Phi(-a) from the table of G (erf = 1), else the logistic sigma(-v) with
       v = w (c1 + c3 w^2), or v = c1 w when c3 = 0 */
    int erf;
    double c1, c3;
    double fast_flag_lo, fast_flag_hi; /* the first tier's rounding test: y (1 -+ 2^-34 or 2^-38) */
    /* the first tier's results lie below 2^-126, where floats are subnormal, only at x < -sub_x
       (|x| < 2^-125 aside: gelu_fwd_tiny_group; gelu_fwd_first): |GELU(-sub_x)| is 2^-123.2 (erf,
       13), 2^-122.6 (tanh, 10), 2^-124.4 (quick, 53), and |GELU| only falls beyond */
    double sub_x;
    /* the central tier's pieces of Q, or none: erf only, the other forms' first tier is faster
       (native/tools/gen_cr_central.py); AVX-512's table, and AVX2's rows */
    const double (*central)[16];
    const double (*central_rows)[8];
    /* the faithful kernels' central range and float tables */
    const struct gelu_faithful_float *ff;
    /* faithful, x below the central range: the negative tail, or with outer_both (quick,
       whose Q falls slowly) its exp formula */
    int outer_both;
};

static const struct gelu_fwd_form gelu_fwd_forms[GELU_N_FORMS] = {
    [GELU_FORM_ERF] = {GELU_FORM_ERF, GELU_ERF_AMAX, 1, 0.0, 0.0, GELU_FAST_FLAG_ERF_LO, GELU_FAST_FLAG_ERF_HI, 13.0,
                       gelu_cr_central_erf_coef, gelu_cr_rows_erf_coef, &gelu_faithful_float_erf, 0},
    [GELU_FORM_TANH] = {GELU_FORM_TANH, GELU_TANH_WMAX, 0, GELU_TANH_C1, GELU_TANH_C3, GELU_FAST_FLAG_TANH_LO,
                        GELU_FAST_FLAG_TANH_HI, 10.0, NULL, NULL, &gelu_faithful_float_tanh, 0},
    /* the quick form's rounding test is tanh's: the same exp and division */
    [GELU_FORM_QUICK] = {GELU_FORM_QUICK, GELU_QUICK_WMAX, 0, GELU_QUICK_C, 0.0, GELU_FAST_FLAG_TANH_LO,
                         GELU_FAST_FLAG_TANH_HI, 53.0, NULL, NULL, &gelu_faithful_float_quick, 1},
};

#endif
