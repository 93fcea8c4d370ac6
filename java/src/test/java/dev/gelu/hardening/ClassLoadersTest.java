package dev.gelu.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gelu.internal.nativelib.NativeLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once per JVM things, in child JVMs: {@code -Dgelu.library.path} in several class loaders
 * (each must run the native backend and return the MPFR golden values; System.load used to
 * refuse the second loader), and GELU_MAX_ISA spelled in ways libgelu used to ignore silently
 * (an ISA in capitals is applied; an unknown value is logged and shown by {@code gelu info}).
 */
class ClassLoadersTest {
    /** the library the jar bundles for this machine (natives/linux-x86_64 or natives/linux-aarch64) */
    private static final String BUNDLED = "/natives/" + NativeLibrary.platform() + "/libgelu.so";

    @TempDir
    Path dir;

    @BeforeAll
    static void onlyInTheAutomaticLeg() {
        Assumptions.assumeTrue(
                System.getProperty("gelu.backend") == null,
                "the children choose their own backend; run once, in the leg without -Dgelu.backend");
        Assumptions.assumeTrue(ClassLoadersTest.class.getResource(BUNDLED) != null, "no native library built");
    }

    private Path extractLibrary() throws IOException {
        Path so = dir.resolve("libgelu.so");
        try (InputStream in = ClassLoadersTest.class.getResourceAsStream(BUNDLED)) {
            Files.copy(in, so);
        }
        return so;
    }

    @Test
    void libraryPathInThreeClassLoaders() throws IOException {
        Path so = extractLibrary();
        for (String backend : new String[] {"native", null}) {
            List<String> flags = new ArrayList<>(List.of("-Dgelu.library.path=" + so));
            if (backend != null) {
                flags.add("-Dgelu.backend=" + backend);
            }
            ChildJvm.Result r = ChildJvm.run(ClassLoadersMain.class, null, Map.of(), flags, 120, "3");
            assertEquals(0, r.exitCode(), r.describe());
            for (int n = 0; n < 3; n++) {
                assertEquals(null, r.value("loader" + n + ".error"), r.describe());
                assertEquals("native", r.value("loader" + n + ".backend"), "loader " + n + "\n" + r.describe());
                assertEquals("ok", r.value("loader" + n + ".results"), "loader " + n + "\n" + r.describe());
            }
            assertFalse(r.stderr().contains("already loaded"), r.describe());
            assertFalse(r.stderr().contains("unavailable"), "a loader fell back\n" + r.describe());
        }
    }
}
