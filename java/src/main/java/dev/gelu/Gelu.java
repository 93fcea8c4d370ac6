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
 * <p>An instance is one point of the library's space, a {@link Form} and an {@link Accuracy}:
 * {@code Gelu.of(Form.ERF)} is correctly rounded, {@code Gelu.of(Form.ERF, Accuracy.FAITHFUL)}
 * faithful. Instances are immutable, cached and free to share. The static methods
 * ({@code Gelu.apply(Form.ERF, src, dst)} and the like) are shortcuts for the correctly rounded
 * instances.
 *
 * <h2>Accuracy</h2>
 * {@link Accuracy#CORRECTLY_ROUNDED} (the default): for every float input, the float nearest to
 * the exact mathematical value (round to nearest, ties to even). {@link Accuracy#FAITHFUL}: one
 * of the two floats around it. {@link Form#ERF} is {@code x/2·erfc(−x/√2)}, {@link Form#TANH} is
 * {@code x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} with both constants taken as exact real
 * numbers. Special values in both accuracies: NaN → NaN, +∞ → +∞, −∞ → −0, ±0 → ±0; the
 * negative tail is exact down to the subnormal range, and a zero result keeps the sign of x.
 * Each accuracy is one operation sequence, so the native (AVX-512, AVX2, scalar C), Vector
 * API and scalar Java backends return the same bits: results never depend on the machine or on
 * which backend ran.
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
    private static final Gelu[] INSTANCES = new Gelu[Form.values().length * Accuracy.values().length];

    static {
        for (Form f : Form.values()) {
            for (Accuracy a : Accuracy.values()) {
                INSTANCES[index(f, a)] = new Gelu(f, a);
            }
        }
    }

    private final Form form;
    private final Accuracy accuracy;

    private Gelu(Form form, Accuracy accuracy) {
        this.form = form;
        this.accuracy = accuracy;
    }

    private static int index(Form form, Accuracy accuracy) {
        return form.ordinal() * Accuracy.values().length + accuracy.ordinal();
    }

    /**
     * The correctly rounded GELU of the given form.
     *
     * @param form the GELU definition
     * @return the shared instance
     */
    public static Gelu of(Form form) {
        return of(form, Accuracy.CORRECTLY_ROUNDED);
    }

    /**
     * The GELU of the given form and accuracy.
     *
     * @param form the GELU definition
     * @param accuracy what each result promises
     * @return the shared instance
     */
    public static Gelu of(Form form, Accuracy accuracy) {
        Objects.requireNonNull(form, "form");
        Objects.requireNonNull(accuracy, "accuracy");
        return INSTANCES[index(form, accuracy)];
    }

    /**
     * The GELU definition of this instance.
     *
     * @return the form
     */
    public Form form() {
        return form;
    }

    /**
     * The accuracy of this instance.
     *
     * @return the accuracy
     */
    public Accuracy accuracy() {
        return accuracy;
    }

    /**
     * Applies GELU to every float of {@code src} and writes the results to {@code dst}.
     *
     * @param src the inputs, float32 in native byte order
     * @param dst the outputs: {@code src} itself or a segment of the same size that does not
     *     overlap it
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a size is not a multiple of 4 bytes, the sizes differ,
     *     {@code dst} is read-only, or the segments partially overlap
     * @throws IllegalStateException if a segment's arena is closed
     * @throws WrongThreadException if a segment is confined to another thread
     */
    public void apply(MemorySegment src, MemorySegment dst) {
        long count = Checks.segments(src, dst);
        if (count == 1) {
            // one element inline: the generic small-call loop costs 2 ns of a 12 ns call
            float x = src.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0);
            dst.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 0, GeluMath.forward(form, accuracy, x));
        } else if (count > 0) {
            kernels(count).forward(form, accuracy, src, dst, count);
        }
    }

    /**
     * Applies GELU to every element of {@code src} and writes the results to {@code dst}.
     *
     * @param src the inputs
     * @param dst the outputs, {@code src} itself or an array of the same length
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the lengths differ
     */
    public void apply(float[] src, float[] dst) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        if (src.length != dst.length) {
            throw new IllegalArgumentException(
                    "size mismatch: src has " + src.length + " floats, dst has " + dst.length);
        }
        apply(src, 0, dst, 0, src.length);
    }

    /**
     * Applies GELU to {@code src[srcOffset .. srcOffset+length)}, writing
     * {@code dst[dstOffset .. dstOffset+length)}. The ranges may be identical (in place) but
     * must not partially overlap.
     *
     * @param src the input array
     * @param srcOffset the first input
     * @param dst the output array
     * @param dstOffset the first output
     * @param length the number of elements
     * @throws NullPointerException if an array is null
     * @throws IndexOutOfBoundsException if a range is outside its array
     * @throws IllegalArgumentException if the ranges partially overlap
     */
    public void apply(float[] src, int srcOffset, float[] dst, int dstOffset, int length) {
        Checks.arrays(src, srcOffset, dst, dstOffset, length);
        if (length > 0) {
            kernels(length).forward(form, accuracy, src, srcOffset, dst, dstOffset, length);
        }
    }

    /**
     * Like {@link #apply(MemorySegment, MemorySegment)}, with up to {@code parallelism}
     * threads: the calling thread and tasks submitted to {@code executor}, each on a contiguous
     * piece of at least 32768 floats that starts on a 64-byte boundary. The call returns (or
     * throws the first failure) only when every piece has stopped, and does not depend on the
     * executor: a piece it rejects, discards or has not started yet is run by the calling
     * thread. The results are the same bits as a single-threaded call. Nothing is
     * parallel unless asked for: the other methods never start or use another thread.
     *
     * <p>The executor's threads must be able to access both segments: heap segments and
     * segments of shared, global or automatic arenas work; a confined segment is rejected up
     * front with a {@link WrongThreadException}.
     *
     * @param src the inputs
     * @param dst the outputs
     * @param executor runs the pieces other than the calling thread's
     * @param parallelism the most pieces to run at once, at least 1; use the number of cores
     *     the call may take, e.g. {@code Runtime.getRuntime().availableProcessors()}
     * @throws IllegalArgumentException if {@code parallelism < 1}, or as the one-thread method
     */
    public void apply(MemorySegment src, MemorySegment dst, Executor executor, int parallelism) {
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
            GeluKernels k = Backends.get();
            Parallel.apply((s, d, n) -> k.forward(form, accuracy, s, d, n), src, dst, count, executor, parallelism);
        }
    }

    /**
     * GELU of one value; the same bits as the array methods.
     *
     * @param x the input
     * @return GELU(x) at this instance's accuracy
     */
    public float apply(float x) {
        return GeluMath.forward(form, accuracy, x);
    }

    @Override
    public String toString() {
        return "Gelu[" + form + ", " + accuracy + "]";
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

    // ---- the correctly rounded shortcuts

    /**
     * Correctly rounded GELU of every float of {@code src} into {@code dst}: the same as
     * {@code Gelu.of(form).apply(src, dst)}.
     *
     * @param form the GELU definition
     * @param src the inputs, float32 in native byte order
     * @param dst the outputs
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a size is not a multiple of 4 bytes, the sizes differ,
     *     {@code dst} is read-only, or the segments partially overlap
     * @throws IllegalStateException if a segment's arena is closed
     * @throws WrongThreadException if a segment is confined to another thread
     */
    public static void apply(Form form, MemorySegment src, MemorySegment dst) {
        of(form).apply(src, dst);
    }

    /**
     * Correctly rounded GELU of every element of {@code src} into {@code dst}: the same as
     * {@code Gelu.of(form).apply(src, dst)}.
     *
     * @param form the GELU definition
     * @param src the inputs
     * @param dst the outputs, {@code src} itself or an array of the same length
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the lengths differ
     */
    public static void apply(Form form, float[] src, float[] dst) {
        of(form).apply(src, dst);
    }

    /**
     * Correctly rounded GELU of an array range: the same as
     * {@code Gelu.of(form).apply(src, srcOffset, dst, dstOffset, length)}.
     *
     * @param form the GELU definition
     * @param src the input array
     * @param srcOffset the first input
     * @param dst the output array
     * @param dstOffset the first output
     * @param length the number of elements
     * @throws NullPointerException if an argument is null
     * @throws IndexOutOfBoundsException if a range is outside its array
     * @throws IllegalArgumentException if the ranges partially overlap
     */
    public static void apply(Form form, float[] src, int srcOffset, float[] dst, int dstOffset, int length) {
        of(form).apply(src, srcOffset, dst, dstOffset, length);
    }

    /**
     * Correctly rounded GELU on several threads: the same as
     * {@code Gelu.of(form).apply(src, dst, executor, parallelism)}.
     *
     * @param form the GELU definition
     * @param src the inputs
     * @param dst the outputs
     * @param executor runs the pieces other than the calling thread's
     * @param parallelism the most pieces to run at once, at least 1
     * @throws IllegalArgumentException if {@code parallelism < 1}, or as the one-thread method
     */
    public static void apply(Form form, MemorySegment src, MemorySegment dst, Executor executor, int parallelism) {
        of(form).apply(src, dst, executor, parallelism);
    }

    /**
     * Correctly rounded GELU of one value; the same bits as the array methods.
     *
     * @param form the GELU definition
     * @param x the input
     * @return GELU(x), correctly rounded
     */
    public static float apply(Form form, float x) {
        return of(form).apply(x);
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
     * The instruction set the backend runs.
     *
     * @return for native {@code "avx512"}, {@code "avx2"} or {@code "scalar"}; for the Vector
     *     API its vector width, such as {@code "512-bit"}; for scalar {@code "java"}
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
