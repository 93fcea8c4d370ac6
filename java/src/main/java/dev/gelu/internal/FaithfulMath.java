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

    /** Lanes below this (and NaN) take the correctly rounded sequence. */
    public static final float LOWEST = (float) LO;
    /** At or above this the result is x. */
    public static final float HIGHEST = (float) HI;

    /** GELU(x), erf form, faithful. */
    public static float erf(float x) {
        return x >= HIGHEST ? x : x >= LOWEST ? central(FaithfulCoefficients.ERF, x) : GeluMath.erf(x);
    }

    /** GELU(x), tanh form, faithful. */
    public static float tanh(float x) {
        return x >= HIGHEST ? x : x >= LOWEST ? central(FaithfulCoefficients.TANH, x) : GeluMath.tanh(x);
    }

    /** y = fma(-a, Q_k(t), max(0, x)) for x in [LOWEST, HIGHEST), Q's table c coefficient-major. */
    static float central(double[] c, float x) {
        double xd = x;
        double a = Math.abs(xd);
        double r = Math.fma(a, A, B);
        double z = r + EXP_SHIFT;
        double t = r - (z - EXP_SHIFT);
        int k = (int) (Double.doubleToRawLongBits(z) & 15);
        double q = c[DEGREE * 16 + k];
        for (int j = DEGREE - 1; j >= 0; j--) {
            q = Math.fma(q, t, c[j * 16 + k]);
        }
        return (float) Math.fma(-a, q, xd >= 0.0 ? xd : 0.0);
    }
}
