package dev.gelu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.internal.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A sampled {@code gelu verify}: every 4099th bit pattern through every Java backend, both accuracies. */
class VerifySampledTest {
    @Test
    void javaBackendsReturnTheNativeBits() {
        Assumptions.assumeTrue(Backends.nativeUnavailableReason() == null, "needs the native library as reference");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = VerifyCommand.run(
                new String[] {"--stride", "4099"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        long lines =
                text.lines().filter(l -> l.contains("1047809 inputs, 0 differ")).count();
        long faithful = text.lines()
                .filter(l -> l.contains(" faithful ") && l.contains(" 0 differ"))
                .count();
        long quick = text.lines()
                .filter(l -> l.startsWith("quick ") && l.contains(" 0 differ"))
                .count();
        // per backend (scalar and, where it runs, vector): three forms, each in both accuracies
        assertTrue(lines >= 6 && faithful * 2 == lines && quick * 3 == lines, text);
        assertFalse(text.contains("not implemented yet"), text);
    }

    @Test
    void javaBackendsNarrowToTheNativeSixteenBitResults() {
        Assumptions.assumeTrue(Backends.nativeUnavailableReason() == null, "needs the native library as reference");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = VerifyCommand.run(
                new String[] {"--stride", "16411", "--storage", "all", "--accuracy", "correct"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        long bf16 = text.lines()
                .filter(l -> l.contains("f32->bf16") && l.contains(" 0 differ"))
                .count();
        long f16 = text.lines()
                .filter(l -> l.contains("f32->f16") && l.contains(" 0 differ"))
                .count();
        assertTrue(bf16 >= 2 && f16 == bf16, text);
    }
}
