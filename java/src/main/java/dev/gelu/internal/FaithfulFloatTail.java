package dev.gelu.internal;

import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_DEGREE;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_EXP2;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_INV_L;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_L1;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_L2;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_L3;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_MAGIC;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_QUICK_C;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_R;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_S0;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_S1;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_TANH_C1;
import static dev.gelu.internal.FaithfulFloatCoefficients.TAIL_TANH_C3;

/**
 * The faithful kernels' negative tail in float, step for step {@code gelu_fwd_faithful_ftail}
 * and {@code gelu_fwd_ftail_exp} of native/src/gelu_forward_faithful.h (see there why each step
 * is there), so it returns the same bits: every step is one binary32 operation, an fma one
 * rounding. y = x Q(a), a = -x held at the form's tailAmax, Q = (eh + el) S 2^-64 F with F the
 * form's: erf's R(a) from 32 pieces times exp(-a^2/2), tanh's and quick's 1 - e, e = exp(-v).
 */
public final class FaithfulFloatTail {
    private FaithfulFloatTail() {}

    /* -2^-62: below it ys 2^-64 is a normal float, a multiply; above it the result is built from bits */
    private static final float TINY = -0x1p-62f;

    /**
     * GELU(x) for an x below the form's central range (x < form.lo(), or -∞): the caller
     * guarantees that, and gets the C kernels' bits. {@code form} is one of
     * {@link FaithfulFloatCoefficients#ERF}, {@link FaithfulFloatCoefficients#TANH} or
     * {@link FaithfulFloatCoefficients#QUICK}, which say which F.
     */
    public static float tail(FaithfulFloatCoefficients.Form form, float x) {
        // a > 0 (x < lo < 0): min has no zero or NaN to treat as the x86 instruction does
        float a = Math.min(0.0f - x, form.tailAmax());
        return form == FaithfulFloatCoefficients.ERF
                ? gaussian(a)
                : logistic(a, form == FaithfulFloatCoefficients.TANH ? logisticTanhV(a) : logisticQuickV(a));
    }

    /** x R(a) exp(-a^2/2): R's piece k = trunc(fma(a, s1, s0)) in [0, 32), t = a - m_k. */
    private static float gaussian(float a) {
        int k = (int) Math.fma(a, TAIL_S1, TAIL_S0) & 31;
        float t = a - TAIL_R[0][k];
        float q = TAIL_R[TAIL_DEGREE + 1][k];
        for (int j = TAIL_DEGREE - 1; j >= 1; j--) {
            q = Math.fma(q, t, TAIL_R[j + 1][k]);
        }
        float h = a * a;
        float l = Math.fma(a, a, -h);
        float[] e = exp(h * -0.5f, l * -0.5f);
        float eh = e[0], el = e[1];
        float c0 = TAIL_R[1][k];
        float qh = c0 * eh;
        float ql = Math.fma(c0, el, Math.fma(c0, eh, -qh));
        ql = Math.fma(t * q, eh + el, ql);
        return finish(a, qh, ql, e[2]);
    }

    /** tanh's v = c1 a + c3 a^3 as a float pair {vh, vl}, each product with its rounding error. */
    private static float[] logisticTanhV(float a) {
        float h = a * a;
        float l = Math.fma(a, a, -h);
        float p3 = a * h; // a^3 = p3 + p3l
        float p3l = Math.fma(a, l, Math.fma(a, h, -p3));
        float x3 = TAIL_TANH_C3[0] * p3;
        float x3l = Math.fma(TAIL_TANH_C3[0], p3, -x3);
        x3l = Math.fma(TAIL_TANH_C3[0], p3l, x3l);
        x3l = Math.fma(TAIL_TANH_C3[1], p3, x3l);
        float x1 = TAIL_TANH_C1[0] * a;
        float x1l = Math.fma(TAIL_TANH_C1[1], a, Math.fma(TAIL_TANH_C1[0], a, -x1));
        float big = Math.max(x3, x1), small = Math.min(x3, x1); // both positive: Fast2Sum
        float vh = big + small;
        float vl = ((big - vh) + small) + (x3l + x1l);
        return new float[] {vh, vl};
    }

    /** quick's v = 1.702 a as a float pair {vh, vl}. */
    private static float[] logisticQuickV(float a) {
        float vh = TAIL_QUICK_C[0] * a;
        float vl = Math.fma(TAIL_QUICK_C[1], a, Math.fma(TAIL_QUICK_C[0], a, -vh));
        return new float[] {vh, vl};
    }

    /** x (1 - e), e = exp(-v): Q = eh + el - (eh + el) e, e to float precision, held above 2^-60. */
    private static float logistic(float a, float[] v) {
        float[] e = exp(0.0f - v[0], 0.0f - v[1]);
        float eh = e[0], el = e[1], s = e[2];
        float es = eh + el;
        float ee = (es * Math.max(s, 0x1p4f)) * 0x1p-64f;
        return finish(a, eh, Math.fma(-es, ee, el), s);
    }

    /**
     * exp(w + wl), -w in [8, 113], as {eh, el, S}: (eh + el) S 2^-64, S a power of 2 (see
     * {@code gelu_fwd_ftail_exp}). n = round((w + wl) 32/ln2) by the magic constant, which
     * leaves n in z's low bits; 2^(j/32) from the table, j = n mod 32.
     */
    private static float[] exp(float w, float wl) {
        float z = Math.fma(w, TAIL_INV_L, TAIL_MAGIC);
        float n = z - TAIL_MAGIC;
        float r = Math.fma(n, -TAIL_L1, w);
        r = Math.fma(n, -TAIL_L2, r);
        r = Math.fma(n, -TAIL_L3, r) + wl;
        float p = Math.fma(Math.fma(r, 1.0f / 24, 1.0f / 6), r, 0.5f);
        p = Math.fma(r * r, p, r);
        int zb = Float.floatToRawIntBits(z), j = zb & 31;
        float eh = TAIL_EXP2[0][j];
        float el = Math.fma(eh, p, TAIL_EXP2[1][j]);
        // z's bits are those of 1.5 2^23 plus n: floor(n/32) + 64 + 127 in the exponent field
        float s = Float.intBitsToFloat(((zb >>> 5) + (191 - (0x4B400000 >> 5))) << 23);
        return new float[] {eh, el, s};
    }

    /** y = x (qh + ql) S 2^-64, x = -a: the product exact (normal, <= 0), then one rounding. */
    private static float finish(float a, float qh, float ql, float s) {
        float xc = 0.0f - a;
        return round(Math.fma(xc, qh, xc * ql) * s);
    }

    /**
     * ys 2^-64 rounded once (ys <= 0, normal or zero): a multiply where the result is normal;
     * where it is subnormal or zero, from the bits of the integer nearest |ys| 2^85, which
     * adding 2^23 finds (the C kernels avoid the x86 assist of a subnormal product).
     */
    private static float round(float ys) {
        if (TINY < ys) {
            int bits = Float.floatToRawIntBits(Math.fma(ys, -0x1p85f, 0x1p23f));
            return Float.intBitsToFloat(bits + (0x80000000 - 0x4B000000));
        }
        return ys * 0x1p-64f; // normal
    }
}
