package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import dev.gelu.internal.ScalarKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backend and native ISA returns the same bits as every other, in both accuracies, on
 * every length that exercises the tails, on unaligned slices, in place, on heap and off-heap
 * memory.
 */
@Tag("slow")
class BackendAgreementTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    static List<Integer> lengths() {
        List<Integer> l = new ArrayList<>(IntStream.rangeClosed(0, 300).boxed().toList());
        l.addAll(List.of(1021, 4099, 65537));
        return l;
    }

    static Stream<Arguments> points() {
        return Stream.of(Form.values())
                .flatMap(f -> Stream.of(Accuracy.values()).map(a -> Arguments.of(f, a)));
    }

    @ParameterizedTest
    @MethodSource("points")
    void allBackendsAgreeBitForBit(Form form, Accuracy accuracy) {
        List<GeluKernels> backends = Backends.available();
        assertTrue(backends.size() >= 2, "expected several backends, got " + backends.size());
        GeluKernels reference = new ScalarKernels();
        float[] x = TestData.inputs(70_000, 7);
        for (int len : lengths()) {
            for (int offset : new int[] {0, 1, 3}) {
                float[] want = new float[len];
                reference.forward(form, accuracy, x, offset, want, 0, len);
                for (GeluKernels k : backends) {
                    String what = k.name() + "/" + k.isa() + " " + form + " " + accuracy + " len=" + len + " offset="
                            + offset;
                    // heap, out of place
                    float[] y = new float[len + 2];
                    k.forward(form, accuracy, x, offset, y, 1, len);
                    assertSame(want, y, 1, what + " heap");
                    // heap, in place
                    float[] z = x.clone();
                    k.forward(form, accuracy, z, offset, z, offset, len);
                    assertSame(want, z, offset, what + " heap in place");
                    // off-heap, unaligned slices, out of place and in place
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment base = arena.allocate(4L * (len + 8), 64);
                        MemorySegment src = base.asSlice(4L * offset, 4L * len);
                        MemorySegment.copy(x, offset, src, F, 0, len);
                        MemorySegment dst = arena.allocate(4L * (len + 8), 64).asSlice(4, 4L * len);
                        k.forward(form, accuracy, src, dst, len);
                        assertSame(want, dst.toArray(F), 0, what + " off-heap");
                        k.forward(form, accuracy, src, src, len);
                        assertSame(want, src.toArray(F), 0, what + " off-heap in place");
                    }
                }
            }
        }
    }

    private static void assertSame(float[] want, float[] got, int at, String what) {
        for (int i = 0; i < want.length; i++) {
            int w = Float.floatToRawIntBits(want[i]);
            int g = Float.floatToRawIntBits(got[at + i]);
            if (w != g) {
                assertEquals(Integer.toHexString(w), Integer.toHexString(g), what + " at " + i);
            }
        }
    }
}
