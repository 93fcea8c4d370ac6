package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.internal.GeluKernels;
import dev.gelu.internal.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A parallel call never outlives its work: whatever the executor does with the pieces (reject,
 * discard, run late), the call returns only after every piece has stopped, with every result
 * written, and throws the first failure only after all pieces have stopped.
 */
class ParallelReliabilityTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final int N = 4 * 65536 + 123; // four pieces of at least 32768 floats
    private static final List<TestData.Golden> GOLDEN = TestData.golden();

    /** The MPFR golden inputs, repeated to N floats. */
    private static MemorySegment inputs(Arena arena) {
        MemorySegment s = arena.allocate(4L * N);
        for (int i = 0; i < N; i++) {
            s.setAtIndex(F, i, GOLDEN.get(i % GOLDEN.size()).x());
        }
        return s;
    }

    /** Asserts every float of dst is the golden (MPFR) value of its input. */
    private static void assertGolden(Form form, MemorySegment dst) {
        for (int i = 0; i < N; i++) {
            float want = GOLDEN.get(i % GOLDEN.size()).of(form);
            float got = dst.getAtIndex(F, i);
            if (!(Float.isNaN(want) && Float.isNaN(got))
                    && Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
                throw new AssertionError(form + " element " + i + ": " + got + ", correctly rounded " + want);
            }
        }
    }

    /** Runs the first task it is given on its own thread after a delay, rejects every other one. */
    private static final class AcceptOneLate implements Executor {
        final CountDownLatch finished = new CountDownLatch(1);
        final AtomicInteger rejected = new AtomicInteger();
        private boolean accepted;

        @Override
        public synchronized void execute(Runnable task) {
            if (accepted) {
                rejected.incrementAndGet();
                throw new RejectedExecutionException("full");
            }
            accepted = true;
            Thread t = new Thread(() -> {
                sleep(400);
                task.run();
                finished.countDown();
            });
            t.setDaemon(true);
            t.start();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void rejectedPiecesRunOnTheCallerAndNothingIsWrittenAfterTheCall() throws InterruptedException {
        for (Form form : Form.values()) {
            AcceptOneLate executor = new AcceptOneLate();
            try (Arena arena = Arena.ofShared()) {
                MemorySegment src = inputs(arena);
                MemorySegment dst = arena.allocate(4L * N);
                Gelu.apply(form, src, dst, executor, 4); // used to throw RejectedExecutionException
                assertEquals(2, executor.rejected.get(), "the executor saw the other two pieces");
                assertGolden(form, dst);
                // the accepted piece, run late by the executor, must not write anything now
                dst.fill((byte) 0x55);
                assertTrue(executor.finished.await(30, TimeUnit.SECONDS));
                for (long i = 0; i < N; i++) {
                    assertEquals(
                            0x55555555, dst.getAtIndex(ValueLayout.JAVA_INT, i), "written after the call, at " + i);
                }
            }
        }
    }

    /** Kernels that count, inside the call, the pieces started and finished on other threads. */
    private static class Counting implements GeluKernels {
        final Thread caller = Thread.currentThread();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();

        @Override
        public String name() {
            return "test";
        }

        @Override
        public String isa() {
            return "test";
        }

        @Override
        public void forward(Form form, Accuracy accuracy, MemorySegment src, MemorySegment dst, long count) {
            if (Thread.currentThread() == caller) {
                onCaller();
                return;
            }
            started.incrementAndGet();
            sleep(300);
            finished.incrementAndGet();
        }

        @Override
        public void forward(Form form, Storage in, Storage out, MemorySegment src, MemorySegment dst, long count) {
            throw new UnsupportedOperationException("a float32 test double");
        }

        /** The calling thread's part; by default it waits until the others have started. */
        void onCaller() {
            awaitStarted(3);
        }

        void awaitStarted(int n) {
            for (int i = 0; i < 10_000 && started.get() < n; i++) {
                sleep(1);
            }
        }
    }

    private static final Executor THREADS = task -> {
        Thread t = new Thread(task);
        t.setDaemon(true);
        t.start();
    };

    @Test
    void anAcceptedPieceThatStartedIsWaitedFor() {
        Counting k = new Counting();
        MemorySegment s = MemorySegment.ofArray(new float[N]);
        Parallel.apply(
                (a, b, n) -> k.forward(Form.ERF, Accuracy.CORRECTLY_ROUNDED, a, b, n), s, 4, s, 4, N, THREADS, 4);
        assertEquals(3, k.started.get());
        assertEquals(3, k.finished.get(), "the call returned before the other pieces had stopped");
    }

    @Test
    void aDiscardingExecutorDoesNotHangTheCall() {
        // one thread, kept busy, and a queue of one: every other task is silently discarded
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1), new ThreadPoolExecutor.DiscardPolicy());
        CountDownLatch release = new CountDownLatch(1);
        try (Arena arena = Arena.ofShared()) {
            pool.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            pool.execute(() -> {}); // fills the queue
            MemorySegment src = inputs(arena);
            MemorySegment dst = arena.allocate(4L * N);
            // a hang guard, not a timing assertion: on a discarding executor the old code never returned
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Gelu.apply(Form.ERF, src, dst, pool, 4));
            assertGolden(Form.ERF, dst);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void anErrorOnTheCallingThreadWaitsForTheOtherPieces() {
        for (Throwable failure : new Throwable[] {new StackOverflowError("test"), new IllegalStateException("test")}) {
            Counting k = new Counting() {
                @Override
                void onCaller() {
                    awaitStarted(3); // every other piece is under way on its thread
                    if (failure instanceof Error e) {
                        throw e;
                    }
                    throw (RuntimeException) failure;
                }
            };
            MemorySegment s = MemorySegment.ofArray(new float[N]);
            Throwable thrown = assertThrows(
                    Throwable.class,
                    () -> Parallel.apply(
                            (a, b, n) -> k.forward(Form.ERF, Accuracy.CORRECTLY_ROUNDED, a, b, n),
                            s,
                            4,
                            s,
                            4,
                            N,
                            THREADS,
                            4));
            assertSame(failure, thrown, "the caller's own failure, as it was");
            assertEquals(3, k.started.get());
            assertEquals(3, k.finished.get(), "the call threw before the other pieces had stopped");
        }
    }

    @Test
    void aFailingPieceIsThrownAfterTheOthersStop() {
        AtomicInteger finished = new AtomicInteger();
        RuntimeException boom = new IllegalStateException("piece failed");
        GeluKernels k = new GeluKernels() {
            final AtomicInteger calls = new AtomicInteger();

            @Override
            public String name() {
                return "test";
            }

            @Override
            public String isa() {
                return "test";
            }

            @Override
            public void forward(Form form, Storage in, Storage out, MemorySegment src, MemorySegment dst, long count) {
                throw new UnsupportedOperationException("a float32 test double");
            }

            @Override
            public void forward(Form form, Accuracy accuracy, MemorySegment src, MemorySegment dst, long count) {
                if (calls.incrementAndGet() == 1) {
                    throw boom; // the first piece to start fails at once
                }
                sleep(300);
                finished.incrementAndGet();
            }
        };
        MemorySegment s = MemorySegment.ofArray(new float[N]);
        RuntimeException thrown = assertThrows(
                RuntimeException.class,
                () -> Parallel.apply(
                        (a, b, n) -> k.forward(Form.ERF, Accuracy.CORRECTLY_ROUNDED, a, b, n),
                        s,
                        4,
                        s,
                        4,
                        N,
                        THREADS,
                        4));
        assertSame(boom, thrown);
        assertEquals(3, finished.get(), "the failure was thrown while other pieces were still running");
    }

    @Test
    void anInterruptDoesNotCutTheWaitShort() {
        Counting k = new Counting() {
            @Override
            void onCaller() {
                awaitStarted(3);
                Thread.currentThread().interrupt();
            }
        };
        MemorySegment s = MemorySegment.ofArray(new float[N]);
        Parallel.apply(
                (a, b, n) -> k.forward(Form.ERF, Accuracy.CORRECTLY_ROUNDED, a, b, n), s, 4, s, 4, N, THREADS, 4);
        assertTrue(Thread.interrupted(), "the interrupt status is kept");
        assertEquals(3, k.finished.get(), "an interrupt cut the wait short");
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
