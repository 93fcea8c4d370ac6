package dev.gelu.internal;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Plain Java, one element at a time: runs on every JVM. */
public final class ScalarKernels implements GeluKernels {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String isa() {
        return "java";
    }

    @Override
    public void forward(Form form, Accuracy accuracy, MemorySegment src, MemorySegment dst, long count) {
        for (long i = 0; i < count; i++) {
            dst.setAtIndex(F32, i, GeluMath.forward(form, accuracy, src.getAtIndex(F32, i)));
        }
    }

    @Override
    public void forward(Form form, Accuracy accuracy, float[] src, int srcOffset, float[] dst, int dstOffset,
            int length) {
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = GeluMath.forward(form, accuracy, src[srcOffset + i]);
        }
    }
}
