package dev.gelu;

import dev.gelu.internal.Backends;
import dev.gelu.internal.Checks;
import dev.gelu.internal.GeluKernels;
import dev.gelu.internal.GeluMath;
import dev.gelu.internal.HalfMath;
import dev.gelu.internal.Parallel;
import dev.gelu.internal.ScalarKernels;
import dev.gelu.internal.Version;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * GELU activations for float32, bf16 and f16 data: {@code GELU(x) = x·Φ(x)}, its tanh
 * approximation and the quick form {@code x·σ(1.702x)} ({@link Form}).
 *
 * <p>An instance is one point of the library's space, a {@link Form}, an {@link Accuracy} and
 * the {@link Storage} of its input and output: {@code Gelu.of(Form.ERF)} is correctly rounded
 * float32, {@code Gelu.of(Form.ERF, Accuracy.FAITHFUL)} faithful float32,
 * {@code Gelu.of(Form.TANH).storage(Storage.BF16)} bf16 in and out, and
 * {@code Gelu.of(Form.ERF).storage(Storage.F32, Storage.F16)} float32 in, f16 out. Instances
 * are immutable, cached and free to share. The static methods
 * ({@code Gelu.apply(Form.ERF, src, dst)} and the like) are shortcuts for the correctly
 * rounded float32 instances.
 *
 * <pre>{@code
 * Gelu bf16 = Gelu.of(Form.TANH).storage(Storage.BF16);
 * bf16.apply(activations, activations);          // a MemorySegment of bf16, in place
 * short[] out = new short[in.length];
 * bf16.apply(in, out);                           // short[] of bf16 bits
 * Gelu.of(Form.ERF).storage(Storage.F32, Storage.BF16).apply(floats, out);
 * }</pre>
 *
 * <h2>Accuracy</h2>
 * {@link Accuracy#CORRECTLY_ROUNDED} (the default): for every float input, the float nearest to
 * the exact mathematical value (round to nearest, ties to even). {@link Accuracy#FAITHFUL}: one
 * of the two floats around it. {@link Form#ERF} is {@code x/2·erfc(−x/√2)}, {@link Form#TANH} is
 * {@code x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} with both constants taken as exact real
 * numbers, {@link Form#QUICK} is {@code x·σ(1.702x)} with 1.702 exact (in every storage type and
 * accuracy, like the other forms). Special values in both accuracies: NaN → NaN, +∞ → +∞, −∞ → −0, ±0 → ±0; the
 * negative tail is exact down to the subnormal range, and a zero result keeps the sign of x.
 * A 16-bit output is always correctly rounded, straight to its format (the exact value rounded
 * once, never through a float32 result), subnormals included; a 16-bit NaN result is quiet and
 * keeps the sign and the top payload bits; float32 inputs beyond f16's range give ±∞ in f16.
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
 * untouched. Segments hold the instance's storage type in native byte order (16-bit values as
 * raw bits); any segment works: off-heap from any arena, mapped files, heap segments. A
 * narrowing instance (float32 in, 16-bit out) may write over its input (in place: {@code dst}
 * starts where {@code src} does and holds half its bytes). An array method whose element
 * types do not fit the instance's storage throws {@link IllegalArgumentException}.
 */
public final class Gelu {
    private static final Gelu[] INSTANCES = new Gelu
            [Form.values().length * Accuracy.values().length * Storage.values().length * Storage.values().length];

    static {
        for (Form f : Form.values()) {
            for (Accuracy a : Accuracy.values()) {
                for (Storage in : Storage.values()) {
                    for (Storage out : Storage.values()) {
                        if (supported(a, in, out)) {
                            INSTANCES[index(f, a, in, out)] = new Gelu(f, a, in, out);
                        }
                    }
                }
            }
        }
    }

    private final Form form;
    private final Accuracy accuracy;
    private final Storage in;
    private final Storage out;

    private Gelu(Form form, Accuracy accuracy, Storage in, Storage out) {
        this.form = form;
        this.accuracy = accuracy;
        this.in = in;
        this.out = out;
    }

    private static int index(Form form, Accuracy accuracy, Storage in, Storage out) {
        return ((form.ordinal() * Accuracy.values().length + accuracy.ordinal()) * Storage.values().length
                                + in.ordinal())
                        * Storage.values().length
                + out.ordinal();
    }

    /** Same type in and out, or float32 in and 16-bit out; faithful for float32 only. */
    private static boolean supported(Accuracy accuracy, Storage in, Storage out) {
        boolean shape = in == out || in == Storage.F32;
        return shape && (accuracy == Accuracy.CORRECTLY_ROUNDED || out == Storage.F32);
    }

    /**
     * The correctly rounded float32 GELU of the given form.
     *
     * @param form the GELU definition
     * @return the shared instance
     */
    public static Gelu of(Form form) {
        return of(form, Accuracy.CORRECTLY_ROUNDED);
    }

    /**
     * The float32 GELU of the given form and accuracy.
     *
     * @param form the GELU definition
     * @param accuracy what each result promises
     * @return the shared instance
     */
    public static Gelu of(Form form, Accuracy accuracy) {
        Objects.requireNonNull(form, "form");
        Objects.requireNonNull(accuracy, "accuracy");
        return INSTANCES[index(form, accuracy, Storage.F32, Storage.F32)];
    }

    /**
     * This GELU with {@code storage} in and out, for example bf16 values in, bf16 results out.
     *
     * @param storage the element type of the input and the output
     * @return the shared instance
     * @throws IllegalArgumentException if this instance is faithful and {@code storage} is a
     *     16-bit type (16-bit results are always correctly rounded: use the default accuracy)
     */
    public Gelu storage(Storage storage) {
        return storage(storage, storage);
    }

    /**
     * This GELU reading {@code input} and writing {@code output}: the same type, or float32 in
     * and a 16-bit type out (each result rounded once, straight from the exact value to the
     * 16-bit format).
     *
     * @param input the element type of the input
     * @param output the element type of the output
     * @return the shared instance
     * @throws IllegalArgumentException for a 16-bit input with another output type, or a
     *     faithful instance with a 16-bit output
     */
    public Gelu storage(Storage input, Storage output) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        if (input != output && input != Storage.F32) {
            throw new IllegalArgumentException("no GELU reads " + input + " and writes " + output
                    + ": the output is the input's type, or the input is F32");
        }
        if (!supported(accuracy, input, output)) {
            throw new IllegalArgumentException("the faithful accuracy is for float32 output only; " + output
                    + " results are always correctly rounded (use Accuracy.CORRECTLY_ROUNDED)");
        }
        return INSTANCES[index(form, accuracy, input, output)];
    }

    /**
     * The element type this instance reads.
     *
     * @return the input storage
     */
    public Storage input() {
        return in;
    }

    /**
     * The element type this instance writes.
     *
     * @return the output storage
     */
    public Storage output() {
        return out;
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
     * Applies GELU to every element of {@code src} and writes the results to {@code dst}, both
     * of this instance's storage ({@link #input()}, {@link #output()}) in native byte order.
     *
     * @param src the inputs
     * @param dst the outputs, as many elements as {@code src}: {@code src} itself (in place), or
     *     a segment that does not overlap it
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code src}'s size is not a whole number of elements,
     *     the element counts differ, {@code dst} is read-only, or the segments partially overlap
     * @throws IllegalStateException if a segment's arena is closed
     * @throws WrongThreadException if a segment is confined to another thread
     */
    public void apply(MemorySegment src, MemorySegment dst) {
        long count = Checks.segments(src, in, dst, out);
        if (out != Storage.F32) {
            if (count > 0) {
                Backends.get().forward(form, in, out, src, dst, count);
            }
        } else if (count == 1) {
            // one element inline: the generic small-call loop costs 2 ns of a 12 ns call
            float x = src.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0);
            dst.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 0, GeluMath.forward(form, accuracy, x));
        } else if (count > 0) {
            kernels(count).forward(form, accuracy, src, dst, count);
        }
    }

    /**
     * Applies GELU to every element of {@code src} and writes the results to {@code dst}
     * (float32 in and out).
     *
     * @param src the inputs
     * @param dst the outputs, {@code src} itself or an array of the same length
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the lengths differ, or this instance does not read
     *     and write float32
     */
    public void apply(float[] src, float[] dst) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Checks.lengths(src.length, dst.length, "floats");
        apply(src, 0, dst, 0, src.length);
    }

    /**
     * Applies GELU to {@code src[srcOffset .. srcOffset+length)}, writing
     * {@code dst[dstOffset .. dstOffset+length)} (float32 in and out). The ranges may be
     * identical (in place) but must not partially overlap.
     *
     * @param src the input array
     * @param srcOffset the first input
     * @param dst the output array
     * @param dstOffset the first output
     * @param length the number of elements
     * @throws NullPointerException if an array is null
     * @throws IndexOutOfBoundsException if a range is outside its array
     * @throws IllegalArgumentException if the ranges partially overlap, or this instance does
     *     not read and write float32
     */
    public void apply(float[] src, int srcOffset, float[] dst, int dstOffset, int length) {
        requireArrays(false, false);
        Checks.arrays(src, srcOffset, dst, dstOffset, length);
        if (length > 0) {
            kernels(length).forward(form, accuracy, src, srcOffset, dst, dstOffset, length);
        }
    }

    /**
     * Applies GELU to every element of {@code src} and writes the results to {@code dst}: the
     * raw bits of this instance's 16-bit type (bf16 or f16) in and out.
     *
     * @param src the inputs
     * @param dst the outputs, {@code src} itself or an array of the same length
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the lengths differ, or this instance does not read
     *     and write one 16-bit type
     */
    public void apply(short[] src, short[] dst) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Checks.lengths(src.length, dst.length, "values");
        apply(src, 0, dst, 0, src.length);
    }

    /**
     * Applies GELU to {@code src[srcOffset .. srcOffset+length)}, writing
     * {@code dst[dstOffset .. dstOffset+length)}: 16-bit raw bits in and out. The ranges may be
     * identical (in place) but must not partially overlap.
     *
     * @param src the input array
     * @param srcOffset the first input
     * @param dst the output array
     * @param dstOffset the first output
     * @param length the number of elements
     * @throws NullPointerException if an array is null
     * @throws IndexOutOfBoundsException if a range is outside its array
     * @throws IllegalArgumentException if the ranges partially overlap, or this instance does
     *     not read and write one 16-bit type
     */
    public void apply(short[] src, int srcOffset, short[] dst, int dstOffset, int length) {
        requireArrays(true, true);
        Checks.arrays(src, srcOffset, dst, dstOffset, length);
        if (length > 0) {
            Backends.get()
                    .forward(
                            form,
                            in,
                            out,
                            MemorySegment.ofArray(src).asSlice(2L * srcOffset, 2L * length),
                            MemorySegment.ofArray(dst).asSlice(2L * dstOffset, 2L * length),
                            length);
        }
    }

    /**
     * Applies GELU to every float of {@code src} and writes the results, rounded once to this
     * instance's 16-bit output type, to {@code dst} as raw bits.
     *
     * @param src the inputs
     * @param dst the outputs, an array of the same length
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the lengths differ, or this instance does not read
     *     float32 and write a 16-bit type
     */
    public void apply(float[] src, short[] dst) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Checks.lengths(src.length, dst.length, "elements");
        apply(src, 0, dst, 0, src.length);
    }

    /**
     * Applies GELU to {@code src[srcOffset .. srcOffset+length)}, writing the results rounded
     * once to this instance's 16-bit output type to {@code dst[dstOffset .. dstOffset+length)}.
     *
     * @param src the input array
     * @param srcOffset the first input
     * @param dst the output array
     * @param dstOffset the first output
     * @param length the number of elements
     * @throws NullPointerException if an array is null
     * @throws IndexOutOfBoundsException if a range is outside its array
     * @throws IllegalArgumentException if this instance does not read float32 and write a
     *     16-bit type
     */
    public void apply(float[] src, int srcOffset, short[] dst, int dstOffset, int length) {
        requireArrays(false, true);
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        if (length > 0) {
            Backends.get()
                    .forward(
                            form,
                            in,
                            out,
                            MemorySegment.ofArray(src).asSlice(4L * srcOffset, 4L * length),
                            MemorySegment.ofArray(dst).asSlice(2L * dstOffset, 2L * length),
                            length);
        }
    }

    /** Rejects an array method whose element types are not this instance's storage. */
    private void requireArrays(boolean shortsIn, boolean shortsOut) {
        boolean fits = shortsIn
                ? in == out && out != Storage.F32
                : in == Storage.F32 && (shortsOut ? out != Storage.F32 : out == Storage.F32);
        if (!fits) {
            String arrays = (shortsIn ? "short[]" : "float[]") + ", " + (shortsOut ? "short[]" : "float[]");
            String wants =
                    shortsIn ? "BF16 or F16 in and out" : shortsOut ? "F32 in, BF16 or F16 out" : "F32 in and out";
            throw new IllegalArgumentException(
                    this + " reads " + in + " and writes " + out + "; apply(" + arrays + ") is for " + wants);
        }
    }

    /**
     * Like {@link #apply(MemorySegment, MemorySegment)}, with up to {@code parallelism}
     * threads: the calling thread and tasks submitted to {@code executor}, each on a contiguous
     * piece of at least 32768 elements whose output starts on a 64-byte boundary. The call returns (or
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
        long count = Checks.segments(src, in, dst, out);
        if (parallelism > 1) {
            Parallel.checkShareable(src, "src");
            Parallel.checkShareable(dst, "dst");
        }
        if (count > 0) {
            GeluKernels k = Backends.get();
            Parallel.Work work = out == Storage.F32
                    ? (s, d, n) -> k.forward(form, accuracy, s, d, n)
                    : (s, d, n) -> k.forward(form, in, out, s, d, n);
            Parallel.apply(work, src, in.bytes(), dst, out.bytes(), count, executor, parallelism);
        }
    }

    /**
     * GELU of one value; the same bits as the array methods.
     *
     * @param x the input
     * @return GELU(x) at this instance's accuracy
     * @throws IllegalArgumentException if this instance does not read and write float32
     */
    public float apply(float x) {
        if (in != Storage.F32 || out != Storage.F32) {
            throw new IllegalArgumentException(this + " reads " + in + " and writes " + out
                    + "; apply(float) is for F32 in and out (apply(short) for 16-bit)");
        }
        return GeluMath.forward(form, accuracy, x);
    }

    /**
     * GELU of one 16-bit value (raw bits of this instance's type); the same bits as the array
     * methods.
     *
     * @param x the input's bits
     * @return the bits of GELU(x), correctly rounded to the 16-bit type
     * @throws IllegalArgumentException if this instance does not read and write one 16-bit type
     */
    public short apply(short x) {
        if (in != out || out == Storage.F32) {
            throw new IllegalArgumentException(
                    this + " reads " + in + " and writes " + out + "; apply(short) is for BF16 or F16 in and out");
        }
        return HalfMath.forward(form, out, HalfMath.widen(in, x));
    }

    // ---- composed operations: bias + GELU, GEGLU ----

    /**
     * bias + GELU on row-major data: {@code y[i][j] = GELU(fl(x[i][j] + bias[j]))} for
     * {@code i < rows}, {@code j < cols}, element {@code [i][j]} of x at index
     * {@code i·ldx + j} and of y at {@code i·ldy + j} (leading dimensions in elements, at
     * least {@code cols}; the padding between rows is never read or written). The sum is
     * rounded to float32 (16-bit storage: computed in float32 from the widened values), then
     * GELU at this instance's accuracy into its storage: the same bits as an add pass
     * followed by {@link #apply(MemorySegment, MemorySegment)}, in one pass over memory. A
     * NaN result is the quieted first NaN of x, bias; inf − inf gives the positive quiet NaN.
     *
     * @param x the inputs, at least {@code (rows − 1)·ldx + cols} elements
     * @param bias one value per column, at least {@code cols} elements
     * @param y the outputs, at least {@code (rows − 1)·ldy + cols} elements: {@code x} itself
     *     with {@code ldy == ldx} (in place), or apart from both inputs
     * @param rows the number of rows
     * @param cols the number of columns
     * @param ldx the distance between rows of x, in elements
     * @param ldy the distance between rows of y, in elements
     * @throws NullPointerException if a segment is null
     * @throws IllegalArgumentException if this instance's input and output storage differ, a
     *     dimension is negative, {@code ldx} or {@code ldy} is less than {@code cols}, a segment
     *     is too short, {@code y} is read-only, or the segments overlap other than in place
     * @throws IllegalStateException if a segment's arena is closed
     * @throws WrongThreadException if a segment is confined to another thread
     */
    public void bias(MemorySegment x, MemorySegment bias, MemorySegment y, long rows, long cols, long ldx, long ldy) {
        Objects.requireNonNull(bias, "bias");
        requireSameStorage("bias");
        if (Checks.rows(in, x, 1, bias, y, rows, cols, ldx, ldy)) {
            Backends.get().bias(form, accuracy, in, x, bias, y, rows, cols, ldx, ldy);
        }
    }

    /**
     * bias + GELU on dense rows: {@code x} and {@code y} hold whole rows of {@code
     * bias.length} elements, back to back (see {@link #bias(MemorySegment, MemorySegment,
     * MemorySegment, long, long, long, long)}).
     *
     * @param x the inputs, a whole number of rows
     * @param bias one value per column
     * @param y the outputs, as many as {@code x}: {@code x} itself or a separate array
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if this instance does not read and write float32, the
     *     lengths do not fit, or {@code y} is {@code bias}
     */
    public void bias(float[] x, float[] bias, float[] y) {
        requireArrays(false, false);
        denseBias(
                MemorySegment.ofArray(Objects.requireNonNull(x, "x")),
                x.length,
                MemorySegment.ofArray(Objects.requireNonNull(bias, "bias")),
                bias.length,
                MemorySegment.ofArray(Objects.requireNonNull(y, "y")),
                y.length);
    }

    /**
     * bias + GELU on dense rows of 16-bit values (raw bits of this instance's type), as
     * {@link #bias(float[], float[], float[])}.
     *
     * @param x the inputs, a whole number of rows
     * @param bias one value per column
     * @param y the outputs, as many as {@code x}: {@code x} itself or a separate array
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if this instance does not read and write one 16-bit
     *     type, the lengths do not fit, or {@code y} is {@code bias}
     */
    public void bias(short[] x, short[] bias, short[] y) {
        requireArrays(true, true);
        denseBias(
                MemorySegment.ofArray(Objects.requireNonNull(x, "x")),
                x.length,
                MemorySegment.ofArray(Objects.requireNonNull(bias, "bias")),
                bias.length,
                MemorySegment.ofArray(Objects.requireNonNull(y, "y")),
                y.length);
    }

    private void denseBias(MemorySegment x, int xLength, MemorySegment bias, int cols, MemorySegment y, int yLength) {
        if (cols == 0 ? xLength != 0 : xLength % cols != 0) {
            throw new IllegalArgumentException(
                    "x has " + xLength + " elements, not a whole number of rows of " + cols + " (the bias length)");
        }
        Checks.lengths(xLength, yLength, "elements");
        long rows = cols == 0 ? 0 : xLength / cols;
        bias(x, bias, y, rows, cols, cols, cols);
    }

    /**
     * GEGLU: {@code y[i] = fl(a[i] · GELU(gate[i]))}, GELU at this instance's accuracy rounded
     * to its storage (the {@link #apply(MemorySegment, MemorySegment)} result), then the
     * product rounded once to the storage: the same bits as the two passes, in one. A NaN
     * result is the quieted NaN of a, else GELU's NaN of the gate; 0 · ∞ gives the positive
     * quiet NaN.
     *
     * @param a the values, as many elements as {@code gate}
     * @param gate the gates
     * @param y the outputs, as many elements: {@code a} or {@code gate} itself (in place), or a
     *     segment apart from both
     * @throws NullPointerException if a segment is null
     * @throws IllegalArgumentException if this instance's input and output storage differ, the
     *     sizes differ, {@code y} is read-only, or it partially overlaps an input
     * @throws IllegalStateException if a segment's arena is closed
     * @throws WrongThreadException if a segment is confined to another thread
     */
    public void geglu(MemorySegment a, MemorySegment gate, MemorySegment y) {
        requireSameStorage("geglu");
        long n = Checks.glu(in, a, gate, y);
        if (n > 0) {
            Backends.get().geglu(form, accuracy, in, a, gate, y, n);
        }
    }

    /**
     * GEGLU on float arrays, as {@link #geglu(MemorySegment, MemorySegment, MemorySegment)}.
     *
     * @param a the values
     * @param gate the gates, as many
     * @param y the outputs, as many: {@code a}, {@code gate} or a separate array
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if this instance does not read and write float32, or the
     *     lengths differ
     */
    public void geglu(float[] a, float[] gate, float[] y) {
        requireArrays(false, false);
        geglu(
                MemorySegment.ofArray(Objects.requireNonNull(a, "a")),
                MemorySegment.ofArray(Objects.requireNonNull(gate, "gate")),
                MemorySegment.ofArray(Objects.requireNonNull(y, "y")));
    }

    /**
     * GEGLU on 16-bit arrays (raw bits of this instance's type), as
     * {@link #geglu(MemorySegment, MemorySegment, MemorySegment)}.
     *
     * @param a the values
     * @param gate the gates, as many
     * @param y the outputs, as many: {@code a}, {@code gate} or a separate array
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if this instance does not read and write one 16-bit
     *     type, or the lengths differ
     */
    public void geglu(short[] a, short[] gate, short[] y) {
        requireArrays(true, true);
        geglu(
                MemorySegment.ofArray(Objects.requireNonNull(a, "a")),
                MemorySegment.ofArray(Objects.requireNonNull(gate, "gate")),
                MemorySegment.ofArray(Objects.requireNonNull(y, "y")));
    }

    /**
     * GEGLU on the one-tensor layout of a gated projection: row {@code i} of x holds
     * {@code [a | gate]}, {@code cols} elements each (PyTorch's {@code a, gate = x.chunk(2, -1)}),
     * starting at index {@code i·ldx}; {@code y[i·ldy + j] = fl(a[j] · GELU(gate[j]))} of that
     * row, as {@link #geglu(MemorySegment, MemorySegment, MemorySegment)}.
     *
     * @param x the rows of [a | gate], at least {@code (rows − 1)·ldx + 2·cols} elements
     * @param y the outputs, at least {@code (rows − 1)·ldy + cols} elements: {@code x} itself
     *     with {@code ldy == ldx} (each row's result over its a half), or apart from x
     * @param rows the number of rows
     * @param cols the width of each half, and of a row of y
     * @param ldx the distance between rows of x, in elements, at least {@code 2·cols}
     * @param ldy the distance between rows of y, in elements, at least {@code cols}
     * @throws NullPointerException if a segment is null
     * @throws IllegalArgumentException if this instance's input and output storage differ, a
     *     dimension is negative or a leading dimension too small, a segment is too short,
     *     {@code y} is read-only, or the segments overlap other than in place
     * @throws IllegalStateException if a segment's arena is closed
     * @throws WrongThreadException if a segment is confined to another thread
     */
    public void gegluRows(MemorySegment x, MemorySegment y, long rows, long cols, long ldx, long ldy) {
        requireSameStorage("gegluRows");
        if (Checks.rows(in, x, 2, null, y, rows, cols, ldx, ldy)) {
            Backends.get().gegluRows(form, accuracy, in, x, y, rows, cols, ldx, ldy);
        }
    }

    /**
     * GEGLU on dense float rows of [a | gate]: x holds rows of {@code 2·cols}, y rows of
     * {@code cols}, back to back.
     *
     * @param x the rows of [a | gate]
     * @param y the outputs, half as many elements
     * @param cols the width of each half
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if this instance does not read and write float32, or the
     *     lengths do not fit
     */
    public void gegluRows(float[] x, float[] y, int cols) {
        requireArrays(false, false);
        denseRows(
                MemorySegment.ofArray(Objects.requireNonNull(x, "x")),
                x.length,
                MemorySegment.ofArray(Objects.requireNonNull(y, "y")),
                y.length,
                cols);
    }

    /**
     * GEGLU on dense 16-bit rows of [a | gate], as {@link #gegluRows(float[], float[], int)}.
     *
     * @param x the rows of [a | gate]
     * @param y the outputs, half as many elements
     * @param cols the width of each half
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if this instance does not read and write one 16-bit
     *     type, or the lengths do not fit
     */
    public void gegluRows(short[] x, short[] y, int cols) {
        requireArrays(true, true);
        denseRows(
                MemorySegment.ofArray(Objects.requireNonNull(x, "x")),
                x.length,
                MemorySegment.ofArray(Objects.requireNonNull(y, "y")),
                y.length,
                cols);
    }

    private void denseRows(MemorySegment x, int xLength, MemorySegment y, int yLength, int cols) {
        if (cols < 0
                || (cols == 0
                        ? xLength != 0 || yLength != 0
                        : xLength % (2L * cols) != 0 || (long) yLength * 2 != xLength)) {
            throw new IllegalArgumentException("x has " + xLength + " and y " + yLength + " elements: not rows of 2 * "
                    + cols + " and of " + cols);
        }
        long rows = cols == 0 ? 0 : yLength / cols;
        gegluRows(x, y, rows, cols, 2L * cols, cols);
    }

    // ---- backward ----

    /**
     * Backward: {@code dx[i] = fl(dy[i] · GELU′(x[i]))} for the gradient {@code dy} of GELU's
     * output, with {@code GELU′(x)} correctly rounded to float32 first (erf form
     * {@code Φ(x) + x·φ(x)}; tanh and quick forms the derivative of their exact formulas),
     * then the product rounded once to this instance's storage (16-bit: exactly, from the
     * float32 GELU′ and the widened dy). Always correctly rounded, also on a faithful instance.
     * {@code GELU′(NaN)} is the quieted NaN, {@code GELU′(+∞) = 1}, {@code GELU′(−∞) = −0},
     * {@code GELU′(±0) = 0.5}; a NaN result is dy's (quieted), else x's, else (0 · ∞) the
     * positive quiet NaN.
     *
     * @param x the inputs of the forward
     * @param dy the gradient of the forward's outputs, as many elements
     * @param dx the gradient of the inputs, as many: {@code x} or {@code dy} itself (in place),
     *     or a segment apart from both
     * @throws NullPointerException if a segment is null
     * @throws IllegalArgumentException if this instance's input and output storage differ, the
     *     sizes differ, {@code dx} is read-only, or it partially overlaps an input
     * @throws IllegalStateException if a segment's arena is closed
     * @throws WrongThreadException if a segment is confined to another thread
     */
    public void backward(MemorySegment x, MemorySegment dy, MemorySegment dx) {
        requireSameStorage("backward");
        long n = Checks.backward(in, x, dy, dx);
        if (n > 0) {
            Backends.get().backward(form, in, x, dy, dx, n);
        }
    }

    /**
     * Backward on float arrays, as {@link #backward(MemorySegment, MemorySegment, MemorySegment)}.
     *
     * @param x the inputs of the forward
     * @param dy the gradient of its outputs, as many
     * @param dx the gradient of the inputs, as many: {@code x}, {@code dy} or a separate array
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if this instance does not read and write float32, or the
     *     lengths differ
     */
    public void backward(float[] x, float[] dy, float[] dx) {
        requireArrays(false, false);
        backward(
                MemorySegment.ofArray(Objects.requireNonNull(x, "x")),
                MemorySegment.ofArray(Objects.requireNonNull(dy, "dy")),
                MemorySegment.ofArray(Objects.requireNonNull(dx, "dx")));
    }

    /**
     * Backward on 16-bit arrays (raw bits of this instance's type), as
     * {@link #backward(MemorySegment, MemorySegment, MemorySegment)}.
     *
     * @param x the inputs of the forward
     * @param dy the gradient of its outputs, as many
     * @param dx the gradient of the inputs, as many: {@code x}, {@code dy} or a separate array
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if this instance does not read and write one 16-bit
     *     type, or the lengths differ
     */
    public void backward(short[] x, short[] dy, short[] dx) {
        requireArrays(true, true);
        backward(
                MemorySegment.ofArray(Objects.requireNonNull(x, "x")),
                MemorySegment.ofArray(Objects.requireNonNull(dy, "dy")),
                MemorySegment.ofArray(Objects.requireNonNull(dx, "dx")));
    }

    private void requireSameStorage(String op) {
        if (in != out) {
            throw new IllegalArgumentException(
                    this + " reads " + in + " and writes " + out + "; " + op + " needs the same storage in and out");
        }
    }

    @Override
    public String toString() {
        String storage = in == out ? in.toString() : in + " -> " + out;
        return "Gelu[" + form + ", " + accuracy + ", " + storage + "]";
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
     * @return for native {@code "avx512"}, {@code "avx2"} or {@code "scalar"} (aarch64: {@code "neon"}
     *     or {@code "scalar"}); for the Vector
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
