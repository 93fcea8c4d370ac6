package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments get a clear exception before anything is written. */
class ArgumentChecksTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final float UNTOUCHED = 42f;

    private static MemorySegment filled(Arena arena, int n, float v) {
        MemorySegment s = arena.allocate(4L * n);
        for (int i = 0; i < n; i++) {
            s.setAtIndex(F, i, v);
        }
        return s;
    }

    private static <T extends Throwable> void rejects(
            Class<T> type, String message, MemorySegment dst, Executable call) {
        T e = assertThrows(type, call);
        assertTrue(e.getMessage().contains(message), "message '" + e.getMessage() + "' lacks '" + message + "'");
        if (dst != null && dst.scope().isAlive() && dst.isAccessibleBy(Thread.currentThread())) {
            for (long i = 0; i < dst.byteSize() / 4; i++) {
                assertEquals(UNTOUCHED, dst.getAtIndex(F, i), "dst written at " + i);
            }
        }
    }

    @Test
    void sizeMismatch() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = filled(arena, 9, UNTOUCHED);
            rejects(
                    IllegalArgumentException.class,
                    "size mismatch",
                    dst,
                    () -> Gelu.apply(Form.ERF, filled(arena, 10, 1f), dst));
        }
        float[] d = {UNTOUCHED};
        rejects(IllegalArgumentException.class, "size mismatch", null, () -> Gelu.apply(Form.ERF, new float[2], d));
        assertEquals(UNTOUCHED, d[0]);
    }

    @Test
    void notWholeFloats() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(10);
            rejects(
                    IllegalArgumentException.class,
                    "not a whole number of float32",
                    null,
                    () -> Gelu.apply(Form.ERF, arena.allocate(10), dst));
        }
    }

    @Test
    void readOnlyDestination() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = filled(arena, 8, UNTOUCHED);
            rejects(
                    IllegalArgumentException.class,
                    "read-only",
                    dst,
                    () -> Gelu.apply(Form.TANH, filled(arena, 8, 1f), dst.asReadOnly()));
        }
    }

    @Test
    void closedArena() {
        Arena closed = Arena.ofConfined();
        MemorySegment gone = closed.allocate(32);
        closed.close();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = filled(arena, 8, UNTOUCHED);
            rejects(IllegalStateException.class, "closed", dst, () -> Gelu.apply(Form.ERF, gone, dst));
            rejects(IllegalStateException.class, "closed", null, () -> Gelu.apply(Form.ERF, dst, gone));
        }
    }

    @Test
    void confinedToAnotherThread() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = filled(arena, 8, 1f);
            MemorySegment dst = filled(arena, 8, UNTOUCHED);
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> Gelu.apply(Form.ERF, src, dst));
            ExecutionException e = assertThrows(ExecutionException.class, other::get);
            assertTrue(
                    e.getCause() instanceof WrongThreadException, e.getCause().toString());
            assertTrue(e.getCause().getMessage().contains("confined to another thread"));
            assertEquals(UNTOUCHED, dst.getAtIndex(F, 0));
        }
    }

    @Test
    void partialOverlapIsRejectedButInPlaceWorks() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = filled(arena, 16, UNTOUCHED);
            rejects(
                    IllegalArgumentException.class,
                    "partially overlap",
                    all,
                    () -> Gelu.apply(Form.ERF, all.asSlice(0, 32), all.asSlice(4, 32)));
            MemorySegment same = all.asSlice(8, 32);
            Gelu.apply(Form.ERF, same, same);
            assertEquals(Gelu.apply(Form.ERF, UNTOUCHED), same.getAtIndex(F, 0));
        }
        float[] a = new float[16];
        java.util.Arrays.fill(a, UNTOUCHED);
        rejects(IllegalArgumentException.class, "partially overlap", null, () -> Gelu.apply(Form.ERF, a, 0, a, 3, 8));
        float[] copy = new float[16];
        java.util.Arrays.fill(copy, UNTOUCHED);
        assertArrayEquals(copy, a);
        // heap segments over one array: the same check
        MemorySegment h = MemorySegment.ofArray(a);
        rejects(
                IllegalArgumentException.class,
                "partially overlap",
                null,
                () -> Gelu.apply(Form.ERF, h.asSlice(0, 32), h.asSlice(8, 32)));
    }

    @Test
    void arrayRanges() {
        float[] src = new float[10];
        float[] dst = new float[10];
        assertThrows(IndexOutOfBoundsException.class, () -> Gelu.apply(Form.ERF, src, -1, dst, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Gelu.apply(Form.ERF, src, 0, dst, 9, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Gelu.apply(Form.ERF, src, 0, dst, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> Gelu.apply(Form.ERF, src, 5, dst, 0, 6));
    }

    @Test
    void nulls() {
        float[] a = new float[1];
        assertThrows(NullPointerException.class, () -> Gelu.apply(null, a, a));
        assertThrows(NullPointerException.class, () -> Gelu.apply(Form.ERF, (float[]) null, a));
        assertThrows(NullPointerException.class, () -> Gelu.apply(Form.ERF, a, null));
        assertThrows(NullPointerException.class, () -> Gelu.apply(Form.ERF, (MemorySegment) null, MemorySegment.NULL));
        assertThrows(NullPointerException.class, () -> Gelu.apply(null, 1f));
    }

    @Test
    void emptyInputsAreFine() {
        Gelu.apply(Form.ERF, new float[0], new float[0]);
        Gelu.apply(Form.TANH, MemorySegment.ofArray(new float[0]), MemorySegment.ofArray(new float[0]));
    }
}
