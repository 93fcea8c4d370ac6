package dev.gelu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * GELU_MAX_ISA as a user may spell it: in capitals or with blanks it is applied, an unknown
 * value caps nothing and is reported, by {@code gelu info} and in a log warning, once. Each case
 * is a child JVM, since the library reads the variable once, at load.
 */
class MaxIsaReportTest {
    record Result(int exitCode, String stdout, String stderr) {
        String describe() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private static Result info(String maxIsa) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.gelu.cli.Main",
                "info"));
        Path out = Files.createTempFile("gelu-info", ".out");
        Path err = Files.createTempFile("gelu-info", ".err");
        try {
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().put("GELU_MAX_ISA", maxIsa);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("gelu info did not finish in 120 s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
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
    void maxIsaInCapitalsWithBlanksIsApplied() throws Exception {
        Set<String> cpu = cpuFlags();
        Assumptions.assumeTrue(cpu.contains("avx2") && cpu.contains("fma"), "no AVX2 here");
        for (String value : new String[] {"AVX2", " avx2 ", "Avx2"}) {
            Result r = info(value);
            assertEquals(0, r.exitCode(), r.describe());
            assertTrue(r.stdout().contains("backend   native (avx2)"), "GELU_MAX_ISA='" + value + "'\n" + r.describe());
            assertTrue(r.stdout().contains("GELU_MAX_ISA='" + value + "': applied"), r.describe());
            assertFalse(
                    r.stderr().contains("GELU_MAX_ISA"),
                    "a warning about a value that was understood\n" + r.describe());
        }
    }

    @Test
    void unknownMaxIsaIsReported() throws Exception {
        for (String value : new String[] {"avx-512", "sse2", "avx2,avx512"}) {
            Result r = info(value);
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
            assertEquals(
                    1,
                    r.stderr().split(java.util.regex.Pattern.quote(shown), -1).length - 1,
                    "logged more than once\n" + r.describe());
        }
    }
}
