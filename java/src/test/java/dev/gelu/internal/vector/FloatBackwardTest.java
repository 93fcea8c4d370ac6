package dev.gelu.internal.vector;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.nativelib.NativeKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Vector API float32 backward ({@link FloatBackward}) against the native kernels of every
 * ISA here, bit for bit: x on every 4099th bit pattern of all 2^32 (NaNs, infinities,
 * subnormals, the tails, the hard cases' neighbourhoods by chance), then every float of [-1, 1]
 * at a stride and runs around the logistic forms' root; dy random, with zeros, infinities and
 * NaNs mixed in; out of place, and in place over x and over dy.
 */
class FloatBackwardTest {
    @ParameterizedTest
    @EnumSource(Form.class)
    void everyLaneMatchesTheNativeKernels(Form form) {
        Assumptions.assumeTrue(
                FloatBackward.usable()
                        && (System.getProperty("gelu.backend") == null
                                || System.getProperty("gelu.vector.bits") != null),
                "calls the kernel itself; runs in the leg without -Dgelu.backend and in the one with -Dgelu.vector.bits");
        float[] x = inputs();
        float[] dy = new float[x.length];
        SplittableRandom r = new SplittableRandom(17L + form.ordinal());
        float[] special = {
            0.0f,
            -0.0f,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.NaN,
            Float.intBitsToFloat(0xFFA00001),
            Float.MIN_VALUE,
            Float.MAX_VALUE
        };
        for (int i = 0; i < dy.length; i++) {
            dy[i] = r.nextInt(50) == 0 ? special[r.nextInt(special.length)] : (float) (r.nextGaussian() * 4);
        }
        float[] got = run(form, x, dy, 0);
        float[] overX = run(form, x, dy, 1);
        float[] overDy = run(form, x, dy, 2);
        List<NativeKernels> isas = NativeKernels.supported();
        assertFalse(isas.isEmpty());
        for (NativeKernels k : isas) {
            MemorySegment want = MemorySegment.ofArray(new float[x.length]);
            k.backward(form, Storage.F32, MemorySegment.ofArray(x), MemorySegment.ofArray(dy), want, x.length);
            float[] w = want.toArray(ValueLayout.JAVA_FLOAT);
            String what = form + ", native " + k.isa() + " against the Vector API ("
                    + FloatBackward.class.getSimpleName() + ")";
            FaithfulFloatTailTest.assertSame(x, w, got, what);
            FaithfulFloatTailTest.assertSame(x, w, overX, what + ", in place over x");
            FaithfulFloatTailTest.assertSame(x, w, overDy, what + ", in place over dy");
        }
    }

    /** where: 0 out of place, 1 in place over x, 2 over dy. */
    private static float[] run(Form form, float[] x, float[] dy, int where) {
        MemorySegment xs = MemorySegment.ofArray(x.clone()), dys = MemorySegment.ofArray(dy.clone());
        MemorySegment dx = where == 1 ? xs : where == 2 ? dys : MemorySegment.ofArray(new float[x.length]);
        FloatBackward.run(form, xs, dys, dx, x.length);
        return dx.toArray(ValueLayout.JAVA_FLOAT);
    }

    private static float[] inputs() {
        int n = 0;
        float[] x = new float[(int) (0x1_0000_0000L / 4099) + 3 * (1 << 16) + 7];
        for (long b = 0; b < 0x1_0000_0000L; b += 4099) {
            x[n++] = Float.intBitsToFloat((int) b);
        }
        for (int i = 0; i < (1 << 16); i++) {
            x[n++] = -1.0f + i / 32768.0f; // [-1, 1)
        }
        // the logistic forms' root polynomial (x in about [-0.81, -0.69]): every 37th float of [-0.99, -0.7]
        for (int i = 0; i < 2 * (1 << 16); i++) {
            x[n++] = Float.intBitsToFloat(Float.floatToRawIntBits(-0.7f) + 37 * i);
        }
        while (n < x.length) {
            x[n++] = 1.0f; // an odd count: the last elements take the scalar steps
        }
        return x;
    }
}
