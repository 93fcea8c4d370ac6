package dev.gelu.internal;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Argument checks of the public API, done before any backend writes anything. */
public final class Checks {
    private Checks() {}

    /** Validates a (src, dst) pair of float32 segments and returns the element count. */
    public static long segments(MemorySegment src, MemorySegment dst) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        usable(src, "src");
        usable(dst, "dst");
        if (src.byteSize() % 4 != 0) {
            throw new IllegalArgumentException(
                    "src is " + src.byteSize() + " bytes, not a whole number of float32 elements");
        }
        if (dst.byteSize() != src.byteSize()) {
            throw new IllegalArgumentException("size mismatch: src has " + src.byteSize() / 4.0
                    + " floats, dst has " + dst.byteSize() / 4.0);
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        if (partiallyOverlap(src, dst)) {
            throw new IllegalArgumentException("src and dst partially overlap (only dst == src, in place, is allowed)");
        }
        return src.byteSize() / 4;
    }

    /** Validates array ranges; identical ranges (in place) are fine, partial overlap is not. */
    public static void arrays(float[] src, int srcOffset, float[] dst, int dstOffset, int length) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        if (src == dst && srcOffset != dstOffset && Math.abs(srcOffset - dstOffset) < length) {
            throw new IllegalArgumentException("src and dst partially overlap (only dst == src, in place, is allowed)");
        }
    }

    private static void usable(MemorySegment s, String name) {
        if (!s.scope().isAlive()) {
            throw new IllegalStateException(name + " belongs to an arena that is already closed");
        }
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new WrongThreadException(name + " is confined to another thread");
        }
    }

    /**
     * Whether the two equal-sized segments share some bytes but are not the same bytes. Native
     * segments (off-heap, mapped) are compared by address: asOverlappingSlice costs a few ns,
     * which is a third of a one-element call.
     */
    private static boolean partiallyOverlap(MemorySegment src, MemorySegment dst) {
        if (src.isNative() && dst.isNative()) {
            long a = src.address(), b = dst.address(), n = src.byteSize();
            return a != b && a < b + n && b < a + n;
        }
        return !sameRegion(src, dst) && src.asOverlappingSlice(dst).isPresent();
    }

    /** The same bytes exactly: then the call is in place. */
    private static boolean sameRegion(MemorySegment a, MemorySegment b) {
        return a.byteSize() == b.byteSize()
                && a.asOverlappingSlice(b).map(s -> s.byteSize() == a.byteSize()).orElse(false);
    }
}
