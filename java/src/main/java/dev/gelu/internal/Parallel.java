package dev.gelu.internal;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Splits one checked call into contiguous pieces run on an executor and the calling thread.
 *
 * <p>The call never outlives its work and never depends on the executor: each piece is
 * claimed exactly once, by whichever thread gets to it first; after its own piece the calling
 * thread claims and runs every piece nobody has started (one the executor rejected, discarded
 * or has not reached yet), then waits for the pieces others started, interrupts
 * notwithstanding. Only when every piece has stopped does it return, or throw the first
 * failure (an exception or an error, from any thread, the calling one included).
 */
public final class Parallel {
    private Parallel() {}

    /** Pieces start on 64-byte boundaries (of 2-byte outputs too), so two threads never write one cache line. */
    private static final long ALIGN = 32;
    /** Below this many floats per piece, a thread costs more than it saves. */
    private static final long MIN_PIECE = 1 << 15;
    /** An unstarted thread: a segment it cannot access is confined to its owner. */
    private static final Thread OTHER = new Thread(() -> {});

    /** Fails, before anything runs, when another thread could not touch a segment. */
    public static void checkShareable(MemorySegment s, String name) {
        if (!s.isAccessibleBy(OTHER)) {
            throw new WrongThreadException(name + " is confined to one thread; a parallel call needs a heap segment "
                    + "or one from a shared, global or automatic arena");
        }
    }

    /** The work of one piece: the operation on a slice of the source and the destination. */
    @FunctionalInterface
    public interface Work {
        void run(MemorySegment src, MemorySegment dst, long count);
    }

    /** One contiguous piece; run at most once, by the first thread that claims it. */
    private static final class Piece implements Runnable {
        private final Work k;
        private final MemorySegment src;
        private final MemorySegment dst;
        private final long n;
        private final AtomicReference<Throwable> failure;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CountDownLatch done = new CountDownLatch(1);

        Piece(
                Work k,
                MemorySegment src,
                int srcBytes,
                MemorySegment dst,
                int dstBytes,
                long start,
                long n,
                AtomicReference<Throwable> failure) {
            this.k = k;
            this.src = src.asSlice(srcBytes * start, srcBytes * n);
            this.dst = dst.asSlice(dstBytes * start, dstBytes * n);
            this.n = n;
            this.failure = failure;
        }

        @Override
        public void run() {
            if (!claimed.compareAndSet(false, true)) {
                return; // another thread has it
            }
            try {
                k.run(src, dst, n);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                done.countDown();
            }
        }

        /** Waits until the piece has stopped, if a thread claimed it; true if interrupted meanwhile. */
        boolean awaitUninterruptibly() {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    return interrupted;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
    }

    /**
     * Runs {@code k} on pieces of {@code count} elements of {@code srcBytes} bytes in and
     * {@code dstBytes} bytes out.
     */
    public static void apply(
            Work k,
            MemorySegment src,
            int srcBytes,
            MemorySegment dst,
            int dstBytes,
            long count,
            Executor executor,
            int parallelism) {
        long pieces = Math.max(1, Math.min(parallelism, count / MIN_PIECE));
        long step = (count / pieces + ALIGN - 1) / ALIGN * ALIGN;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int others = (int) ((count - 1) / step); // pieces after the first
        Piece[] piece = new Piece[others + 1];
        for (int i = 0; i <= others; i++) {
            long start = i * step;
            piece[i] = new Piece(k, src, srcBytes, dst, dstBytes, start, Math.min(step, count - start), failure);
        }
        for (int i = 1; i <= others; i++) {
            try {
                executor.execute(piece[i]);
            } catch (Throwable rejected) {
                // RejectedExecutionException or worse: the calling thread runs the piece below
            }
        }
        // the calling thread's own piece, then every piece no thread has started yet
        for (Piece p : piece) {
            p.run();
        }
        boolean interrupted = false;
        for (Piece p : piece) {
            interrupted |= p.awaitUninterruptibly();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("a parallel GELU piece failed", t);
        }
    }
}
