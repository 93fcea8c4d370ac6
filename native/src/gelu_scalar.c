/*
 * Scalar kernels: the reference operation sequence that every other backend (AVX2, AVX-512,
 * Java scalar, Java Vector API) repeats step for step, so that all of them give the same
 * doubles and therefore the same floats.
 *
 * Built for baseline x86-64. fma() is exactly specified by IEEE 754, so glibc's fma (an
 * FMA3 instruction where the CPU has one) gives the same bits as the vector FMAs.
 */
#include <float.h>
#include <math.h>

#include "gelu_coeffs.h"
#include "gelu_faithful_coeffs.h"
#include "gelu_internal.h"

/* exp(t) for t in [-150, 0]: t = k ln2 + r, |r| <= ln2/2, exp(r) by polynomial, times 2^k. */
static inline double exp_neg(double t)
{
    double z = fma(t, GELU_LOG2E, GELU_EXP_SHIFT);
    double k = z - GELU_EXP_SHIFT;
    double r = fma(-k, GELU_LN2_HI, t);
    r = fma(-k, GELU_LN2_LO, r);
    double p = gelu_exp_coef[GELU_EXP_DEGREE];
    for (int j = GELU_EXP_DEGREE - 1; j >= 0; j--)
        p = fma(p, r, gelu_exp_coef[j]);
    /* the low bits of z hold k; k + 1023 > 0 for every t here, so 2^k is a normal double */
    double scale = gelu_from_bits64((gelu_bits64(z) + 1023) << 52);
    return p * scale;
}

/* Phi(-a) for a = |x| clamped to [0, ERF_AMAX]: exp(-a^2/2) * G(a), a^2 exact in double. */
static inline double erf_q(double a)
{
    int i = (int)a;
    if (i > GELU_G_PIECES - 1)
        i = GELU_G_PIECES - 1;
    double s = (a - (double)i) - 0.5;
    double g = gelu_g_coef[GELU_G_DEGREE][i];
    for (int j = GELU_G_DEGREE - 1; j >= 0; j--)
        g = fma(g, s, gelu_g_coef[j][i]);
    return exp_neg((a * a) * -0.5) * g;
}

/* sigma(-v) = e/(1+e), e = exp(-v), v = 2 sqrt(2/pi) (w + 0.044715 w^3) for w = |x| clamped. */
static inline double tanh_q(double w)
{
    double v = w * fma(GELU_TANH_C3, w * w, GELU_TANH_C1);
    double e = exp_neg(-v);
    return e / (1.0 + e);
}

/*
 * sigma(-v) as above with v = 1.702 w, w = |x| clamped at QUICK_WMAX. The double 1.702 and the
 * product are each off by at most 2^-53 relative, so e is off by v 2^-52 < 2^-45 at the clamp:
 * inside the rounding test's 2^-40, as the exhaustive run confirms.
 */
static inline double quick_q(double w)
{
    double e = exp_neg(-(w * GELU_QUICK_C));
    return e / (1.0 + e);
}

/*
 * y = x * (x < 0 ? Q : 1 - Q) with Q = Phi(-|x|) or sigma(-v), then the rounding test.
 * Clamping x at -amax turns every x < -amax into -0; -inf gets its exact -0 directly, since
 * -amax*Q would raise a spurious underflow. Q_MAX keeps tiny |x| from rounding as an exact tie
 * x/2 (the exact value is x/2 + 0.4 x^2, slightly above). The comparisons are the quiet ones
 * (isless): a quiet NaN x raises no invalid exception.
 */
static inline double finish_y(float x, double q, double amax)
{
    double xd = x;
    q = q < GELU_Q_MAX ? q : GELU_Q_MAX;
    double p = __builtin_isless(xd, 0.0) ? q : 1.0 - q;
    double xc = __builtin_isless(xd, -amax) ? -amax : xd;
    return xd == -(double)INFINITY ? -0.0 : xc * p;
}

static inline float finish(enum gelu_form form, float x, double q, double amax)
{
    double y = finish_y(x, q, amax);
    float f = (float)y;
    float lo = (float)(y * GELU_FLAG_LO);
    float hi = (float)(y * GELU_FLAG_HI);
    if (gelu_bits32(lo) != gelu_bits32(hi))
        f = gelu_hard_case_f32(form, x, f);
    return f;
}

static inline double clamp_abs(float x, double amax)
{
    double a = fabs((double)x);
    return __builtin_isless(a, amax) ? a : amax; /* NaN -> amax, quietly; the NaN still reaches y through x */
}

double gelu_cr_y(enum gelu_form form, float x)
{
    if (form == GELU_FORM_ERF)
        return finish_y(x, erf_q(clamp_abs(x, GELU_ERF_AMAX)), GELU_ERF_AMAX);
    if (form == GELU_FORM_QUICK)
        return finish_y(x, quick_q(clamp_abs(x, GELU_QUICK_WMAX)), GELU_QUICK_WMAX);
    return finish_y(x, tanh_q(clamp_abs(x, GELU_TANH_WMAX)), GELU_TANH_WMAX);
}

void gelu_erf_f32_scalar(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float xi = x[i];
        y[i] = finish(GELU_FORM_ERF, xi, erf_q(clamp_abs(xi, GELU_ERF_AMAX)), GELU_ERF_AMAX);
    }
}

void gelu_tanh_f32_scalar(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float xi = x[i];
        y[i] = finish(GELU_FORM_TANH, xi, tanh_q(clamp_abs(xi, GELU_TANH_WMAX)), GELU_TANH_WMAX);
    }
}

void gelu_quick_f32_scalar(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float xi = x[i];
        y[i] = finish(GELU_FORM_QUICK, xi, quick_q(clamp_abs(xi, GELU_QUICK_WMAX)), GELU_QUICK_WMAX);
    }
}

/*
 * The faithful operation sequence, which every backend repeats step for step. For x in
 * [LO, FLT_MAX], with a = min(|x|, HI): r = fma(a, A, B), k = round(r) (adding 1.5 * 2^52 rounds
 * to an integer in the low bits), t = r - k exactly, Q = P_k(t), y = fma(-|x|, Q, max(0, x)) in
 * double (x Q for x < 0, x - |x| Q for x >= 0, -0 kept), rounded once to float. The error of Q
 * moves y by less than 2^-26.8 relative (quick: 2^-29.2), so the float is one of the two around
 * the exact value; above HI, where Q is held at Q(HI) < 2^-25 (erf, tanh), y is x or the float
 * below it, both faithful; the quick form takes faithful_quick_outer_y there. The vector kernels
 * form a as -max(-|x|, -HI), the same double. Below LO the tails below take over; NaN and the
 * infinities take the correctly rounded sequence (a quiet NaN, +inf, -0).
 */
static inline double faithful_central_y(const double (*c)[16], float x)
{
    double xd = x, na = -fabs(xd), ac = na > -GELU_FAITHFUL_HI ? na : -GELU_FAITHFUL_HI;
    double r = fma(ac, -GELU_FAITHFUL_A, GELU_FAITHFUL_B);
    double z = r + GELU_EXP_SHIFT;
    double t = r - (z - GELU_EXP_SHIFT);
    unsigned k = (unsigned)(gelu_bits64(z) & 15);
    double q = c[GELU_FAITHFUL_DEGREE][k];
    for (int j = GELU_FAITHFUL_DEGREE - 1; j >= 0; j--)
        q = fma(q, t, c[j][k]);
    return fma(na, q, xd >= 0.0 ? xd : 0.0);
}

static inline float faithful_central(const double (*c)[16], float x) { return (float)faithful_central_y(c, x); }

static inline const double (*faithful_coef(enum gelu_form form))[16]
{
    return form == GELU_FORM_ERF    ? gelu_faithful_erf_coef
           : form == GELU_FORM_TANH ? gelu_faithful_tanh_coef
                                    : gelu_faithful_quick_coef;
}

/* exp(v) for v in [-150, -5], to 2^-34: v = k ln2 + r, exp(r) by polynomial, times 2^k. */
static inline double faithful_exp(double v)
{
    double z = fma(v, GELU_LOG2E, GELU_EXP_SHIFT);
    double k = z - GELU_EXP_SHIFT;
    double r = fma(-k, GELU_LN2_HI, v);
    r = fma(-k, GELU_LN2_LO, r);
    double p = gelu_faithful_exp_coef[GELU_FAITHFUL_EXP_DEGREE];
    for (int j = GELU_FAITHFUL_EXP_DEGREE - 1; j >= 0; j--)
        p = fma(p, r, gelu_faithful_exp_coef[j]);
    return p * gelu_from_bits64((gelu_bits64(z) + 1023) << 52);
}

/*
 * The faithful negative tail, finite x < LO: x held at -AMAX (the correctly rounded
 * kernels' clamp, where every result rounds to -0), a = -x, and y = x Q(a) in double with
 * erf:  Q = exp(fma(a a, -1/2, H_k(t))), H = ln(Phi(-a)) + a^2/2 from its 16-piece table
 *       (a a is exact: a is a float);
 * tanh: Q = e (1 - e + e^2) = fma(e, fma(e, e, -e), e), e = exp(-(a fma(C3, a a, C1))), which
 *       is sigma(-2u) = e/(1 + e) to e^3 < 2^-32 relative.
 * Q is within 2^-30 of the exact value, y rounded once to float.
 */
static inline float faithful_tail(enum gelu_form form, float x)
{
    double amax = form == GELU_FORM_ERF ? GELU_ERF_AMAX : GELU_TANH_WMAX;
    double xc = (double)x > -amax ? (double)x : -amax, a = -xc, aa = a * a, q;
    if (form == GELU_FORM_ERF) {
        double r = fma(a, GELU_FAITHFUL_TAIL_A, GELU_FAITHFUL_TAIL_B);
        double z = r + GELU_EXP_SHIFT;
        double t = r - (z - GELU_EXP_SHIFT);
        unsigned k = (unsigned)(gelu_bits64(z) & 15);
        double h = gelu_faithful_tail_coef[GELU_FAITHFUL_TAIL_DEGREE][k];
        for (int j = GELU_FAITHFUL_TAIL_DEGREE - 1; j >= 0; j--)
            h = fma(h, t, gelu_faithful_tail_coef[j][k]);
        q = faithful_exp(fma(aa, -0.5, h));
    } else {
        double e = faithful_exp(-(a * fma(GELU_TANH_C3, aa, GELU_TANH_C1)));
        q = fma(e, fma(e, e, -e), e);
    }
    return (float)(xc * q);
}

/*
 * The quick form outside [LO, HI), finite x: Q(HI) = 8.6e-5 is far from negligible, so both
 * sides take the formula itself: with a = |x| held at WMAX = 64 (where 64 Q(64) < 2^-151, so
 * x < -64 gives -0 and x > 64 gives x, as from the exact value), e = exp(-1.702 a) and
 * Q = e/(1 + e), y = fma(-a, Q, max(0, x)) as on the central range. Error of Q, relative: the
 * exp 2^-34.1, its argument (1.702 and the product, each 2^-53) a 2^-52 < 2^-45, the sum and
 * the division 2^-53 each: below 2^-33.9. That is y's error for x < 0 (plus the fma's 2^-53);
 * for x >= HI it is shrunk by Q/(1 - Q) < 2^-13. Either way far below the 2^-25 a faithful
 * float needs.
 */
static inline double faithful_quick_outer_y(float x)
{
    double xd = x, na = -fabs(xd), nc = na > -GELU_QUICK_WMAX ? na : -GELU_QUICK_WMAX;
    double e = faithful_exp(nc * GELU_QUICK_C);
    return fma(nc, e / (1.0 + e), xd >= 0.0 ? xd : 0.0);
}

/* The double y before its one rounding to float, for finite x (gelu_half.c's first tier). */
double gelu_faithful_y(enum gelu_form form, float x)
{
    if (form == GELU_FORM_QUICK && (double)x >= GELU_FAITHFUL_HI)
        return faithful_quick_outer_y(x);
    return faithful_central_y(faithful_coef(form), x);
}

static inline void run_faithful(enum gelu_form form, const float *x, float *y, size_t n)
{
    const double(*c)[16] = faithful_coef(form);
    /* the central range: [LO, HI) for quick, [LO, FLT_MAX] for the others (a held at HI) */
    float top = form == GELU_FORM_QUICK ? (float)GELU_FAITHFUL_HI : INFINITY;
    for (size_t i = 0; i < n; i++) {
        float xi = x[i];
        /* quiet comparisons: a NaN input must not raise invalid */
        int finite = islessequal(fabsf(xi), FLT_MAX);
        if (isgreaterequal(xi, (float)GELU_FAITHFUL_LO) && isless(xi, top))
            y[i] = faithful_central(c, xi);
        else if (form == GELU_FORM_QUICK && finite)
            y[i] = (float)faithful_quick_outer_y(xi);
        else if (isless(xi, (float)GELU_FAITHFUL_LO) && finite)
            y[i] = faithful_tail(form, xi);
        else if (form == GELU_FORM_ERF) /* NaN or infinite */
            gelu_erf_f32_scalar(x + i, y + i, 1);
        else if (form == GELU_FORM_TANH)
            gelu_tanh_f32_scalar(x + i, y + i, 1);
        else
            gelu_quick_f32_scalar(x + i, y + i, 1);
    }
}

void gelu_erf_f32_faithful_scalar(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_ERF, x, y, n); }
void gelu_tanh_f32_faithful_scalar(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_TANH, x, y, n); }
void gelu_quick_f32_faithful_scalar(const float *x, float *y, size_t n) { run_faithful(GELU_FORM_QUICK, x, y, n); }
