package dev.gelu;

import dev.gelu.internal.Backends;
import dev.gelu.internal.Checks;
import dev.gelu.internal.GeluKernels;
import dev.gelu.internal.GeluMath;
import dev.gelu.internal.Parallel;
import dev.gelu.internal.ScalarKernels;
import dev.gelu.internal.Version;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * GELU activations for float32 data: {@code GELU(x) = x·Φ(x)} and its tanh approximation.
 *
 * <h2>Accuracy</h2>
 * Every method returns, for every float input, the float nearest to the exact mathematical
 * value (round to nearest, ties to even): {@link Form#ERF} is {@code x/2·erfc(−x/√2)},
 * {@link Form#TANH} is {@code x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} with both constants
 * taken as exact real numbers. Special values: NaN → NaN, +∞ → +∞, −∞ → −0, ±0 → ±0; the
 * negative tail is exact down to the subnormal range. Because every backend is correctly
 * rounded, the native (AVX-512, AVX2, scalar C), Vector API and scalar Java backends return
 * the same bits, so results never depend on the machine or on which backend ran.
 *
 * <h2>Backends</h2>
 * Chosen once, at first use: native through the Foreign Function &amp; Memory API when the
 * bundled library loads, else the Vector API when {@code jdk.incubator.vector} is readable,
 * else plain Java. {@code -Dgelu.backend=native|vector|scalar} forces one and fails loudly if
 * it cannot be used. Off-heap segments go to the native kernel without a copy; heap arrays go
 * through {@code Linker.Option.critical(true)} downcalls, also without a copy.
 *
 * <h2>Arguments and threads</h2>
 * All methods are thread-safe and keep no state. {@code src} and {@code dst} must have the
 * same length; {@code dst} may be {@code src} itself (in place) but must not partially overlap
 * it. Arguments are checked before anything is written: a rejected call leaves {@code dst}
 * untouched. Segments hold float32 in native byte order; any segment works: off-heap from any
 * arena, mapped files, heap segments.
 */
public final class Gelu {
    private Gelu() {}

    /** The two GELU definitions in use. */
    public enum Form {
        /** {@code x·Φ(x) = x/2·erfc(−x/√2)}: PyTorch's default, {@code approximate='none'}. */
        ERF,
        /** {@code x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))}: GPT-2, {@code approximate='tanh'}. */
        TANH
    }

    /**
     * Applies GELU to every float of {@code src} and writes the results to {@code dst}.
     *
     * @param form the GELU definition
     * @param src the input floats
     * @param dst where the results go; may be {@code src}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a size is not a multiple of 4 bytes, the sizes differ,
     *     {@code dst} is read-only, or the segments partially overlap
     * @throws IllegalStateException if a segment's arena is closed
     * @throws WrongThreadException if a segment is confined to another thread
     */
    public static void apply(Form form, MemorySegment src, MemorySegment dst) {
        Objects.requireNonNull(form, "form");
        long count = Checks.segments(src, dst);
        if (count == 1) {
            // one element inline: the generic small-call loop costs 2 ns of a 12 ns call
            float x = src.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0);
            dst.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 0, form == Form.ERF ? GeluMath.erf(x) : GeluMath.tanh(x));
        } else if (count > 0) {
            kernels(count).apply(form, src, dst, count);
        }
    }

    /**
     * Applies GELU to every element of {@code src} and writes the results to {@code dst}.
     *
     * @param form the GELU definition
     * @param src the input floats
     * @param dst where the results go; may be {@code src}
     * @throws IllegalArgumentException if the lengths differ
     */
    public static void apply(Form form, float[] src, float[] dst) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        if (src.length != dst.length) {
            throw new IllegalArgumentException(
                    "size mismatch: src has " + src.length + " floats, dst has " + dst.length);
        }
        apply(form, src, 0, dst, 0, src.length);
    }

    /**
     * Applies GELU to {@code src[srcOffset .. srcOffset+length)}, writing
     * {@code dst[dstOffset .. dstOffset+length)}. The ranges may be identical (in place) but
     * must not partially overlap.
     *
     * @param form the GELU definition
     * @param src the input array
     * @param srcOffset the index of the first input
     * @param dst the output array; may be {@code src}
     * @param dstOffset the index of the first output
     * @param length the number of floats
     * @throws IndexOutOfBoundsException if a range is outside its array
     * @throws IllegalArgumentException if the ranges partially overlap
     */
    public static void apply(Form form, float[] src, int srcOffset, float[] dst, int dstOffset, int length) {
        Objects.requireNonNull(form, "form");
        Checks.arrays(src, srcOffset, dst, dstOffset, length);
        if (length > 0) {
            kernels(length).apply(form, src, srcOffset, dst, dstOffset, length);
        }
    }

    /**
     * One or two elements cost less in Java (about 9 ns each) than a native call (about 20 ns
     * whatever the size, the kernel's fixed latency included): JMH's GeluSingleBench puts the
     * crossover between 2 and 4. Every backend returns the same bits, so the choice is free.
     */
    private static GeluKernels kernels(long count) {
        GeluKernels active = Backends.get();
        return count <= 2 ? SMALL_CALLS : active;
    }

    private static final GeluKernels SMALL_CALLS = new ScalarKernels();

    /**
     * Like {@link #apply(Form, MemorySegment, MemorySegment)}, with up to {@code parallelism}
     * threads: the calling thread and tasks submitted to {@code executor}, each on a contiguous
     * piece of at least 32768 floats that starts on a 64-byte boundary. The call returns when
     * every piece is done. The results are the same bits as a single-threaded call. Nothing is
     * parallel unless asked for: the other methods never start or use another thread.
     *
     * <p>The executor's threads must be able to access both segments: heap segments and
     * segments of shared, global or automatic arenas work; a confined segment is rejected up
     * front with a {@link WrongThreadException}.
     *
     * @param form the GELU definition
     * @param src the input floats
     * @param dst where the results go; may be {@code src}
     * @param executor runs the pieces other than the caller's
     * @param parallelism the most pieces to run at once, at least 1; use the number of cores
     *     the call may take, e.g. {@code Runtime.getRuntime().availableProcessors()}
     * @throws IllegalArgumentException if {@code parallelism < 1}, or as the one-thread method
     */
    public static void apply(Form form, MemorySegment src, MemorySegment dst, Executor executor, int parallelism) {
        Objects.requireNonNull(form, "form");
        Objects.requireNonNull(executor, "executor");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
        }
        long count = Checks.segments(src, dst);
        if (parallelism > 1) {
            Parallel.checkShareable(src, "src");
            Parallel.checkShareable(dst, "dst");
        }
        if (count > 0) {
            Parallel.apply(Backends.get(), form, src, dst, count, executor, parallelism);
        }
    }

    /**
     * GELU of one value; the same bits as the array methods.
     *
     * @param form the GELU definition
     * @param x the input
     * @return GELU(x), correctly rounded
     */
    public static float apply(Form form, float x) {
        Objects.requireNonNull(form, "form");
        return form == Form.ERF ? GeluMath.erf(x) : GeluMath.tanh(x);
    }

    /**
     * The backend in use.
     *
     * @return {@code "native"}, {@code "vector"} or {@code "scalar"}
     */
    public static String backend() {
        return Backends.get().name();
    }

    /**
     * The instruction set the backend runs: for native {@code "avx512"}, {@code "avx2"} or
     * {@code "scalar"}; for the Vector API its vector width, such as {@code "512-bit"}; for
     * scalar {@code "java"}.
     *
     * @return the instruction set, as above
     */
    public static String isa() {
        return Backends.get().isa();
    }

    /**
     * The library version.
     *
     * @return {@code MAJOR.MINOR.PATCH}
     */
    public static String version() {
        return Version.STRING;
    }
}
