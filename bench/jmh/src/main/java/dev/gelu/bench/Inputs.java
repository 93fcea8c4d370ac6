package dev.gelu.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** The inputs every benchmark uses: the C bench's distribution, x uniform in [-6, 6], fixed seed. */
final class Inputs {
    private Inputs() {}

    private static final long SEED = 42;

    static float[] array(int n) {
        SplittableRandom random = new SplittableRandom(SEED);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(-6, 6);
        }
        return a;
    }

    static void fill(MemorySegment segment, int n) {
        MemorySegment.copy(array(n), 0, segment, ValueLayout.JAVA_FLOAT, 0, n);
    }

    /** n floats, 64-byte aligned as in the C bench, so that both time the same memory layout. */
    static MemorySegment allocate(Arena arena, int n) {
        return arena.allocate(4L * n, 64);
    }
}
