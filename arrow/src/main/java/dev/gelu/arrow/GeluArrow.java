package dev.gelu.arrow;

import dev.gelu.Form;
import dev.gelu.Gelu;
import dev.gelu.Storage;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * GELU over Apache Arrow vectors of float32 ({@link Float4Vector}), IEEE half
 * ({@link Float2Vector}) and bf16 (a {@link UInt2Vector} marked as such, below), zero-copy: the
 * kernels read and write the vectors' off-heap data buffers directly, through
 * {@link MemorySegment} views of their addresses; no value is copied through the Java heap or
 * into a temporary buffer. A vector made by {@code TransferPair.splitAndTransfer} (a slice of
 * another) works the same, on the slice's own memory.
 *
 * <h2>Element types</h2>
 * Each method takes the {@link Gelu} instance whose {@link Gelu#input() input} and
 * {@link Gelu#output() output} storage are the vectors' element types, and throws
 * {@link IllegalArgumentException} for another one (the {@link Form} overloads pick it):
 * <table class="striped">
 * <caption>The vector types and the storage they need</caption>
 * <thead><tr><th>input</th><th>output</th><th>the Gelu</th><th>results</th></tr></thead>
 * <tbody>
 * <tr><td>{@code Float4Vector}</td><td>{@code Float4Vector}</td><td>{@code Gelu.of(form)} or
 *     {@code Gelu.of(form, Accuracy.FAITHFUL)}</td><td>correctly rounded or faithful float32</td></tr>
 * <tr><td>{@code Float2Vector}</td><td>{@code Float2Vector}</td>
 *     <td>{@code Gelu.of(form).storage(Storage.F16)}</td><td>correctly rounded f16</td></tr>
 * <tr><td>{@code Float4Vector}</td><td>{@code Float2Vector}</td>
 *     <td>{@code Gelu.of(form).storage(Storage.F32, Storage.F16)}</td>
 *     <td>the exact GELU of each float rounded once to f16</td></tr>
 * <tr><td>bf16 {@code UInt2Vector}</td><td>bf16 {@code UInt2Vector}</td>
 *     <td>{@code Gelu.of(form).storage(Storage.BF16)}</td><td>correctly rounded bf16</td></tr>
 * <tr><td>{@code Float4Vector}</td><td>bf16 {@code UInt2Vector}</td>
 *     <td>{@code Gelu.of(form).storage(Storage.F32, Storage.BF16)}</td>
 *     <td>the exact GELU of each float rounded once to bf16</td></tr>
 * </tbody>
 * </table>
 * Each non-null result is exactly what the instance returns for the value alone
 * ({@link Gelu#apply(float)}, {@link Gelu#apply(short)}): the same bits on every backend.
 *
 * <h2>bf16</h2>
 * Arrow has no bf16 type. This adapter carries bf16 as the raw bits in a {@link UInt2Vector}
 * whose field has the metadata entry {@value #DTYPE_KEY}{@code  = }{@value #BF16}
 * ({@link #bf16Field(String)} makes one): plain field metadata, so it travels through Arrow
 * IPC files and streams and the C data interface, and a reader that does not know it sees
 * unsigned 16-bit integers rather than wrong numbers. A {@code UInt2Vector} without the entry
 * is rejected, so integer data is never taken for bf16 by mistake.
 *
 * <h2>Nulls</h2>
 * The result has the same nulls as the input: {@code apply(gelu, src, dst)} copies the input's
 * validity bitmap into the output, {@code applyInPlace} leaves it as it is. The data slot under
 * a null holds an unspecified value in Arrow; GELU is computed on it too (one branch-free pass
 * over the whole buffer is what makes the call cheap), so after the call the slot under a null
 * holds GELU of whatever it held, which is still unspecified. Readers that honour the validity
 * bitmap, as every Arrow reader does, see no difference.
 *
 * <h2>JVM flags</h2>
 * Arrow's memory module needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED} on JDK 9 and
 * later, and on JDK 24 and later prints a {@code sun.misc.Unsafe} warning unless
 * {@code --sun-misc-unsafe-memory-access=allow} is given (Arrow's, not this adapter's). Viewing
 * a buffer address as a segment is a restricted method, so the adapter needs native access like
 * the library: {@code --enable-native-access=ALL-UNNAMED} on the class path (or the launching
 * jar's {@code Enable-Native-Access: ALL-UNNAMED} manifest entry).
 *
 * <h2>Threads and lifetimes</h2>
 * The vectors must stay open and must not be written by another thread during the call; as
 * with any Arrow vector, closing it while a call runs is undefined. Nothing is retained. Arrow
 * buffers are little-endian, the byte order of every platform gelu-ffm ships a library for.
 */
public final class GeluArrow {
    private GeluArrow() {}

    /** The field metadata key that names the element type a {@link UInt2Vector} carries. */
    public static final String DTYPE_KEY = "dev.gelu.dtype";

    /** The {@link #DTYPE_KEY} value of a {@link UInt2Vector} of bf16 bits. */
    public static final String BF16 = "bf16";

    /**
     * A nullable field for bf16 data: type unsigned 16-bit integer, metadata
     * {@value #DTYPE_KEY}{@code  = }{@value #BF16}. {@code new UInt2Vector(bf16Field("x"),
     * allocator)} makes a vector this adapter accepts; store each value's bits with
     * {@code set(i, (char) bits)}.
     *
     * @param name the field's name
     * @return the field
     * @throws NullPointerException if {@code name} is null
     */
    public static Field bf16Field(String name) {
        Objects.requireNonNull(name, "name");
        return new Field(name, new FieldType(true, new ArrowType.Int(16, false), null, Map.of(DTYPE_KEY, BF16)), null);
    }

    // ---- float32 -> float32

    /**
     * Applies GELU to every value of {@code src} and writes the results, with the same nulls, to
     * {@code dst}, whose value count becomes that of {@code src} (its buffers grow if they are
     * too small). {@code dst} may be {@code src}, which is the same as
     * {@link #applyInPlace(Form, Float4Vector)}.
     *
     * @param form the GELU definition (correctly rounded)
     * @param src the input vector
     * @param dst the output vector, from any allocator
     * @throws NullPointerException if an argument is null
     */
    public static void apply(Form form, Float4Vector src, Float4Vector dst) {
        apply(Gelu.of(form), src, dst);
    }

    /**
     * As {@link #apply(Form, Float4Vector, Float4Vector)}, with the given GELU (form and accuracy).
     *
     * @param gelu the GELU to apply, float32 in and out, e.g.
     *     {@code Gelu.of(Form.ERF, Accuracy.FAITHFUL)}
     * @param src the input vector
     * @param dst the output vector, from any allocator
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code gelu} does not read and write float32
     */
    public static void apply(Gelu gelu, Float4Vector src, Float4Vector dst) {
        map(gelu, Storage.F32, Storage.F32, src, dst);
    }

    /**
     * Applies GELU to every value of {@code vector} in place; its validity bitmap is left alone.
     *
     * @param form the GELU definition (correctly rounded)
     * @param vector the vector to transform
     * @throws NullPointerException if an argument is null
     */
    public static void applyInPlace(Form form, Float4Vector vector) {
        applyInPlace(Gelu.of(form), vector);
    }

    /**
     * As {@link #applyInPlace(Form, Float4Vector)}, with the given GELU (form and accuracy).
     *
     * @param gelu the GELU to apply, float32 in and out
     * @param vector the vector to transform
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code gelu} does not read and write float32
     */
    public static void applyInPlace(Gelu gelu, Float4Vector vector) {
        inPlace(gelu, Storage.F32, vector);
    }

    /**
     * A new vector of GELU of {@code src}, with the same name, field and nulls, from
     * {@code allocator}; the caller closes it.
     *
     * @param form the GELU definition (correctly rounded)
     * @param src the input vector
     * @param allocator where the result's buffers come from
     * @return the result, with {@code src}'s value count
     * @throws NullPointerException if an argument is null
     */
    public static Float4Vector apply(Form form, Float4Vector src, BufferAllocator allocator) {
        return apply(Gelu.of(form), src, allocator);
    }

    /**
     * As {@link #apply(Form, Float4Vector, BufferAllocator)}, with the given GELU (form and
     * accuracy).
     *
     * @param gelu the GELU to apply, float32 in and out
     * @param src the input vector
     * @param allocator where the result's buffers come from
     * @return the result, with {@code src}'s value count
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code gelu} does not read and write float32
     */
    public static Float4Vector apply(Gelu gelu, Float4Vector src, BufferAllocator allocator) {
        Objects.requireNonNull(allocator, "allocator");
        requireStorage(gelu, Storage.F32, Storage.F32, src, null);
        return fill(gelu, src, new Float4Vector(src.getField(), allocator));
    }

    // ---- f16 -> f16

    /**
     * Applies the correctly rounded f16 GELU ({@code Gelu.of(form).storage(Storage.F16)}) to
     * every value of {@code src} and writes the results, with the same nulls, to {@code dst},
     * whose value count becomes that of {@code src} (its buffers grow if they are too small).
     * {@code dst} may be {@code src}, which is the same as
     * {@link #applyInPlace(Form, Float2Vector)}.
     *
     * @param form the GELU definition
     * @param src the input vector
     * @param dst the output vector, from any allocator
     * @throws NullPointerException if an argument is null
     */
    public static void apply(Form form, Float2Vector src, Float2Vector dst) {
        apply(Gelu.of(form).storage(Storage.F16), src, dst);
    }

    /**
     * As {@link #apply(Form, Float2Vector, Float2Vector)}, with the given GELU.
     *
     * @param gelu the GELU to apply, f16 in and out
     * @param src the input vector
     * @param dst the output vector, from any allocator
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code gelu} does not read and write f16
     */
    public static void apply(Gelu gelu, Float2Vector src, Float2Vector dst) {
        map(gelu, Storage.F16, Storage.F16, src, dst);
    }

    /**
     * Applies the correctly rounded f16 GELU to every value of {@code vector} in place; its
     * validity bitmap is left alone.
     *
     * @param form the GELU definition
     * @param vector the vector to transform
     * @throws NullPointerException if an argument is null
     */
    public static void applyInPlace(Form form, Float2Vector vector) {
        applyInPlace(Gelu.of(form).storage(Storage.F16), vector);
    }

    /**
     * As {@link #applyInPlace(Form, Float2Vector)}, with the given GELU.
     *
     * @param gelu the GELU to apply, f16 in and out
     * @param vector the vector to transform
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code gelu} does not read and write f16
     */
    public static void applyInPlace(Gelu gelu, Float2Vector vector) {
        inPlace(gelu, Storage.F16, vector);
    }

    /**
     * A new vector of the correctly rounded f16 GELU of {@code src}, with the same name, field
     * and nulls, from {@code allocator}; the caller closes it.
     *
     * @param form the GELU definition
     * @param src the input vector
     * @param allocator where the result's buffers come from
     * @return the result, with {@code src}'s value count
     * @throws NullPointerException if an argument is null
     */
    public static Float2Vector apply(Form form, Float2Vector src, BufferAllocator allocator) {
        return apply(Gelu.of(form).storage(Storage.F16), src, allocator);
    }

    /**
     * As {@link #apply(Form, Float2Vector, BufferAllocator)}, with the given GELU.
     *
     * @param gelu the GELU to apply, f16 in and out
     * @param src the input vector
     * @param allocator where the result's buffers come from
     * @return the result, with {@code src}'s value count
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code gelu} does not read and write f16
     */
    public static Float2Vector apply(Gelu gelu, Float2Vector src, BufferAllocator allocator) {
        Objects.requireNonNull(allocator, "allocator");
        requireStorage(gelu, Storage.F16, Storage.F16, src, null);
        return fill(gelu, src, new Float2Vector(src.getField(), allocator));
    }

    // ---- float32 -> f16

    /**
     * Applies GELU to every float of {@code src} and writes the results, each rounded once to
     * f16 ({@code Gelu.of(form).storage(Storage.F32, Storage.F16)}), with the same nulls, to
     * {@code dst}, whose value count becomes that of {@code src} (its buffers grow if they are
     * too small). Results beyond f16's range are ±∞.
     *
     * @param form the GELU definition
     * @param src the input vector
     * @param dst the output vector, from any allocator
     * @throws NullPointerException if an argument is null
     */
    public static void apply(Form form, Float4Vector src, Float2Vector dst) {
        apply(Gelu.of(form).storage(Storage.F32, Storage.F16), src, dst);
    }

    /**
     * As {@link #apply(Form, Float4Vector, Float2Vector)}, with the given GELU.
     *
     * @param gelu the GELU to apply, float32 in and f16 out
     * @param src the input vector
     * @param dst the output vector, from any allocator
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code gelu} does not read float32 and write f16
     */
    public static void apply(Gelu gelu, Float4Vector src, Float2Vector dst) {
        map(gelu, Storage.F32, Storage.F16, src, dst);
    }

    // ---- bf16 -> bf16, in UInt2Vectors marked bf16

    /**
     * Applies the correctly rounded bf16 GELU ({@code Gelu.of(form).storage(Storage.BF16)}) to
     * every value of {@code src} and writes the results, with the same nulls, to {@code dst},
     * whose value count becomes that of {@code src} (its buffers grow if they are too small).
     * {@code dst} may be {@code src}, which is the same as
     * {@link #applyInPlace(Form, UInt2Vector)}.
     *
     * @param form the GELU definition
     * @param src the input vector, bf16 bits in a field marked {@value #DTYPE_KEY}{@code  = }{@value #BF16}
     * @param dst the output vector, marked the same way, from any allocator
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a vector's field is not marked bf16
     */
    public static void apply(Form form, UInt2Vector src, UInt2Vector dst) {
        apply(Gelu.of(form).storage(Storage.BF16), src, dst);
    }

    /**
     * As {@link #apply(Form, UInt2Vector, UInt2Vector)}, with the given GELU.
     *
     * @param gelu the GELU to apply, bf16 in and out
     * @param src the input vector, marked bf16
     * @param dst the output vector, marked bf16, from any allocator
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code gelu} does not read and write bf16, or a
     *     vector's field is not marked bf16
     */
    public static void apply(Gelu gelu, UInt2Vector src, UInt2Vector dst) {
        map(gelu, Storage.BF16, Storage.BF16, src, dst);
    }

    /**
     * Applies the correctly rounded bf16 GELU to every value of {@code vector} in place; its
     * validity bitmap is left alone.
     *
     * @param form the GELU definition
     * @param vector the vector to transform, marked bf16
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the vector's field is not marked bf16
     */
    public static void applyInPlace(Form form, UInt2Vector vector) {
        applyInPlace(Gelu.of(form).storage(Storage.BF16), vector);
    }

    /**
     * As {@link #applyInPlace(Form, UInt2Vector)}, with the given GELU.
     *
     * @param gelu the GELU to apply, bf16 in and out
     * @param vector the vector to transform, marked bf16
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code gelu} does not read and write bf16, or the
     *     vector's field is not marked bf16
     */
    public static void applyInPlace(Gelu gelu, UInt2Vector vector) {
        inPlace(gelu, Storage.BF16, vector);
    }

    /**
     * A new vector of the correctly rounded bf16 GELU of {@code src}, with the same name, field
     * (so marked bf16 too) and nulls, from {@code allocator}; the caller closes it.
     *
     * @param form the GELU definition
     * @param src the input vector, marked bf16
     * @param allocator where the result's buffers come from
     * @return the result, with {@code src}'s value count
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the vector's field is not marked bf16
     */
    public static UInt2Vector apply(Form form, UInt2Vector src, BufferAllocator allocator) {
        return apply(Gelu.of(form).storage(Storage.BF16), src, allocator);
    }

    /**
     * As {@link #apply(Form, UInt2Vector, BufferAllocator)}, with the given GELU.
     *
     * @param gelu the GELU to apply, bf16 in and out
     * @param src the input vector, marked bf16
     * @param allocator where the result's buffers come from
     * @return the result, with {@code src}'s value count
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code gelu} does not read and write bf16, or the
     *     vector's field is not marked bf16
     */
    public static UInt2Vector apply(Gelu gelu, UInt2Vector src, BufferAllocator allocator) {
        Objects.requireNonNull(allocator, "allocator");
        requireStorage(gelu, Storage.BF16, Storage.BF16, src, null);
        return fill(gelu, src, new UInt2Vector(src.getField(), allocator));
    }

    // ---- float32 -> bf16

    /**
     * Applies GELU to every float of {@code src} and writes the results, each rounded once to
     * bf16 ({@code Gelu.of(form).storage(Storage.F32, Storage.BF16)}), with the same nulls, to
     * {@code dst}, whose value count becomes that of {@code src} (its buffers grow if they are
     * too small).
     *
     * @param form the GELU definition
     * @param src the input vector
     * @param dst the output vector, marked bf16, from any allocator
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code dst}'s field is not marked bf16
     */
    public static void apply(Form form, Float4Vector src, UInt2Vector dst) {
        apply(Gelu.of(form).storage(Storage.F32, Storage.BF16), src, dst);
    }

    /**
     * As {@link #apply(Form, Float4Vector, UInt2Vector)}, with the given GELU.
     *
     * @param gelu the GELU to apply, float32 in and bf16 out
     * @param src the input vector
     * @param dst the output vector, marked bf16, from any allocator
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code gelu} does not read float32 and write bf16, or
     *     {@code dst}'s field is not marked bf16
     */
    public static void apply(Gelu gelu, Float4Vector src, UInt2Vector dst) {
        map(gelu, Storage.F32, Storage.BF16, src, dst);
    }

    // ---- the data buffers

    /**
     * The vector's data as a segment of {@code 4 * valueCount} bytes over its off-heap buffer:
     * the same memory, not a copy. Valid while the vector is open and not reallocated.
     *
     * @param vector an open vector
     * @return a view of the first {@code valueCount} floats of its data buffer
     */
    public static MemorySegment data(Float4Vector vector) {
        return segment(vector);
    }

    /**
     * The vector's data as a segment of {@code 2 * valueCount} bytes (f16 bits) over its
     * off-heap buffer: the same memory, not a copy. Valid while the vector is open and not
     * reallocated.
     *
     * @param vector an open vector
     * @return a view of the first {@code valueCount} values of its data buffer
     */
    public static MemorySegment data(Float2Vector vector) {
        return segment(vector);
    }

    /**
     * The vector's data as a segment of {@code 2 * valueCount} bytes over its off-heap buffer:
     * the same memory, not a copy. Valid while the vector is open and not reallocated.
     *
     * @param vector an open vector
     * @return a view of the first {@code valueCount} values of its data buffer
     */
    public static MemorySegment data(UInt2Vector vector) {
        return segment(vector);
    }

    // ---- the one implementation behind the overloads

    private static void map(Gelu gelu, Storage in, Storage out, BaseFixedWidthVector src, BaseFixedWidthVector dst) {
        requireStorage(gelu, in, out, src, Objects.requireNonNull(dst, "dst"));
        if (src == dst) {
            inPlace(gelu, in, src);
            return;
        }
        int n = src.getValueCount();
        // grow first (its old values are not needed): a reallocation moves the buffers, so the
        // addresses are read after it
        if (dst.getValueCapacity() < n) {
            dst.allocateNew(n);
        }
        dst.setValueCount(n);
        if (n == 0) {
            return;
        }
        copyValidity(src.getValidityBuffer(), dst.getValidityBuffer(), n);
        gelu.apply(segment(src), segment(dst));
    }

    private static void inPlace(Gelu gelu, Storage storage, BaseFixedWidthVector vector) {
        requireStorage(gelu, storage, storage, Objects.requireNonNull(vector, "vector"), vector);
        if (vector.getValueCount() > 0) {
            MemorySegment data = segment(vector);
            gelu.apply(data, data);
        }
    }

    /** {@code src} through {@code gelu} into {@code dst}, a new vector, closed on failure. */
    private static <V extends BaseFixedWidthVector> V fill(Gelu gelu, BaseFixedWidthVector src, V dst) {
        try {
            dst.allocateNew(Math.max(src.getValueCount(), 1));
            map(gelu, gelu.input(), gelu.output(), src, dst);
            return dst;
        } catch (RuntimeException | Error e) {
            dst.close();
            throw e;
        }
    }

    /**
     * Checks the arguments before anything is written: {@code gelu} reads {@code in} and writes
     * {@code out}, and a bf16 vector's field says so; {@code dst} null stands for a new vector.
     */
    private static void requireStorage(
            Gelu gelu, Storage in, Storage out, BaseFixedWidthVector src, BaseFixedWidthVector dst) {
        Objects.requireNonNull(gelu, "gelu");
        Objects.requireNonNull(src, "src");
        if (gelu.input() != in || gelu.output() != out) {
            String want = in == out ? in + " in and out" : in + " in, " + out + " out";
            String example = in == out && in == Storage.F32
                    ? "Gelu.of(form)"
                    : in == out
                            ? "Gelu.of(form).storage(Storage." + in + ")"
                            : "Gelu.of(form).storage(Storage." + in + ", Storage." + out + ")";
            throw new IllegalArgumentException(
                    gelu + " does not fit " + src.getClass().getSimpleName() + " to "
                            + (dst == null ? "a new vector" : dst.getClass().getSimpleName())
                            + ": that needs " + want + ", e.g. " + example);
        }
        requireBf16(in, src);
        if (dst != null) {
            requireBf16(out, dst);
        }
    }

    private static void requireBf16(Storage storage, BaseFixedWidthVector vector) {
        if (storage == Storage.BF16
                && !BF16.equals(vector.getField().getMetadata().get(DTYPE_KEY))) {
            throw new IllegalArgumentException("UInt2Vector '" + vector.getName() + "' is not marked as bf16: its field"
                    + " needs the metadata " + DTYPE_KEY + "=" + BF16 + " (GeluArrow.bf16Field makes such a field)");
        }
    }

    /**
     * The first {@code valueCount} values of the vector's data buffer as a segment: the same
     * memory, not a copy.
     */
    private static MemorySegment segment(BaseFixedWidthVector vector) {
        long bytes = (long) vector.getValueCount() * vector.getTypeWidth();
        ArrowBuf buf = vector.getDataBuffer();
        if (bytes > buf.capacity()) {
            throw new IllegalStateException("value count " + vector.getValueCount() + " exceeds the data buffer's "
                    + buf.capacity() + " bytes");
        }
        if (bytes == 0) {
            return MemorySegment.NULL;
        }
        return MemorySegment.ofAddress(buf.memoryAddress()).reinterpret(bytes);
    }

    private static void copyValidity(ArrowBuf from, ArrowBuf to, int n) {
        long bytes = (n + 7L) / 8; // one validity bit per value
        MemorySegment src = MemorySegment.ofAddress(from.memoryAddress()).reinterpret(bytes);
        MemorySegment dst = MemorySegment.ofAddress(to.memoryAddress()).reinterpret(bytes);
        MemorySegment.copy(src, 0, dst, 0, bytes);
    }
}
