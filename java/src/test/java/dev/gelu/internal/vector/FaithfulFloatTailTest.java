package dev.gelu.internal.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.internal.FaithfulFloatCoefficients;
import dev.gelu.internal.FaithfulFloatTail;
import dev.gelu.internal.nativelib.NativeKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Java float tail ({@link FaithfulFloatTail#tail}, and {@link FaithfulFloatTailVector#tail}
 * at the Vector API backend's width: 16 lanes on AVX-512, 8 in the 256-bit leg) against the C
 * faithful kernels (gelu_FORM_f32_faithful, every native ISA here), bit for bit, on inputs below
 * each form's central range: every float of [lo - 1, lo), a stride over all the floats below lo
 * down to -∞, -∞, the floats around -tailAmax, and the region where the results are subnormal.
 * Slow (about 9 s a leg, 2026-12-06), mostly from the JIT: the vector path runs slowly until C2
 * has compiled it, once per form.
 */
@Tag("slow")
class FaithfulFloatTailTest {
    @ParameterizedTest
    @EnumSource(Form.class)
    void scalarAndVectorTailsMatchTheNativeKernelsBitForBit(Form form) {
        Assumptions.assumeTrue(
                System.getProperty("gelu.backend") == null || System.getProperty("gelu.vector.bits") != null,
                "calls each implementation itself; runs in the leg without -Dgelu.backend (the preferred"
                        + " width) and in the one with -Dgelu.vector.bits");
        FaithfulFloatCoefficients.Form f = coefficients(form);
        float[] x = inputs(form, f);
        float[] scalar = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            scalar[i] = FaithfulFloatTail.tail(f, x[i]);
        }
        float[] vector = x.clone();
        FaithfulFloatTailVector.tail(f, vector, vector.length, new FaithfulFloatTailVector.Work(vector.length));
        List<NativeKernels> isas = NativeKernels.supported();
        assertFalse(isas.isEmpty());
        for (NativeKernels k : isas) {
            float[] want = new float[x.length];
            k.forward(form, Accuracy.FAITHFUL, x, 0, want, 0, x.length);
            String where = form + " native " + k.isa() + " against ";
            assertSame(x, want, scalar, where + "FaithfulFloatTail");
            assertSame(x, want, vector, where + "FaithfulFloatTailVector, " + FaithfulVectorKernels.L + " lanes");
        }
    }

    /**
     * The whole Vector API kernel ({@link FaithfulVectorKernels#forward}) on the same inputs,
     * which come in runs: whole vectors of tail lanes (queued whole), of lanes at or below
     * -tailAmax (stored as -0 without the tail), and, in a second copy, the same with one lane
     * of every third vector replaced by a central value, a NaN or x >= hi; out of place and in
     * place, against each native ISA.
     */
    @ParameterizedTest
    @EnumSource(Form.class)
    void wholeVectorsOfTailLanesMatchTheNativeKernels(Form form) {
        Assumptions.assumeTrue(
                System.getProperty("gelu.backend") == null || System.getProperty("gelu.vector.bits") != null,
                "as above");
        FaithfulFloatCoefficients.Form f = coefficients(form);
        float[] tail = inputs(form, f);
        float[] mixed = tail.clone();
        float[] others = {0.75f, Float.NaN, f.hi() + 1.0f, -1e-30f};
        for (int v = 0, k = 0; v < mixed.length / 16; v += 3) {
            mixed[16 * v + (v * 7) % 16] = others[k++ % others.length];
        }
        for (float[] x : List.of(tail, mixed)) {
            MemorySegment src = MemorySegment.ofArray(x.clone());
            MemorySegment dst = MemorySegment.ofArray(new float[x.length]);
            FaithfulVectorKernels.forward(dev.gelu.internal.FormConstants.of(form), src, dst, x.length);
            float[] got = dst.toArray(ValueLayout.JAVA_FLOAT);
            FaithfulVectorKernels.forward(dev.gelu.internal.FormConstants.of(form), src, src, x.length);
            float[] inPlace = src.toArray(ValueLayout.JAVA_FLOAT);
            for (NativeKernels k : NativeKernels.supported()) {
                float[] want = new float[x.length];
                k.forward(form, Accuracy.FAITHFUL, x, 0, want, 0, x.length);
                String where = form + (x == tail ? " tail runs" : " mixed runs") + ", native " + k.isa()
                        + " against the Vector API kernel, " + FaithfulVectorKernels.L + " lanes";
                assertSame(x, want, got, where);
                assertSame(x, want, inPlace, where + ", in place");
            }
        }
    }

    private static FaithfulFloatCoefficients.Form coefficients(Form form) {
        return switch (form) {
            case ERF -> FaithfulFloatCoefficients.ERF;
            case TANH -> FaithfulFloatCoefficients.TANH;
            case QUICK -> FaithfulFloatCoefficients.QUICK;
        };
    }

    /** The tail inputs of a form, padded with lo - 1 to a multiple of 16 (the widest vector). */
    private static float[] inputs(Form form, FaithfulFloatCoefficients.Form f) {
        Inputs in = new Inputs();
        float lo = f.lo();
        assertTrue(lo < 0.0f && f.tailAmax() > -lo);
        in.range(lo - 1.0f, lo, 1); // every float of [lo - 1, lo)
        // every 4099th float below lo down to -∞ (a prime stride: every low-bit pattern)
        for (long b = Integer.toUnsignedLong(Float.floatToRawIntBits(lo)) + 1; b <= 0xFF800000L; b += 4099) {
            in.add(Float.intBitsToFloat((int) b));
        }
        in.add(Float.NEGATIVE_INFINITY);
        in.add(-Float.MAX_VALUE);
        in.around(-f.tailAmax(), 4096); // where a is held
        // the subnormal results, and around their edges
        switch (form) {
            case ERF -> in.range(-14.4f, -13.0f, 3);
            case TANH -> in.range(-10.8f, -10.0f, 3);
            case QUICK -> in.range(-64.0f, -50.0f, 7);
        }
        return in.padded(lo - 1.0f);
    }

    /** A growing float array. */
    private static final class Inputs {
        float[] x = new float[1 << 20];
        int n;

        void add(float v) {
            if (n == x.length) {
                x = Arrays.copyOf(x, 2 * n);
            }
            x[n++] = v;
        }

        /** Every {@code stride}th float of [from, to), both negative, from the bottom up. */
        void range(float from, float to, int stride) {
            for (int b = Float.floatToRawIntBits(from); b > Float.floatToRawIntBits(to); b -= stride) {
                add(Float.intBitsToFloat(b));
            }
        }

        /** The {@code count} floats either side of v (negative), and v. */
        void around(float v, int count) {
            int b = Float.floatToRawIntBits(v);
            for (int i = -count; i <= count; i++) {
                add(Float.intBitsToFloat(b + i));
            }
        }

        float[] padded(float pad) {
            float[] out = Arrays.copyOf(x, (n + 15) / 16 * 16);
            Arrays.fill(out, n, out.length, pad);
            return out;
        }
    }

    /** want and got bit for bit; the message names the first x that differs. */
    static void assertSame(float[] x, float[] want, float[] got, String what) {
        int bad = 0, first = -1;
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                bad++;
                first = first < 0 ? i : first;
            }
        }
        int count = bad, at = first;
        assertEquals(
                0,
                count,
                () -> what + ": " + count + " of " + x.length + " differ, first at x = " + Float.toHexString(x[at])
                        + ": want " + Float.toHexString(want[at]) + ", got " + Float.toHexString(got[at]));
    }
}
