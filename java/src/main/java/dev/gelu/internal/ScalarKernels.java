package dev.gelu.internal;

import dev.gelu.Gelu.Form;
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
    public void apply(Form form, MemorySegment src, MemorySegment dst, long count) {
        if (form == Form.ERF) {
            for (long i = 0; i < count; i++) {
                dst.setAtIndex(F32, i, GeluMath.erf(src.getAtIndex(F32, i)));
            }
        } else {
            for (long i = 0; i < count; i++) {
                dst.setAtIndex(F32, i, GeluMath.tanh(src.getAtIndex(F32, i)));
            }
        }
    }

    @Override
    public void apply(Form form, float[] src, int srcOffset, float[] dst, int dstOffset, int length) {
        for (int i = 0; i < length; i++) {
            float x = src[srcOffset + i];
            dst[dstOffset + i] = form == Form.ERF ? GeluMath.erf(x) : GeluMath.tanh(x);
        }
    }
}
