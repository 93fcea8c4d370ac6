package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import dev.gelu.internal.HalfMath;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The 16-bit hard cases (inputs whose exact value lies within 2^-40 of a 16-bit midpoint, found
 * by gelu_exhaustive_half against MPFR; native/tests/test_half checks every entry against MPFR
 * again): every backend and native ISA returns the table's result for each of them.
 */
class HalfHardCasesTest {
    @Test
    void everyBackendNarrowsTheHardCasesToTheirCorrectResult() {
        int checked = 0;
        for (Form form : Form.values()) {
            for (Storage type : new Storage[] {Storage.BF16, Storage.F16}) {
                int[] xs = HalfMath.hardCaseInputs(form, type), ys = HalfMath.hardCaseResults(form, type);
                float[] x = new float[xs.length];
                for (int i = 0; i < xs.length; i++) {
                    x[i] = Float.intBitsToFloat(xs[i]);
                }
                for (GeluKernels k : Backends.available()) {
                    short[] y = new short[x.length];
                    k.forward(form, Storage.F32, type, MemorySegment.ofArray(x), MemorySegment.ofArray(y), x.length);
                    for (int i = 0; i < x.length; i++) {
                        assertEquals(
                                (short) ys[i],
                                y[i],
                                k.name() + "/" + k.isa() + " " + form + " " + type + " x="
                                        + Integer.toHexString(xs[i]));
                        checked++;
                    }
                }
            }
        }
        System.out.println("HalfHardCasesTest: " + checked + " (backend, hard case) pairs");
    }
}
