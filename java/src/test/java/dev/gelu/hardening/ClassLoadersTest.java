package dev.gelu.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private static final String BUNDLED = "/natives/linux-x86_64/libgelu.so";

    @TempDir
    Path dir;

    @BeforeAll
    static void onlyInTheAutomaticLeg() {
        Assumptions.assumeTrue(System.getProperty("gelu.backend") == null,
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

    private static Set<String> cpuFlags() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("flags")) {
                return Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
            }
        }
        return Set.of();
    }

    @Test
    void maxIsaInCapitalsWithBlanksIsApplied() throws IOException {
        Set<String> cpu = cpuFlags();
        Assumptions.assumeTrue(cpu.contains("avx2") && cpu.contains("fma"), "no AVX2 here");
        for (String value : new String[] {"AVX2", " avx2 ", "Avx2"}) {
            ChildJvm.Result r = ChildJvm.run(dev.gelu.cli.Main.class, null, Map.of("GELU_MAX_ISA", value), List.of(),
                    120, "info");
            assertEquals(0, r.exitCode(), r.describe());
            assertTrue(r.stdout().contains("backend   native (avx2)"), "GELU_MAX_ISA='" + value + "'\n" + r.describe());
            assertTrue(r.stdout().contains("GELU_MAX_ISA='" + value + "': applied"), r.describe());
            assertFalse(r.stderr().contains("GELU_MAX_ISA"), "a warning about a value that was understood\n" + r.describe());
        }
    }

    @Test
    void unknownMaxIsaIsReported() {
        for (String value : new String[] {"avx-512", "sse2", "avx2,avx512"}) {
            ChildJvm.Result r = ChildJvm.run(dev.gelu.cli.Main.class, null, Map.of("GELU_MAX_ISA", value), List.of(),
                    120, "info");
            assertEquals(0, r.exitCode(), r.describe());
            String shown = "GELU_MAX_ISA='" + value + "' is not an instruction set: ignored, nothing capped";
            assertTrue(r.stdout().contains(shown), "gelu info does not say it\n" + r.describe());
            String logged = null;
            for (String line : r.stderr().split("\n")) {
                if (line.contains(shown)) {
                    logged = line;
                }
            }
            assertNotNull(logged, "not logged\n" + r.describe());
            assertTrue(r.stderr().contains("WARNING"), "not logged as a warning\n" + r.describe());
            assertEquals(1, r.stderr().split(java.util.regex.Pattern.quote(shown), -1).length - 1,
                    "logged more than once\n" + r.describe());
        }
    }
}
