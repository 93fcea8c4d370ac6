package dev.gelu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gelu.internal.Backends;
import dev.gelu.internal.Version;
import dev.gelu.internal.nativelib.NativeLibrary;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Each Maven leg names the backend (and native ISA) it is meant to test; this fails when a leg
 * silently ran another one, for example because the native library did not load.
 */
class BackendSelectionTest {
    @Test
    void theLegRunsTheBackendItIsNamedFor() {
        String expected = System.getProperty("gelu.test.expectBackend");
        Assumptions.assumeTrue(expected != null, "not run from a named Maven leg");
        assertEquals(expected, Gelu.backend());
    }

    @Test
    void theLegRunsTheNativeIsaItIsNamedFor() {
        String expected = System.getProperty("gelu.test.expectIsa");
        Assumptions.assumeTrue(expected != null, "no ISA named for this leg");
        assertEquals(expected, Gelu.isa());
    }

    @Test
    void nativeLibraryMatchesTheJarVersion() {
        Assumptions.assumeTrue("native".equals(System.getProperty("gelu.test.expectBackend")));
        assertNull(Backends.nativeUnavailableReason());
        assertEquals(Version.NUMBER, NativeLibrary.versionNumber());
        assertEquals(Version.STRING, NativeLibrary.version());
        assertEquals(Version.STRING, Gelu.version());
    }
}
