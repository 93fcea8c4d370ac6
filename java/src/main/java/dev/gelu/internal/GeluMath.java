package dev.gelu.internal;

import static dev.gelu.internal.Coefficients.*;

import dev.gelu.Accuracy;
import dev.gelu.Form;

/**
 * The scalar algorithm in Java: the same operation sequence as native/src/gelu_scalar.c, step
 * for step (Math.fma is the IEEE fused multiply-add, like C's fma), so it returns the same bits.
 * See that file for why each step is there.
 */
public final class GeluMath {
    private GeluMath() {}

    /** GELU(x) of the given form and accuracy. */
    public static float forward(Form form, Accuracy accuracy, float x) {
        if (accuracy == Accuracy.FAITHFUL) {
            return switch (form) {
                case ERF -> FaithfulMath.erf(x);
                case TANH -> FaithfulMath.tanh(x);
                case QUICK -> FaithfulMath.quick(x);
            };
        }
        return switch (form) {
            case ERF -> erf(x);
            case TANH -> tanh(x);
            case QUICK -> quick(x);
        };
    }

    /** GELU(x), erf form, correctly rounded. */
    public static float erf(float x) {
        return finish(Form.ERF, x, erfQ(clampAbs(x, ERF_AMAX)), ERF_AMAX);
    }

    /** GELU(x), tanh form, correctly rounded. */
    public static float tanh(float x) {
        return finish(Form.TANH, x, tanhQ(clampAbs(x, TANH_WMAX)), TANH_WMAX);
    }

    /** GELU(x), quick form x·σ(1.702x), correctly rounded. */
    public static float quick(float x) {
        return finish(Form.QUICK, x, quickQ(clampAbs(x, QUICK_WMAX)), QUICK_WMAX);
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

    static double tanhQ(double w) {
        double v = w * Math.fma(TANH_C3, w * w, TANH_C1);
        double e = expNeg(-v);
        return e / (1.0 + e);
    }

    static double quickQ(double w) {
        double e = expNeg(-(w * QUICK_C));
        return e / (1.0 + e);
    }

    static double clampAbs(float x, double amax) {
        double a = Math.abs((double) x);
        return a < amax ? a : amax;
    }

    /** The correctly rounded kernels' double y before its rounding (native gelu_cr_y). */
    static double crY(Form form, float x) {
        return switch (form) {
            case ERF -> finishY(x, erfQ(clampAbs(x, ERF_AMAX)), ERF_AMAX);
            case TANH -> finishY(x, tanhQ(clampAbs(x, TANH_WMAX)), TANH_WMAX);
            case QUICK -> finishY(x, quickQ(clampAbs(x, QUICK_WMAX)), QUICK_WMAX);
        };
    }

    private static double finishY(float x, double q, double amax) {
        double xd = x;
        q = q < Q_MAX ? q : Q_MAX;
        double p = xd < 0.0 ? q : 1.0 - q;
        double xc = xd < -amax ? -amax : xd;
        return xd == Double.NEGATIVE_INFINITY ? -0.0 : xc * p;
    }

    static float finish(Form form, float x, double q, double amax) {
        double y = finishY(x, q, amax);
        float f = (float) y;
        float lo = (float) (y * FLAG_LO);
        float hi = (float) (y * FLAG_HI);
        if (Float.floatToRawIntBits(lo) != Float.floatToRawIntBits(hi)) {
            f = HardCases.lookup(form, x, f);
        }
        return f;
    }
}
