package dev.gelu.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad argument, through every entry point: the exception type, its message, and
 * a destination that is bit for bit what it was before the call. The look-alikes that are
 * allowed are in {@link AllowedLookAlikesTest}.
 */
class BadInputMatrixTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** What every destination holds before a call: a NaN payload no GELU returns. */
    private static final int SENTINEL = 0x7fc0beef;

    @TempDir
    static Path dir;

    /** A bad call and what it must throw; the setup registers the destinations to check in the fixture. */
    private record Bad(String name, Class<? extends Throwable> type, String message, Setup setup) {}

    @FunctionalInterface
    private interface Setup {
        Call make(Fixture f) throws Exception;
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Throwable;
    }

    /** Allocates the arguments of one case and remembers every destination to check afterwards. */
    private static final class Fixture implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final Arena shared = Arena.ofShared();
        private final List<MemorySegment> segments = new ArrayList<>();
        private final List<float[]> arrays = new ArrayList<>();
        private final List<Path> files = new ArrayList<>();

        /** Off-heap floats 1, 2, 3, ... */
        MemorySegment src(long n) {
            MemorySegment s = arena.allocate(4 * n, 4);
            for (long i = 0; i < n; i++) {
                s.setAtIndex(F, i, i + 1f);
            }
            return s;
        }

        /** An off-heap destination of {@code bytes} bytes, all sentinel, checked after the call. */
        MemorySegment dstBytes(Arena a, long bytes) {
            return watch(a.allocate(bytes, 4));
        }

        MemorySegment dst(long n) {
            return dstBytes(arena, 4 * n);
        }

        /** Any segment: filled with the sentinel now, checked after the call. */
        MemorySegment watch(MemorySegment s) {
            for (long i = 0; i + 4 <= s.byteSize(); i += 4) {
                s.set(ValueLayout.JAVA_INT_UNALIGNED, i, SENTINEL);
            }
            segments.add(s);
            return s;
        }

        float[] srcArray(int n) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = i + 1f;
            }
            return a;
        }

        float[] dstArray(int n) {
            float[] a = new float[n];
            java.util.Arrays.fill(a, Float.intBitsToFloat(SENTINEL));
            arrays.add(a);
            return a;
        }

        /** A file of n sentinel floats mapped read-only; the file itself is checked afterwards. */
        MemorySegment readOnlyMappedFile(int n) throws IOException {
            Path p = Files.createTempFile(dir, "ro-", ".f32");
            ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.nativeOrder());
            for (int i = 0; i < n; i++) {
                b.putInt(SENTINEL);
            }
            Files.write(p, b.array());
            files.add(p);
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, 4L * n, arena);
                segments.add(m);
                return m;
            }
        }

        void assertUntouched(String what) throws IOException {
            for (MemorySegment s : segments) {
                if (s.scope().isAlive()) {
                    for (long i = 0; i + 4 <= s.byteSize(); i += 4) {
                        assertEquals(
                                SENTINEL,
                                s.get(ValueLayout.JAVA_INT_UNALIGNED, i),
                                what + ": dst written at byte " + i);
                    }
                }
            }
            for (float[] a : arrays) {
                for (int i = 0; i < a.length; i++) {
                    assertEquals(SENTINEL, Float.floatToRawIntBits(a[i]), what + ": dst written at " + i);
                }
            }
            for (Path p : files) {
                ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.nativeOrder());
                while (b.hasRemaining()) {
                    assertEquals(SENTINEL, b.getInt(), what + ": file written");
                }
            }
        }

        @Override
        public void close() {
            arena.close();
            shared.close();
        }
    }

    static List<Bad> cases() {
        List<Bad> c = new ArrayList<>();
        // ---- segments: sizes
        c.add(new Bad(
                "segment: dst shorter than src",
                IllegalArgumentException.class,
                "size mismatch: src has 10.0 floats, dst has 9.0",
                f -> {
                    MemorySegment src = f.src(10), dst = f.dst(9);
                    return () -> Gelu.apply(Form.ERF, src, dst);
                }));
        c.add(new Bad(
                "segment: dst longer than src",
                IllegalArgumentException.class,
                "size mismatch: src has 9.0 floats, dst has 10.0",
                f -> {
                    MemorySegment src = f.src(9), dst = f.dst(10);
                    return () -> Gelu.apply(Form.TANH, src, dst);
                }));
        c.add(new Bad(
                "segment: empty src, non-empty dst",
                IllegalArgumentException.class,
                "size mismatch: src has 0.0 floats, dst has 4.0",
                f -> {
                    MemorySegment dst = f.dst(4);
                    return () -> Gelu.apply(Form.ERF, MemorySegment.NULL, dst);
                }));
        c.add(new Bad(
                "segment: src not whole floats (10 bytes)",
                IllegalArgumentException.class,
                "src is 10 bytes, not a whole number of float32 elements",
                f -> {
                    MemorySegment src = f.src(3).asSlice(0, 10), dst = f.dstBytes(f.arena, 10);
                    return () -> Gelu.apply(Form.ERF, src, dst);
                }));
        c.add(new Bad(
                "segment: src under one float (3 bytes)",
                IllegalArgumentException.class,
                "src is 3 bytes, not a whole number of float32 elements",
                f -> {
                    MemorySegment src = f.src(1).asSlice(1), dst = f.dstBytes(f.arena, 3);
                    return () -> Gelu.apply(Form.ERF, src, dst);
                }));
        c.add(new Bad(
                "segment: dst not whole floats (42 bytes)",
                IllegalArgumentException.class,
                "size mismatch: src has 10.0 floats, dst has 10.5",
                f -> {
                    MemorySegment src = f.src(10), dst = f.dstBytes(f.arena, 42);
                    return () -> Gelu.apply(Form.ERF, src, dst);
                }));
        c.add(new Bad(
                "heap segment: byte[] of 6 bytes",
                IllegalArgumentException.class,
                "src is 6 bytes, not a whole number of float32 elements",
                f -> {
                    MemorySegment dst = f.watch(MemorySegment.ofArray(new byte[6]));
                    return () -> Gelu.apply(Form.ERF, MemorySegment.ofArray(new byte[6]), dst);
                }));
        // ---- segments: read-only destinations
        c.add(new Bad("segment: dst asReadOnly()", IllegalArgumentException.class, "dst is read-only", f -> {
            MemorySegment src = f.src(8), dst = f.dst(8).asReadOnly();
            return () -> Gelu.apply(Form.ERF, src, dst);
        }));
        c.add(new Bad("heap segment: dst asReadOnly()", IllegalArgumentException.class, "dst is read-only", f -> {
            MemorySegment dst = f.watch(MemorySegment.ofArray(new float[8])).asReadOnly();
            return () -> Gelu.apply(Form.TANH, MemorySegment.ofArray(f.srcArray(8)), dst);
        }));
        c.add(new Bad("segment: dst a read-only mapped file", IllegalArgumentException.class, "dst is read-only", f -> {
            MemorySegment src = f.src(1024), dst = f.readOnlyMappedFile(1024);
            return () -> Gelu.apply(Form.ERF, src, dst);
        }));
        c.add(new Bad(
                "segment: in place on a read-only mapped file",
                IllegalArgumentException.class,
                "dst is read-only",
                f -> {
                    MemorySegment both = f.readOnlyMappedFile(64);
                    return () -> Gelu.apply(Form.TANH, both, both);
                }));
        // ---- segments: closed arenas and other threads
        c.add(new Bad(
                "segment: src of a closed arena",
                IllegalStateException.class,
                "src belongs to an arena that is already closed",
                f -> {
                    MemorySegment src = closedSegment(), dst = f.dst(8);
                    return () -> Gelu.apply(Form.ERF, src, dst);
                }));
        c.add(new Bad(
                "segment: dst of a closed arena",
                IllegalStateException.class,
                "dst belongs to an arena that is already closed",
                f -> {
                    MemorySegment src = f.src(8), dst = closedSegment();
                    return () -> Gelu.apply(Form.ERF, src, dst);
                }));
        c.add(new Bad(
                "segment: in place on a closed shared arena",
                IllegalStateException.class,
                "src belongs to an arena that is already closed",
                f -> {
                    Arena a = Arena.ofShared();
                    MemorySegment s = a.allocate(32);
                    a.close();
                    return () -> Gelu.apply(Form.TANH, s, s);
                }));
        c.add(new Bad(
                "segment: src confined to another thread",
                WrongThreadException.class,
                "src is confined to another thread",
                f -> {
                    MemorySegment src = f.src(8), dst = f.dstBytes(f.shared, 32);
                    return () -> onAnotherThread(() -> Gelu.apply(Form.ERF, src, dst));
                }));
        c.add(new Bad(
                "segment: dst confined to another thread",
                WrongThreadException.class,
                "dst is confined to another thread",
                f -> {
                    MemorySegment src = f.shared.allocate(32), dst = f.dst(8);
                    return () -> onAnotherThread(() -> Gelu.apply(Form.ERF, src, dst));
                }));
        // ---- segments: partial overlap
        c.add(new Bad("segment: dst one float after src", IllegalArgumentException.class, "partially overlap", f -> {
            MemorySegment all = f.dst(17);
            return () -> Gelu.apply(Form.ERF, all.asSlice(0, 64), all.asSlice(4, 64));
        }));
        c.add(new Bad("segment: dst one float before src", IllegalArgumentException.class, "partially overlap", f -> {
            MemorySegment all = f.dst(17);
            return () -> Gelu.apply(Form.ERF, all.asSlice(4, 64), all.asSlice(0, 64));
        }));
        c.add(new Bad(
                "segment: overlap of one float at the end", IllegalArgumentException.class, "partially overlap", f -> {
                    MemorySegment all = f.dst(31);
                    return () -> Gelu.apply(Form.TANH, all.asSlice(0, 64), all.asSlice(60, 64));
                }));
        c.add(new Bad(
                "segment: overlap by one byte (unaligned dst)",
                IllegalArgumentException.class,
                "partially overlap",
                f -> {
                    MemorySegment all = f.dst(9);
                    return () -> Gelu.apply(Form.ERF, all.asSlice(0, 16), all.asSlice(15, 16));
                }));
        c.add(new Bad(
                "segment: src a read-only view partially over dst",
                IllegalArgumentException.class,
                "partially overlap",
                f -> {
                    MemorySegment all = f.dst(12);
                    return () -> Gelu.apply(Form.ERF, all.asSlice(0, 32).asReadOnly(), all.asSlice(8, 32));
                }));
        c.add(new Bad(
                "heap segment: partial overlap in one float[]",
                IllegalArgumentException.class,
                "partially overlap",
                f -> {
                    MemorySegment h = f.watch(MemorySegment.ofArray(new float[16]));
                    return () -> Gelu.apply(Form.ERF, h.asSlice(8, 32), h.asSlice(0, 32));
                }));
        // ---- segments: nulls
        c.add(new Bad("segment: null form", NullPointerException.class, "form", f -> {
            MemorySegment src = f.src(4), dst = f.dst(4);
            return () -> Gelu.apply(null, src, dst);
        }));
        c.add(new Bad("segment: null src", NullPointerException.class, "src", f -> {
            MemorySegment dst = f.dst(4);
            return () -> Gelu.apply(Form.ERF, (MemorySegment) null, dst);
        }));
        c.add(new Bad("segment: null dst", NullPointerException.class, "dst", f -> {
            MemorySegment src = f.src(4);
            return () -> Gelu.apply(Form.ERF, src, (MemorySegment) null);
        }));
        // ---- arrays, whole
        c.add(new Bad(
                "array: dst shorter than src",
                IllegalArgumentException.class,
                "size mismatch: src has 10 floats, dst has 9",
                f -> {
                    float[] src = f.srcArray(10), dst = f.dstArray(9);
                    return () -> Gelu.apply(Form.ERF, src, dst);
                }));
        c.add(new Bad(
                "array: dst longer than src",
                IllegalArgumentException.class,
                "size mismatch: src has 3 floats, dst has 4",
                f -> {
                    float[] src = f.srcArray(3), dst = f.dstArray(4);
                    return () -> Gelu.apply(Form.TANH, src, dst);
                }));
        c.add(new Bad("array: null form", NullPointerException.class, "form", f -> {
            float[] src = f.srcArray(4), dst = f.dstArray(4);
            return () -> Gelu.apply(null, src, dst);
        }));
        c.add(new Bad("array: null src", NullPointerException.class, "src", f -> {
            float[] dst = f.dstArray(4);
            return () -> Gelu.apply(Form.ERF, (float[]) null, dst);
        }));
        c.add(new Bad("array: null dst", NullPointerException.class, "dst", f -> {
            float[] src = f.srcArray(4);
            return () -> Gelu.apply(Form.ERF, src, (float[]) null);
        }));
        // ---- arrays, ranges: IndexOutOfBoundsException with the JDK's range message
        range(c, "negative srcOffset", 10, -1, 10, 0, 2, "Range [-1, -1 + 2) out of bounds for length 10");
        range(c, "negative dstOffset", 10, 0, 10, -3, 2, "Range [-3, -3 + 2) out of bounds for length 10");
        range(c, "negative length", 10, 0, 10, 0, -1, "Range [0, 0 + -1) out of bounds for length 10");
        range(c, "srcOffset past the end", 10, 11, 10, 0, 0, "Range [11, 11 + 0) out of bounds for length 10");
        range(c, "dstOffset past the end", 10, 0, 12, 13, 0, "Range [13, 13 + 0) out of bounds for length 12");
        range(c, "src range past the end", 10, 5, 20, 0, 6, "Range [5, 5 + 6) out of bounds for length 10");
        range(c, "dst range past the end", 20, 0, 10, 9, 2, "Range [9, 9 + 2) out of bounds for length 10");
        range(c, "dst shorter than length", 8, 0, 4, 0, 5, "Range [0, 0 + 5) out of bounds for length 4");
        range(
                c,
                "srcOffset + length overflows int",
                10,
                Integer.MAX_VALUE,
                10,
                0,
                2,
                "Range [2147483647, 2147483647 + 2) out of bounds for length 10");
        range(
                c,
                "dstOffset + length overflows int",
                10,
                0,
                10,
                Integer.MAX_VALUE - 1,
                3,
                "Range [2147483646, 2147483646 + 3) out of bounds for length 10");
        range(
                c,
                "length Integer.MIN_VALUE",
                10,
                0,
                10,
                0,
                Integer.MIN_VALUE,
                "Range [0, 0 + -2147483648) out of bounds for length 10");
        c.add(new Bad("array range: null form", NullPointerException.class, "form", f -> {
            float[] src = f.srcArray(4), dst = f.dstArray(4);
            return () -> Gelu.apply(null, src, 0, dst, 0, 4);
        }));
        c.add(new Bad("array range: null src", NullPointerException.class, "src", f -> {
            float[] dst = f.dstArray(4);
            return () -> Gelu.apply(Form.ERF, null, 0, dst, 0, 4);
        }));
        c.add(new Bad("array range: null dst", NullPointerException.class, "dst", f -> {
            float[] src = f.srcArray(4);
            return () -> Gelu.apply(Form.ERF, src, 0, null, 0, 4);
        }));
        // ---- arrays: partial overlap in one array
        int[][] overlaps = {{0, 3, 8}, {3, 0, 8}, {0, 7, 8}, {7, 0, 8}, {1, 2, 14}};
        for (int[] o : overlaps) {
            c.add(new Bad(
                    "array range: src [" + o[0] + ", +" + o[2] + ") dst [" + o[1] + ", +" + o[2] + ") in one array",
                    IllegalArgumentException.class,
                    "partially overlap",
                    f -> {
                        float[] a = f.dstArray(16);
                        return () -> Gelu.apply(Form.ERF, a, o[0], a, o[1], o[2]);
                    }));
        }
        // ---- the element-wise method
        c.add(new Bad("float: null form", NullPointerException.class, "form", f -> () -> Gelu.apply(null, 1f)));
        return c;
    }

    private static void range(
            List<Bad> c, String name, int srcLen, int srcOff, int dstLen, int dstOff, int len, String message) {
        c.add(new Bad("array range: " + name, IndexOutOfBoundsException.class, message, f -> {
            float[] src = f.srcArray(srcLen), dst = f.dstArray(dstLen);
            return () -> Gelu.apply(Form.ERF, src, srcOff, dst, dstOff, len);
        }));
    }

    @TestFactory
    Stream<DynamicTest> badArgumentsAreRejectedBeforeAnythingIsWritten() {
        return cases().stream()
                .map(b -> dynamicTest(b.name(), () -> {
                    try (Fixture f = new Fixture()) {
                        Call call = b.setup().make(f);
                        Throwable e = assertThrows(b.type(), call::run, b.name());
                        assertEquals(b.type(), e.getClass(), b.name() + ": " + e);
                        assertTrue(
                                e.getMessage() != null && e.getMessage().contains(b.message()),
                                b.name() + ": message '" + e.getMessage() + "' lacks '" + b.message() + "'");
                        f.assertUntouched(b.name());
                    }
                }));
    }

    // ---------------------------------------------------------------- helpers

    private static MemorySegment closedSegment() {
        Arena a = Arena.ofConfined();
        MemorySegment s = a.allocate(32);
        a.close();
        return s;
    }

    /** Runs the call on a new thread and rethrows what it threw there. */
    private static void onAnotherThread(Call call) throws Throwable {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                call.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        t.join();
        if (thrown.get() != null) {
            throw thrown.get();
        }
    }
}
