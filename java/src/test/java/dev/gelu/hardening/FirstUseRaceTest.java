package dev.gelu.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Backend choice and library loading happen once per JVM, so their race needs a fresh one:
 * {@link FirstUseRaceMain} lets {@value FirstUseRaceMain#THREADS} threads make the first calls
 * at once, with this leg's backend properties and environment, and checks their bits.
 */
class FirstUseRaceTest {
    @Test
    void threadsRacingTheFirstCallGetTheSingleThreadedBits() {
        List<String> flags = new ArrayList<>(ChildJvm.inheritedBackendProperties());
        ChildJvm.Result r = ChildJvm.run(FirstUseRaceMain.class, flags, 300);
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(String.valueOf(FirstUseRaceMain.THREADS * 25), r.value("checked"), r.describe());
        String expected = System.getProperty("gelu.test.expectBackend");
        if (expected != null) {
            assertEquals(expected, r.value("backend"), "the child ran another backend than this leg\n" + r.describe());
        }
        String expectedIsa = System.getProperty("gelu.test.expectIsa");
        if (expectedIsa != null) {
            assertEquals(expectedIsa, r.value("isa"), r.describe());
        }
    }
}
