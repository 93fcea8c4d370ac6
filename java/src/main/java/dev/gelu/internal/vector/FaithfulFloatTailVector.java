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
import static dev.gelu.internal.vector.FaithfulVectorKernels.FS;
import static dev.gelu.internal.vector.FaithfulVectorKernels.L;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

import dev.gelu.internal.FaithfulFloatCoefficients;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;

/**
 * The faithful kernels' negative tail in float on the Vector API, step for step
 * {@code gelu_fwd_faithful_ftail} of native/src/gelu_forward_faithful.h (and
 * {@link dev.gelu.internal.FaithfulFloatTail}), so the same bits, on an array of queued tail
 * lanes, the backend's width ({@link FaithfulVectorKernels#FS}) at a time.
 *
 * <p>The path runs in passes over the array, each a loop of its own that keeps its values in
 * {@link Work}'s arrays (L1): the argument of exp (per form), exp, Q (per family), the rounded
 * product. The whole path as one method was more vector operations than C2 inlines into one
 * compilation (its inlining budget stopped near the end, and the vectors crossing into what it
 * left out were boxed); each pass is a small loop, well within it, and no vector crosses a call.
 */
final class FaithfulFloatTailVector {
    private FaithfulFloatTailVector() {}

    private static final float TINY = -0x1p-62f;

    /** Lanes a pass takes at once: its arrays stay in L1. */
    static final int BATCH = 16 * L;

    /** The passes' arrays, for queues of up to n lanes (a batch at most). */
    static final class Work {
        final float[] a, w, wl, c0, tq, eh, el, s, qh, ql;

        Work(int n) {
            int m = Math.min(n, BATCH);
            a = new float[m];
            w = new float[m];
            wl = new float[m];
            c0 = new float[m];
            tq = new float[m];
            eh = new float[m];
            el = new float[m];
            s = new float[m];
            qh = new float[m];
            ql = new float[m];
        }
    }

    /**
     * GELU(x) in place on x[0, n), n a multiple of the width, every x below the form's central
     * range (x < form.lo(), or -∞): the caller guarantees that (a lane outside it gets some
     * value, no exception), and gets the C kernels' bits. {@code form} as
     * {@link dev.gelu.internal.FaithfulFloatTail#tail}; {@code work} made for n lanes or more.
     */
    static void tail(FaithfulFloatCoefficients.Form form, float[] x, int n, Work work) {
        for (int from = 0; from < n; from += BATCH) {
            int to = Math.min(n, from + BATCH);
            if (form == FaithfulFloatCoefficients.ERF) {
                gaussianArgument(x, from, to, form.tailAmax(), work);
                exp(to - from, work);
                gaussianQ(to - from, work);
            } else {
                if (form == FaithfulFloatCoefficients.TANH) {
                    tanhArgument(x, from, to, form.tailAmax(), work);
                } else {
                    quickArgument(x, from, to, form.tailAmax(), work);
                }
                exp(to - from, work);
                logisticQ(to - from, work);
            }
            finish(x, from, to, work);
        }
    }

    /**
     * erf: a, exp's argument -a^2/2 as h + l exactly (times -1/2), and R(a) = c0 + t q from its
     * piece trunc(r), r = fma(a, s1, s0) in (-1, 32) for a in (4, 15].
     */
    private static void gaussianArgument(float[] x, int from, int to, float amax, Work work) {
        for (int k = from; k < to; k += L) {
            int i = k - from;
            FloatVector a = negated(FloatVector.fromArray(FS, x, k)).min(amax);
            FloatVector r = a.fma(TAIL_S1, TAIL_S0);
            FloatVector t = a.sub(piece(TAIL_R[0], r));
            FloatVector q = piece(TAIL_R[TAIL_DEGREE + 1], r);
            for (int j = TAIL_DEGREE - 1; j >= 1; j--) {
                q = q.fma(t, piece(TAIL_R[j + 1], r));
            }
            FloatVector h = a.mul(a);
            FloatVector l = a.fma(a, h.neg());
            a.intoArray(work.a, i);
            h.mul(-0.5f).intoArray(work.w, i);
            l.mul(-0.5f).intoArray(work.wl, i);
            piece(TAIL_R[1], r).intoArray(work.c0, i);
            t.mul(q).intoArray(work.tq, i);
        }
    }

    /** tanh: a, and exp's argument -v, v = c1 a + c3 a^3 as a float pair, each product with its rounding error. */
    private static void tanhArgument(float[] x, int from, int to, float amax, Work work) {
        for (int k = from; k < to; k += L) {
            int i = k - from;
            FloatVector a = negated(FloatVector.fromArray(FS, x, k)).min(amax);
            FloatVector h = a.mul(a);
            FloatVector l = a.fma(a, h.neg());
            FloatVector p3 = a.mul(h); // a^3 = p3 + p3l
            FloatVector p3l = a.fma(l, a.fma(h, p3.neg()));
            FloatVector c3 = FloatVector.broadcast(FS, TAIL_TANH_C3[0]),
                    c1 = FloatVector.broadcast(FS, TAIL_TANH_C1[0]);
            FloatVector x3 = c3.mul(p3);
            FloatVector x3l = c3.fma(p3, x3.neg());
            x3l = c3.fma(p3l, x3l);
            x3l = FloatVector.broadcast(FS, TAIL_TANH_C3[1]).fma(p3, x3l);
            FloatVector x1 = c1.mul(a);
            FloatVector x1l = FloatVector.broadcast(FS, TAIL_TANH_C1[1]).fma(a, c1.fma(a, x1.neg()));
            FloatVector big = x3.max(x1), small = x3.min(x1); // both positive: Fast2Sum
            FloatVector vh = big.add(small);
            FloatVector vl = big.sub(vh).add(small).add(x3l.add(x1l));
            a.intoArray(work.a, i);
            negated(vh).intoArray(work.w, i);
            negated(vl).intoArray(work.wl, i);
        }
    }

    /** quick: a, and exp's argument -v, v = 1.702 a as a float pair. */
    private static void quickArgument(float[] x, int from, int to, float amax, Work work) {
        for (int k = from; k < to; k += L) {
            int i = k - from;
            FloatVector a = negated(FloatVector.fromArray(FS, x, k)).min(amax);
            FloatVector c = FloatVector.broadcast(FS, TAIL_QUICK_C[0]);
            FloatVector vh = c.mul(a);
            FloatVector vl = FloatVector.broadcast(FS, TAIL_QUICK_C[1]).fma(a, c.fma(a, vh.neg()));
            a.intoArray(work.a, i);
            negated(vh).intoArray(work.w, i);
            negated(vl).intoArray(work.wl, i);
        }
    }

    /**
     * exp(w + wl) = (eh + el) s 2^-64 ({@code gelu_fwd_ftail_exp}), -w in [8, 113]: n =
     * round((w + wl) 32/ln2) by the magic constant (n is z's low bits), r the rest, e^r = 1 + p;
     * 2^(j/32) from the table, j = n mod 32; the scale 2^(floor(n/32) + 64) from z's bits.
     */
    private static void exp(int n, Work work) {
        // 2^(j/32) as int vectors, hoisted, each lookup written out below for the width (L is a
        // constant: C2 parses one branch): as a method of vectors (98 bytes) it was not always
        // inlined, and then its reinterpretations ran as Java loops (x in [-14, -4] at 0.2
        // Gelem/s, most of it there)
        IntVector ha = bits(TAIL_EXP2[0], 0), hb = bits(TAIL_EXP2[0], 1);
        IntVector la = bits(TAIL_EXP2[1], 0), lb = bits(TAIL_EXP2[1], 1);
        IntVector hc = bits(TAIL_EXP2[0], 2), hd = bits(TAIL_EXP2[0], 3);
        IntVector lc = bits(TAIL_EXP2[1], 2), ld = bits(TAIL_EXP2[1], 3);
        for (int i = 0; i < n; i += L) {
            FloatVector w = FloatVector.fromArray(FS, work.w, i);
            FloatVector z = w.fma(TAIL_INV_L, TAIL_MAGIC);
            FloatVector m = z.sub(TAIL_MAGIC);
            FloatVector r = m.fma(FloatVector.broadcast(FS, -TAIL_L1), w);
            r = m.fma(FloatVector.broadcast(FS, -TAIL_L2), r);
            r = m.fma(FloatVector.broadcast(FS, -TAIL_L3), r).add(FloatVector.fromArray(FS, work.wl, i));
            FloatVector p = r.fma(1.0f / 24, 1.0f / 6).fma(r, FloatVector.broadcast(FS, 0.5f));
            p = r.mul(r).fma(p, r);
            IntVector zb = z.reinterpretAsInts();
            IntVector j = zb.and(31);
            IntVector hj = j.selectFrom(ha, hb), lj = j.selectFrom(la, lb); // 16 lanes: mod 32
            if (L == 8) { // mod 16, the upper half by a blend
                VectorMask<Integer> upper = j.compare(GE, 16);
                hj = hj.blend(j.selectFrom(hc, hd), upper);
                lj = lj.blend(j.selectFrom(lc, ld), upper);
            }
            FloatVector eh = hj.reinterpretAsFloats();
            eh.intoArray(work.eh, i);
            eh.fma(p, lj.reinterpretAsFloats()).intoArray(work.el, i);
            // z's bits are those of 1.5 2^23 plus n: floor(n/32) + 64 + 127 in the exponent field
            zb.lanewise(LSHR, 5)
                    .add(191 - (0x4B400000 >> 5))
                    .lanewise(LSHL, 23)
                    .reinterpretAsFloats()
                    .intoArray(work.s, i);
        }
    }

    /** erf: Q = R exp(-a^2/2) = qh + ql, c0 (eh + el) with the product's error. */
    private static void gaussianQ(int n, Work work) {
        for (int i = 0; i < n; i += L) {
            FloatVector eh = FloatVector.fromArray(FS, work.eh, i), el = FloatVector.fromArray(FS, work.el, i);
            FloatVector c0 = FloatVector.fromArray(FS, work.c0, i);
            FloatVector qh = c0.mul(eh);
            FloatVector ql = c0.fma(el, c0.fma(eh, qh.neg()));
            qh.intoArray(work.qh, i);
            FloatVector.fromArray(FS, work.tq, i).fma(eh.add(el), ql).intoArray(work.ql, i);
        }
    }

    /** tanh, quick: Q = e (1 - e) = qh + ql, e = exp(-v) to float precision, held above 2^-60. */
    private static void logisticQ(int n, Work work) {
        for (int i = 0; i < n; i += L) {
            FloatVector eh = FloatVector.fromArray(FS, work.eh, i), el = FloatVector.fromArray(FS, work.el, i);
            FloatVector es = eh.add(el);
            FloatVector e =
                    es.mul(FloatVector.fromArray(FS, work.s, i).max(0x1p4f)).mul(0x1p-64f);
            eh.intoArray(work.qh, i);
            es.neg().fma(e, el).intoArray(work.ql, i);
        }
    }

    /**
     * y = x (qh + ql) s 2^-64, x = -a, into x: the product exact (normal, <= 0), then rounded
     * once, by a multiply where the result is normal and from the bits of the integer nearest
     * |ys| 2^85 where it is subnormal or zero (as the C kernels, which avoid x86's subnormal
     * assist).
     */
    private static void finish(float[] x, int from, int to, Work work) {
        for (int k = from; k < to; k += L) {
            int i = k - from;
            FloatVector xc = negated(FloatVector.fromArray(FS, work.a, i));
            FloatVector ql = FloatVector.fromArray(FS, work.ql, i);
            FloatVector ys =
                    xc.fma(FloatVector.fromArray(FS, work.qh, i), xc.mul(ql)).mul(FloatVector.fromArray(FS, work.s, i));
            FloatVector big = ys.min(TINY).mul(0x1p-64f);
            FloatVector tiny = ys.fma(-0x1p85f, 0x1p23f)
                    .reinterpretAsInts()
                    .add(0x80000000 - 0x4B000000)
                    .reinterpretAsFloats();
            big.blend(tiny, ys.compare(GT, TINY)).intoArray(x, k);
        }
    }

    /** 0 - v, as the C kernels (not -v, which differs at +0). */
    private static FloatVector negated(FloatVector v) {
        return FloatVector.zero(FS).sub(v);
    }

    /**
     * Entry trunc(r) of a 32-entry row, r in (-1, 32): a select truncates its float index as the
     * C kernels' cvttps does, and wraps it mod 2 lanes; for 8 lanes the upper pair by a blend.
     */
    private static FloatVector piece(float[] row, FloatVector r) {
        FloatVector v = r.selectFrom(FloatVector.fromArray(FS, row, 0), FloatVector.fromArray(FS, row, L));
        if (L == 16) {
            return v;
        }
        FloatVector u = r.selectFrom(FloatVector.fromArray(FS, row, 2 * L), FloatVector.fromArray(FS, row, 3 * L));
        return v.blend(u, r.compare(GE, 2 * L));
    }

    /** Part k of a 32-entry row as ints, its floats [k L, (k + 1) L) wrapped to the row (parts 2 and 3 for 8 lanes only). */
    private static IntVector bits(float[] row, int k) {
        return k < 2 || L == 8 ? FloatVector.fromArray(FS, row, k * L % 32).reinterpretAsInts() : null;
    }
}
