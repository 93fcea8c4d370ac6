package dev.gelu.internal.vector;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;

import dev.gelu.internal.FaithfulFloatCoefficients;
import dev.gelu.internal.FaithfulFloatTail;
import dev.gelu.internal.FaithfulMath;
import dev.gelu.internal.FormConstants;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The faithful float32 kernel on the Vector API, step for step native/src/gelu_forward_faithful.h
 * (and {@link FaithfulMath}), so the same bits: on a form's central range y = x P(x) in float, 16
 * or 8 lanes, each of P's coefficients one lookup in its 32-entry row by two-vector selects (the
 * index is the float r itself: a select truncates it, as the C kernels' cvttps does); from hi on
 * y = x; |x| < 2^-40 x/2; NaN quieted; below lo the float tail ({@link FaithfulFloatTailVector}),
 * its lanes queued per chunk and finished together, as the C kernels do: no lane goes alone.
 *
 * <p>C2 compiles Vector API code well only while no vector is boxed (no vector crosses a call or
 * merges at a branch) and only once the code is hot: vector code that runs seldom stays in C1,
 * where every operation allocates, and costs microseconds a vector. So all that common data
 * runs, the edge lanes included, is one loop ({@link #chunk}); the tail's vector code runs only
 * on chunks with many tail lanes, and a chunk with few gives them to the scalar tail. (Before,
 * a method of its own took each vector with an edge lane, tail included, whole: on N(0, 1) it
 * ran a few times a call and stayed in C1, and cost more than the rest of the call.)
 */
final class FaithfulVectorKernels {
    private FaithfulVectorKernels() {}

    /**
     * The width of the float32 backend (-Dgelu.vector.bits or the preferred one), at most 512:
     * 8 or 16 lanes, as {@link VectorKernels} needs at least 256 bits.
     */
    static final VectorSpecies<Float> FS = VectorSpecies.of(
            float.class,
            VectorShape.forBitSize(Math.min(
                    512, Integer.getInteger("gelu.vector.bits", FloatVector.SPECIES_PREFERRED.vectorBitSize()))));

    static final int L = FS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** A whole vector's lanes, as VectorMask.toLong. */
    private static final long ALL = (1L << L) - 1;
    /** Vectors a chunk holds. */
    private static final int CHUNK = 64;
    /**
     * Fewer tail lanes than this in a chunk take the scalar tail ({@link FaithfulFloatTail}):
     * on N(0, 1) a chunk has about one, and vector code that runs that seldom stays in C1
     * (where each Vector API operation allocates) long after the rest is compiled.
     */
    private static final int VECTOR_TAIL = L;

    /** A chunk's queued tail lanes: their x (then y), and the vectors and lanes they came from. */
    private static final class Queue {
        /** A vector's room past the last lane: compress writes a whole vector. */
        final float[] x;

        final int[] vector;
        /** Each queued vector's tail lanes, as VectorMask.toLong. */
        final long[] lanes;

        int vectors;
        FaithfulFloatTailVector.Work work;

        /** For chunks of up to {@code vectors} vectors. */
        Queue(int vectors) {
            x = new float[(vectors + 1) * L];
            vector = new int[vectors];
            lanes = new long[vectors];
        }
    }

    /*
     * Chunks of 64 vectors: the central path on each, and on a vector with a lane outside
     * [lo, hi) (or with |x| < 2^-40) its edge values by blends, its tail lanes queued
     * (compressed); then the chunk's queued lanes, together.
     */
    static void forward(FormConstants c, MemorySegment src, MemorySegment dst, long count) {
        FaithfulFloatCoefficients.Form f = c.faithful().central();
        long bound = count - count % L;
        Queue q = bound == 0 ? null : new Queue((int) Math.min(CHUNK, bound / L));
        for (long base = 0; base < bound; base += (long) CHUNK * L) {
            int queued = chunk(f, src, dst, base, (int) (Math.min((long) CHUNK * L, bound - base) / L), q);
            if (queued >= VECTOR_TAIL) {
                vectorTail(f, dst, base, q, queued);
            } else if (queued != 0) {
                scalarTail(f, dst, base, q);
            }
        }
        scalar(c, src, dst, bound, count);
    }

    /**
     * y = x P(x) as gelu_fwd_faithful_central on the nv vectors at {@code base}; a vector with a
     * lane outside [lo, hi) or with |x| < 2^-40 gets x from hi on, x/2 for |x| < 2^-40, NaN
     * quieted, and its tail lanes (x < lo) queued. Returns how many were queued.
     */
    private static int chunk(
            FaithfulFloatCoefficients.Form f, MemorySegment src, MemorySegment dst, long base, int nv, Queue q) {
        float lo = f.lo(), hi = f.hi(), tailAmax = f.tailAmax();
        FloatVector gamma = FloatVector.broadcast(FS, f.gamma()), beta = FloatVector.broadcast(FS, f.beta());
        FloatVector delta = FloatVector.broadcast(FS, f.delta()), k0 = FloatVector.broadcast(FS, f.k0());
        // the rows (DEGREE = 6: m and c0 .. c6) in registers, 32 / L vectors each (16 lanes use
        // two, upperPart): read in the loop, C2 loaded all 16 for every vector, as the queue's
        // stores may alias any float[]
        float[][] p = f.c();
        FloatVector m0 = part(p[0], 0), m1 = part(p[0], 1), m2 = upperPart(p[0], 2), m3 = upperPart(p[0], 3);
        FloatVector a0 = part(p[1], 0), a1 = part(p[1], 1), a2 = upperPart(p[1], 2), a3 = upperPart(p[1], 3);
        FloatVector b0 = part(p[2], 0), b1 = part(p[2], 1), b2 = upperPart(p[2], 2), b3 = upperPart(p[2], 3);
        FloatVector c0 = part(p[3], 0), c1 = part(p[3], 1), c2 = upperPart(p[3], 2), c3 = upperPart(p[3], 3);
        FloatVector d0 = part(p[4], 0), d1 = part(p[4], 1), d2 = upperPart(p[4], 2), d3 = upperPart(p[4], 3);
        FloatVector e0 = part(p[5], 0), e1 = part(p[5], 1), e2 = upperPart(p[5], 2), e3 = upperPart(p[5], 3);
        FloatVector g0 = part(p[6], 0), g1 = part(p[6], 1), g2 = upperPart(p[6], 2), g3 = upperPart(p[6], 3);
        FloatVector h0 = part(p[7], 0), h1 = part(p[7], 1), h2 = upperPart(p[7], 2), h3 = upperPart(p[7], 3);
        int queued = 0, vectors = 0;
        for (int v = 0; v < nv; v++) {
            long i = base + (long) v * L;
            FloatVector x = FloatVector.fromMemorySegment(FS, src, 4 * i, ORDER);
            VectorMask<Float> low = x.compare(LT, lo);
            if (low.allTrue()) {
                // a vector of tail lanes only skips the central path, as the C kernels' groups
                // do: -0 where every x is at or below -tailAmax, else queued whole
                if (x.compare(LE, -tailAmax).allTrue()) {
                    FloatVector.broadcast(FS, -0.0f).intoMemorySegment(dst, 4 * i, ORDER);
                } else {
                    x.intoArray(q.x, queued);
                    queued += L;
                    q.vector[vectors] = v;
                    q.lanes[vectors++] = ALL;
                }
                continue;
            }
            // the lanes outside [lo, hi) are replaced below (no flags to keep clear here, unlike
            // C: no clamp)
            FloatVector s = x.fma(gamma, beta);
            s = x.abs().fma(delta, s);
            FloatVector r = x.fma(s, k0); // the piece: r truncated, in [0, 32) on [lo, hi)
            VectorMask<Float> upper = L == 8 ? r.compare(GE, 16.0f) : null;
            FloatVector t = x.sub(entry(r, upper, m0, m1, m2, m3));
            FloatVector pq = entry(r, upper, h0, h1, h2, h3).fma(t, entry(r, upper, g0, g1, g2, g3));
            pq = pq.fma(t, entry(r, upper, e0, e1, e2, e3));
            pq = pq.fma(t, entry(r, upper, d0, d1, d2, d3));
            pq = pq.fma(t, entry(r, upper, c0, c1, c2, c3));
            FloatVector u0 = entry(r, upper, a0, a1, a2, a3), u1 = entry(r, upper, b0, b1, b2, b3); // c0, c1
            FloatVector ph = t.mul(u1);
            FloatVector pl = t.fma(u1, ph.neg());
            FloatVector sh = u0.add(ph);
            FloatVector sl = u0.sub(sh).add(ph);
            FloatVector y = x.fma(sh, x.mul(t.mul(pq).fma(t, pl.add(sl))));
            VectorMask<Float> tiny = x.abs().compare(LT, 0x1p-40f);
            if (x.compare(GE, lo).and(x.compare(LT, hi)).andNot(tiny).allTrue()) {
                y.intoMemorySegment(dst, 4 * i, ORDER);
            } else { // each branch stores its own: a vector merged at a branch is boxed
                y.blend(x, x.compare(GE, hi))
                        .blend(x.mul(0.5f), tiny)
                        .blend(x.reinterpretAsInts().or(0x00400000).reinterpretAsFloats(), x.test(IS_NAN))
                        .intoMemorySegment(dst, 4 * i, ORDER);
                x.compress(low).intoArray(q.x, queued);
                queued += low.trueCount();
                q.vector[vectors] = v;
                q.lanes[vectors++] = low.toLong();
            }
        }
        q.vectors = vectors;
        return queued;
    }

    /** The queued lanes' y by the vector tail, expanded into their vectors' lanes. */
    private static void vectorTail(FaithfulFloatCoefficients.Form f, MemorySegment dst, long base, Queue q, int n) {
        FloatVector.broadcast(FS, -8.0f).intoArray(q.x, n); // a tail value of every form
        int padded = (n + L - 1) / L * L;
        q.work = q.work != null ? q.work : new FaithfulFloatTailVector.Work(q.x.length);
        FaithfulFloatTailVector.tail(f, q.x, padded, q.work);
        for (int j = 0, at = 0; j < q.vectors; j++) {
            VectorMask<Float> low = VectorMask.fromLong(FS, q.lanes[j]);
            FloatVector.fromArray(FS, q.x, at)
                    .expand(low)
                    .intoMemorySegment(dst, 4 * (base + (long) q.vector[j] * L), ORDER, low);
            at += Long.bitCount(q.lanes[j]);
        }
    }

    /** The queued lanes' y one at a time, by the scalar tail (the same bits). */
    private static void scalarTail(FaithfulFloatCoefficients.Form f, MemorySegment dst, long base, Queue q) {
        for (int j = 0, at = 0; j < q.vectors; j++) {
            for (long m = q.lanes[j]; m != 0; m &= m - 1) {
                long i = base + (long) q.vector[j] * L + Long.numberOfTrailingZeros(m);
                dst.setAtIndex(F32, i, FaithfulFloatTail.tail(f, q.x[at++]));
            }
        }
    }

    private static void scalar(FormConstants c, MemorySegment src, MemorySegment dst, long from, long to) {
        for (long i = from; i < to; i++) {
            dst.setAtIndex(F32, i, FaithfulMath.forward(c, src.getAtIndex(F32, i)));
        }
    }

    /**
     * Parts 2 and 3 of a row, which only 8 lanes use: for 16 none (L is a constant, so C2 does
     * not parse the loads at all). With them parsed, the test for a vector of tail lanes only
     * took {@link #chunk} past C2's node budget (NodeCountInliningCutoff), after which its
     * lookups were not inlined and their vectors were boxed: N(0, 1) ran 0.15 instead of 1.7
     * Gelem/s in the JVMs where C2 compiled the lookup on its own first.
     */
    private static FloatVector upperPart(float[] row, int k) {
        return L == 8 ? part(row, k) : null;
    }

    /** Part k of a 32-entry row, its floats [k L, (k + 1) L) wrapped to the row. */
    private static FloatVector part(float[] row, int k) {
        return FloatVector.fromArray(FS, row, k * L % 32);
    }

    /**
     * Entry trunc(r) of a 32-entry row in parts a .. d: one two-vector select of 16 lanes (its
     * index wraps mod 32), or for 8 lanes two (each wraps mod 16) and a blend on the upper half.
     */
    private static FloatVector entry(
            FloatVector r, VectorMask<Float> upper, FloatVector a, FloatVector b, FloatVector c, FloatVector d) {
        FloatVector v = r.selectFrom(a, b);
        return upper == null ? v : v.blend(r.selectFrom(c, d), upper);
    }
}
