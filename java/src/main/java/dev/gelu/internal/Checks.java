package dev.gelu.internal;

import dev.gelu.Storage;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Argument checks of the public API, done before any backend writes anything. */
public final class Checks {
    private Checks() {}

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
            throw new IllegalArgumentException(
                    "src is " + src.byteSize() + " bytes, not a whole number of " + name(in) + " elements");
        }
        long count = src.byteSize() / in.bytes();
        if (dst.byteSize() != count * out.bytes()) {
            throw new IllegalArgumentException(
                    in == out
                            ? "size mismatch: src has " + src.byteSize() / (double) in.bytes() + " " + plural(in)
                                    + ", dst has " + dst.byteSize() / (double) out.bytes()
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

    /**
     * Validates the arguments of a row-major operation before anything is written: {@code x}
     * holds {@code rows} rows of {@code width * cols} elements (width 1 for bias + GELU, 2 for
     * GEGLU's [a | gate] rows), {@code ldx} apart; {@code y} rows of {@code cols}, {@code ldy}
     * apart; {@code bias} (may be null: GEGLU) at least {@code cols} elements. In place is
     * {@code y} at {@code x}'s address with {@code ldy == ldx}; any other overlap of x or bias
     * with the spanned part of y is rejected. Returns false when there is nothing to do.
     */
    public static boolean rows(
            Storage type,
            MemorySegment x,
            int width,
            MemorySegment bias,
            MemorySegment y,
            long rows,
            long cols,
            long ldx,
            long ldy) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        usable(x, "x");
        usable(y, "y");
        if (bias != null) {
            usable(bias, "bias");
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("rows (" + rows + ") and cols (" + cols + ") must not be negative");
        }
        if (cols > Long.MAX_VALUE / 4 / width) {
            throw new IllegalArgumentException("cols (" + cols + ") is too large");
        }
        long xcols = width * cols;
        if (ldx < xcols) {
            throw new IllegalArgumentException(
                    width == 1
                            ? "ldx (" + ldx + ") is less than cols (" + cols + ")"
                            : "ldx (" + ldx + ") is less than 2 * cols (" + xcols
                                    + "): each row of x holds [a | gate]");
        }
        if (ldy < cols) {
            throw new IllegalArgumentException("ldy (" + ldy + ") is less than cols (" + cols + ")");
        }
        long e = type.bytes();
        long xBytes = span("x", rows, xcols, ldx, e), yBytes = span("y", rows, cols, ldy, e);
        fits("x", x, xBytes, type, rows + " rows of " + xcols + ", " + ldx + " apart");
        fits("y", y, yBytes, type, rows + " rows of " + cols + ", " + ldy + " apart");
        if (bias != null && bias.byteSize() < cols * e) {
            throw new IllegalArgumentException("bias has " + bias.byteSize() / (double) e + " " + plural(type)
                    + ", fewer than cols (" + cols + ")");
        }
        if (y.isReadOnly()) {
            throw new IllegalArgumentException("y is read-only");
        }
        if (rows == 0 || cols == 0) {
            return false;
        }
        MemorySegment xs = x.asSlice(0, xBytes), ys = y.asSlice(0, yBytes);
        boolean inPlace = sameStart(xs, ys) && ldx == ldy;
        if (!inPlace && overlap(xs, ys)) {
            throw new IllegalArgumentException("x and y overlap (in place needs y == x and ldy == ldx)");
        }
        if (bias != null && overlap(bias.asSlice(0, cols * e), ys)) {
            throw new IllegalArgumentException("bias and y overlap");
        }
        return true;
    }

    /**
     * Validates GEGLU's three segments of {@code type}: the same element count, y writable and
     * either one of the inputs (in place) or apart from both. Returns the element count.
     */
    public static long glu(Storage type, MemorySegment a, MemorySegment gate, MemorySegment y) {
        return elementwise(type, "a", a, "gate", gate, "y", y);
    }

    /** The same for the backward's x, dy and dx. */
    public static long backward(Storage type, MemorySegment x, MemorySegment dy, MemorySegment dx) {
        return elementwise(type, "x", x, "dy", dy, "dx", dx);
    }

    private static long elementwise(
            Storage type, String an, MemorySegment a, String bn, MemorySegment b, String yn, MemorySegment y) {
        Objects.requireNonNull(a, an);
        Objects.requireNonNull(b, bn);
        Objects.requireNonNull(y, yn);
        usable(a, an);
        usable(b, bn);
        usable(y, yn);
        long e = type.bytes();
        if (a.byteSize() % e != 0) {
            throw new IllegalArgumentException(
                    an + " is " + a.byteSize() + " bytes, not a whole number of " + name(type) + " elements");
        }
        long n = a.byteSize() / e;
        if (b.byteSize() != a.byteSize() || y.byteSize() != a.byteSize()) {
            throw new IllegalArgumentException("size mismatch: " + an + " has " + n + " " + plural(type) + ", " + bn
                    + " " + b.byteSize() / (double) e + ", " + yn + " " + y.byteSize() / (double) e);
        }
        if (y.isReadOnly()) {
            throw new IllegalArgumentException(yn + " is read-only");
        }
        if (partiallyOverlap(a, y)) {
            throw new IllegalArgumentException(
                    an + " and " + yn + " partially overlap (only " + yn + " == " + an + ", in place, is allowed)");
        }
        if (partiallyOverlap(b, y)) {
            throw new IllegalArgumentException(
                    bn + " and " + yn + " partially overlap (only " + yn + " == " + bn + ", in place, is allowed)");
        }
        return n;
    }

    /** The bytes spanned by rows rows of width elements, ld apart. */
    private static long span(String name, long rows, long width, long ld, long e) {
        if (rows == 0 || width == 0) {
            return 0;
        }
        try {
            return Math.multiplyExact(Math.addExact(Math.multiplyExact(rows - 1, ld), width), e);
        } catch (ArithmeticException ex) {
            throw new IllegalArgumentException(name + ": " + rows + " rows, " + ld + " apart, exceed any segment");
        }
    }

    private static void fits(String name, MemorySegment s, long need, Storage type, String what) {
        if (s.byteSize() < need) {
            long e = type.bytes();
            throw new IllegalArgumentException(name + " has " + s.byteSize() / (double) e + " " + plural(type) + ", "
                    + what + " need " + need / e);
        }
    }

    private static boolean sameStart(MemorySegment a, MemorySegment b) {
        if (a.isNative() != b.isNative()) {
            return false;
        }
        return a.isNative()
                ? a.address() == b.address()
                : a.asOverlappingSlice(b).isPresent() && a.address() == b.address();
    }

    /** The two segments share a byte (for heap segments: of the same array). */
    private static boolean overlap(MemorySegment a, MemorySegment b) {
        if (a.isNative() && b.isNative()) {
            long p = a.address(), q = b.address();
            return p < q + b.byteSize() && q < p + a.byteSize();
        }
        return a.asOverlappingSlice(b).isPresent();
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
