package dev.gelu.internal;

import static dev.gelu.internal.Coefficients.EXP_SHIFT;
import static dev.gelu.internal.Coefficients.LN2_HI;
import static dev.gelu.internal.Coefficients.LN2_LO;
import static dev.gelu.internal.Coefficients.LOG2E;
import static dev.gelu.internal.FaithfulCoefficients.EXP_DEGREE;
import static dev.gelu.internal.FaithfulCoefficients.TAIL;
import static dev.gelu.internal.FaithfulCoefficients.TAIL_A;
import static dev.gelu.internal.FaithfulCoefficients.TAIL_B;
import static dev.gelu.internal.FaithfulCoefficients.TAIL_DEGREE;

/**
 * The faithful operation sequence in Java, step for step that of native/src/gelu_forward_faithful.h
 * ({@code gelu_fwd_faithful_central}, {@code gelu_fwd_faithful_edges}, {@code gelu_fwd_faithful_tail},
 * {@code gelu_fwd_faithful_outer}; see there and native/tools/gen_faithful_float.py why each step
 * is there), so it returns the same bits. The form is data: its central range and tables, and what
 * takes over below the range ({@link FormConstants.Faithful}).
 */
public final class FaithfulMath {
    private FaithfulMath() {}

    /** GELU(x), faithful, for the form whose constants are {@code c}. */
    public static float forward(FormConstants c, float x) {
        FaithfulFloatCoefficients.Form f = c.faithful().central();
        if (x >= f.lo() && x < f.hi()) {
            return central(f, x);
        }
        if (x >= f.hi()) {
            return x;
        }
        return x < f.lo() ? outside(c, x) : quiet(x);
    }

    /** A NaN with its quiet bit set, as the C kernels return it. */
    static float quiet(float x) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(x) | 0x00400000);
    }

    /**
     * y = x P(x) in float, x in [lo, hi]: the piece k from three fmas (truncated), t = x - m_k
     * exact, q2 = c6..c2 by Horner, c0 + c1 t kept exact as sh + sl + l1, y = fma(x, sh, x lo).
     */
    static float central(FaithfulFloatCoefficients.Form f, float x) {
        float s = Math.fma(x, f.gamma(), f.beta());
        s = Math.fma(Math.abs(x), f.delta(), s);
        int k = (int) Math.fma(x, s, f.k0()) & 31;
        float[][] c = f.c();
        float t = x - c[0][k];
        float q = c[FaithfulFloatCoefficients.DEGREE + 1][k];
        for (int j = FaithfulFloatCoefficients.DEGREE - 1; j >= 2; j--) {
            q = Math.fma(q, t, c[j + 1][k]);
        }
        float c0 = c[1][k], c1 = c[2][k];
        float h1 = t * c1;
        float l1 = Math.fma(t, c1, -h1);
        float sh = c0 + h1;
        float sl = (c0 - sh) + h1;
        float lo = Math.fma(t * q, t, l1 + sl);
        return Math.fma(x, sh, x * lo);
    }

    /**
     * x below the central range, -∞ included: y = fma(-a, Q(a), max(0, x)), a = |x| held at the
     * form's amax, Q by the form's {@link FormConstants.Outside} path, rounded once to float. The
     * product is the C code's {@code x * Q} (never 0, so adding +0 changes no bit).
     */
    static float outside(FormConstants c, float x) {
        FormConstants.Forward f = c.forward();
        double xd = x;
        double na = -Math.abs(xd);
        double nc = na > -f.amax() ? na : -f.amax();
        double q;
        if (c.faithful().outside() == FormConstants.Outside.GAUSSIAN_TAIL) {
            double a = -nc;
            double h = piecewise(TAIL, TAIL_DEGREE, Math.fma(a, TAIL_A, TAIL_B));
            q = exp(Math.fma(a * a, -0.5, h));
        } else {
            double e = exp(nc * Math.fma(f.c3(), nc * nc, f.c1())); // c3 = 0: exp(c1 nc) exactly
            q = c.faithful().outside() == FormConstants.Outside.LOGISTIC_SERIES
                    ? Math.fma(e, Math.fma(e, e, -e), e)
                    : e / (1.0 + e);
        }
        return (float) Math.fma(nc, q, xd >= 0.0 ? xd : 0.0);
    }

    /** exp(v) for v in [-150, -5], to 2^-34. */
    static double exp(double v) {
        double z = Math.fma(v, LOG2E, EXP_SHIFT);
        double k = z - EXP_SHIFT;
        double r = Math.fma(-k, LN2_HI, v);
        r = Math.fma(-k, LN2_LO, r);
        double p = FaithfulCoefficients.EXP[EXP_DEGREE];
        for (int j = EXP_DEGREE - 1; j >= 0; j--) {
            p = Math.fma(p, r, FaithfulCoefficients.EXP[j]);
        }
        return p * Double.longBitsToDouble((Double.doubleToRawLongBits(z) + 1023) << 52);
    }

    /** A 16-piece table's polynomial at r: piece k = round(r), in t = r - k; c coefficient-major. */
    private static double piecewise(double[] c, int degree, double r) {
        double z = r + EXP_SHIFT;
        double t = r - (z - EXP_SHIFT);
        int k = (int) (Double.doubleToRawLongBits(z) & 15);
        double q = c[degree * 16 + k];
        for (int j = degree - 1; j >= 0; j--) {
            q = Math.fma(q, t, c[j * 16 + k]);
        }
        return q;
    }
}
