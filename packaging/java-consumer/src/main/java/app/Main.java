package app;

import dev.gelu.Gelu;
import dev.gelu.Form;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Prints the backend, the ISA, whether it runs as a named module, and checks a few values. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        try (Arena arena = Arena.ofConfined()) {
            int n = 4096;
            MemorySegment x = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            for (int i = 0; i < n; i++) {
                x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i - n / 2) / 256f);
            }
            MemorySegment y = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            Gelu.apply(Form.ERF, x, y);
            for (int i = 0; i < n; i++) {
                float want = Gelu.apply(Form.ERF, x.getAtIndex(ValueLayout.JAVA_FLOAT, i));
                if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(y.getAtIndex(ValueLayout.JAVA_FLOAT, i))) {
                    throw new AssertionError("element " + i + " differs");
                }
            }
        }
        if (Gelu.apply(Form.ERF, -10f) != -7.619853e-23f) {
            throw new AssertionError("GELU(-10) = " + Gelu.apply(Form.ERF, -10f));
        }
        System.out.println("backend=" + Gelu.backend() + " isa=" + Gelu.isa() + " module="
                + (Gelu.class.getModule().isNamed() ? Gelu.class.getModule().getName() : "unnamed"));
    }
}
