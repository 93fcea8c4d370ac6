package dev.gelu.internal;

import dev.gelu.Storage;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Argument checks of the public API, done before any backend writes anything. */
public final class Checks {
    private Checks() {}

    /** What a faithful or 16-bit quick-form call throws: those points are not implemented yet. */
    public static UnsupportedOperationException quickNotYet() {
        return new UnsupportedOperationException(
                "Form.QUICK is correctly rounded float32 only so far (no faithful accuracy, no 16-bit storage)");
    }

    /** Validates a (src, dst) pair of float32 segments and returns the element count. */
    public static long segments(MemorySegment src, MemorySegment dst) {
        return segments(src, Storage.F32, dst, Storage.F32);
    }

    /**
     * Validates a (src, dst) pair of segments holding {@code in} and {@code out} elements and
     * returns the element count. In place means dst starting at src's first byte.
     */
    public static long segments(MemorySegment src, Storage in, MemorySegment dst, Storage out) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        usable(src, "src");
        usable(dst, "dst");
        if (src.byteSize() % in.bytes() != 0) {
            throw new IllegalArgumentException("src is " + src.byteSize() + " bytes, not a whole number of "
                    + name(in) + " elements");
        }
        long count = src.byteSize() / in.bytes();
        if (dst.byteSize() != count * out.bytes()) {
            throw new IllegalArgumentException(in == out
                    ? "size mismatch: src has " + src.byteSize() / (double) in.bytes() + " " + plural(in) + ", dst has "
                            + dst.byteSize() / (double) out.bytes()
                    : "size mismatch: src has " + count + " " + plural(in) + ", dst has "
                            + dst.byteSize() / (double) out.bytes() + " " + plural(out) + " (one per input)");
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        if (partiallyOverlap(src, dst)) {
            throw new IllegalArgumentException("src and dst partially overlap (only dst == src, in place, is allowed)");
        }
        return count;
    }

    private static String name(Storage s) {
        return s == Storage.F32 ? "float32" : s.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String plural(Storage s) {
        return s == Storage.F32 ? "floats" : s.name().toLowerCase(java.util.Locale.ROOT) + " values";
    }

    /** Array lengths of a whole-array call must agree. */
    public static void lengths(int src, int dst, String elements) {
        if (src != dst) {
            throw new IllegalArgumentException("size mismatch: src has " + src + " " + elements + ", dst has " + dst);
        }
    }

    /** Validates array ranges; identical ranges (in place) are fine, partial overlap is not. */
    public static void arrays(float[] src, int srcOffset, float[] dst, int dstOffset, int length) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        ranges(src == dst, srcOffset, src.length, dstOffset, dst.length, length);
    }

    /** The same for 16-bit arrays. */
    public static void arrays(short[] src, int srcOffset, short[] dst, int dstOffset, int length) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        ranges(src == dst, srcOffset, src.length, dstOffset, dst.length, length);
    }

    private static void ranges(boolean same, int srcOffset, int srcLength, int dstOffset, int dstLength, int length) {
        Objects.checkFromIndexSize(srcOffset, length, srcLength);
        Objects.checkFromIndexSize(dstOffset, length, dstLength);
        if (same && srcOffset != dstOffset && Math.abs(srcOffset - dstOffset) < length) {
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

    private static boolean partiallyOverlap(MemorySegment src, MemorySegment dst) {
        if (src.isNative() && dst.isNative()) {
            long a = src.address(), b = dst.address();
            return a != b && a < b + dst.byteSize() && b < a + src.byteSize();
        }
        // overlapping heap segments view one array, where address() is the byte offset
        return src.asOverlappingSlice(dst).isPresent() && src.address() != dst.address();
    }
}
