package dev.gelu.internal.vector;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LT;

import dev.gelu.internal.FaithfulFloatCoefficients;
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
 * y = x; |x| < 2^-40 x/2; NaN quieted; below lo the float tail ({@link FaithfulFloatTailVector}).
 * A vector with a lane outside the range takes these by masked stores, the tail on the whole
 * vector. No lane goes alone.
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

    private static final int L = FS.length();
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
                if (!x.compare(GE, lo)
                        .and(x.compare(LT, hi))
                        .andNot(x.abs().compare(LT, 0x1p-40f))
                        .allTrue()) {
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
     * {@code at}: x from hi on, x/2 for |x| < 2^-40, NaN quieted, the tail lanes by
     * {@link FaithfulFloatTailVector#tail}. No vector argument, so it need not be inlined.
     */
    private static void edges(FormConstants c, MemorySegment xs, long from, MemorySegment dst, long at) {
        float lo = c.faithful().central().lo(), hi = c.faithful().central().hi();
        FloatVector x = FloatVector.fromMemorySegment(FS, xs, 4 * from, ORDER);
        VectorMask<Float> nan = x.test(IS_NAN);
        x.blend(x.reinterpretAsInts().or(0x00400000).reinterpretAsFloats(), nan)
                .intoMemorySegment(dst, 4 * at, ORDER, x.compare(GE, hi).or(nan));
        x.mul(0.5f).intoMemorySegment(dst, 4 * at, ORDER, x.abs().compare(LT, 0x1p-40f));
        VectorMask<Float> low = x.compare(LT, lo);
        if (low.anyTrue()) { // the other lanes become a tail value first, as the C kernels' padding
            FaithfulFloatTailVector.tail(c.faithful().central(), x.blend(lo - 1.0f, low.not()))
                    .intoMemorySegment(dst, 4 * at, ORDER, low);
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
}
