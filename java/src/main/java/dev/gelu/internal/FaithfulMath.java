package dev.gelu.internal;

import static dev.gelu.internal.Coefficients.EXP_SHIFT;
import static dev.gelu.internal.FaithfulCoefficients.A;
import static dev.gelu.internal.FaithfulCoefficients.B;
import static dev.gelu.internal.FaithfulCoefficients.DEGREE;
import static dev.gelu.internal.FaithfulCoefficients.HI;
import static dev.gelu.internal.FaithfulCoefficients.LO;

/**
 * The faithful operation sequence in Java, step for step that of native/src/gelu_scalar.c
 * ({@code faithful_central}; see there why each step is there), so it returns the same bits.
 */
public final class FaithfulMath {
    private FaithfulMath() {}

    /** Inputs below this (and NaN, and infinities) take the correctly rounded sequence. */
    public static final float LOWEST = (float) LO;

    /** Whether x takes the table path: x in [LOWEST, Float.MAX_VALUE]. */
    public static boolean central(float x) {
        return x >= LOWEST && x <= Float.MAX_VALUE;
    }

    /** GELU(x), erf form, faithful. */
    public static float erf(float x) {
        return central(x) ? central(FaithfulCoefficients.ERF, x) : GeluMath.erf(x);
    }

    /** GELU(x), tanh form, faithful. */
    public static float tanh(float x) {
        return central(x) ? central(FaithfulCoefficients.TANH, x) : GeluMath.tanh(x);
    }

    /** y = fma(-|x|, Q_k(t), max(0, x)) with Q at min(|x|, HI); Q's table c coefficient-major. */
    static float central(double[] c, float x) {
        double xd = x;
        double na = -Math.abs(xd);
        double ac = na > -HI ? na : -HI;
        double r = Math.fma(ac, -A, B);
        double z = r + EXP_SHIFT;
        double t = r - (z - EXP_SHIFT);
        int k = (int) (Double.doubleToRawLongBits(z) & 15);
        double q = c[DEGREE * 16 + k];
        for (int j = DEGREE - 1; j >= 0; j--) {
            q = Math.fma(q, t, c[j * 16 + k]);
        }
        return (float) Math.fma(na, q, xd >= 0.0 ? xd : 0.0);
    }
}
