package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The backward operation on every backend against MPFR: {@code golden_backward.tsv.gz}
 * (native/tools/gelu_golden_backward.c) holds GELU′(x) correctly rounded to float for each
 * form on a spread of floats, the floats nearest each zero crossing, and every bf16 and f16
 * value. dy = 1 must give GELU′ itself; random dy the product rounded once (float32 here,
 * the 16-bit product exactly in double, rounded by a search over the type's values), with the
 * library's NaN choice. Off-heap, heap, in place over x and over dy.
 */
class BackwardTest {
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** x bits -> GELU′ bits per form (column = Form.ordinal()). */
    private static final Map<Integer, int[]> GOLDEN = readGolden();

    private static Map<Integer, int[]> readGolden() {
        Map<Integer, int[]> m = new HashMap<>();
        try (InputStream in = BackwardTest.class.getResourceAsStream("golden_backward.tsv.gz");
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(" ");
                int[] d = new int[f.length - 1];
                for (int i = 1; i < f.length; i++) {
                    d[i - 1] = Integer.parseUnsignedInt(f[i], 16);
                }
                m.put(Integer.parseUnsignedInt(f[0], 16), d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    /** Every backend in the default leg, the forced one in the others (as OperationsMatrixTest). */
    static Stream<Arguments> points() {
        List<Arguments> p = new ArrayList<>();
        boolean forced = System.getProperty(Backends.PROPERTY) != null;
        for (GeluKernels k : forced ? List.of(Backends.get()) : Backends.available()) {
            for (Form form : Form.values()) {
                p.add(Arguments.of(k, form));
            }
        }
        return p.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("points")
    void float32MatchesMpfr(GeluKernels k, Form form) {
        int[] xs = GOLDEN.keySet().stream().mapToInt(Integer::intValue).toArray();
        int n = xs.length;
        SplittableRandom rnd = new SplittableRandom(form.ordinal());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(4L * n), one = arena.allocate(4L * n), dy = arena.allocate(4L * n);
            MemorySegment dx = arena.allocate(4L * n);
            for (int i = 0; i < n; i++) {
                x.setAtIndex(ValueLayout.JAVA_INT, i, xs[i]);
                one.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1f);
                int r = rnd.nextInt(50);
                dy.setAtIndex(
                        ValueLayout.JAVA_INT,
                        i,
                        r == 0
                                ? 0x7FC01234
                                : r == 1
                                        ? 0x7F800000
                                        : r == 2 ? 0xFF800001 : Float.floatToRawIntBits((float) rnd.nextGaussian()));
            }
            k.backward(form, Storage.F32, x, one, dx, n);
            String what = k.name() + "/" + k.isa() + " " + form;
            for (int i = 0; i < n; i++) {
                assertEquals(
                        GOLDEN.get(xs[i])[form.ordinal()],
                        dx.getAtIndex(ValueLayout.JAVA_INT, i),
                        what + " GELU'(" + Float.intBitsToFloat(xs[i]) + ")");
            }
            k.backward(form, Storage.F32, x, dy, dx, n);
            int[] want = new int[n];
            for (int i = 0; i < n; i++) {
                want[i] = product(dy.getAtIndex(ValueLayout.JAVA_INT, i), GOLDEN.get(xs[i])[form.ordinal()]);
                assertEquals(
                        want[i],
                        dx.getAtIndex(ValueLayout.JAVA_INT, i),
                        what + " dy * GELU' at x = " + Float.intBitsToFloat(xs[i]) + ", dy = "
                                + dy.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            }
            // in place over x, over dy, and on heap arrays
            MemorySegment z = arena.allocate(4L * n).copyFrom(x);
            k.backward(form, Storage.F32, z, dy, z, n);
            assertEquals(-1L, z.mismatch(dx), what + " in place over x");
            z.copyFrom(dy);
            k.backward(form, Storage.F32, x, z, z, n);
            assertEquals(-1L, z.mismatch(dx), what + " in place over dy");
            float[] hx = x.toArray(ValueLayout.JAVA_FLOAT),
                    hdy = dy.toArray(ValueLayout.JAVA_FLOAT),
                    hdx = new float[n];
            k.backward(
                    form,
                    Storage.F32,
                    MemorySegment.ofArray(hx),
                    MemorySegment.ofArray(hdy),
                    MemorySegment.ofArray(hdx),
                    n);
            assertEquals(-1L, MemorySegment.ofArray(hdx).mismatch(dx), what + " heap");
        }
    }

    @Tag("slow")
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("points")
    void every16BitInputMatchesMpfr(GeluKernels k, Form form) {
        for (Storage t : new Storage[] {Storage.BF16, Storage.F16}) {
            SplittableRandom rnd = new SplittableRandom(7 + form.ordinal());
            int n = 1 << 16;
            short[] x = new short[n], dy = new short[n], dx = new short[n];
            for (int i = 0; i < n; i++) {
                x[i] = (short) i;
                dy[i] = rnd.nextInt(8) == 0 ? (short) rnd.nextInt() : half(t, (float) rnd.nextGaussian());
            }
            k.backward(form, t, MemorySegment.ofArray(x), MemorySegment.ofArray(dy), MemorySegment.ofArray(dx), n);
            for (int i = 0; i < n; i++) {
                float xf = value16(t, i);
                int d = Float.isNaN(xf)
                        ? Float.floatToRawIntBits(xf) | 0x00400000
                        : GOLDEN.get(Float.floatToRawIntBits(xf))[form.ordinal()];
                assertEquals(
                        product16(t, dy[i], d),
                        dx[i] & 0xFFFF,
                        k.name() + "/" + k.isa() + " " + form + " " + t + " x=" + Integer.toHexString(i) + " dy="
                                + Integer.toHexString(dy[i] & 0xFFFF));
            }
            short[] z = x.clone(); // in place over x
            k.backward(form, t, MemorySegment.ofArray(z), MemorySegment.ofArray(dy), MemorySegment.ofArray(z), n);
            assertTrue(java.util.Arrays.equals(z, dx), "in place over x " + t);
        }
    }

    /**
     * A signalling NaN x gives x quieted (dy = 1), also once C2 has compiled the Java backends'
     * loops: it folds a float-double-float round trip, which quiets in the interpreter, into x.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("points")
    void aSignallingNaNIsQuietedAfterCompilation(GeluKernels k, Form form) {
        int n = 4096;
        float[] x = new float[n], one = new float[n], dx = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 2 == 0 ? Float.intBitsToFloat((i % 4 == 0 ? 0x7F800001 : 0xFF800001) + i) : i % 9 - 4;
            one[i] = 1f;
        }
        for (int round = 0; round < 200; round++) {
            k.backward(
                    form,
                    Storage.F32,
                    MemorySegment.ofArray(x),
                    MemorySegment.ofArray(one),
                    MemorySegment.ofArray(dx),
                    n);
            for (int i = 0; i < n; i += 2) {
                assertEquals(
                        Float.floatToRawIntBits(x[i]) | 0x00400000,
                        Float.floatToRawIntBits(dx[i]),
                        k.name() + "/" + k.isa() + " " + form + " round " + round + " x="
                                + Float.floatToRawIntBits(x[i]));
            }
        }
    }

    private static int product(int dy, int d) {
        if (Float.isNaN(Float.intBitsToFloat(dy))) {
            return dy | 0x00400000;
        }
        if (Float.isNaN(Float.intBitsToFloat(d))) {
            return d;
        }
        float p = Float.intBitsToFloat(dy) * Float.intBitsToFloat(d);
        return Float.isNaN(p) ? 0x7FC00000 : Float.floatToRawIntBits(p);
    }

    private static float value16(Storage t, int code) {
        return TestData.value16(t, code);
    }

    private static short half(Storage t, float f) {
        return t == Storage.F16 ? Float.floatToFloat16(f) : (short) (Float.floatToRawIntBits(f) >>> 16);
    }

    /** dy·d (d a float's bits) rounded once to the type: exact double product, nearest value, ties to even. */
    static int product16(Storage t, short dy, int dBits) {
        int inf = t == Storage.BF16 ? 0x7F80 : 0x7C00, code = dy & 0xFFFF;
        if ((code & 0x7FFF) > inf) {
            return code | (t == Storage.BF16 ? 0x0040 : 0x0200);
        }
        float d = Float.intBitsToFloat(dBits);
        if (Float.isNaN(d)) { // narrowed as the forward narrows NaNs: sign and top payload bits
            return t == Storage.BF16 ? dBits >>> 16 : ((dBits >>> 16) & 0x8000) | 0x7C00 | ((dBits >>> 13) & 0x3FF);
        }
        double p = (double) value16(t, code) * d;
        if (Double.isNaN(p)) {
            return t == Storage.BF16 ? 0x7FC0 : 0x7E00;
        }
        return TestData.nearest16(t, p);
    }

    /** Through the facade, every form in both 16-bit types: the MPFR GELU' times dy, rounded once. */
    @Test
    void theFacadeRuns16BitBackwardOfEveryForm() {
        for (Form form : Form.values()) {
            for (Storage t : new Storage[] {Storage.BF16, Storage.F16}) {
                int n = 1 << 16;
                short[] x = new short[n], dy = new short[n], dx = new short[n];
                for (int i = 0; i < n; i++) {
                    x[i] = (short) i;
                    dy[i] = half(t, 0.75f + (i % 7));
                }
                Gelu.of(form).storage(t).backward(x, dy, dx);
                for (int i = 0; i < n; i++) {
                    float xf = value16(t, i);
                    int d = Float.isNaN(xf)
                            ? Float.floatToRawIntBits(xf) | 0x00400000
                            : GOLDEN.get(Float.floatToRawIntBits(xf))[form.ordinal()];
                    assertEquals(
                            product16(t, dy[i], d), dx[i] & 0xFFFF, form + " " + t + " x=" + Integer.toHexString(i));
                }
            }
        }
    }

    @Test
    void theFacadeAndItsChecks() {
        Gelu gelu = Gelu.of(Form.ERF);
        float[] x = {-0.5f, 0f, 1f, Float.NEGATIVE_INFINITY, -15f}, dy = {2f, 2f, 2f, 2f, 3f}, dx = new float[5];
        gelu.backward(x, dy, dx); // the special values of the golden set
        for (int i = 0; i < x.length; i++) {
            int d = GOLDEN.get(Float.floatToRawIntBits(x[i]))[0];
            assertEquals(product(Float.floatToRawIntBits(dy[i]), d), Float.floatToRawIntBits(dx[i]), "x = " + x[i]);
        }
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> gelu.backward(new float[3], new float[2], new float[3]));
        assertTrue(e.getMessage().contains("size mismatch: x has 3 floats, dy 2.0, dx 3.0"), e.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(64);
            e = assertThrows(
                    IllegalArgumentException.class,
                    () -> gelu.backward(s.asSlice(0, 32), s.asSlice(32, 32), s.asSlice(4, 32)));
            assertTrue(e.getMessage().contains("x and dx partially overlap"), e.getMessage());
            e = assertThrows(
                    IllegalArgumentException.class,
                    () -> gelu.backward(s.asSlice(0, 16), s.asSlice(32, 16), s.asSlice(36, 16)));
            assertTrue(e.getMessage().contains("dy and dx partially overlap"), e.getMessage());
        }
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Gelu.of(Form.ERF)
                        .storage(Storage.F32, Storage.F16)
                        .backward(new float[1], new float[1], new float[1]));
        assertTrue(e.getMessage().contains("reads F32 and writes F16"), e.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(8);
            e = assertThrows(
                    IllegalArgumentException.class,
                    () -> Gelu.of(Form.ERF).storage(Storage.F32, Storage.F16).backward(s, s, s));
            assertTrue(e.getMessage().contains("needs the same storage in and out"), e.getMessage());
        }
    }
}
