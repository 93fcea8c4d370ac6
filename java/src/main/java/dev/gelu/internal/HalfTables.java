package dev.gelu.internal;

import dev.gelu.Form;
import dev.gelu.Storage;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Every 16-bit input's result, per form and 16-bit type: a 16-bit value has only 65,536 bit
 * patterns, so a table holds the answer for each and no input (a tail below the vector fast
 * path's range, an infinity, a NaN, a lane the fast path cannot decide) takes the per-element
 * double path in a loop; a lookup per element (about 2 Gelem/s) is also faster than the Vector
 * API's float fast path. Two kinds, each built on first use from the functions that define the
 * results, so a lookup returns their bits, NaN payloads included:
 * <ul>
 *   <li>{@link #forward}: GELU(x) rounded once to the type, {@link HalfMath#forward} of each
 *       widened input (a {@code short[65536]}, 128 KB);</li>
 *   <li>{@link #derivative}: GELU′(x) correctly rounded to float32, {@link
 *       BackwardMath#derivative} of each widened input (a {@code float[65536]}, 256 KB), the
 *       factor of the 16-bit backward's product.</li>
 * </ul>
 * At most 6 of each (3 forms × bf16, f16), only those used. A built table is read with one
 * volatile load and no lock; the build runs under this class's lock so that threads racing for
 * an absent table build it once. It costs 3–25 ms a table once the JVM has compiled the double
 * path, 40–65 ms for the first in a fresh JVM (measured on a shared 2-core machine). The narrowing operation
 * (float32 in) cannot use them: its input has 2^32 values.
 */
public final class HalfTables {
    private HalfTables() {}

    private static final int SIZE = 1 << 16;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final AtomicReferenceArray<short[]> FORWARD = new AtomicReferenceArray<>(2 * Form.values().length);
    private static final AtomicReferenceArray<float[]> DERIVATIVE =
            new AtomicReferenceArray<>(2 * Form.values().length);

    /** GELU of each bit pattern of {@code type} (BF16 or F16), rounded once to it, by unsigned bits. */
    public static short[] forward(Form form, Storage type) {
        short[] t = FORWARD.get(key(form, type));
        return t != null ? t : buildForward(form, type);
    }

    /** {@code dst[i] = forward(form, type)[src[i]]} for count 16-bit elements (in place too). */
    public static void lookup(Form form, Storage type, MemorySegment src, MemorySegment dst, long count) {
        short[] t = forward(form, type);
        for (long i = 0; i < count; i++) {
            dst.setAtIndex(U16, i, t[src.getAtIndex(U16, i) & 0xFFFF]);
        }
    }

    /** GELU′ of each bit pattern of {@code type}, correctly rounded to float32, by unsigned bits. */
    public static float[] derivative(Form form, Storage type) {
        float[] t = DERIVATIVE.get(key(form, type));
        return t != null ? t : buildDerivative(form, type);
    }

    private static int key(Form form, Storage type) {
        if (type == Storage.F32) {
            throw new IllegalArgumentException("no table for float32 inputs");
        }
        return 2 * form.ordinal() + (type == Storage.BF16 ? 0 : 1);
    }

    private static synchronized short[] buildForward(Form form, Storage type) {
        int k = key(form, type);
        short[] t = FORWARD.get(k);
        if (t == null) {
            FormConstants c = FormConstants.of(form);
            t = new short[SIZE];
            for (int h = 0; h < SIZE; h++) {
                t[h] = HalfMath.forward(c, type, HalfMath.widen(type, (short) h));
            }
            FORWARD.set(k, t);
        }
        return t;
    }

    private static synchronized float[] buildDerivative(Form form, Storage type) {
        int k = key(form, type);
        float[] t = DERIVATIVE.get(k);
        if (t == null) {
            FormConstants c = FormConstants.of(form);
            t = new float[SIZE];
            for (int h = 0; h < SIZE; h++) {
                t[h] = BackwardMath.derivative(c, HalfMath.widen(type, (short) h));
            }
            DERIVATIVE.set(k, t);
        }
        return t;
    }
}
