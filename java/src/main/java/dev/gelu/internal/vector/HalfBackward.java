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

    /* The float32 backend's species ({@link VectorKernels}'), whose constants {@link
    HalfRounding} shares, and shorts of the same lane count. */
    private static final VectorSpecies<Double> DS = VectorKernels.DS;
    private static final VectorSpecies<Float> FS = VectorKernels.FS;
    private static final VectorSpecies<Integer> IS = VectorKernels.IS;
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
        short[] redone = new short[L];
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
            // dy's float bits, exact for finite dy: the two types differ only in scalars (bf16's
            // mag << 16 with the sign; f16's normal and subnormal steps), as vectors merged at a
            // branch are boxed
            IntVector subnormal =
                    ((FloatVector) mag.convertShape(I2F, FS, 0)).mul(0x1p-24f).reinterpretAsInts();
            IntVector g = mag.lanewise(LSHL, bf16 ? 16 : 13)
                    .add(bf16 ? 0 : 112 << 23)
                    .blend(subnormal, mag.compare(LT, bf16 ? 0 : 0x400))
                    .or(h.and(0x8000).lanewise(LSHL, 16));
            VectorMask<Integer> special = mag.compare(GE, bf16 ? 0x7F80 : 0x7C00);
            special = special.or(d.test(IS_NAN).cast(IS));
            DoubleVector p = ((DoubleVector) g.reinterpretAsFloats().convertShape(F2D, DS, 0))
                    .mul((DoubleVector) d.convertShape(F2D, DS, 0));
            // the special lanes are redone from the inputs before the store (dx may be x or dy)
            // and written after it: a vector replaced in a branch would be boxed
            long lanes = special.toLong();
            for (long m = lanes; m != 0; m &= m - 1) {
                int l = Long.numberOfTrailingZeros(m);
                redone[l] = Backward.product16(type, dy.getAtIndex(U16, i + l), table[index[l]]);
            }
            ((ShortVector) HalfRounding.bits(p, bf16).convertShape(I2S, SS, 0)).intoMemorySegment(dx, 2 * i, ORDER);
            for (long m = lanes; m != 0; m &= m - 1) {
                int l = Long.numberOfTrailingZeros(m);
                dx.setAtIndex(U16, i + l, redone[l]);
            }
        }
        for (long i = bound; i < n; i++) {
            dx.setAtIndex(
                    U16, i, Backward.product16(type, dy.getAtIndex(U16, i), table[x.getAtIndex(U16, i) & 0xFFFF]));
        }
    }
}
