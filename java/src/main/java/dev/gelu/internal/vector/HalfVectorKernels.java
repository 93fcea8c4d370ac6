package dev.gelu.internal.vector;

import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.F2I;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.I2S;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LT;

import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.FormConstants;
import dev.gelu.internal.HalfCoefficients;
import dev.gelu.internal.HalfMath;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * 16-bit outputs on the Vector API: the float32 fast path of native/src/gelu_half_body.h (see
 * there), 16 or 8 lanes, the 32-entry coefficient rows looked up by two-vector selects, for
 * float32 inputs (narrowing); 16-bit inputs are a table lookup ({@link
 * dev.gelu.internal.HalfTables}), which is faster here than this path. A lane the window test
 * cannot decide, an x below the form's lo (or at or above its hi) but above the point where the
 * result turns −0, +inf or a NaN, and the last count % L elements are queued and done by {@link HalfExactVector}, the double path
 * of {@code HalfMath} in vector lanes: the results are correctly rounded either way, so the bits
 * are those of every backend. (Until 2026-12-07 such lanes went to {@code HalfMath} one at a
 * time, and uniform[−8, 8] ran 4.9× slower than N(0, 1).)
 */
final class HalfVectorKernels {
    private HalfVectorKernels() {}

    /** The width of the float32 backend (-Dgelu.vector.bits or the preferred one), at most 512. */
    private static final VectorSpecies<Float> FS = VectorSpecies.of(
            float.class,
            VectorShape.forBitSize(Math.min(
                    512, Integer.getInteger("gelu.vector.bits", FloatVector.SPECIES_PREFERRED.vectorBitSize()))));

    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());
    private static final VectorSpecies<Short> SS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FS.vectorBitSize() / 2));
    private static final int L = FS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final int M = HalfCoefficients.ULPS;
    /** Each form's coefficient rows cut into vectors: [form][row][part], 32 / L parts. */
    private static final float[][][][] PARTS = Stream.of(Form.values())
            .map(f -> parts(FormConstants.of(f).half().table()))
            .toArray(float[][][][]::new);

    private static float[][][] parts(float[] table) {
        float[][][] p = new float[HalfCoefficients.DEGREE + 1][32 / L][L];
        for (int j = 0; j <= HalfCoefficients.DEGREE; j++) {
            for (int part = 0; part < 32 / L; part++) {
                System.arraycopy(table, 32 * j + part * L, p[j][part], 0, L);
            }
        }
        return p;
    }

    static boolean usable() {
        return L == 8 || L == 16;
    }

    /** Narrowing: float32 in, {@code out} (BF16 or F16) out. */
    static void forward(Form form, Storage out, MemorySegment src, MemorySegment dst, long count) {
        FormConstants f = FormConstants.of(form);
        float[][][] c = PARTS[form.ordinal()];
        float lo = f.half().lo();
        // x < hi: x <= MAX_VALUE, or (quick) below where the table's clamp stops being valid
        float hi = f.half().hi();
        boolean bf16 = out == Storage.BF16;
        float zeroBelow = bf16 ? f.half().bf16ZeroBelow() : f.half().f16ZeroBelow();
        long bound = count - count % L;
        Queue queue = null; // made at the first lane that needs it
        float[] lanes = new float[L];
        for (long i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(FS, src, 4 * i, ORDER);
            VectorMask<Float> slow = x.compare(GE, lo).and(x.compare(LT, hi)).not();
            VectorMask<Float> gone = x.compare(LE, zeroBelow); // -0, -inf included: known, not queued
            FloatVector y = y(c, x);
            IntVector b = y.reinterpretAsInts();
            IntVector bits;
            VectorMask<Integer> undecided;
            if (bf16) {
                IntVector w = b.add(M - 0x8000).and(0xFFFF);
                undecided = w.compare(LE, 2 * M);
                bits = b.add(0x8000).lanewise(LSHR, 16);
            } else {
                IntVector ab = b.and(0x7FFFFFFF);
                VectorMask<Integer> zero = ab.compare(EQ, 0);
                VectorMask<Integer> normal = ab.compare(GE, 0x38800000).and(ab.compare(LT, 0x477FE000));
                IntVector w = b.add(M - 0x1000).and(0x1FFF);
                undecided = w.compare(LE, 2 * M).or(normal.or(zero).not());
                IntVector sign = b.lanewise(LSHR, 16).and(0x8000);
                bits = ab.sub(0x38000000 - 0x1000)
                        .lanewise(LSHR, 13)
                        .blend(0, zero)
                        .or(sign);
            }
            bits = bits.blend(0x8000, gone.cast(IS));
            ((ShortVector) bits.convertShape(I2S, SS, 0)).intoMemorySegment(dst, 2 * i, ORDER);
            VectorMask<Float> left = slow.or(undecided.cast(FS)).andNot(gone);
            if (left.anyTrue()) {
                if (queue == null) {
                    queue = new Queue();
                }
                x.intoArray(lanes, 0); // x as read: in place, the store above covered part of src
                queue.add(lanes, left.toLong(), i); // arrays only: a vector passed to a call is boxed
                if (queue.full()) {
                    queue.flush(f, bf16, dst);
                }
            }
        }
        if (bound < count) {
            if (queue == null) {
                queue = new Queue();
            }
            for (long i = bound; i < count; i++) {
                queue.add(src.getAtIndex(F32, i), i);
            }
        }
        if (queue != null) {
            queue.flush(f, bf16, dst);
        }
    }

    /**
     * The lanes the float path leaves, with their places, until {@link HalfExactVector} does them
     * a vector at a time and stores each result over the float path's. Their x are copies, so a
     * narrowing in place (whose stores cover the floats already read) keeps them.
     */
    private static final class Queue {
        private static final int CAPACITY = 512;
        /**
         * Fewer lanes than this (N(0, 1)'s few a call) go to HalfMath one by one: vector code
         * that runs that rarely is not compiled yet, and interpreted it cost N(0, 1) half its speed.
         */
        private static final int FEW = 64;

        private final float[] x = new float[CAPACITY + L + HalfExactVector.VL];
        private final long[] at = new long[CAPACITY + L];
        private final int[] out = new int[CAPACITY + L + HalfExactVector.VL];
        private final double[] y = new double[CAPACITY + L + HalfExactVector.VL];
        private int n;

        void add(float[] lanes, long mask, long i) {
            for (; mask != 0; mask &= mask - 1) {
                int l = Long.numberOfTrailingZeros(mask);
                x[n] = lanes[l];
                at[n++] = i + l;
            }
        }

        void add(float v, long i) {
            x[n] = v;
            at[n++] = i;
        }

        boolean full() {
            return n >= CAPACITY;
        }

        void flush(FormConstants f, boolean bf16, MemorySegment dst) {
            if (n < FEW) {
                Storage type = bf16 ? Storage.BF16 : Storage.F16;
                for (int k = 0; k < n; k++) {
                    dst.setAtIndex(U16, at[k], HalfMath.forward(f, type, x[k]));
                }
                n = 0;
                return;
            }
            int padded = n + (HalfExactVector.VL - n % HalfExactVector.VL) % HalfExactVector.VL;
            Arrays.fill(x, n, padded, 0.0f);
            HalfExactVector.run(f, bf16, x, y, out, padded);
            for (int k = 0; k < n; k++) {
                dst.setAtIndex(U16, at[k], (short) out[k]);
            }
            n = 0;
        }
    }

    /** y = fma(-|x|, Q(|x|), x >= 0 ? x : 0) in float, Q from 24 pieces of width 1/4. */
    private static FloatVector y(float[][][] c, FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector r = ax.mul(4.0f).min(HalfCoefficients.R_MAX);
        FloatVector kf = (FloatVector) ((IntVector) r.convertShape(F2I, IS, 0)).convertShape(I2F, FS, 0);
        FloatVector t = r.sub(kf).sub(0.5f);
        FloatVector q = lookup(c[HalfCoefficients.DEGREE], kf);
        for (int j = HalfCoefficients.DEGREE - 1; j >= 0; j--) {
            q = q.fma(t, lookup(c[j], kf));
        }
        FloatVector pos = FloatVector.zero(FS).blend(x, x.compare(GE, 0.0f)); // -0 stays -0
        return ax.neg().fma(q, pos);
    }

    /** Row entry kf (a float index in [0, 24)) from the row's 32 / L parts. */
    private static FloatVector lookup(float[][] row, FloatVector kf) {
        if (L == 16) {
            return kf.selectFrom(FloatVector.fromArray(FS, row[0], 0), FloatVector.fromArray(FS, row[1], 0));
        }
        FloatVector a =
                kf.min(15.0f).selectFrom(FloatVector.fromArray(FS, row[0], 0), FloatVector.fromArray(FS, row[1], 0));
        FloatVector b = kf.sub(16.0f)
                .max(0.0f)
                .selectFrom(FloatVector.fromArray(FS, row[2], 0), FloatVector.fromArray(FS, row[3], 0));
        return a.blend(b, kf.compare(GE, 16.0f));
    }
}
