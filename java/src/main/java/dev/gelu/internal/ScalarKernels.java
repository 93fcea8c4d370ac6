package dev.gelu.internal;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Storage;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Plain Java, one element at a time: runs on every JVM. */
public final class ScalarKernels implements GeluKernels {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String isa() {
        return "java";
    }

    // The form and the accuracy are looked up once per call, and each accuracy has its own loop.

    @Override
    public void forward(Form form, Accuracy accuracy, MemorySegment src, MemorySegment dst, long count) {
        FormConstants c = FormConstants.of(form);
        if (accuracy == Accuracy.FAITHFUL) {
            for (long i = 0; i < count; i++) {
                dst.setAtIndex(F32, i, FaithfulMath.forward(c, src.getAtIndex(F32, i)));
            }
        } else {
            for (long i = 0; i < count; i++) {
                dst.setAtIndex(F32, i, GeluMath.correctlyRounded(c.forward(), src.getAtIndex(F32, i)));
            }
        }
    }

    @Override
    public void forward(
            Form form, Accuracy accuracy, float[] src, int srcOffset, float[] dst, int dstOffset, int length) {
        FormConstants c = FormConstants.of(form);
        if (accuracy == Accuracy.FAITHFUL) {
            for (int i = 0; i < length; i++) {
                dst[dstOffset + i] = FaithfulMath.forward(c, src[srcOffset + i]);
            }
        } else {
            for (int i = 0; i < length; i++) {
                dst[dstOffset + i] = GeluMath.correctlyRounded(c.forward(), src[srcOffset + i]);
            }
        }
    }

    @Override
    public void forward(Form form, Storage in, Storage out, MemorySegment src, MemorySegment dst, long count) {
        if (in != Storage.F32) { // every 16-bit input's result is in the table
            HalfTables.lookup(form, out, src, dst, count);
            return;
        }
        FormConstants c = FormConstants.of(form);
        for (long i = 0; i < count; i++) {
            // x is read before y[i] is written: in place, y[i] lies over x[i / 2]
            dst.setAtIndex(U16, i, HalfMath.forward(c, out, src.getAtIndex(F32, i)));
        }
    }
}
