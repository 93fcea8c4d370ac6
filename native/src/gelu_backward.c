/*
 * Backward kernels, scalar: dx = fl(dy * GELU'(x)) with GELU'(x) correctly rounded to float
 * first. This file is the reference operation sequence of the derivative, which the vector
 * kernels and the Java port repeat step for step (selects, not branches, except for the rare
 * lanes of the root window and the rounding test), so every backend returns the same bits.
 *
 * GELU'(x) is evaluated in double to well within 2^-40 relative (the tables'
 * native/tools/gen_backward.py explains their shape), rounded to float, and flagged when
 * GELU' (1 -+ 2^-40) round to different floats; a flagged input looks up the table of the
 * inputs that gelu_exhaustive_deriv found misrounded (gelu_backward_hard_cases.h).
 *
 * Special values: NaN -> the quieted NaN; +inf -> 1 (GELU' -> 1); -inf -> -0 (GELU' -> 0
 * from below); +-0 -> 0.5. Beyond the clamps the double value rounds to 1 or to -0, and on the
 * way there the subnormal results are rounded once, from the double, like any other.
 */
#include <math.h>

#include "gelu_backward_coeffs.h"
#include "gelu_coeffs.h"
#include "gelu_internal.h"
#include "gelu_backward_hard_cases.h"

/* exp(t) for t in [-150, 0]: the operation sequence of gelu_scalar.c's exp_neg, repeated
   here (it is static there) so that the forward and the backward share one exp. */
static inline double bwd_exp_neg(double t)
{
    double z = fma(t, GELU_LOG2E, GELU_EXP_SHIFT);
    double k = z - GELU_EXP_SHIFT;
    double r = fma(-k, GELU_LN2_HI, t);
    r = fma(-k, GELU_LN2_LO, r);
    double p = gelu_exp_coef[GELU_EXP_DEGREE];
    for (int j = GELU_EXP_DEGREE - 1; j >= 0; j--)
        p = fma(p, r, gelu_exp_coef[j]);
    return p * gelu_from_bits64((gelu_bits64(z) + 1023) << 52);
}

/*
 * erf: a = min(|x|, 15), E = exp(-a^2/2) (a^2 exact: a is a float), H(a) = Phi(-a)/E - a phi(a)/E
 * from its table, GELU' = x < 0 ? E H : 1 - E H. Piece 0 holds the root: there H is
 * (s - R_LO) K(a), s = a - R_HI exact, so E H keeps about 2^-50 relative everywhere and no input
 * needs more than the rounding test. For x >= 0, E H is at most 0.13 in magnitude (H < 0 above
 * the root), so 1 - E H in [0.5, 1.13] does not cancel.
 */
static inline double erf_d(double xd)
{
    double a = fabs(xd);
    a = __builtin_isless(a, GELU_ERF_AMAX) ? a : GELU_ERF_AMAX; /* NaN -> AMAX, quietly */
    int i = (int)a;
    i = i < GELU_BWD_H_PIECES - 1 ? i : GELU_BWD_H_PIECES - 1;
    double s = a - gelu_bwd_h_centre[i];
    double p = gelu_bwd_h_coef[GELU_BWD_H_DEGREE][i];
    for (int j = GELU_BWD_H_DEGREE - 1; j >= 0; j--)
        p = fma(p, s, gelu_bwd_h_coef[j][i]);
    double h = fma(s, gelu_bwd_h_m1[i], gelu_bwd_h_m0[i]) * p;
    double eh = bwd_exp_neg((a * a) * -0.5) * h;
    return __builtin_isless(xd, 0.0) ? eh : 1.0 - eh;
}

/* The constants of the logistic forms: v = x (C1 + C3 x^2), v' = C1 + D3 x^2. */
struct sig_form {
    double c1, c3, d3, wmax, r_hi, r_lo;
    const double *root;
};
static const struct sig_form tanh_form = {GELU_TANH_C1, GELU_TANH_C3, GELU_BWD_TANH_D3, GELU_TANH_WMAX,
                                          GELU_BWD_TANH_R_HI, GELU_BWD_TANH_R_LO, gelu_bwd_tanh_root};
static const struct sig_form quick_form = {GELU_BWD_QUICK_C1, 0.0, 0.0, GELU_BWD_QUICK_WMAX,
                                           GELU_BWD_QUICK_R_HI, GELU_BWD_QUICK_R_LO, gelu_bwd_quick_root};

/*
 * tanh and quick: w = min(|x|, WMAX), e = exp(-|v|), one exp for both terms:
 *   GELU' = B / (1 + e)^2 * (x < 0 ? e : 1),  B = (1 + e) + x v' (x < 0 ? 1 : e).
 * For x >= 0 every term of B is positive. For x < 0, B = 1 + e - w v' vanishes at w = r; its
 * absolute error (a few 2^-53) is small against |B| >= 2^-2.9 outside |w - R_HI| < 1/16, and
 * inside that window B is taken from (s - R_LO) K(s), s = w - R_HI exact, which keeps its
 * relative accuracy up to the root. That window is the only branch (a rare lane in vectors).
 * v's rounding (about 3 * 2^-53 relative) moves e by 2^-44 relative at the largest v whose
 * result is not -0 (about 110).
 */
static inline double sig_d(const struct sig_form *f, double xd)
{
    double w = fabs(xd);
    w = __builtin_isless(w, f->wmax) ? w : f->wmax;
    double ww = w * w; /* exact */
    double e = bwd_exp_neg(-(w * fma(f->c3, ww, f->c1)));
    double vp = fma(f->d3, ww, f->c1);
    int neg = __builtin_isless(xd, 0.0);
    double d1 = 1.0 + e;
    double b = fma((neg ? -w : w) * vp, neg ? 1.0 : e, d1);
    double s = w - f->r_hi;
    if (neg && fabs(s) < GELU_BWD_ROOT_W) {
        double k = f->root[GELU_BWD_ROOT_DEGREE];
        for (int j = GELU_BWD_ROOT_DEGREE - 1; j >= 0; j--)
            k = fma(k, s, f->root[j]);
        b = (s - f->r_lo) * k;
    }
    double q = b / (d1 * d1);
    return neg ? q * e : q;
}

double gelu_deriv_y(enum gelu_form form, float x)
{
    double xd = x;
    double d = form == GELU_FORM_ERF ? erf_d(xd) : sig_d(form == GELU_FORM_TANH ? &tanh_form : &quick_form, xd);
    d = xd == -(double)INFINITY ? -0.0 : d; /* the limit, exactly, and without an underflow flag */
    return xd != xd ? xd : d;               /* NaN: the quieted input */
}

float gelu_backward_hard_case(enum gelu_form form, float x, float fast)
{
    if (form == GELU_FORM_ERF)
        return gelu_table_f32(gelu_erf_backward_hard_cases, GELU_ERF_BACKWARD_HARD_CASES, x, fast);
    if (form == GELU_FORM_TANH)
        return gelu_table_f32(gelu_tanh_backward_hard_cases, GELU_TANH_BACKWARD_HARD_CASES, x, fast);
    return gelu_table_f32(gelu_quick_backward_hard_cases, GELU_QUICK_BACKWARD_HARD_CASES, x, fast);
}

/* GELU'(x) correctly rounded: the double, rounded once, or the table when the test flags it. */
static inline float deriv_f32(enum gelu_form form, float x)
{
    double d = gelu_deriv_y(form, x);
    float f = (float)d;
    if (gelu_bits32((float)(d * GELU_FLAG_LO)) != gelu_bits32((float)(d * GELU_FLAG_HI)))
        f = gelu_backward_hard_case(form, x, f);
    return f;
}

float gelu_deriv_f32(enum gelu_form form, float x) { return deriv_f32(form, x); }

/* Both inputs are read before dx[i] is written, so dx may be x or dy (in place). */
static inline void run(enum gelu_form form, const float *x, const float *dy, float *dx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float xi = x[i], g = dy[i];
        dx[i] = gelu_mul_nan(g, deriv_f32(form, xi));
    }
}

void gelu_erf_backward_f32_scalar(const float *x, const float *dy, float *dx, size_t n) { run(GELU_FORM_ERF, x, dy, dx, n); }
void gelu_tanh_backward_f32_scalar(const float *x, const float *dy, float *dx, size_t n) { run(GELU_FORM_TANH, x, dy, dx, n); }
void gelu_quick_backward_f32_scalar(const float *x, const float *dy, float *dx, size_t n) { run(GELU_FORM_QUICK, x, dy, dx, n); }
