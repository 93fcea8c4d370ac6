package dev.gelu.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Gelu;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The adapter on vectors from a real RootAllocator: every non-null value is the library's
 * scalar result, bit for bit; nulls stay where they were; the data is the vectors' own off-heap
 * memory; and nothing leaks (closing the allocator fails if a buffer is still held).
 */
class GeluArrowTest {
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator(Long.MAX_VALUE);
    }

    @AfterEach
    void close() {
        assertEquals(0, allocator.getAllocatedMemory(), "buffers left allocated");
        allocator.close();
    }

    /** n values, every 7th null, with the special values early on. */
    private Float4Vector input(String name, int n, long seed) {
        Float4Vector v = new Float4Vector(name, allocator);
        v.allocateNew(n);
        float[] specials = {
            0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -10f, 1f
        };
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            if (i % 7 == 3) {
                v.setNull(i);
            } else {
                v.set(i, i < specials.length ? specials[i] : (float) (rnd.nextDouble() * 20 - 10));
            }
        }
        v.setValueCount(n);
        return v;
    }

    private static void assertGelu(Form form, Float4Vector src, Float4Vector dst) {
        assertEquals(src.getValueCount(), dst.getValueCount());
        for (int i = 0; i < src.getValueCount(); i++) {
            assertEquals(src.isNull(i), dst.isNull(i), "null at " + i);
            if (!src.isNull(i)) {
                float want = Gelu.apply(form, src.get(i));
                assertEquals(
                        Float.floatToRawIntBits(want),
                        Float.floatToRawIntBits(dst.get(i)),
                        "GELU(" + src.get(i) + ") at " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void intoANewVectorWithTheSameNulls(Form form) {
        for (int n : new int[] {1, 2, 7, 13, 33, 1021, 65_537}) {
            try (Float4Vector src = input("x", n, n);
                    Float4Vector dst = GeluArrow.apply(form, src, allocator)) {
                assertGelu(form, src, dst);
                assertEquals("x", dst.getName());
                assertEquals(src.getNullCount(), dst.getNullCount());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void inPlaceKeepsTheValidityBitmap(Form form) {
        try (Float4Vector src = input("x", 4099, 1);
                Float4Vector copy = input("x", 4099, 1)) {
            GeluArrow.applyInPlace(form, src);
            assertGelu(form, copy, src);
        }
        try (Float4Vector v = input("x", 100, 2);
                Float4Vector copy = input("x", 100, 2)) {
            GeluArrow.apply(form, v, v);
            assertGelu(form, copy, v);
        }
    }

    @Test
    void intoAnExistingVectorThatIsTooSmallOrHasOtherNulls() {
        try (Float4Vector src = input("x", 10_000, 3);
                Float4Vector dst = new Float4Vector("y", allocator)) {
            dst.allocateNew(4);
            for (int i = 0; i < 4; i++) {
                dst.setNull(i); // nulls where src has values: the result must not keep them
            }
            dst.setValueCount(4);
            GeluArrow.apply(Form.TANH, src, dst);
            assertGelu(Form.TANH, src, dst);
        }
        try (Float4Vector src = input("x", 5, 4);
                Float4Vector dst = input("y", 50, 5)) {
            GeluArrow.apply(Form.ERF, src, dst); // a larger dst shrinks to src's count
            assertGelu(Form.ERF, src, dst);
        }
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void faithfulThroughTheDescriptor(Form form) {
        Gelu faithful = Gelu.of(form, Accuracy.FAITHFUL);
        try (Float4Vector src = input("x", 65_537, 11);
                Float4Vector dst = GeluArrow.apply(faithful, src, allocator)) {
            assertEquals(src.getValueCount(), dst.getValueCount());
            for (int i = 0; i < src.getValueCount(); i++) {
                assertEquals(src.isNull(i), dst.isNull(i), "null at " + i);
                if (!src.isNull(i)) {
                    assertEquals(
                            Float.floatToRawIntBits(faithful.apply(src.get(i))),
                            Float.floatToRawIntBits(dst.get(i)),
                            "faithful GELU(" + src.get(i) + ") at " + i);
                }
            }
            GeluArrow.applyInPlace(faithful, src);
            for (int i = 0; i < src.getValueCount(); i++) {
                if (!src.isNull(i)) {
                    assertEquals(
                            Float.floatToRawIntBits(dst.get(i)),
                            Float.floatToRawIntBits(src.get(i)),
                            "in place at " + i);
                }
            }
        }
    }

    @Test
    void acrossAllocators() {
        try (BufferAllocator child = allocator.newChildAllocator("out", 0, Long.MAX_VALUE);
                Float4Vector src = input("x", 333, 6);
                Float4Vector dst = GeluArrow.apply(Form.ERF, src, child)) {
            assertGelu(Form.ERF, src, dst);
            assertTrue(child.getAllocatedMemory() > 0);
        }
    }

    @Test
    void emptyVectors() {
        try (Float4Vector src = new Float4Vector("x", allocator);
                Float4Vector dst = GeluArrow.apply(Form.ERF, src, allocator)) {
            assertEquals(0, dst.getValueCount());
            GeluArrow.applyInPlace(Form.ERF, src);
            assertEquals(0, src.getValueCount());
        }
    }

    @Test
    void theSegmentIsTheVectorsOwnMemory() {
        try (Float4Vector v = input("x", 16, 7)) {
            MemorySegment data = GeluArrow.data(v);
            assertEquals(16L * Float.BYTES, data.byteSize());
            assertFalse(data.isReadOnly());
            assertEquals(v.getDataBuffer().memoryAddress(), data.address(), "a view of the data buffer, not a copy");
            data.setAtIndex(ValueLayout.JAVA_FLOAT, 1, 42.5f);
            assertEquals(42.5f, v.get(1), "a write through the segment is a write to the vector");
            v.set(2, -3.25f);
            assertEquals(-3.25f, data.getAtIndex(ValueLayout.JAVA_FLOAT, 2));
        }
    }

    @Test
    void nullArguments() {
        try (Float4Vector v = input("x", 3, 8)) {
            assertThrows(NullPointerException.class, () -> GeluArrow.applyInPlace((Form) null, v));
            assertThrows(NullPointerException.class, () -> GeluArrow.applyInPlace((Gelu) null, v));
            assertThrows(NullPointerException.class, () -> GeluArrow.apply(Form.ERF, v, (Float4Vector) null));
            assertThrows(NullPointerException.class, () -> GeluArrow.apply(Form.ERF, (Float4Vector) null, allocator));
            assertNotEquals(null, v.getDataBuffer());
        }
    }
}
