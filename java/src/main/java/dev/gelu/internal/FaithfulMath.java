package dev.gelu.internal;

import static dev.gelu.internal.Coefficients.EXP_SHIFT;
import static dev.gelu.internal.Coefficients.LN2_HI;
import static dev.gelu.internal.Coefficients.LN2_LO;
import static dev.gelu.internal.Coefficients.LOG2E;
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
 * The faithful operation sequence in Java, step for step that of native/src/gelu_forward_faithful.h
 * ({@code gelu_fwd_pieces}, {@code gelu_fwd_faithful_tail}, {@code gelu_fwd_faithful_outer}; see there why
 * each step is there), so it returns the same bits. The form is data: its table, where the table
 * stops and what takes over ({@link FormConstants.Faithful}).
 */
public final class FaithfulMath {
    private FaithfulMath() {}

    /** Finite inputs below this take the outside path; NaN and the infinities the correctly rounded sequence. */
    public static final float LOWEST = (float) LO;

    /** GELU(x), faithful, for the form whose constants are {@code c}. */
    public static float forward(FormConstants c, float x) {
        FormConstants.Faithful f = c.faithful();
        if (x >= LOWEST && x < f.top()) {
            return central(f.table(), x);
        }
        return Math.abs(x) <= Float.MAX_VALUE ? outside(c, x) : GeluMath.correctlyRounded(c.forward(), x);
    }

    /**
     * A finite x outside the table's range: y = fma(-a, Q(a), max(0, x)), a = |x| held at the
     * form's amax, Q by the form's {@link FormConstants.Outside} path. Below LOWEST the product
     * is the C code's {@code x * Q} (never 0, so adding +0 changes no bit).
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

    /** y = fma(-|x|, Q_k(t), max(0, x)) with Q at min(|x|, HI); Q's table c coefficient-major. */
    static float central(double[] c, float x) {
        double xd = x;
        double na = -Math.abs(xd);
        double ac = na > -HI ? na : -HI;
        double q = piecewise(c, DEGREE, Math.fma(ac, -A, B));
        return (float) Math.fma(na, q, xd >= 0.0 ? xd : 0.0);
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
