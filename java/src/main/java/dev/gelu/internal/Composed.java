package dev.gelu.internal;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Storage;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The composed operations built from a backend's own forward kernel, block by block: the steps
 * of native/src/gelu_ops.h, so that every backend returns the bits of the definition (the sum
 * or the product rounded once, GELU by the backend's forward). The Java backends use these;
 * the native one calls libgelu's fused kernels instead.
 */
final class Composed {
    private Composed() {}

    /** Elements per block: the buffers stay in L1. */
    private static final int BLOCK = 1024;
    /** The quiet NaN an operation makes from numbers (inf - inf, 0 * inf), as in libgelu. */
    private static final int NAN = 0x7FC00000;

    private static final short NAN_BF16 = 0x7FC0;
    private static final short NAN_F16 = 0x7E00;

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;

    static void bias(
            GeluKernels k,
            Form form,
            Accuracy accuracy,
            Storage type,
            MemorySegment x,
            MemorySegment bias,
            MemorySegment y,
            long rows,
            long cols,
            long ldx,
            long ldy) {
        long e = type.bytes();
        float[] s = new float[BLOCK];
        MemorySegment buffer = MemorySegment.ofArray(s);
        for (long i = 0; i < rows; i++) {
            for (long j = 0; j < cols; j += BLOCK) {
                int len = (int) Math.min(BLOCK, cols - j);
                long xo = (i * ldx + j) * e, bo = j * e;
                for (int q = 0; q < len; q++) { // read before y's block is written (in place)
                    s[q] = Float.intBitsToFloat(add(load(type, x, xo + q * e), load(type, bias, bo + q * e)));
                }
                MemorySegment src = buffer.asSlice(0, 4L * len), dst = y.asSlice((i * ldy + j) * e, len * e);
                if (type == Storage.F32) {
                    k.forward(form, accuracy, src, dst, len);
                } else {
                    k.forward(form, Storage.F32, type, src, dst, len);
                }
            }
        }
    }

    static void geglu(
            GeluKernels k,
            Form form,
            Accuracy accuracy,
            Storage type,
            MemorySegment a,
            MemorySegment gate,
            MemorySegment y,
            long n) {
        long e = type.bytes();
        if (type == Storage.F32) {
            float[] t = new float[BLOCK];
            MemorySegment buffer = MemorySegment.ofArray(t);
            for (long j = 0; j < n; j += BLOCK) {
                int len = (int) Math.min(BLOCK, n - j);
                k.forward(form, accuracy, gate.asSlice(j * 4, 4L * len), buffer.asSlice(0, 4L * len), len);
                for (int q = 0; q < len; q++) {
                    long o = (j + q) * 4;
                    y.set(I, o, mul(a.get(I, o), Float.floatToRawIntBits(t[q])));
                }
            }
            return;
        }
        short[] t = new short[BLOCK];
        MemorySegment buffer = MemorySegment.ofArray(t);
        for (long j = 0; j < n; j += BLOCK) {
            int len = (int) Math.min(BLOCK, n - j);
            k.forward(form, type, type, gate.asSlice(j * e, len * e), buffer.asSlice(0, len * e), len);
            for (int q = 0; q < len; q++) {
                long o = (j + q) * e;
                y.set(S, o, mul16(type, a.get(S, o), t[q]));
            }
        }
    }

    static void gegluRows(
            GeluKernels k,
            Form form,
            Accuracy accuracy,
            Storage type,
            MemorySegment x,
            MemorySegment y,
            long rows,
            long cols,
            long ldx,
            long ldy) {
        long e = type.bytes(), bytes = cols * e;
        for (long i = 0; i < rows; i++) {
            long row = i * ldx * e;
            k.geglu(
                    form,
                    accuracy,
                    type,
                    x.asSlice(row, bytes),
                    x.asSlice(row + bytes, bytes),
                    y.asSlice(i * ldy * e, bytes),
                    cols);
        }
    }

    /** The float bits of element at byte offset o, widened exactly from a 16-bit type. */
    private static int load(Storage type, MemorySegment s, long o) {
        return switch (type) {
            case F32 -> s.get(I, o);
            case BF16 -> (s.get(S, o) & 0xFFFF) << 16;
            case F16 -> Float.floatToRawIntBits(Float.float16ToFloat(s.get(S, o)));
        };
    }

    private static boolean isNaN(int bits) {
        return (bits & 0x7FFFFFFF) > 0x7F800000;
    }

    /** fl(x + b) as bits: a NaN is x's, else b's, else the default one. */
    private static int add(int xb, int bb) {
        if (isNaN(xb)) {
            return xb;
        }
        if (isNaN(bb)) {
            return bb;
        }
        float s = Float.intBitsToFloat(xb) + Float.intBitsToFloat(bb);
        return Float.isNaN(s) ? NAN : Float.floatToRawIntBits(s);
    }

    /** fl(a t) as bits: a NaN is a's (quieted), else t's, else the default one. */
    private static int mul(int ab, int tb) {
        if (isNaN(ab)) {
            return ab | 0x00400000;
        }
        if (isNaN(tb)) {
            return tb;
        }
        float p = Float.intBitsToFloat(ab) * Float.intBitsToFloat(tb);
        return Float.isNaN(p) ? NAN : Float.floatToRawIntBits(p);
    }

    private static boolean isNaN16(Storage type, short h) {
        return (h & 0x7FFF) > (type == Storage.BF16 ? 0x7F80 : 0x7C00);
    }

    /**
     * fl(a t) in the 16-bit type. The float product of two 16-bit values is exact (for bf16
     * whenever it is at least 2^-134, below which it and the exact product both round to 0),
     * so rounding it once to the type is the correctly rounded product.
     */
    private static short mul16(Storage type, short a, short t) {
        boolean bf16 = type == Storage.BF16;
        if (isNaN16(type, a)) {
            return (short) (a | (bf16 ? 0x0040 : 0x0200));
        }
        if (isNaN16(type, t)) {
            return t;
        }
        float p = HalfMath.widen(type, a) * HalfMath.widen(type, t);
        if (Float.isNaN(p)) {
            return bf16 ? NAN_BF16 : NAN_F16;
        }
        if (!bf16) {
            return Float.floatToFloat16(p); // round to nearest even, overflow to infinity
        }
        int u = Float.floatToRawIntBits(p);
        return (short) ((u + 0x7FFF + ((u >>> 16) & 1)) >>> 16);
    }
}
