package dev.gelu.hardening;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/**
 * Child JVM of {@link FirstUseRaceTest}: {@value #THREADS} threads released at once make the
 * very first calls of this JVM, each through a different entry point, so backend choice and
 * library loading race. Afterwards one thread recomputes everything and compares bits.
 * Prints {@code backend=}, {@code isa=}, {@code checked=}; exit code 0 only if all agree.
 */
public final class FirstUseRaceMain {
    static final int THREADS = 16;
    private static final int N = 20_000;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private FirstUseRaceMain() {}

    /** One thread's outputs, per entry point and form; all of them must equal the reference. */
    private record Outputs(int thread, Form form, String entry, float[] y) {}

    public static void main(String[] args) throws Exception {
        float[] x = inputs();
        ConcurrentLinkedQueue<Outputs> results = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> backends = new ConcurrentLinkedQueue<>();
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        try (Arena shared = Arena.ofShared()) {
            // made before the race, without touching the library: plain FFM only
            MemorySegment src = shared.allocate(4L * N, 64);
            MemorySegment.copy(x, 0, src, F, 0, N);
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                Thread th = new Thread(
                        () -> {
                            try {
                                ready.countDown();
                                go.await();
                                for (int round = 0; round < 5; round++) {
                                    for (int e = 0; e < 5; e++) {
                                        int entry = (id + e) % 5; // every thread starts at another entry point
                                        Form form = Form.values()[(id + round + e) % Form.values().length];
                                        results.add(new Outputs(id, form, ENTRIES[entry], call(entry, form, x, src)));
                                    }
                                }
                                backends.add(Gelu.backend() + "/" + Gelu.isa());
                            } catch (Throwable e) {
                                failures.add(e);
                            }
                        },
                        "first-use-" + t);
                threads.add(th);
                th.start();
            }
            ready.await();
            go.countDown();
            for (Thread th : threads) {
                th.join();
            }
        }
        if (!failures.isEmpty()) {
            System.err.println(failures.size() + " threads failed");
            failures.peek().printStackTrace();
            System.exit(2);
        }
        // single-threaded: the element-wise method and the array method, both after the race
        float[][] want = new float[Form.values().length][N];
        for (Form form : Form.values()) {
            for (int i = 0; i < N; i++) {
                want[form.ordinal()][i] = Gelu.apply(form, x[i]);
            }
            float[] again = new float[N];
            Gelu.apply(form, x, again);
            int bad = firstDifference(want[form.ordinal()], again);
            if (bad >= 0) {
                System.err.println("single-threaded array call differs from Gelu.apply(float) at " + bad);
                System.exit(1);
            }
        }
        int checked = 0;
        for (Outputs o : results) {
            int bad = firstDifference(want[o.form().ordinal()], o.y());
            if (bad >= 0) {
                System.err.printf(
                        "thread %d %s %s: x=%08x want %08x got %08x at %d%n",
                        o.thread(),
                        o.entry(),
                        o.form(),
                        Float.floatToRawIntBits(x[bad]),
                        Float.floatToRawIntBits(want[o.form().ordinal()][bad]),
                        Float.floatToRawIntBits(o.y()[bad]),
                        bad);
                System.exit(1);
            }
            checked++;
        }
        if (checked != THREADS * 25 || backends.stream().distinct().count() != 1) {
            System.err.println("checked " + checked + " outputs; backends seen: " + backends);
            System.exit(1);
        }
        System.out.println("backend=" + Gelu.backend());
        System.out.println("isa=" + Gelu.isa());
        System.out.println("checked=" + checked);
    }

    private static final String[] ENTRIES = {"arrays", "array-ranges", "off-heap", "heap-segment", "in-place"};

    private static float[] call(int entry, Form form, float[] x, MemorySegment sharedSrc) {
        float[] y = new float[N];
        switch (entry) {
            case 0 -> Gelu.apply(form, x, y);
            case 1 -> {
                float[] big = new float[N + 7];
                Gelu.apply(form, x, 0, big, 7, N);
                System.arraycopy(big, 7, y, 0, N);
            }
            case 2 -> {
                try (Arena mine = Arena.ofConfined()) {
                    MemorySegment dst = mine.allocate(4L * N);
                    Gelu.apply(form, sharedSrc, dst);
                    MemorySegment.copy(dst, F, 0, y, 0, N);
                }
            }
            case 3 -> Gelu.apply(form, MemorySegment.ofArray(x), MemorySegment.ofArray(y));
            default -> {
                try (Arena mine = Arena.ofConfined()) {
                    MemorySegment buf = mine.allocate(4L * N);
                    MemorySegment.copy(sharedSrc, 0, buf, 0, 4L * N);
                    Gelu.apply(form, buf, buf);
                    MemorySegment.copy(buf, F, 0, y, 0, N);
                }
            }
        }
        return y;
    }

    private static int firstDifference(float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                return i;
            }
        }
        return -1;
    }

    private static float[] inputs() {
        SplittableRandom rnd = new SplittableRandom(2024);
        float[] specials = {
            0f,
            -0f,
            Float.NaN,
            Float.intBitsToFloat(0x7fa00001),
            Float.intBitsToFloat(0xffc12345),
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.MAX_VALUE,
            -Float.MAX_VALUE,
            Float.MIN_NORMAL,
            -1e-40f
        };
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            int kind = rnd.nextInt(8);
            x[i] = kind == 0
                    ? specials[rnd.nextInt(specials.length)]
                    : kind == 1 ? Float.intBitsToFloat(rnd.nextInt()) : (float) (rnd.nextDouble() * 20 - 10);
        }
        return x;
    }
}
