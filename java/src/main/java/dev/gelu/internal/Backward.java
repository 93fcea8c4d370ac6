package dev.gelu.internal;

import dev.gelu.Form;
import dev.gelu.Storage;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The backward operation of the Java backends, element by element: {@code dx = fl(dy · d)}
 * with {@code d = GELU′(x)} correctly rounded to float32 by {@link BackwardMath} (the steps of
 * native/src/gelu_backward_body.h), the product rounded once to the storage type (16-bit: from the
 * exact double product, as native/src/gelu_ops.h does; d from {@link HalfTables}, which holds
 * it for every 16-bit x). A NaN result is dy's (quieted), else x's (quieted), else the positive
 * quiet NaN (0 · ∞), as in libgelu. The Vector API backend's loops come back here for their NaN
 * and infinity lanes (and float32's undecided ones).
 */
public final class Backward {
    private Backward() {}

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;

    public static void run(Form form, Storage type, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        if (type == Storage.F32) {
            FormConstants f = FormConstants.of(form);
            for (long i = 0; i < n; i++) { // each element read before it is written (in place)
                long o = 4 * i;
                float d = BackwardMath.derivative(f, Float.intBitsToFloat(x.get(I, o)));
                dx.set(I, o, product(dy.get(I, o), Float.floatToRawIntBits(d)));
            }
            return;
        }
        float[] derivative = HalfTables.derivative(form, type);
        for (long i = 0; i < n; i++) {
            long o = 2 * i;
            dx.set(S, o, product16(type, dy.get(S, o), derivative[x.get(S, o) & 0xFFFF]));
        }
    }

    private static boolean isNaN(int bits) {
        return (bits & 0x7FFFFFFF) > 0x7F800000;
    }

    /** fl(dy d) as float bits, with libgelu's choice of NaN. */
    public static int product(int dy, int d) {
        if (isNaN(dy)) {
            return dy | 0x00400000;
        }
        if (isNaN(d)) {
            return d;
        }
        float p = Float.intBitsToFloat(dy) * Float.intBitsToFloat(d);
        return Float.isNaN(p) ? 0x7FC00000 : Float.floatToRawIntBits(p);
    }

    /** fl(dy d) in the 16-bit type: the double product is exact (at most 35 bits), rounded once. */
    public static short product16(Storage type, short dy, float d) {
        boolean bf16 = type == Storage.BF16;
        if ((dy & 0x7FFF) > (bf16 ? 0x7F80 : 0x7C00)) {
            return (short) (dy | (bf16 ? 0x0040 : 0x0200));
        }
        if (Float.isNaN(d)) {
            return HalfMath.quietNaN(d, type);
        }
        double p = (double) HalfMath.widen(type, dy) * d;
        if (Double.isNaN(p)) {
            return (short) (bf16 ? 0x7FC0 : 0x7E00);
        }
        if (Double.isInfinite(p)) {
            return (short) ((p < 0 ? 0x8000 : 0) | (bf16 ? 0x7F80 : 0x7C00));
        }
        return HalfMath.bits(HalfMath.round(p, type), type);
    }
}
