package dev.gelu.internal;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/** Splits one checked call into contiguous pieces run on an executor and the calling thread. */
public final class Parallel {
    private Parallel() {}

    /** Pieces start on 64-byte boundaries, so two threads never write one cache line. */
    private static final long ALIGN = 16;
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

    /** One piece of the work: the operation on a slice of the source and the destination. */
    @FunctionalInterface
    public interface Piece {
        void run(MemorySegment src, MemorySegment dst, long count);
    }

    public static void apply(Piece k, MemorySegment src, MemorySegment dst, long count,
            Executor executor, int parallelism) {
        long pieces = Math.max(1, Math.min(parallelism, count / MIN_PIECE));
        long step = (count / pieces + ALIGN - 1) / ALIGN * ALIGN;
        List<CompletableFuture<Void>> others = new ArrayList<>();
        for (long from = step; from < count; from += step) {
            long start = from;
            long n = Math.min(step, count - start);
            others.add(CompletableFuture.runAsync(
                    () -> k.run(src.asSlice(4 * start, 4 * n), dst.asSlice(4 * start, 4 * n), n), executor));
        }
        long first = Math.min(step, count);
        RuntimeException failure = null;
        try {
            k.run(src.asSlice(0, 4 * first), dst.asSlice(0, 4 * first), first);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (CompletableFuture<Void> f : others) {
            try {
                f.join();
            } catch (CompletionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
