package dev.gelu.internal.vector;

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
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

import dev.gelu.internal.FaithfulFloatCoefficients;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The faithful kernels' negative tail in float on the Vector API, step for step
 * {@code gelu_fwd_faithful_ftail} of native/src/gelu_forward_faithful.h (and
 * {@link dev.gelu.internal.FaithfulFloatTail}), so the same bits, on every lane of a vector at
 * once. A float species of 8 or 16 lanes (the backend's widths): a 32-entry table row is read by
 * two-vector selects, 32 / (2 lanes) of them blended on the index.
 *
 * <p>A form's path is more vector operations than C2 parses into one compilation: its node
 * budget stops the inlining near {@link #finish} (a one-method path stops the same way), so C2
 * compiles it in parts and boxes the few vectors that cross between them. The species is that of
 * x: a JVM that calls this with one species gets constant species and the intrinsics.
 */
final class FaithfulFloatTailVector {
    private FaithfulFloatTailVector() {}

    private static final float TINY = -0x1p-62f;

    /**
     * GELU(x) on every lane of x, each below the form's central range (x < form.lo(), or -∞):
     * the caller guarantees that (a lane outside it gets some value, no exception), and gets the
     * C kernels' bits. {@code form} as {@link dev.gelu.internal.FaithfulFloatTail#tail}.
     */
    static FloatVector tail(FaithfulFloatCoefficients.Form form, FloatVector x) {
        // a > 0 on the tail's lanes: min has no zero or NaN to treat as the x86 instruction does
        FloatVector a = x.broadcast(0.0f).sub(x).min(form.tailAmax());
        if (form == FaithfulFloatCoefficients.ERF) {
            return gaussian(a);
        }
        return form == FaithfulFloatCoefficients.TANH ? tanh(a) : quick(a);
    }

    /** x R(a) exp(-a^2/2): R's piece trunc(r), r = fma(a, s1, s0) in (-1, 32) for a in (4, 15]. */
    private static FloatVector gaussian(FloatVector a) {
        FloatVector r = a.fma(TAIL_S1, TAIL_S0);
        FloatVector t = a.sub(piece(TAIL_R[0], r));
        FloatVector q = piece(TAIL_R[TAIL_DEGREE + 1], r);
        for (int j = TAIL_DEGREE - 1; j >= 1; j--) {
            q = q.fma(t, piece(TAIL_R[j + 1], r));
        }
        FloatVector h = a.mul(a);
        FloatVector l = a.fma(a, h.neg());
        Exp e = exp(h.mul(-0.5f), l.mul(-0.5f));
        FloatVector c0 = piece(TAIL_R[1], r);
        FloatVector qh = c0.mul(e.hi);
        FloatVector ql = c0.fma(e.lo, c0.fma(e.hi, qh.neg()));
        ql = t.mul(q).fma(e.hi.add(e.lo), ql);
        return finish(a, qh, ql, e.scale);
    }

    /** tanh: v = c1 a + c3 a^3 as a float pair, each product with its rounding error. */
    private static FloatVector tanh(FloatVector a) {
        FloatVector h = a.mul(a);
        FloatVector l = a.fma(a, h.neg());
        FloatVector p3 = a.mul(h); // a^3 = p3 + p3l
        FloatVector p3l = a.fma(l, a.fma(h, p3.neg()));
        FloatVector c3 = a.broadcast(TAIL_TANH_C3[0]), c1 = a.broadcast(TAIL_TANH_C1[0]);
        FloatVector x3 = c3.mul(p3);
        FloatVector x3l = c3.fma(p3, x3.neg());
        x3l = c3.fma(p3l, x3l);
        x3l = a.broadcast(TAIL_TANH_C3[1]).fma(p3, x3l);
        FloatVector x1 = c1.mul(a);
        FloatVector x1l = a.broadcast(TAIL_TANH_C1[1]).fma(a, c1.fma(a, x1.neg()));
        FloatVector big = x3.max(x1), small = x3.min(x1); // both positive: Fast2Sum
        FloatVector vh = big.add(small);
        FloatVector vl = big.sub(vh).add(small).add(x3l.add(x1l));
        return logistic(a, vh, vl);
    }

    /** quick: v = 1.702 a as a float pair. */
    private static FloatVector quick(FloatVector a) {
        FloatVector c = a.broadcast(TAIL_QUICK_C[0]);
        FloatVector vh = c.mul(a);
        FloatVector vl = a.broadcast(TAIL_QUICK_C[1]).fma(a, c.fma(a, vh.neg()));
        return logistic(a, vh, vl);
    }

    /** x (1 - e), e = exp(-v): Q = (eh + el) - (eh + el) e, e to float precision, held above 2^-60. */
    private static FloatVector logistic(FloatVector a, FloatVector vh, FloatVector vl) {
        FloatVector zero = a.broadcast(0.0f);
        Exp e = exp(zero.sub(vh), zero.sub(vl));
        FloatVector es = e.hi.add(e.lo);
        FloatVector small = es.mul(e.scale.max(0x1p4f)).mul(0x1p-64f);
        return finish(a, e.hi, es.neg().fma(small, e.lo), e.scale);
    }

    /** exp(w + wl) = (hi + lo) scale 2^-64, as {@code gelu_fwd_ftail_exp}'s three outputs. */
    private record Exp(FloatVector hi, FloatVector lo, FloatVector scale) {}

    /**
     * exp(w + wl), -w in [8, 113]: n = round((w + wl) 32/ln2) by the magic constant (n is z's
     * low bits), r the rest, e^r = 1 + p; 2^(j/32) from the table, j = n mod 32; the scale
     * 2^(floor(n/32) + 64) from z's bits.
     */
    private static Exp exp(FloatVector w, FloatVector wl) {
        FloatVector z = w.fma(TAIL_INV_L, TAIL_MAGIC);
        FloatVector n = z.sub(TAIL_MAGIC);
        FloatVector r = n.fma(w.broadcast(-TAIL_L1), w);
        r = n.fma(w.broadcast(-TAIL_L2), r);
        r = n.fma(w.broadcast(-TAIL_L3), r).add(wl);
        FloatVector p = r.fma(1.0f / 24, 1.0f / 6).fma(r, w.broadcast(0.5f));
        p = r.mul(r).fma(p, r);
        IntVector zb = z.reinterpretAsInts();
        IntVector j = zb.and(31);
        FloatVector eh = entry(TAIL_EXP2[0], j, w.species());
        FloatVector el = eh.fma(p, entry(TAIL_EXP2[1], j, w.species()));
        // z's bits are those of 1.5 2^23 plus n: floor(n/32) + 64 + 127 in the exponent field
        FloatVector s = zb.lanewise(LSHR, 5)
                .add(191 - (0x4B400000 >> 5))
                .lanewise(LSHL, 23)
                .reinterpretAsFloats();
        return new Exp(eh, el, s);
    }

    /**
     * y = x (qh + ql) scale 2^-64, x = -a: the product exact (normal, <= 0), then rounded once,
     * by a multiply where the result is normal and from the bits of the integer nearest |ys|
     * 2^85 where it is subnormal or zero (as the C kernels, which avoid x86's subnormal assist).
     */
    private static FloatVector finish(FloatVector a, FloatVector qh, FloatVector ql, FloatVector scale) {
        FloatVector xc = a.broadcast(0.0f).sub(a);
        FloatVector ys = xc.fma(qh, xc.mul(ql)).mul(scale);
        FloatVector big = ys.min(TINY).mul(0x1p-64f);
        FloatVector tiny = ys.fma(-0x1p85f, 0x1p23f)
                .reinterpretAsInts()
                .add(0x80000000 - 0x4B000000)
                .reinterpretAsFloats();
        return big.blend(tiny, ys.compare(GT, TINY));
    }

    /**
     * Entry trunc(r) of a 32-entry row, r in (-1, 32): a select truncates its float index as the
     * C kernels' cvttps does, and wraps it mod 2 lanes; the upper pairs of vectors by blends.
     */
    private static FloatVector piece(float[] row, FloatVector r) {
        VectorSpecies<Float> s = r.species();
        int l = s.length();
        FloatVector v = r.selectFrom(FloatVector.fromArray(s, row, 0), FloatVector.fromArray(s, row, l));
        for (int at = 2 * l; at < 32; at += 2 * l) {
            FloatVector u = r.selectFrom(FloatVector.fromArray(s, row, at), FloatVector.fromArray(s, row, at + l));
            v = v.blend(u, r.compare(GE, at));
        }
        return v;
    }

    /** Entry j of a 32-entry row, j in [0, 32): as {@link #piece}, on the row's bits. */
    private static FloatVector entry(float[] row, IntVector j, VectorSpecies<Float> s) {
        int l = s.length();
        IntVector v = j.selectFrom(
                FloatVector.fromArray(s, row, 0).reinterpretAsInts(),
                FloatVector.fromArray(s, row, l).reinterpretAsInts());
        for (int at = 2 * l; at < 32; at += 2 * l) {
            IntVector u = j.selectFrom(
                    FloatVector.fromArray(s, row, at).reinterpretAsInts(),
                    FloatVector.fromArray(s, row, at + l).reinterpretAsInts());
            v = v.blend(u, j.compare(GE, at));
        }
        return v.reinterpretAsFloats();
    }
}
