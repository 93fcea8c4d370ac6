package dev.gelu.arrow;

import dev.gelu.Gelu;
import dev.gelu.Form;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;

/**
 * GELU over Apache Arrow {@link Float4Vector}s, zero-copy: the kernels read and write the
 * vectors' off-heap data buffers directly, through {@link MemorySegment} views of their
 * addresses; no value is copied through the Java heap or into a temporary buffer.
 *
 * <h2>Nulls</h2>
 * The result has the same nulls as the input: {@link #apply(Form, Float4Vector, Float4Vector)}
 * copies the input's validity bitmap into the output, {@link #applyInPlace(Form, Float4Vector)}
 * leaves it as it is. The data slot under a null holds an unspecified float in Arrow; GELU is
 * computed on it too (one branch-free pass over the whole buffer is what makes the call cheap),
 * so after the call the slot under a null holds GELU of whatever it held, which is still
 * unspecified. Readers that honour the validity bitmap, as every Arrow reader does, see no
 * difference.
 *
 * <h2>Results</h2>
 * Each non-null value is exactly what the {@link Gelu} instance returns for it
 * ({@link Gelu#apply(float)}): correctly rounded by default (the {@code Form} overloads), or
 * faithful with {@code Gelu.of(form, Accuracy.FAITHFUL)}; the same bits on every backend.
 *
 * <h2>Float2Vector</h2>
 * Not supported yet: gelu-ffm computes on float32 only; {@code Float2Vector} (IEEE half) comes
 * with the library's 16-bit storage.
 *
 * <h2>JVM flags</h2>
 * Arrow's memory module needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED} on JDK 9 and
 * later, and on JDK 24 and later prints a {@code sun.misc.Unsafe} warning unless
 * {@code --sun-misc-unsafe-memory-access=allow} is given (Arrow's, not this adapter's). Viewing a buffer address as a segment is a restricted method, so the adapter needs
 * native access like the library: {@code --enable-native-access=ALL-UNNAMED} on the class path
 * (or the launching jar's {@code Enable-Native-Access: ALL-UNNAMED} manifest entry).
 *
 * <h2>Threads and lifetimes</h2>
 * The vectors must stay open and must not be written by another thread during the call; as
 * with any Arrow vector, closing it while a call runs is undefined. Nothing is retained.
 */
public final class GeluArrow {
    private GeluArrow() {}

    /**
     * Applies GELU to every value of {@code src} and writes the results, with the same nulls, to
     * {@code dst}, whose value count becomes that of {@code src} (its buffers grow if they are
     * too small). {@code dst} may be {@code src}, which is the same as
     * {@link #applyInPlace(Form, Float4Vector)}.
     *
     * @param form the GELU definition
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
     * @param gelu the GELU to apply, e.g. {@code Gelu.of(Form.ERF, Accuracy.FAITHFUL)}
     * @param src the input vector
     * @param dst the output vector, from any allocator
     * @throws NullPointerException if an argument is null
     */
    public static void apply(Gelu gelu, Float4Vector src, Float4Vector dst) {
        Objects.requireNonNull(gelu, "gelu");
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        if (src == dst) {
            applyInPlace(gelu, src);
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
        gelu.apply(data(src), data(dst));
    }

    /**
     * Applies GELU to every value of {@code vector} in place; its validity bitmap is left alone.
     *
     * @param form the GELU definition
     * @param vector the vector to transform
     * @throws NullPointerException if an argument is null
     */
    public static void applyInPlace(Form form, Float4Vector vector) {
        applyInPlace(Gelu.of(form), vector);
    }

    /**
     * As {@link #applyInPlace(Form, Float4Vector)}, with the given GELU (form and accuracy).
     *
     * @param gelu the GELU to apply
     * @param vector the vector to transform
     * @throws NullPointerException if an argument is null
     */
    public static void applyInPlace(Gelu gelu, Float4Vector vector) {
        Objects.requireNonNull(gelu, "gelu");
        Objects.requireNonNull(vector, "vector");
        if (vector.getValueCount() > 0) {
            MemorySegment data = data(vector);
            gelu.apply(data, data);
        }
    }

    /**
     * A new vector of GELU of {@code src}, with the same name, field and nulls, from
     * {@code allocator}; the caller closes it.
     *
     * @param form the GELU definition
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
     * @param gelu the GELU to apply
     * @param src the input vector
     * @param allocator where the result's buffers come from
     * @return the result, with {@code src}'s value count
     * @throws NullPointerException if an argument is null
     */
    public static Float4Vector apply(Gelu gelu, Float4Vector src, BufferAllocator allocator) {
        Objects.requireNonNull(gelu, "gelu");
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(allocator, "allocator");
        Float4Vector dst = new Float4Vector(src.getField(), allocator);
        try {
            dst.allocateNew(Math.max(src.getValueCount(), 1));
            apply(gelu, src, dst);
            return dst;
        } catch (RuntimeException | Error e) {
            dst.close();
            throw e;
        }
    }

    /**
     * The vector's data as a segment of {@code 4 * valueCount} bytes over its off-heap buffer:
     * the same memory, not a copy. Valid while the vector is open and not reallocated.
     *
     * @param vector an open vector
     * @return a view of the first {@code valueCount} floats of its data buffer
     */
    public static MemorySegment data(Float4Vector vector) {
        long bytes = (long) vector.getValueCount() * Float4Vector.TYPE_WIDTH;
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
