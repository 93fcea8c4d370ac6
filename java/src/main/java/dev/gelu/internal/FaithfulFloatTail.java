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
        boolean erf = form == FaithfulFloatCoefficients.ERF;
        // exp's argument w + wl: -a^2/2 (erf), -v (tanh, quick)
        float w, wl;
        int k = 0;
        float t = 0.0f, q = 0.0f;
        if (erf) { // R's piece k = trunc(r), r = fma(a, s1, s0) in (-1, 32) for a in (4, 15]
            k = (int) Math.fma(a, TAIL_S1, TAIL_S0) & 31;
            t = a - TAIL_R[0][k];
            q = TAIL_R[TAIL_DEGREE + 1][k];
            for (int j = TAIL_DEGREE - 1; j >= 1; j--) {
                q = Math.fma(q, t, TAIL_R[j + 1][k]);
            }
            float h = a * a;
            float l = Math.fma(a, a, -h);
            w = h * -0.5f;
            wl = l * -0.5f;
        } else {
            float vh, vl;
            if (form == FaithfulFloatCoefficients.TANH) { // v = c1 a + c3 a^3, each product with its error
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
                vh = big + small;
                vl = ((big - vh) + small) + (x3l + x1l);
            } else { // quick: v = 1.702 a
                vh = TAIL_QUICK_C[0] * a;
                vl = Math.fma(TAIL_QUICK_C[1], a, Math.fma(TAIL_QUICK_C[0], a, -vh));
            }
            w = 0.0f - vh;
            wl = 0.0f - vl;
        }
        // exp(w + wl) = (eh + el) s 2^-64 (gelu_fwd_ftail_exp): n = round((w + wl) 32/ln2) by the
        // magic constant (n is z's low bits), r the rest, e^r = 1 + p, 2^(j/32) from the table
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
        // Q = qh + ql (times s 2^-64)
        float qh, ql;
        if (erf) { // R exp(-a^2/2), R = c0 + t q: c0 (eh + el) with the product's error
            float c0 = TAIL_R[1][k];
            qh = c0 * eh;
            ql = Math.fma(c0, el, Math.fma(c0, eh, -qh));
            ql = Math.fma(t * q, eh + el, ql);
        } else { // e (1 - e), e = exp(-v) to float precision, held above 2^-60 (never subnormal)
            float es = eh + el;
            float e = (es * Math.max(s, 0x1p4f)) * 0x1p-64f;
            qh = eh;
            ql = Math.fma(-es, e, el);
        }
        float xc = 0.0f - a;
        return round(Math.fma(xc, qh, xc * ql) * s); // the product exact: normal, <= 0
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
