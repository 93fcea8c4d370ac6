package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 16-bit storage, proven on every backend: all 2^16 bf16 inputs and all 2^16 f16 inputs, each
 * form, against the MPFR oracle's value rounded once to the format (golden16.bin.gz, written by
 * native/tools/gelu_golden_half through scripts/make-golden.sh): 16-bit in and out on heap
 * and off-heap memory, in place, and float32 in (the same values widened) with 16-bit out.
 * Then the facade's argument checks for the new shapes.
 */
class HalfStorageTest {
    private static final int N = 65536;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;
    private static final short[][][] GOLDEN = load(); // [form][type: 0 bf16, 1 f16][input bits]

    private static short[][][] load() {
        short[][][] g = new short[Form.values().length][2][N];
        try (InputStream raw = HalfStorageTest.class.getResourceAsStream("golden16.bin.gz");
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            for (int form = 0; form < g.length; form++) {
                for (int type = 0; type < 2; type++) {
                    for (int i = 0; i < N; i++) {
                        g[form][type][i] = Short.reverseBytes(in.readShort()); // little-endian
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read golden16.bin.gz", e);
        }
        return g;
    }

    static Stream<Arguments> points() {
        return Stream.of(Form.values())
                .flatMap(f -> Stream.of(Storage.BF16, Storage.F16).map(t -> Arguments.of(f, t)));
    }

    private static short[] want(Form form, Storage type) {
        return GOLDEN[form.ordinal()][type == Storage.BF16 ? 0 : 1];
    }

    private static float widen(Storage type, short h) {
        return type == Storage.BF16 ? Float.intBitsToFloat(h << 16) : Float.float16ToFloat(h);
    }

    private static void check(short[] want, short[] got, int gotOffset, String what) {
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < N; i++) {
            if (want[i] != got[gotOffset + i]) {
                if (bad++ < 5) {
                    first.append(String.format(" [0x%04x: got 0x%04x, want 0x%04x]", i, got[gotOffset + i], want[i]));
                }
            }
        }
        if (bad != 0) {
            fail(what + ": " + bad + " of 65536 not correctly rounded:" + first);
        }
    }

    @Tag("slow")
    @ParameterizedTest
    @MethodSource("points")
    void everyBackendIsCorrectlyRoundedOnEvery16BitInput(Form form, Storage type) {
        short[] want = want(form, type);
        short[] x = new short[N];
        float[] xf = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (short) i;
            xf[i] = widen(type, x[i]);
        }
        List<GeluKernels> backends = Backends.available();
        assertTrue(backends.size() >= 2, "expected several backends, got " + backends);
        for (GeluKernels k : backends) {
            String what = k.name() + "/" + k.isa() + " " + form + " " + type;
            short[] y = new short[N + 1];
            k.forward(
                    form,
                    type,
                    type,
                    MemorySegment.ofArray(x),
                    MemorySegment.ofArray(y).asSlice(2, 2L * N),
                    N);
            check(want, y, 1, what + " heap, unaligned");
            short[] z = x.clone();
            MemorySegment zs = MemorySegment.ofArray(z);
            k.forward(form, type, type, zs, zs, N);
            check(want, z, 0, what + " heap in place");
            short[] n = new short[N];
            k.forward(form, Storage.F32, type, MemorySegment.ofArray(xf), MemorySegment.ofArray(n), N);
            check(want, n, 0, what + " narrowing from float32");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = arena.allocate(2L * N + 2).asSlice(2);
                MemorySegment.copy(x, 0, s, U16, 0, N);
                k.forward(form, type, type, s, s, N);
                check(want, s.toArray(U16), 0, what + " off-heap in place");
                MemorySegment f = arena.allocate(4L * N);
                MemorySegment.copy(xf, 0, f, ValueLayout.JAVA_FLOAT, 0, N);
                k.forward(form, Storage.F32, type, f, f.asSlice(0, 2L * N), N);
                check(want, f.asSlice(0, 2L * N).toArray(U16), 0, what + " off-heap narrowing in place");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("points")
    void theFacadeGivesTheSameBits(Form form, Storage type) {
        short[] want = want(form, type);
        Gelu g = Gelu.of(form).storage(type);
        short[] x = new short[N];
        float[] xf = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (short) i;
            xf[i] = widen(type, x[i]);
        }
        short[] y = new short[N];
        g.apply(x, y);
        check(want, y, 0, g + " apply(short[], short[])");
        short[] n = new short[N];
        Gelu.of(form).storage(Storage.F32, type).apply(xf, n);
        check(want, n, 0, form + " F32 -> " + type + " apply(float[], short[])");
        for (int i = 0; i < N; i += 251) {
            assertEquals(want[i], g.apply((short) i), g + " apply(short) at 0x" + Integer.toHexString(i));
        }
        short[] par = new short[N];
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = arena.allocate(2L * N);
            MemorySegment.copy(x, 0, s, U16, 0, N);
            MemorySegment d = arena.allocate(2L * N);
            g.apply(s, d, Runnable::run, 2);
            MemorySegment.copy(d, U16, 0, par, 0, N);
        }
        check(want, par, 0, g + " parallel");
    }

    /**
     * Random lengths (every tail length of every block size), offsets and memory kinds on every
     * backend: each output against the golden table, nothing written outside dst, src untouched.
     */
    @ParameterizedTest
    @MethodSource("points")
    void randomCallsWriteExactlyTheirRange(Form form, Storage type) {
        short[] want = want(form, type);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(type.ordinal() * 2 + form.ordinal());
        for (GeluKernels k : Backends.available()) {
            for (int call = 0; call < 120; call++) {
                int len = call < 70 ? call : rnd.nextInt(5000);
                int so = rnd.nextInt(8), dOff = rnd.nextInt(8);
                short[] x = new short[len + so];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (short) rnd.nextInt(1 << 16);
                }
                short[] keep = x.clone();
                short[] y = new short[len + dOff + 8];
                java.util.Arrays.fill(y, (short) 0x5A5A);
                String what = k.name() + "/" + k.isa() + " " + form + " " + type + " len=" + len;
                try (Arena arena = Arena.ofConfined()) {
                    boolean offHeap = rnd.nextBoolean();
                    MemorySegment src =
                            offHeap ? arena.allocate(2L * x.length + 2).asSlice(2) : MemorySegment.ofArray(x);
                    MemorySegment dst = offHeap ? arena.allocate(2L * y.length) : MemorySegment.ofArray(y);
                    if (offHeap) {
                        MemorySegment.copy(x, 0, src, U16, 0, x.length);
                        MemorySegment.copy(y, 0, dst, U16, 0, y.length);
                    }
                    k.forward(form, type, type, src.asSlice(2L * so, 2L * len), dst.asSlice(2L * dOff, 2L * len), len);
                    short[] got = offHeap ? dst.toArray(U16) : y;
                    short[] srcAfter = offHeap ? src.toArray(U16) : x;
                    for (int i = 0; i < got.length; i++) {
                        boolean inside = i >= dOff && i < dOff + len;
                        short w = inside ? want[keep[so + i - dOff] & 0xFFFF] : (short) 0x5A5A;
                        assertEquals(w, got[i], what + (inside ? " at " + (i - dOff) : " wrote outside dst at " + i));
                    }
                    assertTrue(java.util.Arrays.equals(keep, srcAfter), what + ": src changed");
                }
            }
        }
    }

    /**
     * Float32 in, 16-bit out, on every backend against the scalar double path ({@code
     * HalfMath}, element by element, the bits that gelu_exhaustive_half proves against MPFR):
     * random lengths (past several of the Vector API queue's flushes) and offsets, in place and
     * not, on data where a large share of lanes leave the float path (the tail below −4, the deep
     * tail, quick's x ≥ 6, NaNs, infinities, tiny and huge values, the hard cases).
     */
    @ParameterizedTest
    @MethodSource("points")
    void narrowingLanesOffTheFloatPathGetTheScalarBits(Form form, Storage type) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(31 * form.ordinal() + type.ordinal());
        int[] hard = dev.gelu.internal.HalfMath.hardCaseInputs(form, type);
        GeluKernels reference = new dev.gelu.internal.ScalarKernels();
        for (GeluKernels k : Backends.available()) {
            for (int call = 0; call < 40; call++) {
                int len = call < 20 ? call * 7 : rnd.nextInt(3000);
                float[] x = new float[len];
                for (int i = 0; i < len; i++) {
                    x[i] = switch (rnd.nextInt(10)) {
                        case 0, 1, 2 -> (float) rnd.nextDouble(-8, 8);
                        case 3, 4 -> (float) rnd.nextDouble(-60, -4);
                        case 5 -> (float) rnd.nextGaussian();
                        case 6 -> (float) rnd.nextDouble(4, 30);
                        case 7 -> Float.intBitsToFloat(rnd.nextInt()); // NaNs, infinities, tiny, huge
                        case 8 -> hard.length > 0 ? Float.intBitsToFloat(hard[rnd.nextInt(hard.length)]) : -4.5f;
                        default ->
                            new float[] {
                                        Float.NaN,
                                        Float.NEGATIVE_INFINITY,
                                        Float.POSITIVE_INFINITY,
                                        -0.0f,
                                        Float.MIN_VALUE,
                                        -Float.MAX_VALUE,
                                        Float.MAX_VALUE,
                                        0x1p-31f,
                                        -0x1p-31f
                                    }
                                    [rnd.nextInt(9)];
                    };
                }
                short[] want = new short[len];
                reference.forward(form, Storage.F32, type, MemorySegment.ofArray(x), MemorySegment.ofArray(want), len);
                String what = k.name() + "/" + k.isa() + " " + form + " F32 -> " + type + " len=" + len;
                try (Arena arena = Arena.ofConfined()) {
                    int off = rnd.nextInt(4);
                    MemorySegment src = arena.allocate(4L * len + 4 * off).asSlice(4L * off);
                    MemorySegment.copy(x, 0, src, ValueLayout.JAVA_FLOAT, 0, len);
                    boolean inPlace = rnd.nextBoolean();
                    MemorySegment dst = inPlace
                            ? src.asSlice(0, 2L * len)
                            : arena.allocate(2L * len + 2).asSlice(2);
                    k.forward(form, Storage.F32, type, src, dst, len);
                    short[] got = dst.toArray(U16);
                    for (int i = 0; i < len; i++) {
                        assertEquals(
                                want[i],
                                got[i],
                                what + (inPlace ? " in place" : "") + " at " + i + ", x = " + Float.toHexString(x[i]));
                    }
                }
            }
        }
    }

    @Test
    void theDescriptorNamesItsStorage() {
        Gelu bf16 = Gelu.of(Form.TANH).storage(Storage.BF16);
        assertEquals(Storage.BF16, bf16.input());
        assertEquals(Storage.BF16, bf16.output());
        assertEquals("Gelu[TANH, CORRECTLY_ROUNDED, BF16]", bf16.toString());
        Gelu narrow = Gelu.of(Form.ERF).storage(Storage.F32, Storage.F16);
        assertEquals("Gelu[ERF, CORRECTLY_ROUNDED, F32 -> F16]", narrow.toString());
        assertTrue(narrow == Gelu.of(Form.ERF).storage(Storage.F32, Storage.F16), "instances are cached");
        assertTrue(Gelu.of(Form.ERF) == Gelu.of(Form.ERF).storage(Storage.F32), "F32 is the default");
    }

    @Test
    void unsupportedPointsAndMismatchedArgumentsAreRejectedBeforeAnyWrite() {
        Gelu bf16 = Gelu.of(Form.ERF).storage(Storage.BF16);
        Gelu narrow = Gelu.of(Form.ERF).storage(Storage.F32, Storage.BF16);
        assertThrows(IllegalArgumentException.class, () -> Gelu.of(Form.ERF).storage(Storage.BF16, Storage.F32));
        assertThrows(IllegalArgumentException.class, () -> Gelu.of(Form.ERF).storage(Storage.BF16, Storage.F16));
        IllegalArgumentException faithful = assertThrows(
                IllegalArgumentException.class,
                () -> Gelu.of(Form.ERF, Accuracy.FAITHFUL).storage(Storage.BF16));
        assertTrue(faithful.getMessage().contains("faithful"), faithful.getMessage());
        // the quick form has every point the other forms have, and the same rule for faithful 16-bit
        IllegalArgumentException quick = assertThrows(
                IllegalArgumentException.class,
                () -> Gelu.of(Form.QUICK, Accuracy.FAITHFUL).storage(Storage.BF16));
        assertTrue(quick.getMessage().contains("faithful"), quick.getMessage());
        // array types that do not fit the storage
        assertThrows(IllegalArgumentException.class, () -> bf16.apply(new float[4], new float[4]));
        assertThrows(IllegalArgumentException.class, () -> bf16.apply(new float[4], new short[4]));
        assertThrows(IllegalArgumentException.class, () -> narrow.apply(new short[4], new short[4]));
        assertThrows(IllegalArgumentException.class, () -> Gelu.of(Form.ERF).apply(new short[4], new short[4]));
        assertThrows(IllegalArgumentException.class, () -> Gelu.of(Form.ERF).apply(new float[4], new short[4]));
        assertThrows(IllegalArgumentException.class, () -> bf16.apply(1.0f));
        assertThrows(IllegalArgumentException.class, () -> Gelu.of(Form.ERF).apply((short) 0));
        // sizes and overlap, nothing written
        short[] dst = {7, 7, 7, 7, 7};
        assertThrows(IllegalArgumentException.class, () -> bf16.apply(new short[4], dst));
        assertThrows(IllegalArgumentException.class, () -> narrow.apply(new float[4], dst));
        short[] same = {1, 2, 3, 4, 5, 6};
        assertThrows(IllegalArgumentException.class, () -> bf16.apply(same, 0, same, 1, 4));
        assertEquals(2, same[1]);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment odd = arena.allocate(7);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bf16.apply(odd, odd));
            assertTrue(e.getMessage().contains("7 bytes") && e.getMessage().contains("bf16"), e.getMessage());
            MemorySegment f = arena.allocate(4 * 16);
            f.fill((byte) 1);
            MemorySegment half = f.asSlice(0, 2 * 16);
            narrow.apply(f, half); // in place: the results over the front of the input
            assertThrows(IllegalArgumentException.class, () -> narrow.apply(f, f.asSlice(2, 2 * 16)));
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> narrow.apply(f, f));
            assertTrue(size.getMessage().contains("size mismatch"), size.getMessage());
            MemorySegment ro = arena.allocate(2 * 16).asReadOnly();
            assertThrows(IllegalArgumentException.class, () -> bf16.apply(ro, ro));
            MemorySegment other = arena.allocate(4 * 16);
            MemorySegment partly = other.asSlice(2, 2 * 16);
            MemorySegment src = other.asSlice(0, 2 * 16);
            assertThrows(IllegalArgumentException.class, () -> bf16.apply(src, partly));
        }
    }
}
