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
        if (!sameRegion(src, dst) && src.asOverlappingSlice(dst).isPresent()) {
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

    /** The same bytes exactly: then the call is in place. */
    private static boolean sameRegion(MemorySegment a, MemorySegment b) {
        return a.byteSize() == b.byteSize()
                && a.asOverlappingSlice(b).map(s -> s.byteSize() == a.byteSize()).orElse(false);
    }
}
