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
 * cannot decide, an x below the form's lo (or at or above its hi), an infinity or a NaN is done
 * by {@link HalfMath}, the double path: the results are correctly rounded either way, so the
 * bits are those of every backend.
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
        long bound = count - count % L;
        float[] xs = new float[L];
        short[] ys = new short[L];
        for (long i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(FS, src, 4 * i, ORDER);
            VectorMask<Float> slow = x.compare(GE, lo).and(x.compare(LT, hi)).not();
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
            ShortVector h = (ShortVector) bits.convertShape(I2S, SS, 0);
            if (slow.or(undecided.cast(FS)).anyTrue()) {
                long lanes = slow.or(undecided.cast(FS)).toLong();
                x.intoArray(xs, 0); // x as read: in place, the store below covers part of src
                h.intoArray(ys, 0);
                for (; lanes != 0; lanes &= lanes - 1) {
                    int l = Long.numberOfTrailingZeros(lanes);
                    ys[l] = HalfMath.forward(f, out, xs[l]);
                }
                h = ShortVector.fromArray(SS, ys, 0);
            }
            h.intoMemorySegment(dst, 2 * i, ORDER);
        }
        for (long i = bound; i < count; i++) {
            dst.setAtIndex(U16, i, HalfMath.forward(f, out, src.getAtIndex(F32, i)));
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
