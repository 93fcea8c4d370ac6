package dev.gelu.internal;

import static dev.gelu.internal.BackwardCoefficients.*;
import static dev.gelu.internal.Coefficients.ERF_AMAX;
import static dev.gelu.internal.Coefficients.FLAG_HI;
import static dev.gelu.internal.Coefficients.FLAG_LO;
import static dev.gelu.internal.Coefficients.TANH_C1;
import static dev.gelu.internal.Coefficients.TANH_C3;
import static dev.gelu.internal.Coefficients.TANH_WMAX;

/**
 * GELU'(x) correctly rounded to float, for the backward operation (Backward.java takes the
 * product), by the same operation sequence as native/src/gelu_backward_body.h, step for step
 * (Math.fma is IEEE's fused multiply-add, like C's fma; Java float arithmetic is IEEE binary32),
 * so it returns the same bits. See that file and native/tools/gen_backward.py for why each
 * step is there. Forms are numbered as in C: 0 erf, 1 tanh, 2 quick.
 */
public final class BackwardMath {
    private BackwardMath() {}

    public static final int ERF = 0;
    public static final int TANH = 1;
    public static final int QUICK = 2;

    /** GELU'(x), correctly rounded to float. */
    public static float derivative(int form, float x) {
        double d = derivY(form, x);
        float f = (float) d;
        if (Float.floatToRawIntBits((float) (d * FLAG_LO)) != Float.floatToRawIntBits((float) (d * FLAG_HI))) {
            f = lookup(form, x, f);
        }
        return f;
    }

    /** GELU'(x) in double before its rounding (native gelu_deriv_y). */
    static double derivY(int form, float x) {
        double xd = x;
        double d = form == ERF ? erf(xd)
                : form == TANH ? logistic(xd, TANH_C1, TANH_C3, TANH_D3, TANH_WMAX, TANH_R_HI, TANH_R_LO, TANH_ROOT)
                : logistic(xd, QUICK_C1, 0.0, 0.0, QUICK_WMAX, QUICK_R_HI, QUICK_R_LO, QUICK_ROOT);
        d = xd == Double.NEGATIVE_INFINITY ? -0.0 : d;
        return xd != xd ? xd : d;
    }

    /* erf: x < 0 ? E H(a) : 1 - E H(a), E = exp(-a^2/2), H from its table (root factored on piece 0). */
    private static double erf(double xd) {
        double a = Math.abs(xd);
        a = a < ERF_AMAX ? a : ERF_AMAX; // NaN -> AMAX
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
    private static double logistic(double xd, double c1, double c3, double d3, double wmax, double rHi, double rLo,
            double[] root) {
        double w = Math.abs(xd);
        w = w < wmax ? w : wmax;
        double ww = w * w;
        double e = GeluMath.expNeg(-(w * Math.fma(c3, ww, c1)));
        double vp = Math.fma(d3, ww, c1);
        boolean neg = xd < 0.0;
        double d1 = 1.0 + e;
        double b = Math.fma((neg ? -w : w) * vp, neg ? 1.0 : e, d1);
        double s = w - rHi;
        if (neg && Math.abs(s) < ROOT_W) { // near the zero crossing: the bracket from the root polynomial
            double k = root[ROOT_DEGREE];
            for (int j = ROOT_DEGREE - 1; j >= 0; j--) {
                k = Math.fma(k, s, root[j]);
            }
            b = (s - rLo) * k;
        }
        double q = b / (d1 * d1);
        return neg ? q * e : q;
    }

    private static float lookup(int form, float x, float fast) {
        int[] keys = BackwardHardCaseTable.X[form];
        int key = Float.floatToRawIntBits(x);
        int lo = 0, hi = keys.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Integer.compareUnsigned(keys[mid], key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < keys.length && keys[lo] == key ? Float.intBitsToFloat(BackwardHardCaseTable.Y[form][lo]) : fast;
    }
}
