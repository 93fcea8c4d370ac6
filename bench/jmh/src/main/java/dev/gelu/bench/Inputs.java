package dev.gelu.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** The benchmarks' inputs, fixed seed: the C bench's default x ~ N(0, 1), or x uniform in [-8, 8]. */
final class Inputs {
    private Inputs() {}

    private static final long SEED = 42;

    static float[] array(int n) {
        return array(n, "normal");
    }

    /** n inputs: "normal" N(0, 1) (Box-Muller: pre-activations look roughly normal) or "uniform8". */
    static float[] array(int n, String dist) {
        SplittableRandom random = new SplittableRandom(SEED);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (dist.equals("uniform8") ? random.nextDouble(-8, 8)
                    : Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return a;
    }

    static void fill(MemorySegment segment, int n) {
        fill(segment, n, "normal");
    }

    static void fill(MemorySegment segment, int n, String dist) {
        MemorySegment.copy(array(n, dist), 0, segment, ValueLayout.JAVA_FLOAT, 0, n);
    }

    /** n floats, 64-byte aligned as in the C bench, so that both time the same memory layout. */
    static MemorySegment allocate(Arena arena, int n) {
        return arena.allocate(4L * n, 64);
    }
}
