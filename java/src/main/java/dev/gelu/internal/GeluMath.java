package dev.gelu.internal;

import static dev.gelu.internal.Coefficients.*;

import dev.gelu.Accuracy;
import dev.gelu.Form;

/**
 * The scalar algorithm in Java: the same operation sequence as native/src/gelu_forward_ref.h, step
 * for step (Math.fma is the IEEE fused multiply-add, like C's fma), so it returns the same bits.
 * See that file for why each step is there.
 */
public final class GeluMath {
    private GeluMath() {}

    /** GELU(x) of the given form and accuracy. */
    public static float forward(Form form, Accuracy accuracy, float x) {
        FormConstants c = FormConstants.of(form);
        return accuracy == Accuracy.FAITHFUL ? FaithfulMath.forward(c, x) : correctlyRounded(c.forward(), x);
    }

    /** GELU(x) correctly rounded, for the form whose constants are {@code f}. */
    public static float correctlyRounded(FormConstants.Forward f, float x) {
        int b = Float.floatToRawIntBits(x);
        if ((b & 0x7FFFFFFF) < 0x01000000) { // |x| < 2^-125
            return tinyHalf(b);
        }
        double y = y(f, x);
        float r = (float) y;
        float lo = (float) (y * FLAG_LO);
        float hi = (float) (y * FLAG_HI);
        if (Float.floatToRawIntBits(lo) != Float.floatToRawIntBits(hi)) {
            r = HardCases.lookup(f.hardInputs(), f.hardResults(), x, r);
        }
        return r;
    }

    /**
     * GELU(x) for |x| < 2^-125 (x of bits b), where x/2 is subnormal or the least normal, from
     * x's bits as native/src/gelu_forward_cr.h's {@code gelu_fwd_tiny_half}: GELU(x) = x/2 + c x^2
     * (c > 0 for every form) lies above x/2 by far less than half a spacing, so x/2 rounded,
     * a tie toward +inf. The same float as y's rounding (its Q_MAX keeps the tie from being
     * exact), without y: the rounding test flags nearly every such result (a subnormal has
     * fewer bits than its relative test assumes), which sent the Vector API's blocks of tiny
     * inputs here through y at 0.03 Gelem/s.
     */
    static float tinyHalf(int b) {
        int up = ~b >>> 31; // x > 0, or +0 (whose half is 0 either way)
        return Float.intBitsToFloat((((b & 0x7FFFFFFF) + up) >>> 1) | (b & 0x80000000));
    }

    /** The correctly rounded kernels' double y before its rounding (native gelu_cr_y). */
    static double y(FormConstants.Forward f, float x) {
        double a = clampAbs(x, f.amax());
        double q = f.gaussian() ? erfQ(a) : logisticQ(a, f.c1(), f.c3());
        double xd = x;
        q = q < Q_MAX ? q : Q_MAX;
        double p = xd < 0.0 ? q : 1.0 - q;
        double xc = xd < -f.amax() ? -f.amax() : xd;
        return xd == Double.NEGATIVE_INFINITY ? -0.0 : xc * p;
    }

    static double expNeg(double t) {
        double z = Math.fma(t, LOG2E, EXP_SHIFT);
        double k = z - EXP_SHIFT;
        double r = Math.fma(-k, LN2_HI, t);
        r = Math.fma(-k, LN2_LO, r);
        double p = EXP[EXP_DEGREE];
        for (int j = EXP_DEGREE - 1; j >= 0; j--) {
            p = Math.fma(p, r, EXP[j]);
        }
        double scale = Double.longBitsToDouble((Double.doubleToRawLongBits(z) + 1023) << 52);
        return p * scale;
    }

    static double erfQ(double a) {
        int i = (int) a;
        if (i > G_PIECES - 1) {
            i = G_PIECES - 1;
        }
        double s = (a - i) - 0.5;
        double g = G[G_DEGREE * TABLE_WIDTH + i];
        for (int j = G_DEGREE - 1; j >= 0; j--) {
            g = Math.fma(g, s, G[j * TABLE_WIDTH + i]);
        }
        return expNeg((a * a) * -0.5) * g;
    }

    /** e/(1 + e), e = exp(-v), v = w (c1 + c3 w^2): with c3 = 0 the fma is c1 and v = c1 w exactly. */
    static double logisticQ(double w, double c1, double c3) {
        double v = w * Math.fma(c3, w * w, c1);
        double e = expNeg(-v);
        return e / (1.0 + e);
    }

    static double clampAbs(float x, double amax) {
        double a = Math.abs((double) x);
        return a < amax ? a : amax;
    }
}
