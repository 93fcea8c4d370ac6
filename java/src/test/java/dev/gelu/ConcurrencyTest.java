package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Many threads on shared inputs and their own outputs get the single-threaded bits. */
class ConcurrencyTest {
    @Test
    void concurrentCallsAgreeWithTheSingleThreadedResult() throws Exception {
        float[] x = TestData.inputs(50_000, 99);
        Form[] forms = Form.values();
        float[][] wants = new float[forms.length][x.length];
        for (Form form : forms) {
            for (int i = 0; i < x.length; i++) {
                wants[form.ordinal()][i] = Gelu.apply(form, x[i]);
            }
        }
        int threads = 16;
        CountDownLatch start = new CountDownLatch(1);
        try (Arena shared = Arena.ofShared();
                ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            MemorySegment src = shared.allocateFrom(ValueLayout.JAVA_FLOAT, x);
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                jobs.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 20; round++) {
                        Form form = forms[(id + round) % forms.length];
                        float[] want = wants[form.ordinal()];
                        float[] heap = new float[x.length];
                        Gelu.apply(form, x, heap);
                        assertArrayEquals(want, heap);
                        try (Arena mine = Arena.ofConfined()) {
                            MemorySegment dst = mine.allocate(src.byteSize());
                            Gelu.apply(form, src, dst);
                            assertArrayEquals(want, dst.toArray(ValueLayout.JAVA_FLOAT));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : jobs) {
                f.get();
            }
        }
    }
}
