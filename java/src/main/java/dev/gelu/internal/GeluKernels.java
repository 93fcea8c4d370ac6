package dev.gelu.internal;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Storage;
import java.lang.foreign.MemorySegment;

/**
 * One backend's operations. Each method is one operation of the library's space; the form
 * and the accuracy are parameters, so a backend implements the operations, not their
 * combinations. Arguments are already checked by {@link Checks}: sizes agree and are
 * positive, {@code dst} is writable and either is {@code src} or does not overlap it.
 * Implementations are stateless and thread-safe, and all of them return the same bits.
 */
public interface GeluKernels {
    /** {@code "native"}, {@code "vector"} or {@code "scalar"}. */
    String name();

    /** The instruction set or vector width this instance runs. */
    String isa();

    /** {@code dst[i] = GELU(src[i])} for the first {@code count} floats of the segments. */
    void forward(Form form, Accuracy accuracy, MemorySegment src, MemorySegment dst, long count);

    /**
     * {@code dst[i] = GELU(src[i])} rounded once to the 16-bit format {@code out} (always
     * correctly rounded), for the first {@code count} elements; {@code in} is {@link Storage#F32}
     * (narrowing) or {@code out} itself. 16-bit values are native-order raw bits. In place
     * ({@code dst} at {@code src}'s address) is allowed for narrowing too.
     */
    void forward(Form form, Storage in, Storage out, MemorySegment src, MemorySegment dst, long count);

    /** Arrays: by default through heap segments, which the segment path handles. */
    default void forward(
            Form form, Accuracy accuracy, float[] src, int srcOffset, float[] dst, int dstOffset, int length) {
        forward(
                form,
                accuracy,
                MemorySegment.ofArray(src).asSlice(4L * srcOffset, 4L * length),
                MemorySegment.ofArray(dst).asSlice(4L * dstOffset, 4L * length),
                length);
    }

    /**
     * bias + GELU on row-major data of {@code type} (in and out): {@code y[i][j] =
     * GELU(fl(x[i][j] + bias[j]))} for {@code rows × cols}, rows {@code ldx} and {@code ldy}
     * elements apart (checked by {@link Checks#rows}, non-empty). By default built from this
     * backend's {@code forward}, block by block.
     */
    default void bias(
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
        Composed.bias(this, form, accuracy, type, x, bias, y, rows, cols, ldx, ldy);
    }

    /** GEGLU: {@code y[i] = fl(a[i] · GELU(gate[i]))} for {@code count} elements of {@code type}. */
    default void geglu(
            Form form,
            Accuracy accuracy,
            Storage type,
            MemorySegment a,
            MemorySegment gate,
            MemorySegment y,
            long count) {
        Composed.geglu(this, form, accuracy, type, a, gate, y, count);
    }

    /** GEGLU on rows of x that hold [a | gate], {@code cols} elements each; y rows of {@code cols}. */
    default void gegluRows(
            Form form,
            Accuracy accuracy,
            Storage type,
            MemorySegment x,
            MemorySegment y,
            long rows,
            long cols,
            long ldx,
            long ldy) {
        Composed.gegluRows(this, form, accuracy, type, x, y, rows, cols, ldx, ldy);
    }

    /**
     * Backward: {@code dx[i] = fl(dy[i] · GELU′(x[i]))}, GELU′ correctly rounded to float32
     * first, the product rounded once to {@code type}, for {@code count} elements ({@code dx}
     * may be {@code x} or {@code dy}). By default element by element in Java.
     */
    default void backward(Form form, Storage type, MemorySegment x, MemorySegment dy, MemorySegment dx, long count) {
        Backward.run(form, type, x, dy, dx, count);
    }
}
