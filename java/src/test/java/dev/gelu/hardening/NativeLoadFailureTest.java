package dev.gelu.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.internal.Version;
import dev.gelu.internal.nativelib.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A library that cannot be used, each case in fresh JVMs: without a forced backend the library
 * logs the reason (System.Logger, WARNING on stderr) and runs on the Java fallback; with
 * {@code -Dgelu.backend=native} the first call fails with an IllegalStateException naming it,
 * and so it does when {@code -Dgelu.library.path} names the library (the user asked for that
 * library: running another backend would hide the mistake). A Java backend forced with
 * {@code -Dgelu.backend} still runs, since it never loads the library.
 *
 * <p>The children set their own properties, so this runs once, in the leg that lets the library
 * choose; the legs that force a backend skip it.
 */
@Tag("slow")
class NativeLoadFailureTest {
    private static final long TIMEOUT_S = 120;
    /** the library the jar bundles for this machine (natives/linux-x86_64 or natives/linux-aarch64) */
    private static final String BUNDLED = "/natives/" + NativeLibrary.platform() + "/libgelu.so";

    @TempDir
    static Path dir;

    @BeforeAll
    static void onlyInTheAutomaticLeg() {
        Assumptions.assumeTrue(
                System.getProperty("gelu.backend") == null,
                "the children choose their own backend; run once, in the leg without -Dgelu.backend");
    }

    @Test
    void garbageLibraryFile() throws IOException {
        Path garbage = garbage(dir.resolve("garbage.so"));
        List<String> flags = List.of("-Dgelu.library.path=" + garbage);
        explicitPathFails(flags, "cannot load libgelu", garbage.toString());
        nativeForcedFails(flags, "cannot load libgelu", garbage.toString());
    }

    @Test
    void missingLibraryFile() {
        Path missing = dir.resolve("nonexistent").resolve("libgelu.so");
        List<String> flags = List.of("-Dgelu.library.path=" + missing);
        explicitPathFails(flags, missing.toString(), "is not a file");
        nativeForcedFails(flags, missing.toString(), "is not a file");
    }

    @Test
    void corruptBundledLibrary() throws IOException {
        // a class path entry ahead of the real one whose natives/.../libgelu.so is garbage
        Path shadow = dir.resolve("shadow");
        Path lib = shadow.resolve(BUNDLED.substring(1));
        Files.createDirectories(lib.getParent());
        garbage(lib);
        fallsBack(shadow, List.of(), "cannot load libgelu bundled as " + BUNDLED, "invalid ELF header");
        nativeForcedFails(shadow, List.of(), "cannot load libgelu bundled as " + BUNDLED);
    }

    @Test
    void temporaryDirectoryUnusable() throws IOException {
        Assumptions.assumeTrue(
                NativeLoadFailureTest.class.getResource(BUNDLED) != null,
                "no bundled library on the class path to extract");
        // a regular file as java.io.tmpdir: no temporary file can be made in it, even as root
        Path notADirectory = Files.writeString(dir.resolve("tmpdir-is-a-file"), "x");
        List<String> flags = List.of("-Djava.io.tmpdir=" + notADirectory);
        fallsBack(flags, "temporary file", notADirectory.toString(), "java.io.tmpdir");
        nativeForcedFails(flags, "temporary file", notADirectory.toString());
    }

    @Test
    void noexecTemporaryDirectory() throws Exception {
        Assumptions.assumeTrue(
                NativeLoadFailureTest.class.getResource(BUNDLED) != null,
                "no bundled library on the class path to extract");
        Assumptions.assumeTrue("0".equals(exec("id", "-u").trim()), "mounting a noexec tmpfs needs root; skipped");
        Path noexec = Files.createDirectory(dir.resolve("noexec"));
        try {
            exec("mount", "-t", "tmpfs", "-o", "size=4m,noexec", "tmpfs", noexec.toString());
        } catch (IOException e) {
            Assumptions.abort("cannot mount a tmpfs here: " + e.getMessage());
        }
        try {
            List<String> flags = List.of("-Djava.io.tmpdir=" + noexec);
            // the same hint as an unwritable temporary directory gets
            fallsBack(
                    flags,
                    "cannot load libgelu bundled as " + BUNDLED,
                    noexec + " may be mounted noexec",
                    "-Djava.io.tmpdir",
                    "-Dgelu.library.path");
            nativeForcedFails(flags, "may be mounted noexec", "-Djava.io.tmpdir");
        } finally {
            exec("umount", noexec.toString());
        }
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    @Test
    void libraryOfAnotherVersion() throws Exception {
        Path c = Files.writeString(dir.resolve("wrong_version.c"), "int gelu_version_number(void) { return 999; }\n");
        Path so = dir.resolve("libgelu-wrong-version.so");
        compile(c, so);
        List<String> flags = List.of("-Dgelu.library.path=" + so);
        explicitPathFails(flags, "version number 999", "needs " + Version.NUMBER, so.toString());
        nativeForcedFails(flags, "version number 999", "needs " + Version.NUMBER);
    }

    @Test
    void libraryWithoutTheFunctions() throws Exception {
        Path c = Files.writeString(dir.resolve("empty.c"), "int not_gelu(void) { return 1; }\n");
        Path so = dir.resolve("libnot-gelu.so");
        compile(c, so);
        List<String> flags = List.of("-Dgelu.library.path=" + so);
        explicitPathFails(flags, "lacks the expected functions", "Symbol not found: gelu_version_number");
        nativeForcedFails(flags, "lacks the expected functions", "Symbol not found: gelu_version_number");
    }

    @Test
    void libraryOfTheRightVersionWithoutTheKernels() throws Exception {
        // used to pass the version check and then fail every call with ExceptionInInitializerError
        Path c = Files.writeString(
                dir.resolve("version_only.c"), "int gelu_version_number(void) { return " + Version.NUMBER + "; }\n");
        Path so = dir.resolve("libgelu-version-only.so");
        compile(c, so);
        List<String> flags = List.of("-Dgelu.library.path=" + so);
        explicitPathFails(flags, "lacks the expected functions", "Symbol not found: gelu_isa");
        nativeForcedFails(flags, "lacks the expected functions", "Symbol not found: gelu_isa");
    }

    private static void fallsBack(List<String> flags, String... reason) {
        fallsBack(null, flags, reason);
    }

    private static void fallsBack(Path classpathFirst, List<String> flags, String... reason) {
        ChildJvm.Result r = ChildJvm.run(LoadProbeMain.class, classpathFirst, quick(flags), TIMEOUT_S);
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals("ok", r.value("apply"), r.describe());
        assertTrue(Set.of("vector", "scalar").contains(r.value("backend")), r.describe());
        String warning = warningLine(r);
        assertNotNull(warning, "no logged reason\n" + r.describe());
        assertTrue(warning.startsWith("WARNING"), "not logged as a warning\n" + r.describe());
        for (String part : reason) {
            assertTrue(warning.contains(part), "logged reason lacks '" + part + "'\n" + r.describe());
            assertTrue(r.value("native-reason").contains(part), "reason lacks '" + part + "'\n" + r.describe());
        }
    }

    /** An explicit -Dgelu.library.path that cannot be used: every call fails, nothing is logged as a fallback. */
    private static void explicitPathFails(List<String> flags, String... reason) {
        ChildJvm.Result r = ChildJvm.run(LoadProbeMain.class, null, quick(flags), TIMEOUT_S);
        assertEquals(0, r.exitCode(), r.describe());
        String error = r.value("apply-error");
        assertNotNull(error, "the first call did not fail\n" + r.describe());
        assertTrue(
                error.startsWith(
                        "java.lang.IllegalStateException: -Dgelu.library.path names a library that cannot be used: "),
                r.describe());
        for (String part : reason) {
            assertTrue(error.contains(part), "error lacks '" + part + "'\n" + r.describe());
            assertTrue(r.value("native-reason").contains(part), "reason lacks '" + part + "'\n" + r.describe());
        }
        assertEquals("true", r.value("dst-untouched"), r.describe());
        assertEquals(error, r.value("backend-error"), "Gelu.backend() fails the same way\n" + r.describe());
        assertNull(warningLine(r), "logged as a fallback\n" + r.describe());
        // a Java backend asked for by name does not load the library, so it still runs
        List<String> scalar = new ArrayList<>(flags);
        scalar.add("-Dgelu.backend=scalar");
        ChildJvm.Result s = ChildJvm.run(LoadProbeMain.class, null, quick(scalar), TIMEOUT_S);
        assertEquals("ok", s.value("apply"), s.describe());
        assertEquals("scalar", s.value("backend"), s.describe());
    }

    private static void nativeForcedFails(List<String> flags, String... reason) {
        nativeForcedFails(null, flags, reason);
    }

    private static void nativeForcedFails(Path classpathFirst, List<String> flags, String... reason) {
        List<String> forced = new ArrayList<>(flags);
        forced.add("-Dgelu.backend=native");
        ChildJvm.Result r = ChildJvm.run(LoadProbeMain.class, classpathFirst, quick(forced), TIMEOUT_S);
        assertEquals(0, r.exitCode(), r.describe());
        String error = r.value("apply-error");
        assertNotNull(error, "the first call did not fail\n" + r.describe());
        assertTrue(error.startsWith("java.lang.IllegalStateException: -Dgelu.backend=native, but "), r.describe());
        for (String part : reason) {
            assertTrue(error.contains(part), "error lacks '" + part + "'\n" + r.describe());
        }
        assertEquals("true", r.value("dst-untouched"), r.describe());
        assertEquals(error, r.value("backend-error"), "Gelu.backend() fails the same way\n" + r.describe());
    }

    /** The logged line with the reason (java.util.logging prints the level before the message). */
    private static String warningLine(ChildJvm.Result r) {
        for (String line : r.stderr().split("\n")) {
            if (line.contains("GELU native backend unavailable")) {
                return line;
            }
        }
        return null;
    }

    /** Short-lived children: C1 only, one GC thread; none of it changes what is tested. */
    private static List<String> quick(List<String> flags) {
        List<String> all = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        all.addAll(flags);
        return all;
    }

    private static Path garbage(Path p) throws IOException {
        byte[] bytes = new byte[4096];
        new java.util.SplittableRandom(1).nextBytes(bytes);
        return Files.write(p, bytes);
    }

    private static void compile(Path c, Path so) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", so.toString(), c.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            Assumptions.abort("no gcc to build a test library: " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "gcc hangs");
        assertEquals(0, p.exitValue(), "gcc failed: " + out);
    }
}
