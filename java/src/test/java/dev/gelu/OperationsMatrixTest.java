package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import dev.gelu.internal.ScalarKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The composed operations over the whole space: every backend and native ISA × form ×
 * operation (bias + GELU, GEGLU, GEGLU on [a | gate] rows) × storage × accuracy, against their
 * definition by composition. The sum and the product are computed here independently (the
 * 16-bit product exactly in double, rounded by a search over the type's values); GELU by the
 * scalar Java backend's forward, which GoldenValuesTest and HalfStorageTest hold to MPFR.
 * Padding between rows must stay untouched, in place must work, off-heap and heap alike.
 */
class OperationsMatrixTest {
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final GeluKernels REFERENCE = new ScalarKernels();
    private static final int CANARY = 0x5A5A5A5A;

    enum Op {
        BIAS,
        GEGLU,
        GEGLU_ROWS
    }

    /** A storage and accuracy that exist together: f32 in both accuracies, bf16, f16. */
    record Variant(Storage type, Accuracy accuracy) {
        @Override
        public String toString() {
            return type + (accuracy == Accuracy.FAITHFUL ? "-faithful" : "");
        }
    }

    static final List<Variant> VARIANTS = List.of(
            new Variant(Storage.F32, Accuracy.CORRECTLY_ROUNDED),
            new Variant(Storage.F32, Accuracy.FAITHFUL),
            new Variant(Storage.BF16, Accuracy.CORRECTLY_ROUNDED),
            new Variant(Storage.F16, Accuracy.CORRECTLY_ROUNDED));

    /**
     * Every backend in the default leg; in a leg that forces one backend (or caps the native
     * ISA), that one only: the legs together cover each backend without running all of them six
     * times.
     */
    static Stream<Arguments> matrix() {
        List<Arguments> points = new ArrayList<>();
        boolean forced = System.getProperty(Backends.PROPERTY) != null;
        for (GeluKernels backend : forced ? List.of(Backends.get()) : Backends.available()) {
            for (Form form : Form.values()) {
                for (Op op : Op.values()) {
                    for (Variant v : VARIANTS) {
                        points.add(Arguments.of(backend, form, op, v));
                    }
                }
            }
        }
        return points.stream();
    }

    /** (rows, cols, ldx, ldy) with ldx, ldy for width-1 rows; GEGLU rows add cols to ldx. */
    private static final long[][] SHAPES = {
        {1, 1, 1, 1}, {3, 17, 17, 20}, {4, 1025, 1030, 1025}, {2, 3000, 3001, 3003}, {1, 70_000, 70_000, 70_000}
    };

    @Tag("slow")
    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("matrix")
    void everyPointMatchesItsComposition(GeluKernels backend, Form form, Op op, Variant v) {
        long e = v.type().bytes();
        SplittableRandom rnd = new SplittableRandom(31 * form.ordinal() + 7 * op.ordinal() + v.hashCode());
        try (Arena arena = Arena.ofConfined()) {
            for (long[] shape : SHAPES) {
                long rows = shape[0], cols = shape[1];
                long width = op == Op.GEGLU_ROWS ? 2 : 1;
                long ldx = op == Op.GEGLU ? cols : shape[2] + (width - 1) * cols,
                        ldy = op == Op.GEGLU ? cols : shape[3];
                if (op == Op.GEGLU) { // one long vector of all the rows
                    cols = rows * cols;
                    rows = 1;
                    ldx = ldy = cols;
                }
                long xn = (rows - 1) * ldx + width * cols, yn = (rows - 1) * ldy + cols + 3;
                MemorySegment x = fill(arena.allocate(xn * e), v.type(), rnd);
                MemorySegment other = fill(arena.allocate(cols * e), v.type(), rnd); // bias, or GEGLU's a
                MemorySegment y = arena.allocate(yn * e);
                canaries(y);
                run(backend, form, op, v, x, other, y, rows, cols, ldx, ldy);
                MemorySegment want = expected(form, op, v, x, other, rows, cols, ldx);
                String what = backend.name() + "/" + backend.isa() + " " + form + " " + op + " " + v + " " + rows + "x"
                        + cols;
                for (long i = 0; i < rows; i++) {
                    for (long j = 0; j < ldy && i * ldy + j < yn; j++) {
                        long at = (i * ldy + j) * e;
                        if (j < cols) {
                            assertEquals(
                                    get(want, v.type(), (i * cols + j) * e),
                                    get(y, v.type(), at),
                                    what + " [" + i + "][" + j + "]");
                        } else {
                            assertEquals(canary(v.type()), get(y, v.type(), at), what + " wrote padding");
                        }
                    }
                }
                for (long k = ((rows - 1) * ldy + cols) * e; k < yn * e; k += e) {
                    assertEquals(canary(v.type()), get(y, v.type(), k), what + " wrote past the end");
                }
                // in place: y over x (with ldy == ldx), or over GEGLU's gate; the same values
                MemorySegment z = arena.allocate(xn * e);
                z.copyFrom(x);
                run(backend, form, op, v, z, other, z, rows, cols, ldx, ldx);
                for (long i = 0; i < rows; i++) {
                    for (long j = 0; j < cols; j++) {
                        assertEquals(
                                get(want, v.type(), (i * cols + j) * e),
                                get(z, v.type(), (i * ldx + j) * e),
                                what + " in place [" + i + "][" + j + "]");
                    }
                }
                // heap segments: the same bits
                MemorySegment hx =
                        MemorySegment.ofArray(new byte[(int) (xn * e)]).copyFrom(x);
                MemorySegment ho =
                        MemorySegment.ofArray(new byte[(int) (cols * e)]).copyFrom(other);
                MemorySegment hy = MemorySegment.ofArray(new byte[(int) (yn * e)]);
                canaries(hy);
                run(backend, form, op, v, hx, ho, hy, rows, cols, ldx, ldy);
                assertEquals(-1L, hy.mismatch(y), what + " heap");
            }
        }
    }

    private static void run(
            GeluKernels k,
            Form form,
            Op op,
            Variant v,
            MemorySegment x,
            MemorySegment other,
            MemorySegment y,
            long rows,
            long cols,
            long ldx,
            long ldy) {
        switch (op) {
            case BIAS -> k.bias(form, v.accuracy(), v.type(), x, other, y, rows, cols, ldx, ldy);
            case GEGLU -> k.geglu(form, v.accuracy(), v.type(), other, x, y, cols); // gate = x, y may be x
            case GEGLU_ROWS -> k.gegluRows(form, v.accuracy(), v.type(), x, y, rows, cols, ldx, ldy);
        }
    }

    /** The definition, dense (rows × cols): the sum or product here, GELU by the scalar reference. */
    private static MemorySegment expected(
            Form form, Op op, Variant v, MemorySegment x, MemorySegment other, long rows, long cols, long ldx) {
        Storage t = v.type();
        long e = t.bytes();
        int n = (int) (rows * cols);
        MemorySegment want = MemorySegment.ofArray(new byte[(int) (n * e)]);
        if (op == Op.BIAS) {
            float[] sum = new float[n];
            for (long i = 0; i < rows; i++) {
                for (long j = 0; j < cols; j++) {
                    sum[(int) (i * cols + j)] = add(widen(t, x, (i * ldx + j) * e), widen(t, other, j * e));
                }
            }
            MemorySegment s = MemorySegment.ofArray(sum);
            if (t == Storage.F32) {
                REFERENCE.forward(form, v.accuracy(), s, want, n);
            } else {
                REFERENCE.forward(form, Storage.F32, t, s, want, n);
            }
            return want;
        }
        for (long i = 0; i < rows; i++) {
            long gate = op == Op.GEGLU ? 0 : (i * ldx + cols) * e, a = op == Op.GEGLU ? 0 : i * ldx * e;
            MemorySegment as = op == Op.GEGLU ? other : x;
            MemorySegment g = x.asSlice(gate, cols * e), gelu = MemorySegment.ofArray(new byte[(int) (cols * e)]);
            if (t == Storage.F32) {
                REFERENCE.forward(form, v.accuracy(), g, gelu, cols);
            } else {
                REFERENCE.forward(form, t, t, g, gelu, cols);
            }
            for (long j = 0; j < cols; j++) {
                long o = (i * cols + j) * e;
                if (t == Storage.F32) {
                    want.set(I, o, mul32(as.get(I, a + j * e), gelu.get(I, j * e)));
                } else {
                    want.set(S, o, mul16(t, as.get(S, a + j * e), gelu.get(S, j * e)));
                }
            }
        }
        return want;
    }

    private static float widen(Storage t, MemorySegment s, long o) {
        return switch (t) {
            case F32 -> s.get(ValueLayout.JAVA_FLOAT_UNALIGNED, o);
            case BF16 -> Float.intBitsToFloat(s.get(S, o) << 16);
            case F16 -> Float.float16ToFloat(s.get(S, o));
        };
    }

    private static float add(float x, float b) {
        if (Float.isNaN(x)) {
            return x;
        }
        if (Float.isNaN(b)) {
            return b;
        }
        float s = x + b;
        return Float.isNaN(s) ? Float.intBitsToFloat(0x7FC00000) : s;
    }

    private static int mul32(int a, int t) {
        if (Float.isNaN(Float.intBitsToFloat(a))) {
            return a | 0x00400000;
        }
        if (Float.isNaN(Float.intBitsToFloat(t))) {
            return t;
        }
        float p = Float.intBitsToFloat(a) * Float.intBitsToFloat(t);
        return Float.isNaN(p) ? 0x7FC00000 : Float.floatToRawIntBits(p);
    }

    private static float value16(Storage t, int code) {
        return TestData.value16(t, code);
    }

    /** a·t exactly in double, rounded to the nearest value of the type (ties to the even code). */
    private static short mul16(Storage t, short a, short g) {
        int inf = t == Storage.BF16 ? 0x7F80 : 0x7C00;
        if ((a & 0x7FFF) > inf) {
            return (short) (a | (t == Storage.BF16 ? 0x0040 : 0x0200));
        }
        if ((g & 0x7FFF) > inf) {
            return g;
        }
        double p = (double) value16(t, a) * value16(t, g);
        if (Double.isNaN(p)) {
            return (short) (t == Storage.BF16 ? 0x7FC0 : 0x7E00);
        }
        return (short) TestData.nearest16(t, p);
    }

    /** Mostly activations, plus NaNs with payloads, infinities, zeros, subnormals, any bits. */
    private static MemorySegment fill(MemorySegment s, Storage t, SplittableRandom rnd) {
        long e = t.bytes();
        int[] special = {
            0x7FC00000,
            0xFFC12345,
            0x7F800001,
            0x7F800000,
            0xFF800000,
            0,
            0x80000000,
            1,
            0x807FFFFF,
            0x7F7FFFFF,
            0xC1A00000,
            0x41A00000
        };
        for (long o = 0; o < s.byteSize(); o += e) {
            int r = rnd.nextInt(100);
            int bits = r < 5
                    ? special[rnd.nextInt(special.length)]
                    : r < 12 ? rnd.nextInt() : Float.floatToRawIntBits((float) (rnd.nextGaussian() * 3));
            if (t == Storage.F32) {
                s.set(I, o, bits);
            } else if (t == Storage.BF16) {
                s.set(S, o, (short) (r < 12 ? bits : bits >>> 16));
            } else {
                s.set(S, o, r < 12 ? (short) bits : Float.floatToFloat16(Float.intBitsToFloat(bits)));
            }
        }
        return s;
    }

    private static void canaries(MemorySegment y) {
        y.fill((byte) 0x5A);
    }

    private static int canary(Storage t) {
        return t == Storage.F32 ? CANARY : CANARY & 0xFFFF;
    }

    private static int get(MemorySegment s, Storage t, long o) {
        return t == Storage.F32 ? s.get(I, o) : s.get(S, o) & 0xFFFF;
    }

    // ---- the public API: the same bits, and bad input rejected before anything is written ----

    @Test
    void theFacadeGivesTheDefinitionsBits() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (Form form : Form.values()) {
            Gelu gelu = Gelu.of(form);
            float[] x = new float[6 * 333], b = new float[333], a = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian() * 3;
                a[i] = (float) rnd.nextGaussian();
            }
            for (int j = 0; j < b.length; j++) {
                b[j] = (float) rnd.nextGaussian();
            }
            float[] y = new float[x.length], want = new float[x.length];
            gelu.bias(x, b, y);
            for (int i = 0; i < x.length; i++) {
                want[i] = gelu.apply(x[i] + b[i % b.length]);
            }
            assertEquals(List.of(box(want)), List.of(box(y)), form + " bias");
            gelu.geglu(a, x, y);
            for (int i = 0; i < x.length; i++) {
                want[i] = a[i] * gelu.apply(x[i]);
            }
            assertEquals(List.of(box(want)), List.of(box(y)), form + " geglu");
            float[] rowsIn = new float[2 * x.length], half = new float[x.length];
            for (int i = 0; i < 6; i++) {
                System.arraycopy(a, i * 333, rowsIn, i * 666, 333);
                System.arraycopy(x, i * 333, rowsIn, i * 666 + 333, 333);
            }
            gelu.gegluRows(rowsIn, half, 333);
            assertEquals(List.of(box(want)), List.of(box(half)), form + " geglu rows");
            short[] h = new short[x.length], hb = new short[b.length], hy = new short[x.length];
            for (int i = 0; i < h.length; i++) {
                h[i] = (short) (Float.floatToRawIntBits(x[i]) >>> 16);
            }
            for (int j = 0; j < hb.length; j++) {
                hb[j] = (short) (Float.floatToRawIntBits(b[j]) >>> 16);
            }
            Gelu bf16 = Gelu.of(form).storage(Storage.BF16),
                    narrow = Gelu.of(form).storage(Storage.F32, Storage.BF16);
            bf16.bias(h, hb, hy);
            float[] sum = new float[h.length];
            for (int i = 0; i < h.length; i++) {
                sum[i] = Float.intBitsToFloat(h[i] << 16) + Float.intBitsToFloat(hb[i % hb.length] << 16);
            }
            short[] hw = new short[h.length];
            narrow.apply(sum, hw);
            assertTrue(java.util.Arrays.equals(hw, hy), form + " bf16 bias");
        }
    }

    private static Integer[] box(float[] f) {
        Integer[] b = new Integer[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    @Test
    void badShapesAndOverlapsAreRejectedBeforeAnyWrite() {
        Gelu gelu = Gelu.of(Form.ERF);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(4 * 64), b = arena.allocate(4 * 8), y = arena.allocate(4 * 64);
            y.fill((byte) 0x5A);
            MemorySegment before = MemorySegment.ofArray(new byte[4 * 64]).copyFrom(y);
            expect("ldx (7) is less than cols (8)", () -> gelu.bias(x, b, y, 2, 8, 7, 8));
            expect("ldy (7) is less than cols (8)", () -> gelu.bias(x, b, y, 2, 8, 8, 7));
            expect("bias has 7.0 floats, fewer than cols (8)", () -> gelu.bias(x, b.asSlice(0, 28), y, 2, 8, 8, 8));
            expect(
                    "x has 15.0 floats, 2 rows of 8, 8 apart need 16",
                    () -> gelu.bias(x.asSlice(0, 60), b, y, 2, 8, 8, 8));
            expect("must not be negative", () -> gelu.bias(x, b, y, -1, 8, 8, 8));
            expect("x and y overlap", () -> gelu.bias(y.asSlice(4), b, y, 2, 8, 8, 8));
            expect("x and y overlap", () -> gelu.bias(y, b, y, 2, 8, 8, 9));
            expect("bias and y overlap", () -> gelu.bias(x, y.asSlice(8, 32), y, 2, 8, 8, 8));
            expect("ldx (15) is less than 2 * cols (16)", () -> gelu.gegluRows(x, y, 2, 8, 15, 8));
            expect("x and y overlap", () -> gelu.gegluRows(y, y, 2, 8, 16, 8));
            expect(
                    "size mismatch: a has 8 floats, gate 7.0, y 8.0",
                    () -> gelu.geglu(x.asSlice(0, 32), x.asSlice(0, 28), y.asSlice(0, 32)));
            expect(
                    "gate and y partially overlap",
                    () -> gelu.geglu(x.asSlice(0, 32), y.asSlice(4, 32), y.asSlice(0, 32)));
            expect("a and y partially overlap", () -> gelu.geglu(y.asSlice(8, 32), x.asSlice(0, 32), y.asSlice(0, 32)));
            expect(
                    "y is read-only",
                    () -> gelu.geglu(
                            x.asSlice(0, 32), x.asSlice(0, 32), y.asSlice(0, 32).asReadOnly()));
            expect(
                    "needs the same storage in and out",
                    () -> Gelu.of(Form.ERF).storage(Storage.F32, Storage.BF16).bias(x, b, y, 1, 8, 8, 8));
            expect("not a whole number of rows of 8", () -> gelu.bias(new float[9], new float[8], new float[9]));
            expect("not rows of 2 * 4 and of 4", () -> gelu.gegluRows(new float[8], new float[3], 4));
            expect("short[]", () -> gelu.geglu(new short[2], new short[2], new short[2]));
            assertEquals(-1L, y.mismatch(before), "a rejected call wrote y");
            gelu.bias(x, b, y, 0, 8, 8, 8); // empty shapes are fine
            gelu.gegluRows(x, y, 3, 0, 0, 0);
            assertEquals(-1L, y.mismatch(before), "an empty call wrote y");
        }
    }

    private static void expect(String message, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(message), "message \"" + e.getMessage() + "\" lacks \"" + message + "\"");
    }
}
