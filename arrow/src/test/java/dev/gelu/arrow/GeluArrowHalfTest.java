package dev.gelu.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Gelu;
import dev.gelu.Storage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.util.TransferPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The 16-bit vectors: f16 in {@link Float2Vector}, bf16 bits in a {@link UInt2Vector} marked
 * with {@link GeluArrow#bf16Field}, and float32 narrowed into either; on vectors from a real
 * RootAllocator, with nulls, at sizes around the kernels' vector widths and on slices. Every
 * non-null value is checked against the library called on that one value; nulls stay where
 * they were; nothing leaks.
 */
class GeluArrowHalfTest {
    /** Around 8 and 16 lanes (AVX2, AVX-512 f16 and bf16) and their multiples, plus odd tails. */
    private static final int[] SIZES = {1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 64, 1021, 4099};

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

    /**
     * The 16-bit inputs: the special values first (±0, NaN, ±∞, the least subnormal, f16's
     * largest finite, a value whose f16 GELU is subnormal), then random bit patterns, which
     * cover every exponent of both formats.
     */
    private static short value(int i, SplittableRandom random) {
        short[] specials = {
            0,
            (short) 0x8000,
            0x7e00,
            0x7c00,
            (short) 0xfc00,
            0x0001,
            0x7bff,
            (short) 0xc500,
            0x7f80,
            (short) 0xff80,
            (short) 0xc120
        };
        return i < specials.length ? specials[i] : (short) random.nextInt(1 << 16);
    }

    private static boolean isNull(int i) {
        return i % 7 == 3;
    }

    private Float2Vector f16(String name, int n, long seed) {
        Float2Vector v = new Float2Vector(name, allocator);
        v.allocateNew(n);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            short x = value(i, random);
            if (isNull(i)) {
                v.setNull(i);
            } else {
                v.set(i, x);
            }
        }
        v.setValueCount(n);
        return v;
    }

    private UInt2Vector bf16(String name, int n, long seed) {
        UInt2Vector v = new UInt2Vector(GeluArrow.bf16Field(name), allocator);
        v.allocateNew(n);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            short x = value(i, random);
            if (isNull(i)) {
                v.setNull(i);
            } else {
                v.set(i, (char) x);
            }
        }
        v.setValueCount(n);
        return v;
    }

    private Float4Vector f32(String name, int n, long seed) {
        Float4Vector v = new Float4Vector(name, allocator);
        v.allocateNew(n);
        SplittableRandom random = new SplittableRandom(seed);
        float[] specials = {
            0f,
            -0f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE,
            65504f,
            65520f,
            1e6f,
            -20f,
            1f
        };
        for (int i = 0; i < n; i++) {
            if (isNull(i)) {
                v.setNull(i);
            } else {
                v.set(i, i < specials.length ? specials[i] : Float.intBitsToFloat(random.nextInt()));
            }
        }
        v.setValueCount(n);
        return v;
    }

    /** The bits of a 16-bit vector's value i. */
    private static short bits(BaseFixedWidthVector v, int i) {
        return v instanceof Float2Vector f ? f.get(i) : (short) ((UInt2Vector) v).get(i);
    }

    /** Every non-null value of dst is {@code gelu.apply(short)} of src's, and the nulls match. */
    private static void assertGelu(Gelu gelu, BaseFixedWidthVector src, BaseFixedWidthVector dst) {
        assertEquals(src.getValueCount(), dst.getValueCount());
        for (int i = 0; i < src.getValueCount(); i++) {
            assertEquals(src.isNull(i), dst.isNull(i), "null at " + i);
            if (!src.isNull(i)) {
                short x = bits(src, i);
                assertEquals(gelu.apply(x), bits(dst, i), () -> gelu + " of 0x" + Integer.toHexString(x & 0xffff));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void f16IntoNewAndExistingVectorsAndInPlace(Form form) {
        Gelu gelu = Gelu.of(form).storage(Storage.F16);
        for (int n : SIZES) {
            try (Float2Vector src = f16("h", n, n);
                    Float2Vector copy = f16("h", n, n);
                    Float2Vector made = GeluArrow.apply(form, src, allocator);
                    Float2Vector given = new Float2Vector("y", allocator)) {
                assertGelu(gelu, src, made);
                assertEquals("h", made.getName());
                assertEquals(src.getNullCount(), made.getNullCount());
                GeluArrow.apply(gelu, src, given);
                assertGelu(gelu, src, given);
                GeluArrow.applyInPlace(form, src);
                assertGelu(gelu, copy, src);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void bf16IntoNewAndExistingVectorsAndInPlace(Form form) {
        Gelu gelu = Gelu.of(form).storage(Storage.BF16);
        for (int n : SIZES) {
            try (UInt2Vector src = bf16("b", n, n);
                    UInt2Vector copy = bf16("b", n, n);
                    UInt2Vector made = GeluArrow.apply(form, src, allocator);
                    UInt2Vector given = new UInt2Vector(GeluArrow.bf16Field("y"), allocator)) {
                assertGelu(gelu, src, made);
                assertEquals(GeluArrow.BF16, made.getField().getMetadata().get(GeluArrow.DTYPE_KEY));
                GeluArrow.apply(gelu, src, given);
                assertGelu(gelu, src, given);
                GeluArrow.applyInPlace(gelu, src);
                assertGelu(gelu, copy, src);
            }
        }
    }

    /** All 65536 bit patterns, no nulls: the whole of each format through the vector path. */
    @ParameterizedTest
    @EnumSource(Form.class)
    void everyBitPattern(Form form) {
        int n = 1 << 16;
        try (Float2Vector h = new Float2Vector("h", allocator);
                UInt2Vector b = new UInt2Vector(GeluArrow.bf16Field("b"), allocator)) {
            h.allocateNew(n);
            b.allocateNew(n);
            for (int i = 0; i < n; i++) {
                h.set(i, (short) i);
                b.set(i, (char) i);
            }
            h.setValueCount(n);
            b.setValueCount(n);
            GeluArrow.applyInPlace(form, h);
            GeluArrow.applyInPlace(form, b);
            Gelu f16 = Gelu.of(form).storage(Storage.F16);
            Gelu bf16 = Gelu.of(form).storage(Storage.BF16);
            for (int i = 0; i < n; i++) {
                assertEquals(f16.apply((short) i), h.get(i), "f16 0x" + Integer.toHexString(i));
                assertEquals(bf16.apply((short) i), (short) b.get(i), "bf16 0x" + Integer.toHexString(i));
            }
        }
    }

    /** float32 in, each result rounded once to the 16-bit type: the library's narrowing, per value. */
    @ParameterizedTest
    @EnumSource(Form.class)
    void float32NarrowedToF16AndBf16(Form form) {
        Gelu toF16 = Gelu.of(form).storage(Storage.F32, Storage.F16);
        Gelu toBf16 = Gelu.of(form).storage(Storage.F32, Storage.BF16);
        for (int n : SIZES) {
            try (Float4Vector src = f32("x", n, n);
                    Float2Vector h = new Float2Vector("h", allocator);
                    UInt2Vector b = new UInt2Vector(GeluArrow.bf16Field("b"), allocator)) {
                GeluArrow.apply(form, src, h);
                GeluArrow.apply(toBf16, src, b);
                assertEquals(n, h.getValueCount());
                assertEquals(n, b.getValueCount());
                short[] one = new short[1];
                for (int i = 0; i < n; i++) {
                    assertEquals(src.isNull(i), h.isNull(i), "null at " + i);
                    assertEquals(src.isNull(i), b.isNull(i), "null at " + i);
                    if (!src.isNull(i)) {
                        float x = src.get(i);
                        toF16.apply(new float[] {x}, one);
                        assertEquals(one[0], h.get(i), "f16 GELU(" + x + ")");
                        toBf16.apply(new float[] {x}, one);
                        assertEquals(one[0], (short) b.get(i), "bf16 GELU(" + x + ")");
                    }
                }
            }
        }
    }

    /**
     * Slices made by splitAndTransfer, at offsets that leave the data unaligned to a vector and
     * the validity bits shifted: the results are right, and in place on a slice writes the
     * memory it shares with the vector it was cut from.
     */
    @ParameterizedTest
    @EnumSource(Form.class)
    void slices(Form form) {
        Gelu f16 = Gelu.of(form).storage(Storage.F16);
        Gelu bf16 = Gelu.of(form).storage(Storage.BF16);
        int[][] cuts = {{0, 17}, {1, 1021}, {3, 15}, {8, 33}, {13, 4099}};
        for (int[] cut : cuts) {
            int start = cut[0];
            int length = cut[1];
            try (Float2Vector whole = f16("h", start + length + 5, length);
                    Float2Vector copy = f16("h", start + length + 5, length);
                    Float2Vector slice = new Float2Vector("s", allocator);
                    UInt2Vector wholeB = bf16("b", start + length + 5, length);
                    UInt2Vector copyB = bf16("b", start + length + 5, length);
                    UInt2Vector sliceB = new UInt2Vector(GeluArrow.bf16Field("s"), allocator)) {
                split(whole, start, length, slice);
                split(wholeB, start, length, sliceB);
                try (Float2Vector out = GeluArrow.apply(form, slice, allocator);
                        UInt2Vector outB = GeluArrow.apply(form, sliceB, allocator)) {
                    for (int i = 0; i < length; i++) {
                        assertEquals(copy.isNull(start + i), out.isNull(i), "null at " + i);
                        if (!copy.isNull(start + i)) {
                            assertEquals(f16.apply(copy.get(start + i)), out.get(i), "slice value " + i);
                            assertEquals(
                                    bf16.apply((short) copyB.get(start + i)),
                                    (short) outB.get(i),
                                    "bf16 slice value " + i);
                        }
                    }
                }
                GeluArrow.applyInPlace(form, slice);
                GeluArrow.applyInPlace(form, sliceB);
                for (int i = 0; i < length; i++) {
                    if (!copy.isNull(start + i)) {
                        assertEquals(f16.apply(copy.get(start + i)), slice.get(i), "in place on the slice, " + i);
                        assertEquals(slice.get(i), whole.get(start + i), "the slice's memory is the whole's, " + i);
                        assertEquals(sliceB.get(i), wholeB.get(start + i), "bf16 shared memory, " + i);
                    }
                }
            }
        }
    }

    private static void split(BaseFixedWidthVector from, int start, int length, BaseFixedWidthVector to) {
        TransferPair pair = from.makeTransferPair(to);
        pair.splitAndTransfer(start, length);
        assertEquals(length, to.getValueCount());
    }

    @Test
    void theFieldMarkSurvivesAnIpcStream() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (UInt2Vector v = bf16("act", 100, 1);
                VectorSchemaRoot root = new VectorSchemaRoot(List.of(v.getField()), List.of(v));
                ArrowStreamWriter writer = new ArrowStreamWriter(root, null, bytes)) {
            writer.start();
            writer.writeBatch();
            writer.end();
        }
        try (UInt2Vector want = bf16("act", 100, 1);
                ArrowStreamReader reader =
                        new ArrowStreamReader(new ByteArrayInputStream(bytes.toByteArray()), allocator)) {
            assertTrue(reader.loadNextBatch());
            UInt2Vector read = (UInt2Vector) reader.getVectorSchemaRoot().getVector(0);
            GeluArrow.applyInPlace(Form.ERF, read);
            assertGelu(Gelu.of(Form.ERF).storage(Storage.BF16), want, read);
        }
    }

    @Test
    void aGeluWhoseStorageDoesNotFitIsRejectedBeforeAnyWrite() {
        try (Float2Vector h = f16("h", 40, 1);
                Float2Vector hOut = f16("o", 3, 2);
                Float4Vector x = f32("x", 40, 3);
                Float4Vector xOut = f32("o", 3, 4);
                UInt2Vector b = bf16("b", 40, 5);
                UInt2Vector plain = new UInt2Vector("ints", allocator)) {
            Gelu f32 = Gelu.of(Form.ERF);
            Gelu faithful = Gelu.of(Form.ERF, Accuracy.FAITHFUL);
            Gelu f16 = f32.storage(Storage.F16);
            Gelu bf16 = f32.storage(Storage.BF16);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> GeluArrow.apply(f32, h, hOut));
            assertTrue(e.getMessage().contains("Gelu.of(form).storage(Storage.F16)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> GeluArrow.apply(faithful, h, allocator));
            assertThrows(IllegalArgumentException.class, () -> GeluArrow.applyInPlace(bf16, h));
            assertThrows(IllegalArgumentException.class, () -> GeluArrow.apply(f16, x, xOut));
            assertThrows(IllegalArgumentException.class, () -> GeluArrow.applyInPlace(f16, x));
            assertThrows(IllegalArgumentException.class, () -> GeluArrow.apply(f16, x, allocator));
            assertThrows(IllegalArgumentException.class, () -> GeluArrow.apply(f32, x, hOut));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> GeluArrow.apply(f32.storage(Storage.F32, Storage.BF16), x, hOut));
            assertThrows(IllegalArgumentException.class, () -> GeluArrow.apply(f16, b, allocator));
            assertThrows(
                    IllegalArgumentException.class, () -> GeluArrow.apply(f32.storage(Storage.F32, Storage.F16), x, b));
            assertEquals(3, hOut.getValueCount(), "a rejected call leaves dst alone");
            assertEquals(3, xOut.getValueCount(), "a rejected call leaves dst alone");

            // a UInt2Vector without the bf16 mark holds integers: never taken for bf16
            plain.allocateNew(40);
            plain.setValueCount(40);
            e = assertThrows(IllegalArgumentException.class, () -> GeluArrow.applyInPlace(Form.ERF, plain));
            assertTrue(e.getMessage().contains(GeluArrow.DTYPE_KEY + "=" + GeluArrow.BF16), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> GeluArrow.apply(Form.ERF, b, plain));
            assertThrows(IllegalArgumentException.class, () -> GeluArrow.apply(Form.ERF, plain, b));
            assertThrows(IllegalArgumentException.class, () -> GeluArrow.apply(Form.ERF, x, plain));
            assertEquals(40, b.getValueCount());
        }
    }

    @Test
    void emptyVectorsAndNullArguments() {
        try (Float2Vector h = new Float2Vector("h", allocator);
                Float2Vector out = GeluArrow.apply(Form.TANH, h, allocator);
                UInt2Vector b = new UInt2Vector(GeluArrow.bf16Field("b"), allocator)) {
            assertEquals(0, out.getValueCount());
            GeluArrow.applyInPlace(Form.TANH, h);
            GeluArrow.applyInPlace(Form.TANH, b);
            assertEquals(0, GeluArrow.data(h).byteSize());
            assertThrows(NullPointerException.class, () -> GeluArrow.applyInPlace((Form) null, h));
            assertThrows(NullPointerException.class, () -> GeluArrow.applyInPlace((Gelu) null, b));
            assertThrows(NullPointerException.class, () -> GeluArrow.apply(Form.ERF, h, (Float2Vector) null));
            assertThrows(NullPointerException.class, () -> GeluArrow.apply(Form.ERF, (UInt2Vector) null, allocator));
            assertThrows(NullPointerException.class, () -> GeluArrow.apply(Form.ERF, h, (BufferAllocator) null));
            assertThrows(NullPointerException.class, () -> GeluArrow.bf16Field(null));
        }
    }

    @Test
    void theSegmentIsTheVectorsOwnMemory() {
        try (Float2Vector h = f16("h", 9, 1);
                UInt2Vector b = bf16("b", 9, 1)) {
            assertEquals(9L * 2, GeluArrow.data(h).byteSize());
            assertEquals(h.getDataBuffer().memoryAddress(), GeluArrow.data(h).address());
            assertEquals(b.getDataBuffer().memoryAddress(), GeluArrow.data(b).address());
        }
    }
}
