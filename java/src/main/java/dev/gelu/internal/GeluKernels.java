package dev.gelu.internal;

import dev.gelu.Gelu.Form;
import java.lang.foreign.MemorySegment;

/**
 * One backend's kernels. Arguments are already checked by {@link Checks}: sizes agree and are
 * positive, {@code dst} is writable and either is {@code src} or does not overlap it.
 * Implementations are stateless and thread-safe, and all of them return the same bits.
 */
public interface GeluKernels {
    /** {@code "native"}, {@code "vector"} or {@code "scalar"}. */
    String name();

    /** The instruction set or vector width this instance runs. */
    String isa();

    /** {@code dst[i] = GELU(src[i])} for the first {@code count} floats of the segments. */
    void apply(Form form, MemorySegment src, MemorySegment dst, long count);

    /** Arrays: by default through heap segments, which the segment path handles. */
    default void apply(Form form, float[] src, int srcOffset, float[] dst, int dstOffset, int length) {
        apply(form, MemorySegment.ofArray(src).asSlice(4L * srcOffset, 4L * length),
                MemorySegment.ofArray(dst).asSlice(4L * dstOffset, 4L * length), length);
    }
}
