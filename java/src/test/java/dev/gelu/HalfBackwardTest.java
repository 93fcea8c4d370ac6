package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gelu.internal.Backends;
import dev.gelu.internal.BackwardMath;
import dev.gelu.internal.FormConstants;
import dev.gelu.internal.GeluKernels;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 16-bit backward's product on every backend, over many dy per x: every 16-bit x
 * {@value #ROUNDS} times, each time with dy of random bits (every exponent: subnormal and
 * overflowing products, exact ties where d is short, infinities, NaNs with their payloads).
 * The oracle: GELU′ from {@link BackwardMath} directly (not the backends' tables), times dy
 * exactly in double, rounded by {@link BackwardTest#product16}'s search over the type's values.
 * A length that leaves a tail and an odd element offset.
 */
class HalfBackwardTest {
    private static final int ROUNDS = 16;

    static Stream<Arguments> points() {
        List<Arguments> p = new ArrayList<>();
        boolean forced = System.getProperty(Backends.PROPERTY) != null;
        for (GeluKernels k : forced ? List.of(Backends.get()) : Backends.available()) {
            for (Form form : Form.values()) {
                for (Storage t : new Storage[] {Storage.BF16, Storage.F16}) {
                    p.add(Arguments.of(k, form, t));
                }
            }
        }
        return p.stream();
    }

    @Tag("slow")
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("points")
    void manyDyPerXMatchTheProductRoundedOnce(GeluKernels k, Form form, Storage t) {
        FormConstants c = FormConstants.of(form);
        int[] d = new int[1 << 16];
        for (int h = 0; h < d.length; h++) {
            float xf = TestData.value16(t, h);
            // a NaN x's d is x quieted (C2 may drop a float-double-float round trip that quiets it)
            d[h] = Float.isNaN(xf)
                    ? Float.floatToRawIntBits(xf) | 0x00400000
                    : Float.floatToRawIntBits(BackwardMath.derivative(c, xf));
        }
        int n = ROUNDS * (1 << 16) + 5;
        SplittableRandom rnd = new SplittableRandom(31L * form.ordinal() + t.ordinal());
        short[] x = new short[n + 1], dy = new short[n + 1], dx = new short[n + 1];
        for (int i = 1; i <= n; i++) {
            x[i] = (short) (i * 40503); // odd: each round visits every x, in another order
            dy[i] = (short) rnd.nextInt(1 << 16);
        }
        k.backward(form, t, slice(x, n), slice(dy, n), slice(dx, n), n);
        String what = k.name() + "/" + k.isa() + " " + form + " " + t;
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            int want = BackwardTest.product16(t, dy[i], d[x[i] & 0xFFFF]);
            if (want != (dx[i] & 0xFFFF) && bad++ < 5) {
                first.append(String.format(" [x=0x%04x dy=0x%04x: got 0x%04x, want 0x%04x]", x[i], dy[i], dx[i], want));
            }
        }
        if (bad != 0) {
            fail(what + ": " + bad + " of " + n + " differ:" + first);
        }
        short[] z = dy.clone(); // in place over dy
        k.backward(form, t, slice(x, n), slice(z, n), slice(z, n), n);
        assertTrue(java.util.Arrays.equals(z, 1, n + 1, dx, 1, n + 1), what + " in place over dy");
        assertEquals(0, dx[0], what + " wrote before dx");
    }

    private static MemorySegment slice(short[] a, int n) {
        return MemorySegment.ofArray(a).asSlice(2, 2L * n);
    }
}
