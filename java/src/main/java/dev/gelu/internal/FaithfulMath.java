package dev.gelu.internal;

import static dev.gelu.internal.Coefficients.ERF_AMAX;
import static dev.gelu.internal.Coefficients.EXP_SHIFT;
import static dev.gelu.internal.Coefficients.LN2_HI;
import static dev.gelu.internal.Coefficients.LN2_LO;
import static dev.gelu.internal.Coefficients.LOG2E;
import static dev.gelu.internal.Coefficients.QUICK_C;
import static dev.gelu.internal.Coefficients.QUICK_WMAX;
import static dev.gelu.internal.Coefficients.TANH_C1;
import static dev.gelu.internal.Coefficients.TANH_C3;
import static dev.gelu.internal.Coefficients.TANH_WMAX;
import static dev.gelu.internal.FaithfulCoefficients.A;
import static dev.gelu.internal.FaithfulCoefficients.B;
import static dev.gelu.internal.FaithfulCoefficients.DEGREE;
import static dev.gelu.internal.FaithfulCoefficients.EXP_DEGREE;
import static dev.gelu.internal.FaithfulCoefficients.HI;
import static dev.gelu.internal.FaithfulCoefficients.LO;
import static dev.gelu.internal.FaithfulCoefficients.TAIL;
import static dev.gelu.internal.FaithfulCoefficients.TAIL_A;
import static dev.gelu.internal.FaithfulCoefficients.TAIL_B;
import static dev.gelu.internal.FaithfulCoefficients.TAIL_DEGREE;

/**
 * The faithful operation sequence in Java, step for step that of native/src/gelu_scalar.c
 * ({@code faithful_central}; see there why each step is there), so it returns the same bits.
 */
public final class FaithfulMath {
    private FaithfulMath() {}

    /** Finite inputs below this take the tail path; NaN and the infinities the correctly rounded sequence. */
    public static final float LOWEST = (float) LO;

    /** Whether x takes the table path: x in [LOWEST, Float.MAX_VALUE]. */
    public static boolean central(float x) {
        return x >= LOWEST && x <= Float.MAX_VALUE;
    }

    /** GELU(x), erf form, faithful. */
    public static float erf(float x) {
        return central(x) ? central(FaithfulCoefficients.ERF, x) : tail(x) ? tail(false, x) : GeluMath.erf(x);
    }

    /** GELU(x), tanh form, faithful. */
    public static float tanh(float x) {
        return central(x) ? central(FaithfulCoefficients.TANH, x) : tail(x) ? tail(true, x) : GeluMath.tanh(x);
    }

    /**
     * The quick form's table path ends below this: Q(HI) = 8.6e-5 is too large to hold a at HI,
     * so from here on (and below LOWEST) it takes its exp path.
     */
    public static final float QUICK_TOP = (float) HI;

    /** GELU(x), quick form, faithful. */
    public static float quick(float x) {
        if (x >= LOWEST && x < QUICK_TOP) {
            return central(FaithfulCoefficients.QUICK, x);
        }
        return Math.abs(x) <= Float.MAX_VALUE ? quickOuter(x) : GeluMath.quick(x);
    }

    /**
     * The quick form outside [LOWEST, QUICK_TOP), finite x, as faithful_quick_outer_y in
     * gelu_scalar.c: Q = e/(1 + e), e = exp(-1.702 a), a = |x| held at QUICK_WMAX.
     */
    static float quickOuter(float x) {
        double xd = x;
        double na = -Math.abs(xd);
        double nc = na > -QUICK_WMAX ? na : -QUICK_WMAX;
        double e = exp(nc * QUICK_C);
        return (float) Math.fma(nc, e / (1.0 + e), xd >= 0.0 ? xd : 0.0);
    }

    /** Whether x takes the tail path: finite and below LOWEST. */
    private static boolean tail(float x) {
        return x < LOWEST && x >= -Float.MAX_VALUE;
    }

    /** The negative tail, finite x below LOWEST, as faithful_tail in gelu_scalar.c. */
    static float tail(boolean tanh, float x) {
        double amax = tanh ? TANH_WMAX : ERF_AMAX;
        double xc = x > -amax ? x : -amax;
        double a = -xc;
        double aa = a * a;
        double q;
        if (!tanh) {
            double r = Math.fma(a, TAIL_A, TAIL_B);
            double z = r + EXP_SHIFT;
            double t = r - (z - EXP_SHIFT);
            int k = (int) (Double.doubleToRawLongBits(z) & 15);
            double h = TAIL[TAIL_DEGREE * 16 + k];
            for (int j = TAIL_DEGREE - 1; j >= 0; j--) {
                h = Math.fma(h, t, TAIL[j * 16 + k]);
            }
            q = exp(Math.fma(aa, -0.5, h));
        } else {
            double e = exp(-(a * Math.fma(TANH_C3, aa, TANH_C1)));
            q = Math.fma(e, Math.fma(e, e, -e), e);
        }
        return (float) (xc * q);
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
