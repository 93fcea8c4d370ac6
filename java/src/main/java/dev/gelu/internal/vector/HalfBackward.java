package dev.gelu.internal.vector;

import static jdk.incubator.vector.VectorOperators.F2D;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.I2S;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.S2I;

import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.Backward;
import dev.gelu.internal.HalfTables;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 16-bit backward on the Vector API, a lane per double: {@code dx = fl16(dy · d)} with d =
 * GELU′(x) correctly rounded to float32, gathered from {@link HalfTables} by x's bits; the
 * product of dy (8 or 11 significant bits) and d (24) is exact in double, and is rounded once
 * to the type by {@link HalfRounding} (the steps of {@code HalfMath.round}). A lane whose dy is a NaN or an
 * infinity, or whose d is a NaN (x is), is redone by {@link Backward#product16} for the NaN and
 * infinity rules; its bits are the scalar backend's for every input.
 */
final class HalfBackward {
    private HalfBackward() {}

    /** The width of the float32 backend (-Dgelu.vector.bits or the preferred one), at most 512. */
    private static final VectorSpecies<Double> DS = VectorSpecies.of(
            double.class,
            VectorShape.forBitSize(Math.min(
                    512, Integer.getInteger("gelu.vector.bits", DoubleVector.SPECIES_PREFERRED.vectorBitSize()))));

    private static final VectorSpecies<Float> FS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(DS.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());
    private static final VectorSpecies<Short> SS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(DS.vectorBitSize() / 4));
    private static final int L = DS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    static boolean usable() {
        return L == 4 || L == 8;
    }

    static void run(Form form, Storage type, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        float[] table = HalfTables.derivative(form, type);
        boolean bf16 = type == Storage.BF16;
        int[] index = new int[L];
        short[] out = new short[L];
        long bound = n - n % L;
        for (long i = 0; i < bound; i += L) {
            IntVector xi = ((IntVector)
                            ShortVector.fromMemorySegment(SS, x, 2 * i, ORDER).convertShape(S2I, IS, 0))
                    .and(0xFFFF);
            xi.intoArray(index, 0);
            FloatVector d = FloatVector.fromArray(FS, table, 0, index, 0);
            IntVector h = (IntVector)
                    ShortVector.fromMemorySegment(SS, dy, 2 * i, ORDER).convertShape(S2I, IS, 0);
            IntVector mag = h.and(0x7FFF);
            IntVector g; // dy's float bits, exact for finite dy
            VectorMask<Integer> special;
            if (bf16) {
                g = h.lanewise(LSHL, 16);
                special = mag.compare(GE, 0x7F80);
            } else {
                IntVector normal = mag.lanewise(LSHL, 13).add(112 << 23);
                IntVector subnormal = ((FloatVector) mag.convertShape(I2F, FS, 0))
                        .mul(0x1p-24f)
                        .reinterpretAsInts();
                g = normal.blend(subnormal, mag.compare(LT, 0x400))
                        .or(h.and(0x8000).lanewise(LSHL, 16));
                special = mag.compare(GE, 0x7C00);
            }
            special = special.or(d.test(IS_NAN).cast(IS));
            DoubleVector p = ((DoubleVector) g.reinterpretAsFloats().convertShape(F2D, DS, 0))
                    .mul((DoubleVector) d.convertShape(F2D, DS, 0));
            ShortVector y = (ShortVector) HalfRounding.bits(p, bf16, FS, IS).convertShape(I2S, SS, 0);
            if (special.anyTrue()) {
                y.intoArray(out, 0);
                for (long lanes = special.toLong(); lanes != 0; lanes &= lanes - 1) {
                    int l = Long.numberOfTrailingZeros(lanes);
                    out[l] = Backward.product16(type, dy.getAtIndex(U16, i + l), table[index[l]]);
                }
                y = ShortVector.fromArray(SS, out, 0);
            }
            y.intoMemorySegment(dx, 2 * i, ORDER);
        }
        for (long i = bound; i < n; i++) {
            dx.setAtIndex(
                    U16, i, Backward.product16(type, dy.getAtIndex(U16, i), table[x.getAtIndex(U16, i) & 0xFFFF]));
        }
    }
}
