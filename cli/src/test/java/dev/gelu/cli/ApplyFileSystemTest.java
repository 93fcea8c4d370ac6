package dev.gelu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gelu apply} in a hostile file system, each run in a child JVM (the failures used to
 * kill the JVM): a full output file system (a 1 MiB tmpfs the test mounts, as root) and a
 * file-size limit ({@code ulimit -f}), an input truncated while it is read, and Ctrl-C. Each
 * must end with exit code 1 (130 for SIGINT), the one-line error, no output, no temporary
 * file and no {@code hs_err_pid*.log}.
 */
class ApplyFileSystemTest {
    private static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    @TempDir
    Path dir;

    private final List<Path> mounts = new ArrayList<>();

    @BeforeAll
    static void onlyInTheAutomaticLeg() {
        Assumptions.assumeTrue(
                System.getProperty("gelu.backend") == null,
                "the children name their own backend; run once, in the leg without -Dgelu.backend");
    }

    @AfterEach
    void unmount() throws Exception {
        for (Path m : mounts) {
            exec("umount", m.toString());
        }
    }

    private static boolean isRoot() {
        try {
            return "0".equals(exec("id", "-u").trim());
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** Mounts a tmpfs of the given size at a new directory, or skips the test when it cannot. */
    private Path tmpfs(String name, String options) throws Exception {
        Assumptions.assumeTrue(isRoot(), "mounting a small tmpfs needs root; not root here, so this case is skipped");
        Path m = Files.createDirectory(dir.resolve(name));
        try {
            exec("mount", "-t", "tmpfs", "-o", options, "tmpfs", m.toString());
        } catch (IOException e) {
            Assumptions.abort("cannot mount a tmpfs here (" + e.getMessage().trim() + "); case skipped");
        }
        mounts.add(m);
        return m;
    }

    /** A float32 .npy of n random floats in [-8, 8], written in chunks. */
    private static Path npy(Path file, long n) throws IOException {
        byte[] header = Npy.header(n);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(header));
            ByteBuffer block = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
            SplittableRandom rnd = new SplittableRandom(7);
            while (block.hasRemaining()) {
                block.putFloat((float) (rnd.nextDouble() * 16 - 8));
            }
            for (long left = 4 * n; left > 0; left -= block.capacity()) {
                block.clear().limit((int) Math.min(block.capacity(), left));
                while (block.hasRemaining()) {
                    ch.write(block);
                }
            }
        }
        return file;
    }

    private static List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** stderr without the JVM's incubator banner. */
    private static List<String> errorLines(String stderr) {
        return stderr.lines().filter(l -> !l.equals(INCUBATOR_WARNING)).toList();
    }

    private static List<String> command(List<String> prefix, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.gelu.cli.Main",
                "apply"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Process start(Path cwd, List<String> cmd) throws IOException {
        Files.createDirectories(cwd);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(cwd.toFile())
                .redirectOutput(cwd.resolve("stdout").toFile())
                .redirectError(cwd.resolve("stderr").toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        return pb.start();
    }

    private static String stderr(Path cwd) throws IOException {
        return Files.readString(cwd.resolve("stderr"));
    }

    private static void assertNoCrashLog(Path cwd) throws IOException {
        List<String> logs =
                list(cwd).stream().filter(f -> f.startsWith("hs_err")).toList();
        assertEquals(List.of(), logs, "the JVM crashed: " + logs);
    }

    private static int finish(Process p) throws InterruptedException {
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("gelu apply ran over 300 s");
        }
        return p.exitValue();
    }

    @Test
    void aFullFileSystemIsAnErrorNotACrash() throws Exception {
        Path small = tmpfs("small", "size=1m");
        Path in = npy(dir.resolve("x.npy"), 1 << 19); // 2 MiB of data
        for (String backend : new String[] {"native", "vector", "scalar"}) {
            Path out = small.resolve("y.npy");
            Path cwd = dir.resolve("cwd-" + backend);
            int rc = finish(start(cwd, command(List.of(), "--backend", backend, in.toString(), out.toString())));
            String err = stderr(cwd);
            assertEquals(1, rc, backend + ": exit code\n" + err);
            assertEquals(List.of("gelu apply: " + out + ": No space left on device"), errorLines(err), backend);
            assertEquals(
                    List.of(),
                    list(small),
                    backend + ": the output or a temporary file was left on the full file system");
            assertNoCrashLog(cwd);
        }
    }

    @Test
    void aFileSizeLimitIsAnErrorNotACrash() throws Exception {
        Path in = npy(dir.resolve("x.npy"), 1 << 20);
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Path out = outDir.resolve("y.npy");
        Path cwd = dir.resolve("cwd");
        // ulimit -f counts 1024-byte blocks: the 4 MiB output cannot be written under 3 MiB, and
        // the native library (about 1 MiB, extracted to a temporary file first) can
        List<String> cmd = command(List.of(), in.toString(), out.toString());
        StringBuilder line = new StringBuilder("ulimit -f 3072 && exec");
        for (String c : cmd) {
            line.append(" '").append(c.replace("'", "'\\''")).append('\'');
        }
        int rc = finish(start(cwd, List.of("bash", "-c", line.toString())));
        String err = stderr(cwd);
        assertEquals(1, rc, err);
        assertEquals(List.of("gelu apply: " + out + ": File too large"), errorLines(err));
        assertEquals(List.of(), list(outDir));
        assertNoCrashLog(cwd);
    }

    /** Starts apply with the scalar Java backend (slow enough to act on) and waits for its temporary file. */
    private Process startLongApply(Path in, Path outDir, Path cwd) throws Exception {
        Process p = start(
                cwd,
                command(
                        // SIGINT back to its default in the child: a shell that runs this build in
                        // the background starts it ignored, and the JVM then keeps it ignored
                        List.of("env", "--default-signal=INT"),
                        "--backend",
                        "scalar",
                        in.toString(),
                        outDir.resolve("y.npy").toString()));
        for (int i = 0; i < 60_000; i++) {
            if (list(outDir).stream().anyMatch(f -> f.startsWith(".y.npy.tmp-"))) {
                return p;
            }
            assertTrue(p.isAlive(), "apply ended before it made its temporary file: " + stderr(cwd));
            Thread.sleep(1);
        }
        throw new AssertionError("no temporary file after 60 s");
    }

    @Test
    void anInputTruncatedWhileReadIsAnErrorNotACrash() throws Exception {
        Path in = npy(dir.resolve("x.npy"), 1 << 26); // 256 MiB
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Path cwd = dir.resolve("cwd");
        Process p = startLongApply(in, outDir, cwd);
        try (RandomAccessFile f = new RandomAccessFile(in.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        int rc = finish(p);
        String err = stderr(cwd);
        assertEquals(1, rc, err);
        List<String> lines = errorLines(err);
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("gelu apply: " + in + ": shrank while being read"), err);
        assertEquals(List.of(), list(outDir), "an output or a temporary file was left");
        assertNoCrashLog(cwd);
    }

    @Test
    void ctrlCRemovesTheTemporaryFile() throws Exception {
        Path in = npy(dir.resolve("x.npy"), 1 << 26);
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Path cwd = dir.resolve("cwd");
        Process p = startLongApply(in, outDir, cwd);
        exec("kill", "-INT", Long.toString(p.pid()));
        int rc = finish(p);
        String err = stderr(cwd);
        assertNotEquals(0, rc, "apply finished before the signal arrived; make the input larger\n" + err);
        assertEquals(130, rc, err);
        assertEquals(List.of(), list(outDir), "an output or a temporary file was left");
        assertEquals(
                List.of("gelu apply: " + outDir.resolve("y.npy") + ": interrupted, nothing written"), errorLines(err));
        assertNoCrashLog(cwd);
    }
}
