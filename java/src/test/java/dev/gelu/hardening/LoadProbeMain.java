package dev.gelu.hardening;

import dev.gelu.Form;
import dev.gelu.Gelu;
import dev.gelu.internal.Backends;

/**
 * Child JVM of {@link NativeLoadFailureTest}: one first call, then what the library says about
 * its backend, as {@code key=value} lines on stdout. Exit code 0 unless something unexpected.
 */
public final class LoadProbeMain {
    private LoadProbeMain() {}

    public static void main(String[] args) {
        float[] x = {-3f, -0.5f, 0f, 0.75f, 4f};
        float[] y = new float[x.length];
        float sentinel = Float.intBitsToFloat(0x7fc0beef);
        java.util.Arrays.fill(y, sentinel);
        try {
            Gelu.apply(Form.ERF, x, y);
            boolean right = true;
            for (int i = 0; i < x.length; i++) {
                right &= Float.floatToRawIntBits(y[i]) == Float.floatToRawIntBits(Gelu.apply(Form.ERF, x[i]));
            }
            System.out.println("apply=" + (right ? "ok" : "WRONG"));
        } catch (RuntimeException e) {
            System.out.println("apply-error=" + describe(e));
            boolean untouched = true;
            for (float v : y) {
                untouched &= Float.floatToRawIntBits(v) == 0x7fc0beef;
            }
            System.out.println("dst-untouched=" + untouched);
        }
        try {
            System.out.println("backend=" + Gelu.backend());
        } catch (RuntimeException e) {
            System.out.println("backend-error=" + describe(e));
        }
        System.out.println("native-reason=" + oneLine(Backends.nativeUnavailableReason()));
    }

    private static String describe(Throwable e) {
        return e.getClass().getName() + ": " + oneLine(e.getMessage());
    }

    private static String oneLine(String s) {
        return s == null ? "null" : s.replace('\n', ' ');
    }
}
