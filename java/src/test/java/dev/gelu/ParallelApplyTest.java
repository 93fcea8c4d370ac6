package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The parallel overload: the single-threaded bits, and confined segments refused up front. */
class ParallelApplyTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Test
    void sameBitsAsOneThread() {
        float[] x = TestData.inputs(1_000_003, 5);
        try (ExecutorService pool = Executors.newFixedThreadPool(3);
                Arena arena = Arena.ofShared()) {
            MemorySegment src = arena.allocateFrom(F, x);
            for (Form form : Form.values()) {
                float[] want = new float[x.length];
                Gelu.apply(form, x, want);
                for (int parallelism : new int[] {1, 2, 4, 7}) {
                    MemorySegment dst = arena.allocate(src.byteSize());
                    Gelu.apply(form, src, dst, pool, parallelism);
                    assertArrayEquals(want, dst.toArray(F), form + " parallelism " + parallelism);
                    // heap segments and in place
                    float[] z = x.clone();
                    MemorySegment h = MemorySegment.ofArray(z);
                    Gelu.apply(form, h, h, pool, parallelism);
                    assertArrayEquals(want, z, form + " heap in place, parallelism " + parallelism);
                }
            }
        }
    }

    @Test
    void confinedSegmentsAreRefusedBeforeAnythingIsWritten() {
        try (ExecutorService pool = Executors.newSingleThreadExecutor();
                Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(4L << 16);
            MemorySegment dst = arena.allocate(4L << 16);
            dst.fill((byte) 7);
            WrongThreadException e =
                    assertThrows(WrongThreadException.class, () -> Gelu.apply(Form.ERF, src, dst, pool, 2));
            assertTrue(e.getMessage().contains("confined"), e.getMessage());
            assertEquals(0x07070707, dst.get(ValueLayout.JAVA_INT, 1000));
            Gelu.apply(Form.ERF, src, dst, pool, 1); // one piece runs on the calling thread
        }
    }

    @Test
    void badParallelism() {
        try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
            MemorySegment s = MemorySegment.ofArray(new float[4]);
            assertThrows(IllegalArgumentException.class, () -> Gelu.apply(Form.ERF, s, s, pool, 0));
            assertThrows(NullPointerException.class, () -> Gelu.apply(Form.ERF, s, s, null, 2));
        }
    }
}
