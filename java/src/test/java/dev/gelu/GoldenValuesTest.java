package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every backend, and the facade, against the MPFR oracle: bit for bit the correctly rounded
 * value, and for the faithful mode one of the two floats around the exact value.
 */
class GoldenValuesTest {
    private static final List<TestData.Golden> GOLDEN = TestData.golden();

    @Test
    void goldenFileIsLoaded() {
        assertEquals(true, GOLDEN.size() > 30_000, "golden rows: " + GOLDEN.size());
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void everyBackendIsCorrectlyRounded(Form form) {
        float[] x = new float[GOLDEN.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = GOLDEN.get(i).x();
        }
        for (GeluKernels k : Backends.available()) {
            float[] heap = new float[x.length];
            k.forward(form, Accuracy.CORRECTLY_ROUNDED, x, 0, heap, 0, x.length);
            check(form, k.name() + "/" + k.isa() + " heap", x, heap);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment src = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, x);
                MemorySegment dst = arena.allocate(src.byteSize());
                k.forward(form, Accuracy.CORRECTLY_ROUNDED, src, dst, x.length);
                check(
                        form,
                        k.name() + "/" + k.isa() + " off-heap",
                        x,
                        dst.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void facadeIsCorrectlyRounded(Form form) {
        float[] x = new float[GOLDEN.size()];
        float[] single = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = GOLDEN.get(i).x();
            single[i] = Gelu.apply(form, x[i]);
        }
        float[] y = new float[x.length];
        Gelu.apply(form, x, y);
        check(form, "Gelu.apply(float[])", x, y);
        check(form, "Gelu.apply(float)", x, single);
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void everyBackendIsFaithful(Form form) {
        float[] x = new float[GOLDEN.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = GOLDEN.get(i).x();
        }
        for (GeluKernels k : Backends.available()) {
            float[] heap = new float[x.length];
            k.forward(form, Accuracy.FAITHFUL, x, 0, heap, 0, x.length);
            checkFaithful(form, k.name() + "/" + k.isa() + " heap", x, heap);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment src = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, x);
                MemorySegment dst = arena.allocate(src.byteSize());
                k.forward(form, Accuracy.FAITHFUL, src, dst, x.length);
                checkFaithful(
                        form,
                        k.name() + "/" + k.isa() + " off-heap",
                        x,
                        dst.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT));
            }
        }
        float[] facade = new float[x.length];
        Gelu.of(form, Accuracy.FAITHFUL).apply(x, facade);
        checkFaithful(form, "Gelu.of(form, FAITHFUL).apply(float[])", x, facade);
        for (int i = 0; i < x.length; i++) {
            facade[i] = Gelu.of(form, Accuracy.FAITHFUL).apply(x[i]);
        }
        checkFaithful(form, "Gelu.of(form, FAITHFUL).apply(float)", x, facade);
    }

    /** Faithful everywhere, and really the faithful kernel: some results are the other neighbour. */
    private static void checkFaithful(Form form, String what, float[] x, float[] y) {
        int bad = 0, notCr = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < x.length; i++) {
            TestData.Golden g = GOLDEN.get(i);
            notCr += Float.floatToRawIntBits(g.of(form)) != Float.floatToRawIntBits(y[i]) ? 1 : 0;
            if (!g.faithful(form, y[i]) && bad++ < 5) {
                first.append(String.format(
                        "%n  x=%s (%08x): got %s, correctly rounded %s",
                        x[i], Float.floatToRawIntBits(x[i]), y[i], g.of(form)));
            }
        }
        if (bad > 0) {
            fail(form + " " + what + ": " + bad + " of " + x.length + " not faithful" + first);
        }
        assertTrue(notCr > 0, form + " " + what + ": every result correctly rounded; is the faithful kernel running?");
    }

    private static void check(Form form, String what, float[] x, float[] y) {
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < x.length; i++) {
            float want = GOLDEN.get(i).of(form);
            if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(y[i])) {
                if (bad++ < 5) {
                    first.append(String.format(
                            "%n  x=%s (%08x): got %s want %s", x[i], Float.floatToRawIntBits(x[i]), y[i], want));
                }
            }
        }
        if (bad > 0) {
            fail(form + " " + what + ": " + bad + " of " + x.length + " not correctly rounded" + first);
        }
    }
}
