package dev.gelu.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gelu.Gelu;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs the command in process; never with a --backend other than the one already chosen. */
class ApplyCommandTest {
    @TempDir
    Path dir;

    private Path inDir;
    private Path outDir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void directories() throws IOException {
        inDir = Files.createDirectory(dir.resolve("in"));
        outDir = Files.createDirectory(dir.resolve("out"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"erf", "tanh", "ERF", "Tanh"})
    void appliesGeluKeepingTheShape(String form) throws Exception {
        float[] x = inputs(105);
        Path in = writeNpy(inDir.resolve("x.npy"), x, 3, 5, 7);
        Path result = outDir.resolve("y.npy");
        assertEquals(0, run("--form", form, in.toString(), result.toString()), err.toString());
        assertEquals("", out.toString() + err);

        Gelu.Form f = form.equalsIgnoreCase("erf") ? Gelu.Form.ERF : Gelu.Form.TANH;
        float[] y = readNpy(result, 3, 5, 7);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Gelu.apply(f, x[i]), y[i], "GELU(" + x[i] + ")");
        }
        assertEquals(List.of("y.npy"), list(outDir));
        assertArrayEquals(x, readNpy(in, 3, 5, 7), "the input is left alone");
    }

    @Test
    void defaultsToErf() throws Exception {
        float[] x = {-3, -1, 0, 0.5f, 2};
        Path in = writeNpy(inDir.resolve("x.npy"), x, 5);
        Path result = outDir.resolve("y.npy");
        assertEquals(0, run(in.toString(), result.toString()), err.toString());
        float[] y = readNpy(result, 5);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Gelu.apply(Gelu.Form.ERF, x[i]), y[i], "GELU(" + x[i] + ")");
        }
    }

    @Test
    void acceptsOptionsWithEqualsSignsAndTheBackendInUse() throws Exception {
        Path in = writeNpy(inDir.resolve("x.npy"), new float[] {1, 2}, 2);
        Path result = outDir.resolve("y.npy");
        // Choosing the backend first makes --backend a no-op, so later tests see the usual one.
        String backend = Gelu.backend();
        String before = System.getProperty("gelu.backend");
        try {
            assertEquals(0, run("--backend=" + backend, "--form=tanh", in.toString(), result.toString()), err.toString());
        } finally {
            if (before == null) {
                System.clearProperty("gelu.backend");
            } else {
                System.setProperty("gelu.backend", before);
            }
        }
        assertArrayEquals(new float[] {Gelu.apply(Gelu.Form.TANH, 1f), Gelu.apply(Gelu.Form.TANH, 2f)}, readNpy(result, 2));
    }

    static Stream<long[]> smallShapes() {
        return Stream.of(new long[0], new long[] {0}, new long[] {7}, new long[] {2, 0, 3});
    }

    @ParameterizedTest
    @MethodSource("smallShapes")
    void handlesScalarAndEmptyArrays(long[] shape) throws Exception {
        float[] x = inputs(Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact)));
        Path in = writeNpy(inDir.resolve("x.npy"), x, shape);
        Path result = outDir.resolve("y.npy");
        assertEquals(0, run(in.toString(), result.toString()), err.toString());
        float[] y = readNpy(result, shape);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Gelu.apply(Gelu.Form.ERF, x[i]), y[i]);
        }
        assertEquals(Npy.header(shape).length + 4L * x.length, Files.size(result));
    }

    @Test
    void worksInPlace() throws Exception {
        float[] x = inputs(35);
        Path file = writeNpy(inDir.resolve("x.npy"), x, 5, 7);
        assertEquals(0, run(file.toString(), file.toString()), err.toString());
        float[] y = readNpy(file, 5, 7);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Gelu.apply(Gelu.Form.ERF, x[i]), y[i]);
        }
        assertEquals(List.of("x.npy"), list(inDir));
    }

    @Test
    void replacesAnExistingOutput() throws Exception {
        Path in = writeNpy(inDir.resolve("x.npy"), new float[] {1, 2, 3}, 3);
        Path result = Files.writeString(outDir.resolve("y.npy"), "old contents, longer than the new file will be ".repeat(10));
        assertEquals(0, run(in.toString(), result.toString()), err.toString());
        assertEquals(3, readNpy(result, 3).length);
        assertEquals(List.of("y.npy"), list(outDir));
    }

    @Test
    void printsUsageOnRequest() {
        assertEquals(0, run("--help"));
        assertEquals(ApplyCommand.USAGE + System.lineSeparator(), out.toString());
        assertEquals("", err.toString());
    }

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
                arguments(List.of(), "expected IN.npy and OUT.npy, got 0 file arguments"),
                arguments(List.of("a.npy"), "expected IN.npy and OUT.npy, got 1 file argument"),
                arguments(List.of("a.npy", "b.npy", "c.npy"), "expected IN.npy and OUT.npy, got 3 file arguments"),
                arguments(List.of("--form", "gelu", "a.npy", "b.npy"), "invalid value 'gelu' for --form: expected erf, tanh"),
                arguments(List.of("a.npy", "-"), "'-' (standard input or output) is not supported: IN and OUT must be files"),
                arguments(List.of("-", "b.npy"), "'-' (standard input or output) is not supported: IN and OUT must be files"),
                arguments(List.of("--backend", "gpu", "a.npy", "b.npy"),
                        "invalid value 'gpu' for --backend: expected native, vector, scalar"),
                arguments(List.of("a.npy", "b.npy", "--form"), "missing value for --form"),
                arguments(List.of("--fast", "a.npy", "b.npy"), "unknown option '--fast'"));
    }

    @ParameterizedTest
    @MethodSource("badCommandLines")
    void rejectsBadCommandLines(List<String> args, String problem) throws Exception {
        assertEquals(2, run(args.toArray(String[]::new)));
        assertEquals("gelu apply: " + problem + "\n" + ApplyCommand.USAGE + "\n", err.toString().replace(System.lineSeparator(), "\n"));
        assertEquals("", out.toString());
        assertEquals(List.of(), list(outDir));
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                arguments("empty.npy", new byte[0], "empty file"),
                arguments("zip.npy", "PK\3\4 not numpy".getBytes(StandardCharsets.US_ASCII), "not a .npy file (bad magic)"),
                arguments("short.npy", withData(Npy.header(3, 5, 7), 12),
                        "truncated: header says 420 bytes of data, file has 12"),
                arguments("long.npy", withData(Npy.header(2), 12),
                        "trailing bytes: header says 8 bytes of data, file has 12"),
                arguments("v4.npy", version(withData(Npy.header(2), 8), 4), "unsupported .npy version 4.0"));
    }

    @ParameterizedTest
    @MethodSource("badInputs")
    void rejectsMalformedInput(String name, byte[] contents, String problem) throws Exception {
        Path in = Files.write(inDir.resolve(name), contents);
        assertFails(in, in, outDir.resolve("y.npy"), problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"numpy_f8_2.npy", "numpy_f4_bigendian_4.npy", "numpy_f4_fortran_2x3.npy"})
    void rejectsNumpyFilesOfOtherLayouts(String name) throws Exception {
        Path in = inDir.resolve(name);
        try (InputStream resource = ApplyCommandTest.class.getResourceAsStream("/npy/" + name)) {
            Files.copy(resource, in);
        }
        String problem = switch (name) {
            case "numpy_f8_2.npy" -> "unsupported dtype '<f8': only little-endian float32 ('<f4') is supported";
            case "numpy_f4_bigendian_4.npy" -> "unsupported dtype '>f4': only little-endian float32 ('<f4') is supported";
            default -> "Fortran-order arrays are not supported";
        };
        assertFails(in, in, outDir.resolve("y.npy"), problem);
    }

    @Test
    void rejectsAMissingInput() throws Exception {
        Path in = inDir.resolve("missing.npy");
        assertFails(in, in, outDir.resolve("y.npy"), "no such file");
    }

    @Test
    void rejectsADirectoryAsInput() throws Exception {
        assertFails(inDir, inDir, outDir.resolve("y.npy"), "is a directory");
    }

    @Test
    void rejectsAnOutputInAMissingDirectory() throws Exception {
        Path in = writeNpy(inDir.resolve("x.npy"), new float[] {1}, 1);
        Path missing = outDir.resolve("missing");
        Path result = missing.resolve("y.npy");
        assertFails(result, in, result, "directory " + missing + " does not exist");
    }

    @Test
    void rejectsAnOutputUnderAFile() throws Exception {
        Path in = writeNpy(inDir.resolve("x.npy"), new float[] {1}, 1);
        Path file = Files.writeString(outDir.resolve("file.txt"), "not a directory");
        Path result = file.resolve("y.npy");
        assertFails(result, in, result, file + " is not a directory");
        assertEquals(List.of("file.txt"), list(outDir));
    }

    @Test
    void rejectsAnOutputThatIsADirectory() throws Exception {
        Path in = writeNpy(inDir.resolve("x.npy"), new float[] {1}, 1);
        Path result = Files.createDirectory(outDir.resolve("y.npy"));
        assertFails(result, in, result, "is a directory");
        assertEquals(List.of("y.npy"), list(outDir));
        assertEquals(List.of(), list(result));
    }

    @Test
    void rejectsSpecialFiles() throws Exception {
        Path in = writeNpy(inDir.resolve("x.npy"), new float[] {1}, 1);
        // A socket file stands in for devices and pipes: replacing /dev/null would be a disaster.
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Path special = outDir.resolve("sock");
            socket.bind(UnixDomainSocketAddress.of(special));
            assertFails(special, in, special, "not a regular file");
            assertFails(special, special, outDir.resolve("y.npy"), "not a regular file");
            assertFalse(Files.isRegularFile(special));
        }
    }

    @Test
    void rejectsAReadOnlyOutputDirectory() throws Exception {
        Path in = writeNpy(inDir.resolve("x.npy"), new float[] {1}, 1);
        Files.setPosixFilePermissions(outDir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // root ignores permissions, and so does this check then.
            assumeFalse(Files.isWritable(outDir), "the directory is writable anyway: running as root?");
            Path result = outDir.resolve("y.npy");
            assertFails(result, in, result, "permission denied");
        } finally {
            Files.setPosixFilePermissions(outDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void rejectsADirectoryNoOneCanWriteIn() throws Exception {
        // sysfs refuses new files even to root, so this runs where the permission test cannot
        Path sys = Path.of("/sys");
        assumeFalse(!Files.isDirectory(sys), "no sysfs here");
        Path in = writeNpy(inDir.resolve("x.npy"), new float[] {1}, 1);
        Path result = sys.resolve("gelu-test-y.npy");
        assertFails(result, in, result, "permission denied");
    }

    /** Runs with IN and OUT; expects exit 1, the one line {@code gelu apply: PATH: PROBLEM}, and no file left behind. */
    private void assertFails(Path named, Path in, Path result, String problem) throws IOException {
        List<String> outBefore = list(outDir);
        List<String> inBefore = list(inDir);
        out.reset();
        err.reset();
        assertEquals(1, run(in.toString(), result.toString()));
        assertEquals("gelu apply: " + named + ": " + problem + System.lineSeparator(), err.toString());
        assertEquals("", out.toString());
        assertEquals(outBefore, list(outDir), "nothing may be left in the output directory");
        assertEquals(inBefore, list(inDir));
        assertFalse(Files.isRegularFile(result));
    }

    private int run(String... args) {
        return ApplyCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static List<String> list(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] withData(byte[] header, int dataBytes) {
        return Arrays.copyOf(header, header.length + dataBytes);
    }

    private static byte[] version(byte[] npy, int major) {
        npy[6] = (byte) major;
        return npy;
    }

    /** Values from every part of the float range, the named ones first. */
    private static float[] inputs(int n) {
        float[] named = {-3, -1, 0, 0.5f, 2, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, -10, 10, -5.5f, 1e-20f};
        SplittableRandom random = new SplittableRandom(42);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            if (i < named.length) {
                x[i] = named[i];
            } else if (i % 2 == 0) {
                x[i] = (float) (random.nextDouble(-8, 8));
            } else {
                x[i] = Float.intBitsToFloat(random.nextInt());
            }
        }
        return x;
    }

    private static Path writeNpy(Path path, float[] data, long... shape) throws IOException {
        byte[] header = Npy.header(shape);
        ByteBuffer bytes = ByteBuffer.allocate(header.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put(header);
        for (float v : data) {
            bytes.putFloat(v);
        }
        return Files.write(path, bytes.array());
    }

    /** Reads a .npy file checking that it has the expected shape. */
    private static float[] readNpy(Path path, long... shape) throws IOException, NpyException {
        try (FileChannel channel = FileChannel.open(path)) {
            Npy.Header header = Npy.read(channel);
            assertArrayEquals(shape, header.shape(), "shape");
            ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(header.dataBytes())).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(data, header.dataOffset());
            float[] values = new float[Math.toIntExact(header.count())];
            data.flip().asFloatBuffer().get(values);
            return values;
        }
    }
}
