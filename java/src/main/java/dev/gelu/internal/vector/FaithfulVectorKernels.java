package dev.gelu.internal.vector;

import static dev.gelu.internal.Coefficients.EXP_SHIFT;
import static dev.gelu.internal.Coefficients.LN2_HI;
import static dev.gelu.internal.Coefficients.LN2_LO;
import static dev.gelu.internal.Coefficients.LOG2E;
import static jdk.incubator.vector.VectorOperators.D2F;
import static jdk.incubator.vector.VectorOperators.F2D;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LT;

import dev.gelu.internal.FaithfulCoefficients;
import dev.gelu.internal.FaithfulFloatCoefficients;
import dev.gelu.internal.FaithfulMath;
import dev.gelu.internal.FormConstants;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The faithful float32 kernel on the Vector API, step for step native/src/gelu_forward_faithful.h
 * (and {@link FaithfulMath}), so the same bits: on a form's central range y = x P(x) in float, 16
 * or 8 lanes, each of P's coefficients one lookup in its 32-entry row by two-vector selects (the
 * index is the float r itself: a select truncates it, as the C kernels' cvttps does); from hi on
 * y = x; NaN quieted; below lo the double tail. A vector with a lane outside the range takes
 * these by selects; a half with a tail lane runs the tail on the whole half in double and
 * stores its tail lanes. No lane goes alone.
 *
 * <p>As in {@link VectorKernels}: no vector crosses a call that is not inlined or merges at a
 * branch (each branch stores its own), or C2 boxes them.
 */
final class FaithfulVectorKernels {
    private FaithfulVectorKernels() {}

    /**
     * The width of the float32 backend (-Dgelu.vector.bits or the preferred one), at most 512:
     * 8 or 16 lanes, as {@link VectorKernels} needs at least 256 bits.
     */
    private static final VectorSpecies<Float> FS = VectorSpecies.of(
            float.class,
            VectorShape.forBitSize(Math.min(
                    512, Integer.getInteger("gelu.vector.bits", FloatVector.SPECIES_PREFERRED.vectorBitSize()))));
    /** A half of FS's lanes, as floats and as doubles (the tail), and the double's bits. */
    private static final VectorSpecies<Float> HS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(FS.vectorBitSize() / 2));

    private static final VectorSpecies<Double> DS = VectorSpecies.of(double.class, FS.vectorShape());
    private static final VectorSpecies<Long> LS = VectorSpecies.of(long.class, FS.vectorShape());
    private static final int L = FS.length();
    private static final int H = HS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Floats a chunk holds: 64 vectors, one bit each of a long. */
    private static final int CHUNK = 64 * L;

    /*
     * Chunks of 64 vectors: a scan for the vectors with a lane outside [lo, hi); the central
     * path on the whole chunk (a loop without a branch: a rare branch in it, compiled in, made
     * every vector about twice as slow); then those vectors' other lanes, from a copy of their
     * x when in place. No vector crosses a call (C2 would box it), and the central loop is a
     * method of its own, within C2's node budget.
     */
    static void forward(FormConstants c, MemorySegment src, MemorySegment dst, long count) {
        FaithfulFloatCoefficients.Form f = c.faithful().central();
        float lo = f.lo(), hi = f.hi();
        long bound = count - count % L;
        MemorySegment copy = null;
        for (long base = 0; base < bound; base += CHUNK) {
            int nv = (int) Math.min(CHUNK, bound - base) / L;
            long pending = 0;
            for (int v = 0; v < nv; v++) {
                FloatVector x = FloatVector.fromMemorySegment(FS, src, 4 * (base + (long) v * L), ORDER);
                if (!x.compare(GE, lo).and(x.compare(LT, hi)).allTrue()) {
                    pending |= 1L << v;
                }
            }
            if (pending == 0) {
                central(f, src, dst, base, nv);
                continue;
            }
            // (a heap segment the Vector API reads is one of bytes)
            copy = copy != null ? copy : MemorySegment.ofArray(new byte[4 * CHUNK]);
            MemorySegment.copy(src, 4 * base, copy, 0, 4L * nv * L);
            central(f, src, dst, base, nv);
            for (; pending != 0; pending &= pending - 1) {
                int v = Long.numberOfTrailingZeros(pending);
                edges(c, copy, (long) v * L, dst, base + (long) v * L);
            }
        }
        scalar(c, src, dst, bound, count);
    }

    /** y = x P(x) as gelu_fwd_faithful_central on nv vectors at {@code base}, every lane. */
    private static void central(
            FaithfulFloatCoefficients.Form f, MemorySegment src, MemorySegment dst, long base, int nv) {
        FloatVector gamma = FloatVector.broadcast(FS, f.gamma()), beta = FloatVector.broadcast(FS, f.beta());
        FloatVector delta = FloatVector.broadcast(FS, f.delta()), k0 = FloatVector.broadcast(FS, f.k0());
        // the rows (DEGREE = 6: m and c0 .. c6) as locals: read in the loop, a row would be
        // loaded and checked every time (the stores to dst may alias any array for C2)
        float[][] p = f.c();
        float[] pm = p[0], p0 = p[1], p1 = p[2], p2 = p[3], p3 = p[4], p4 = p[5], p5 = p[6], p6 = p[7];
        for (int v = 0; v < nv; v++) {
            long i = base + (long) v * L;
            FloatVector x = FloatVector.fromMemorySegment(FS, src, 4 * i, ORDER);
            // the lanes outside [lo, hi) are replaced afterwards (no flags to keep clear here,
            // unlike C: no clamp)
            FloatVector s = x.fma(gamma, beta);
            s = x.abs().fma(delta, s);
            FloatVector r = x.fma(s, k0); // the piece: r truncated, in [0, 32) on [lo, hi)
            VectorMask<Float> upper = L == 8 ? r.compare(GE, 16.0f) : null;
            FloatVector t = x.sub(entry(pm, r, upper));
            FloatVector q = entry(p6, r, upper).fma(t, entry(p5, r, upper));
            q = q.fma(t, entry(p4, r, upper));
            q = q.fma(t, entry(p3, r, upper));
            q = q.fma(t, entry(p2, r, upper));
            FloatVector c0 = entry(p0, r, upper), c1 = entry(p1, r, upper);
            FloatVector h1 = t.mul(c1);
            FloatVector l1 = t.fma(c1, h1.neg());
            FloatVector sh = c0.add(h1);
            FloatVector sl = c0.sub(sh).add(h1);
            x.fma(sh, x.mul(t.mul(q).fma(t, l1.add(sl)))).intoMemorySegment(dst, 4 * i, ORDER);
        }
    }

    /**
     * The lanes of the L floats x at {@code from} (in {@code xs}) outside [lo, hi) into dst at
     * {@code at}: x from hi on, NaN quieted, the tail lanes by {@link #tail}. The vectors stay in
     * here (no vector argument), so it need not be inlined.
     */
    private static void edges(FormConstants c, MemorySegment xs, long from, MemorySegment dst, long at) {
        float lo = c.faithful().central().lo(), hi = c.faithful().central().hi();
        FloatVector x = FloatVector.fromMemorySegment(FS, xs, 4 * from, ORDER);
        VectorMask<Float> nan = x.test(IS_NAN);
        x.blend(x.reinterpretAsInts().or(0x00400000).reinterpretAsFloats(), nan)
                .intoMemorySegment(dst, 4 * at, ORDER, x.compare(GE, hi).or(nan));
        if (x.compare(LT, lo).anyTrue()) {
            tail(c, xs, from, dst, at);
            tail(c, xs, from + H, dst, at + H);
        }
    }

    private static void scalar(FormConstants c, MemorySegment src, MemorySegment dst, long from, long to) {
        for (long i = from; i < to; i++) {
            dst.setAtIndex(F32, i, FaithfulMath.forward(c, src.getAtIndex(F32, i)));
        }
    }

    /**
     * Entry trunc(r) of a 32-entry row: one two-vector select of 16 lanes (its index wraps mod
     * 32), or for 8 lanes two (each wraps mod 16) and a blend on the upper half.
     */
    private static FloatVector entry(float[] row, FloatVector r, VectorMask<Float> upper) {
        FloatVector v = r.selectFrom(FloatVector.fromArray(FS, row, 0), FloatVector.fromArray(FS, row, L));
        return upper == null
                ? v
                : v.blend(
                        r.selectFrom(FloatVector.fromArray(FS, row, 2 * L), FloatVector.fromArray(FS, row, 3 * L)),
                        upper);
    }

    // ---- the negative tail, in double, H lanes

    /**
     * The H floats x at {@code from}: y for those below lo stored into dst at {@code at}, the
     * other lanes of dst left alone. The
     * other lanes become a tail value first, as the C kernels' padding. Each form's branch
     * stores its own.
     */
    private static void tail(FormConstants c, MemorySegment xs, long from, MemorySegment dst, long at) {
        float lo = c.faithful().central().lo();
        FloatVector x = FloatVector.fromMemorySegment(HS, xs, 4 * from, ORDER);
        VectorMask<Float> low = x.compare(LT, lo);
        if (!low.anyTrue()) {
            return;
        }
        DoubleVector xd = (DoubleVector) x.blend(lo - 1.0f, low.not()).convertShape(F2D, DS, 0);
        DoubleVector nc = xd.max(-c.forward().amax());
        switch (c.faithful().outside()) {
            case GAUSSIAN_TAIL -> store(gaussian(nc), low, dst, at);
            case LOGISTIC_SERIES ->
                store(logisticSeries(nc, c.forward().c1(), c.forward().c3()), low, dst, at);
            case LOGISTIC -> store(logistic(nc, c.forward().c1()), low, dst, at);
        }
    }

    private static void store(DoubleVector y, VectorMask<Float> low, MemorySegment dst, long at) {
        ((FloatVector) y.convertShape(D2F, HS, 0)).intoMemorySegment(dst, 4 * at, ORDER, low);
    }

    /** x Phi(x) = nc exp(H(a) - a^2/2), a = -nc, H from the 16-piece tail table. */
    private static DoubleVector gaussian(DoubleVector nc) {
        DoubleVector a = nc.neg();
        DoubleVector r = a.fma(FaithfulCoefficients.TAIL_A, FaithfulCoefficients.TAIL_B);
        DoubleVector k = r.add(EXP_SHIFT).sub(EXP_SHIFT);
        DoubleVector t = r.sub(k);
        VectorMask<Double> upper = H == 4 ? k.compare(GE, 8.0) : null;
        DoubleVector h = tailEntry(FaithfulCoefficients.TAIL_DEGREE, k, upper);
        for (int j = FaithfulCoefficients.TAIL_DEGREE - 1; j >= 0; j--) {
            h = h.fma(t, tailEntry(j, k, upper));
        }
        return nc.mul(exp(a.mul(a).fma(DoubleVector.broadcast(DS, -0.5), h)));
    }

    /** Row j of the tail table at piece k (in [0, 16)): as {@link #entry}, 8 or 4 lanes. */
    private static DoubleVector tailEntry(int j, DoubleVector k, VectorMask<Double> upper) {
        double[] c = FaithfulCoefficients.TAIL;
        int row = 16 * j;
        DoubleVector v = k.selectFrom(DoubleVector.fromArray(DS, c, row), DoubleVector.fromArray(DS, c, row + H));
        return upper == null
                ? v
                : v.blend(
                        k.selectFrom(
                                DoubleVector.fromArray(DS, c, row + 2 * H), DoubleVector.fromArray(DS, c, row + 3 * H)),
                        upper);
    }

    /** nc (e - e^2 + e^3), e = exp(nc (c1 + c3 nc^2)). */
    private static DoubleVector logisticSeries(DoubleVector nc, double c1, double c3) {
        DoubleVector e = exp(nc.mul(nc.mul(nc).fma(c3, c1)));
        return nc.mul(e.fma(e.fma(e, e.neg()), e));
    }

    /** nc e/(1 + e), e = exp(c1 nc). */
    private static DoubleVector logistic(DoubleVector nc, double c1) {
        DoubleVector e = exp(nc.mul(c1));
        return nc.mul(e.div(e.add(1.0)));
    }

    /** exp(v) for v in [-150, -5], to 2^-34: {@link FaithfulMath}'s. */
    private static DoubleVector exp(DoubleVector v) {
        DoubleVector z = v.fma(LOG2E, EXP_SHIFT);
        DoubleVector k = z.sub(EXP_SHIFT);
        DoubleVector r = k.neg().fma(DoubleVector.broadcast(DS, LN2_HI), v);
        r = k.neg().fma(DoubleVector.broadcast(DS, LN2_LO), r);
        double[] c = FaithfulCoefficients.EXP;
        DoubleVector p = DoubleVector.broadcast(DS, c[FaithfulCoefficients.EXP_DEGREE]);
        for (int j = FaithfulCoefficients.EXP_DEGREE - 1; j >= 0; j--) {
            p = p.fma(r, DoubleVector.broadcast(DS, c[j]));
        }
        LongVector e = ((LongVector) z.reinterpretShape(LS, 0)).add(1023L).lanewise(LSHL, 52);
        return p.mul(e.reinterpretShape(DS, 0));
    }
}
