package dev.gelu.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** The inputs every benchmark uses: the C bench's default distribution, x ~ N(0, 1), fixed seed. */
final class Inputs {
    private Inputs() {}

    private static final long SEED = 42;

    static float[] array(int n) {
        SplittableRandom random = new SplittableRandom(SEED);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller: pre-activations look roughly normal
            a[i] = (float) (Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble()));
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
