package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The regression list of the exhaustive run (native/tests/hard_cases.txt): the inputs closest
 * to a rounding boundary, with MPFR's results. Every backend must return exactly those bits.
 */
class HardCasesTest {
    @Test
    void everyBackendGetsEveryHardCaseRight() throws IOException {
        List<int[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("native/tests/hard_cases.txt"))) {
            if (!line.startsWith("#")) {
                String[] f = line.trim().split("\\s+");
                rows.add(new int[] {parse(f[0]), parse(f[1]), parse(f[2]), parse(f[3])}); // x erf tanh quick
            }
        }
        assertTrue(rows.size() > 100, "hard cases: " + rows.size());
        float[] x = new float[rows.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.intBitsToFloat(rows.get(i)[0]);
        }
        List<String> wrong = new ArrayList<>();
        for (GeluKernels k : Backends.available()) {
            for (Form form : Form.values()) {
                float[] y = new float[x.length];
                k.forward(form, Accuracy.CORRECTLY_ROUNDED, x, 0, y, 0, x.length);
                for (int i = 0; i < x.length; i++) {
                    int want = rows.get(i)[1 + form.ordinal()];
                    float single = Gelu.apply(form, x[i]);
                    if (Float.floatToRawIntBits(y[i]) != want || Float.floatToRawIntBits(single) != want) {
                        wrong.add(k.name() + "/" + k.isa() + " " + form + " x=" + x[i]);
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " wrong, first: " + wrong.subList(0, Math.min(5, wrong.size())));
    }

    private static int parse(String hex) {
        return Integer.parseUnsignedInt(hex, 16);
    }
}
