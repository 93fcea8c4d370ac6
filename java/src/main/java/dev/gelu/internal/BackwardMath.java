package dev.gelu.internal;

import static dev.gelu.internal.BackwardCoefficients.*;
import static dev.gelu.internal.Coefficients.FLAG_HI;
import static dev.gelu.internal.Coefficients.FLAG_LO;

/**
 * GELU'(x) correctly rounded to float, for the backward operation (Backward.java takes the
 * product), by the same operation sequence as native/src/gelu_backward_body.h, step for step
 * (Math.fma is IEEE's fused multiply-add, like C's fma; Java float arithmetic is IEEE binary32),
 * so it returns the same bits. See that file and native/tools/gen_backward.py for why each
 * step is there. The form is data: its family and {@link FormConstants.Derivative}.
 */
public final class BackwardMath {
    private BackwardMath() {}

    /** GELU'(x), correctly rounded to float, for the form whose constants are {@code c}. */
    public static float derivative(FormConstants c, float x) {
        if (Float.isNaN(x)) { // x quieted, as libgelu returns it: C2 folds the float-double-float
            // round trip below, whose conversions quiet it in the interpreter, into x itself
            return Float.intBitsToFloat(Float.floatToRawIntBits(x) | 0x00400000);
        }
        FormConstants.Derivative f = c.derivative();
        double d = derivY(c.forward().gaussian(), f, x);
        float r = (float) d;
        if (Float.floatToRawIntBits((float) (d * FLAG_LO)) != Float.floatToRawIntBits((float) (d * FLAG_HI))) {
            r = HardCases.lookup(f.hardInputs(), f.hardResults(), x, r);
        }
        return r;
    }

    /** GELU'(x) in double before its rounding (native gelu_deriv_y). */
    static double derivY(boolean gaussian, FormConstants.Derivative f, float x) {
        double xd = x;
        double d = gaussian ? erf(xd, f.amax()) : logistic(xd, f);
        d = xd == Double.NEGATIVE_INFINITY ? -0.0 : d;
        return xd != xd ? xd : d;
    }

    /* erf: x < 0 ? E H(a) : 1 - E H(a), E = exp(-a^2/2), H from its table (root factored on piece 0). */
    private static double erf(double xd, double amax) {
        double a = Math.abs(xd);
        a = a < amax ? a : amax; // NaN -> amax
        int i = (int) a;
        i = i < H_PIECES - 1 ? i : H_PIECES - 1;
        double s = a - H_CENTRE[i];
        double p = H[H_DEGREE * 16 + i];
        for (int j = H_DEGREE - 1; j >= 0; j--) {
            p = Math.fma(p, s, H[j * 16 + i]);
        }
        double h = Math.fma(s, H_M1[i], H_M0[i]) * p;
        double eh = GeluMath.expNeg((a * a) * -0.5) * h;
        return xd < 0.0 ? eh : 1.0 - eh;
    }

    /* tanh, quick: B / (1 + e)^2 * (x < 0 ? e : 1), B = (1 + e) + x v' (x < 0 ? 1 : e), e = exp(-|v|). */
    private static double logistic(double xd, FormConstants.Derivative f) {
        double w = Math.abs(xd);
        w = w < f.amax() ? w : f.amax();
        double ww = w * w;
        double e = GeluMath.expNeg(-(w * Math.fma(f.c3(), ww, f.c1())));
        double vp = Math.fma(f.d3(), ww, f.c1());
        boolean neg = xd < 0.0;
        double d1 = 1.0 + e;
        double b = Math.fma((neg ? -w : w) * vp, neg ? 1.0 : e, d1);
        double s = w - f.rHi();
        if (neg && Math.abs(s) < ROOT_W) { // near the zero crossing: the bracket from the root polynomial
            double[] root = f.root();
            double k = root[ROOT_DEGREE];
            for (int j = ROOT_DEGREE - 1; j >= 0; j--) {
                k = Math.fma(k, s, root[j]);
            }
            b = (s - f.rLo()) * k;
        }
        double q = b / (d1 * d1);
        return neg ? q * e : q;
    }
}
