package dev.gelu.internal.vector;

import static dev.gelu.internal.BackwardCoefficients.H;
import static dev.gelu.internal.BackwardCoefficients.H_CENTRE;
import static dev.gelu.internal.BackwardCoefficients.H_DEGREE;
import static dev.gelu.internal.BackwardCoefficients.H_M0;
import static dev.gelu.internal.BackwardCoefficients.H_M1;
import static dev.gelu.internal.BackwardCoefficients.H_PIECES;
import static dev.gelu.internal.BackwardCoefficients.ROOT_DEGREE;
import static dev.gelu.internal.BackwardCoefficients.ROOT_W;
import static dev.gelu.internal.Coefficients.FLAG_HI;
import static dev.gelu.internal.Coefficients.FLAG_LO;
import static dev.gelu.internal.Coefficients.TABLE_WIDTH;
import static dev.gelu.internal.vector.VectorKernels.coefficient;
import static dev.gelu.internal.vector.VectorKernels.expNeg;
import static jdk.incubator.vector.VectorOperators.D2F;
import static jdk.incubator.vector.VectorOperators.D2L;
import static jdk.incubator.vector.VectorOperators.F2D;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.IS_INFINITE;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.L2D;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.NE;

import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.Backward;
import dev.gelu.internal.BackwardMath;
import dev.gelu.internal.FormConstants;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 backward on the Vector API: {@code dx = fl(dy · d)}, d = GELU′(x) correctly
 * rounded to float32 by {@link BackwardMath}'s double operations in vector lanes, the same
 * operations in the same order (so the same double and the same rounding test); a lane the test
 * cannot vouch for, a NaN or infinite x or dy, and a NaN product (0 · ∞) are redone by the
 * scalar steps ({@link BackwardMath#derivative}, the hard cases, {@link Backward#product}). So
 * its bits are the scalar backend's, which are libgelu's.
 *
 * <p>Batches of {@link #BATCH} lanes in loops of their own (the inputs copied, the derivative
 * per family, the product), each small enough for C2 to compile whole, no vector crossing a
 * call; the inputs are copied first, so dx may be x or dy (in place).
 */
final class FloatBackward {
    private FloatBackward() {}

    private static final VectorSpecies<Double> DS = VectorKernels.DS;
    private static final VectorSpecies<Float> FS = VectorKernels.FS;
    private static final VectorSpecies<Long> LS = VectorKernels.LS;
    private static final VectorSpecies<Integer> IS = VectorKernels.IS;
    private static final int VL = DS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    /** Lanes a batch: its arrays stay in L1. */
    private static final int BATCH = 512;
    /** H's piece centres padded to the 16 entries a two-vector select reads. */
    private static final double[] CENTRE = Arrays.copyOf(H_CENTRE, TABLE_WIDTH);

    private static final double[] M1 = Arrays.copyOf(H_M1, TABLE_WIDTH);
    private static final double[] M0 = Arrays.copyOf(H_M0, TABLE_WIDTH);

    /** Whether this JVM's vectors suit it (4 or 8 doubles; 16-entry tables by two-vector selects). */
    static boolean usable() {
        return VL == 4 || VL == 8;
    }

    /** A batch's inputs, derivatives and redo lanes. */
    private static final class Batch {
        final float[] x = new float[BATCH], dy = new float[BATCH];
        final double[] d = new double[BATCH];
        final long[] redo = new long[BATCH / 4];
    }

    static void run(Form form, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        FormConstants c = FormConstants.of(form);
        boolean gaussian = c.forward().gaussian();
        Batch b = new Batch();
        long bound = n - n % VL;
        for (long base = 0; base < bound; base += BATCH) {
            int m = (int) Math.min(BATCH, bound - base);
            load(x, dy, base, m, b);
            if (gaussian) {
                gaussian(c.derivative(), b, m);
            } else {
                logistic(c.derivative(), b, m);
            }
            if (product(dx, base, m, b)) {
                for (int v = 0; v < m / VL; v++) {
                    for (long lanes = b.redo[v]; lanes != 0; lanes &= lanes - 1) {
                        int k = v * VL + Long.numberOfTrailingZeros(lanes);
                        dx.set(I32, 4 * (base + k), scalar(c, b.x[k], b.dy[k]));
                    }
                }
            }
        }
        if (bound < n) { // the last elements by the scalar backend's loop
            Backward.run(
                    form, Storage.F32, x.asSlice(4 * bound), dy.asSlice(4 * bound), dx.asSlice(4 * bound), n - bound);
        }
    }

    /** One lane by the scalar steps, from its saved inputs (dx may be x or dy). */
    private static int scalar(FormConstants c, float x, float dy) {
        return Backward.product(Float.floatToRawIntBits(dy), Float.floatToRawIntBits(BackwardMath.derivative(c, x)));
    }

    private static void load(MemorySegment x, MemorySegment dy, long base, int m, Batch b) {
        for (int k = 0; k < m; k += VL) {
            FloatVector.fromMemorySegment(FS, x, 4 * (base + k), ORDER).intoArray(b.x, k);
            FloatVector.fromMemorySegment(FS, dy, 4 * (base + k), ORDER).intoArray(b.dy, k);
        }
    }

    /**
     * d = GELU′(x) rounded to float, fl(dy d) into dx; the lanes to redo into b.redo (the rounding
     * test, a NaN or infinite x or dy, a NaN product). Returns whether there is one.
     */
    private static boolean product(MemorySegment dx, long base, int m, Batch b) {
        long any = 0;
        for (int k = 0; k < m; k += VL) {
            DoubleVector d = DoubleVector.fromArray(DS, b.d, k);
            FloatVector lo = (FloatVector) d.mul(FLAG_LO).convertShape(D2F, FS, 0);
            FloatVector hi = (FloatVector) d.mul(FLAG_HI).convertShape(D2F, FS, 0);
            FloatVector x = FloatVector.fromArray(FS, b.x, k), dy = FloatVector.fromArray(FS, b.dy, k);
            FloatVector p = dy.mul((FloatVector) d.convertShape(D2F, FS, 0));
            VectorMask<Float> redo = ((IntVector) lo.reinterpretShape(IS, 0))
                    .compare(NE, hi.reinterpretShape(IS, 0))
                    .cast(FS)
                    .or(x.test(IS_NAN))
                    .or(x.test(IS_INFINITE))
                    .or(dy.test(IS_NAN))
                    .or(dy.test(IS_INFINITE))
                    .or(p.test(IS_NAN));
            p.intoMemorySegment(dx, 4 * (base + k), ORDER);
            b.redo[k / VL] = redo.toLong();
            any |= b.redo[k / VL];
        }
        return any != 0;
    }

    /**
     * erf: x < 0 ? E H(a) : 1 - E H(a), E = exp(-a^2/2), H from its 15 pieces (BackwardMath's
     * erf, step for step).
     */
    private static void gaussian(FormConstants.Derivative f, Batch b, int m) {
        double amax = f.amax();
        for (int k = 0; k < m; k += VL) {
            DoubleVector xd = (DoubleVector) FloatVector.fromArray(FS, b.x, k).convertShape(F2D, DS, 0);
            DoubleVector a = xd.abs();
            a = a.blend(amax, a.compare(LT, amax).not()); // NaN -> amax
            DoubleVector idx = (DoubleVector)
                    ((LongVector) a.convertShape(D2L, LS, 0)).min(H_PIECES - 1).convertShape(L2D, DS, 0);
            VectorMask<Double> upper = VL == 4 ? idx.compare(GE, 8.0) : null;
            DoubleVector s = a.sub(coefficient(CENTRE, 0, idx, upper));
            DoubleVector p = coefficient(H, H_DEGREE, idx, upper);
            for (int j = H_DEGREE - 1; j >= 0; j--) {
                p = p.fma(s, coefficient(H, j, idx, upper));
            }
            DoubleVector h = s.fma(coefficient(M1, 0, idx, upper), coefficient(M0, 0, idx, upper))
                    .mul(p);
            DoubleVector eh = expNeg(a.mul(a).mul(-0.5)).mul(h);
            DoubleVector.broadcast(DS, 1.0)
                    .sub(eh)
                    .blend(eh, xd.compare(LT, 0.0))
                    .intoArray(b.d, k);
        }
    }

    /**
     * tanh, quick: B / (1 + e)^2 (x < 0 ? e : 1), B = (1 + e) + x v′ (x < 0 ? 1 : e), e =
     * exp(-|v|), near the root of B on x < 0 from the root polynomial (BackwardMath's logistic,
     * step for step, both ways computed and one chosen).
     */
    private static void logistic(FormConstants.Derivative f, Batch b, int m) {
        double amax = f.amax(), c1 = f.c1(), c3 = f.c3(), d3 = f.d3(), rHi = f.rHi(), rLo = f.rLo();
        double[] root = f.root();
        for (int k = 0; k < m; k += VL) {
            DoubleVector xd = (DoubleVector) FloatVector.fromArray(FS, b.x, k).convertShape(F2D, DS, 0);
            DoubleVector w = xd.abs();
            w = w.blend(amax, w.compare(LT, amax).not());
            DoubleVector ww = w.mul(w);
            DoubleVector e = expNeg(w.mul(ww.fma(c3, c1)).neg());
            DoubleVector vp = ww.fma(d3, c1);
            VectorMask<Double> neg = xd.compare(LT, 0.0);
            DoubleVector d1 = e.add(1.0);
            DoubleVector bb = w.blend(w.neg(), neg).mul(vp).fma(e.blend(1.0, neg), d1);
            DoubleVector s = w.sub(rHi);
            DoubleVector kk = DoubleVector.broadcast(DS, root[ROOT_DEGREE]);
            for (int j = ROOT_DEGREE - 1; j >= 0; j--) {
                kk = kk.fma(s, DoubleVector.broadcast(DS, root[j]));
            }
            bb = bb.blend(s.sub(rLo).mul(kk), neg.and(s.abs().compare(LT, ROOT_W)));
            DoubleVector q = bb.div(d1.mul(d1));
            q.blend(q.mul(e), neg).intoArray(b.d, k);
        }
    }
}
