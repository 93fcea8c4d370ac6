package dev.gelu.internal.vector;

import static dev.gelu.internal.Coefficients.FLAG_LO;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.F2D;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;

import dev.gelu.Storage;
import dev.gelu.internal.FormConstants;
import dev.gelu.internal.HalfMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 inputs to 16-bit results by the double path, in vector lanes: the steps of {@code
 * HalfMath.forward} as selects (native/src/gelu_half_body.h's {@code gelu_half_exact_part}), so
 * with its bits for every input. y is the correctly rounded kernels' double ({@link
 * VectorKernels}' second tier, the bits of {@code GeluMath.y}) times 1 − 2^-40, rounded once by
 * {@link HalfRounding}; before that the values known without y replace it: |x| < 2^-30 gives x/2
 * one double ulp toward +inf, x ≥ 20 the double below x, x ≤ −amax −0; a NaN, +inf or a hard
 * case is left to {@code HalfMath.forward}. {@link HalfVectorKernels} queues the lanes
 * its float path leaves (the tail below the form's lo, the undecided ones) and sends them here
 * {@code VL} at a time, so that such data costs a vector's work per lane, not a scalar call.
 */
final class HalfExactVector {
    private HalfExactVector() {}

    private static final VectorSpecies<Double> DS = VectorKernels.DS;
    private static final VectorSpecies<Float> FS = VectorKernels.FS;
    private static final VectorSpecies<Long> LS = VectorKernels.LS;
    private static final VectorSpecies<Integer> IS = VectorKernels.IS;
    /** Lanes a step; the queue is padded to a multiple of it. */
    static final int VL = DS.length();

    /**
     * The type's bits of x[0, n) into out[0, n), n a multiple of {@link #VL}; y is scratch of
     * n doubles. Four loops (y, the values known without it, the bits, the special lanes) with
     * y passed in memory, called through {@link Step} from one call site that sees several
     * classes, which C2 does not inline: in one method it ran out of nodes inlining them, and
     * boxed the vectors (8-20 ns a lane).
     */
    static void run(FormConstants c, boolean bf16, float[] x, double[] y, int[] out, int n) {
        for (Step s : c.forward().gaussian() ? GAUSSIAN : LOGISTIC) {
            s.run(c, bf16, x, y, out, n);
        }
    }

    @FunctionalInterface
    private interface Step {
        void run(FormConstants c, boolean bf16, float[] x, double[] y, int[] out, int n);
    }

    private static final Step[] GAUSSIAN = {
        HalfExactVector::gaussian, HalfExactVector::known, HalfExactVector::round, HalfExactVector::special
    };
    private static final Step[] LOGISTIC = {
        HalfExactVector::logistic, HalfExactVector::known, HalfExactVector::round, HalfExactVector::special
    };

    private static void gaussian(FormConstants c, boolean bf16, float[] x, double[] y, int[] out, int n) {
        double amax = c.forward().amax();
        for (int k = 0; k < n; k += VL) {
            VectorKernels.erf(FloatVector.fromArray(FS, x, k), amax).intoArray(y, k);
        }
    }

    private static void logistic(FormConstants c, boolean bf16, float[] x, double[] y, int[] out, int n) {
        FormConstants.Forward f = c.forward();
        double amax = f.amax(), c1 = f.c1(), c3 = f.c3();
        for (int k = 0; k < n; k += VL) {
            VectorKernels.logistic(FloatVector.fromArray(FS, x, k), amax, c1, c3)
                    .intoArray(y, k);
        }
    }

    /**
     * y times 1 - 2^-40, but the values known without it (HalfMath.forward's order); +inf and
     * NaN lanes 0, done later. One loop, no helper: a method of vectors is not always inlined.
     */
    private static void known(FormConstants c, boolean bf16, float[] x, double[] y, int[] out, int n) {
        double amax = c.forward().amax();
        for (int k = 0; k < n; k += VL) {
            DoubleVector xd = (DoubleVector) FloatVector.fromArray(FS, x, k).convertShape(F2D, DS, 0);
            DoubleVector yk = DoubleVector.fromArray(DS, y, k).mul(FLAG_LO);
            LongVector top = xd.min(Float.MAX_VALUE).reinterpretAsLongs(); // +inf: any finite value
            yk = yk.blend(top.sub(1).reinterpretAsDoubles(), xd.compare(GE, 20.0));
            LongVector half = xd.mul(0.5).reinterpretAsLongs();
            VectorMask<Long> negative = xd.compare(LT, 0.0).cast(LS);
            DoubleVector up = half.add(1).blend(half.sub(1), negative).reinterpretAsDoubles();
            up = up.blend(xd, xd.compare(EQ, 0.0));
            yk = yk.blend(up, xd.abs().compare(LT, 0x1p-30));
            yk = yk.blend(-0.0, xd.compare(LE, -amax));
            yk.blend(0.0, xd.compare(EQ, Double.POSITIVE_INFINITY).or(xd.test(IS_NAN)))
                    .intoArray(y, k);
        }
    }

    /** The type's bits of y. */
    private static void round(FormConstants c, boolean bf16, float[] x, double[] y, int[] out, int n) {
        for (int k = 0; k < n; k += VL) {
            HalfRounding.bits(DoubleVector.fromArray(DS, y, k), bf16).intoArray(out, k);
        }
    }

    /**
     * A lane whose x is a NaN, +inf or a hard case redone by {@code HalfMath.forward} (which the
     * rest of the lanes' selects follow step for step).
     */
    private static void special(FormConstants c, boolean bf16, float[] x, double[] y, int[] out, int n) {
        Storage type = bf16 ? Storage.BF16 : Storage.F16;
        int[] hard = bf16 ? c.half().bf16Inputs() : c.half().f16Inputs();
        for (int k = 0; k < n; k += VL) {
            FloatVector v = FloatVector.fromArray(FS, x, k);
            VectorMask<Float> special = v.test(IS_NAN).or(v.compare(EQ, Float.POSITIVE_INFINITY));
            IntVector vb = v.reinterpretAsInts();
            for (int h : hard) {
                special = special.or(vb.compare(EQ, h).cast(FS));
            }
            if (special.anyTrue()) {
                for (long m = special.toLong(); m != 0; m &= m - 1) {
                    int l = k + Long.numberOfTrailingZeros(m);
                    out[l] = HalfMath.forward(c, type, x[l]);
                }
            }
        }
    }
}
