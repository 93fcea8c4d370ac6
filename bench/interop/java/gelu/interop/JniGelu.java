package gelu.interop;

import java.nio.ByteBuffer;

/** The JNI entry points of bench/interop/gelu_jni.c, each a thin wrapper around gelu_erf_f32. */
final class JniGelu {
    private JniGelu() {}

    static void load(String path) {
        System.load(path);
    }

    /** GetPrimitiveArrayCritical on both arrays: the kernel works on the Java arrays themselves. */
    static native int erfCritical(float[] x, float[] y, int n);

    /** The copying idiom: GetFloatArrayRegion into a C buffer, kernel, SetFloatArrayRegion back. */
    static native int erfRegion(float[] x, float[] y, int n);

    /** Direct ByteBuffers, through GetDirectBufferAddress. */
    static native int erfBuffer(ByteBuffer x, ByteBuffer y, int n);

    /** Raw addresses, e.g. MemorySegment.address() of off-heap segments. */
    static native int erfAddress(long x, long y, long n);
}
