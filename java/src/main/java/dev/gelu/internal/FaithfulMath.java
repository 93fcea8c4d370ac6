package dev.gelu.internal;

/**
 * The faithful operation sequence in Java, step for step that of native/src/gelu_forward_faithful.h
 * ({@code gelu_fwd_faithful_central}, {@code gelu_fwd_faithful_edges}, and the negative tail
 * {@link FaithfulFloatTail}; see there and native/tools/gen_faithful_float.py why each step is
 * there), so it returns the same bits. The form is data: its central range and tables
 * ({@link FormConstants.Faithful}).
 */
public final class FaithfulMath {
    private FaithfulMath() {}

    /** GELU(x), faithful, for the form whose constants are {@code c}. */
    public static float forward(FormConstants c, float x) {
        FaithfulFloatCoefficients.Form f = c.faithful().central();
        if (Math.abs(x) < 0x1p-40f) {
            return x * 0.5f; // one of the two floats around x/2 + c x^2, c > 0
        }
        if (x >= f.lo() && x < f.hi()) {
            return central(f, x);
        }
        if (x >= f.hi()) {
            return x;
        }
        return x < f.lo() ? FaithfulFloatTail.tail(f, x) : quiet(x);
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
}
