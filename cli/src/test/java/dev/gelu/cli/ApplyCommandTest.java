package dev.gelu.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Gelu;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
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

    /** Every form's name, in lower case and capitalized (--form is read in any case). */
    static Stream<String> formNames() {
        return Stream.of(Form.values())
                .map(f -> f.name().toLowerCase(Locale.ROOT))
                .flatMap(n -> Stream.of(n, n.substring(0, 1).toUpperCase(Locale.ROOT) + n.substring(1)));
    }

    @ParameterizedTest
    @MethodSource("formNames")
    void appliesGeluKeepingTheShape(String form) throws Exception {
        float[] x = inputs(105);
        Path in = writeNpy(inDir.resolve("x.npy"), x, 3, 5, 7);
        Path result = outDir.resolve("y.npy");
        assertEquals(0, run("--form", form, in.toString(), result.toString()), err.toString());
        assertEquals("", out.toString() + err);

        Form f = Form.valueOf(form.toUpperCase(Locale.ROOT));
        float[] y = readNpy(result, 3, 5, 7);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Gelu.apply(f, x[i]), y[i], "GELU(" + x[i] + ")");
        }
        assertEquals(List.of("y.npy"), list(outDir));
        assertArrayEquals(x, readNpy(in, 3, 5, 7), "the input is left alone");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void faithfulOnRequest(Form f) throws Exception {
        String form = f.name().toLowerCase(Locale.ROOT);
        // a grid where about 0.4 % of faithful results are the other neighbour of the exact value
        float[] x = new float[20_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = -4 + i * 0.00047f;
        }
        Path in = writeNpy(inDir.resolve("x.npy"), x, x.length);
        Path result = outDir.resolve("y.npy");
        assertEquals(
                0, run("--form", form, "--accuracy", "faithful", in.toString(), result.toString()), err.toString());
        float[] y = readNpy(result, x.length);
        int notCorrectlyRounded = 0;
        for (int i = 0; i < x.length; i++) {
            assertEquals(Gelu.of(f, Accuracy.FAITHFUL).apply(x[i]), y[i], "GELU(" + x[i] + ")");
            notCorrectlyRounded += y[i] != Gelu.apply(f, x[i]) ? 1 : 0;
        }
        assertTrue(notCorrectlyRounded > 0, "--accuracy faithful gave the correctly rounded results");
        assertEquals(2, run("--accuracy", "fast", in.toString(), result.toString()));
        assertTrue(err.toString().contains("invalid value 'fast' for --accuracy"), err.toString());
    }

    @Test
    void defaultsToErf() throws Exception {
        float[] x = {-3, -1, 0, 0.5f, 2};
        Path in = writeNpy(inDir.resolve("x.npy"), x, 5);
        Path result = outDir.resolve("y.npy");
        assertEquals(0, run(in.toString(), result.toString()), err.toString());
        float[] y = readNpy(result, 5);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Gelu.apply(Form.ERF, x[i]), y[i], "GELU(" + x[i] + ")");
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
            assertEquals(
                    0, run("--backend=" + backend, "--form=tanh", in.toString(), result.toString()), err.toString());
        } finally {
            if (before == null) {
                System.clearProperty("gelu.backend");
            } else {
                System.setProperty("gelu.backend", before);
            }
        }
        assertArrayEquals(new float[] {Gelu.apply(Form.TANH, 1f), Gelu.apply(Form.TANH, 2f)}, readNpy(result, 2));
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
            assertEquals(Gelu.apply(Form.ERF, x[i]), y[i]);
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
            assertEquals(Gelu.apply(Form.ERF, x[i]), y[i]);
        }
        assertEquals(List.of("x.npy"), list(inDir));
    }

    @Test
    void replacesAnExistingOutput() throws Exception {
        Path in = writeNpy(inDir.resolve("x.npy"), new float[] {1, 2, 3}, 3);
        Path result = Files.writeString(
                outDir.resolve("y.npy"), "old contents, longer than the new file will be ".repeat(10));
        assertEquals(0, run(in.toString(), result.toString()), err.toString());
        assertEquals(3, readNpy(result, 3).length);
        assertEquals(List.of("y.npy"), list(outDir));
    }

    /** The erf form's MPFR golden values of the tests, as (x, GELU(x)) pairs. */
    private static float[][] golden(int n) throws IOException {
        float[][] rows = new float[2][n];
        try (InputStream in =
                new GZIPInputStream(ApplyCommandTest.class.getResourceAsStream("/dev/gelu/golden.tsv.gz"))) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .lines()
                    .filter(l -> !l.startsWith("#"))
                    .toList();
            for (int i = 0; i < n; i++) {
                String[] f = lines.get(i * 97 % lines.size()).split(" ");
                rows[0][i] = Float.intBitsToFloat(Integer.parseUnsignedInt(f[0], 16));
                rows[1][i] = Float.intBitsToFloat(Integer.parseUnsignedInt(f[1], 16));
            }
        }
        return rows;
    }

    /** Applies the erf form from a golden input file to result and checks every value against MPFR's. */
    private void appliesGolden(Path result) throws Exception {
        float[][] g = golden(40);
        Path in = writeNpy(inDir.resolve("golden-" + System.nanoTime() + ".npy"), g[0], 40);
        assertEquals(0, run(in.toString(), result.toString()), err.toString());
        float[] y = readNpy(result, 40);
        for (int i = 0; i < 40; i++) {
            assertEquals(Float.floatToIntBits(g[1][i]), Float.floatToIntBits(y[i]), "GELU(" + g[0][i] + ")");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-------", "rw-r-----", "rwxr-x---", "r--r--r--"})
    void replacingAFileKeepsItsPermissions(String mode) throws Exception {
        Path result = Files.writeString(outDir.resolve("y.npy"), "old");
        Files.setPosixFilePermissions(result, PosixFilePermissions.fromString(mode));
        appliesGolden(result);
        assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(result)));
        assertEquals(List.of("y.npy"), list(outDir));
    }

    @Test
    void aNewOutputGetsTheUsualMode() throws Exception {
        Path result = outDir.resolve("y.npy");
        appliesGolden(result);
        Path probe = Files.createFile(outDir.resolve("probe")); // what the umask gives a new file
        assertEquals(Files.getPosixFilePermissions(probe), Files.getPosixFilePermissions(result));
    }

    @Test
    void aSymbolicLinkIsWrittenThrough() throws Exception {
        Path real = Files.writeString(inDir.resolve("real.npy"), "old");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-------"));
        Path link = Files.createSymbolicLink(outDir.resolve("y.npy"), real);
        appliesGolden(link);
        assertTrue(Files.isSymbolicLink(link), "the link was replaced by a regular file");
        assertEquals(real, Files.readSymbolicLink(link));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));
        assertEquals(List.of("y.npy"), list(outDir));
        assertFalse(list(inDir).stream().anyMatch(f -> f.contains(".tmp-")), "a temporary file was left");
    }

    @Test
    void aDanglingSymbolicLinkIsRefused() throws Exception {
        Path in = writeNpy(inDir.resolve("x.npy"), new float[] {1}, 1);
        Path link = Files.createSymbolicLink(outDir.resolve("y.npy"), dir.resolve("nowhere.npy"));
        out.reset();
        err.reset();
        assertEquals(1, run(in.toString(), link.toString()));
        assertEquals(
                "gelu apply: " + link + ": is a symbolic link to a missing file; give its target instead"
                        + System.lineSeparator(),
                err.toString());
        assertTrue(Files.isSymbolicLink(link));
        assertFalse(Files.exists(dir.resolve("nowhere.npy")));
    }

    @Test
    void aFileWithOtherHardLinksIsRefused() throws Exception {
        Path in = writeNpy(inDir.resolve("x.npy"), new float[] {1, 2}, 2);
        Path result = Files.writeString(outDir.resolve("y.npy"), "old");
        Path other = Files.createLink(outDir.resolve("other-name.npy"), result);
        assertFails(
                result,
                in,
                result,
                "has 2 hard links; replacing it would detach them "
                        + "(write to a new name, or remove the other links first)",
                true);
        assertEquals("old", Files.readString(result));
        assertEquals("old", Files.readString(other));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 236, 237, 240, 254, 255})
    void longOutputNamesWorkUpToTheFileSystemLimit(int length) throws Exception {
        String name = "y".repeat(length - 4) + ".npy";
        appliesGolden(outDir.resolve(name));
        assertEquals(List.of(name), list(outDir));
    }

    @Test
    void longMultiByteOutputNamesWork() throws Exception {
        String name = "\u00e9".repeat(125) + "y.npy"; // 250 + 5 = 255 bytes of UTF-8
        assertEquals(255, name.getBytes(StandardCharsets.UTF_8).length);
        appliesGolden(outDir.resolve(name));
        assertEquals(List.of(name), list(outDir));
    }

    @Test
    void temporaryNamesAreNoLongerThanLongNames() {
        for (String name :
                new String[] {"y".repeat(255), "\u00e9".repeat(127) + "y", "\ud83d\ude00".repeat(63) + "abc"}) {
            String tmp = ApplyCommand.temporaryName(name);
            assertTrue(tmp.startsWith(".") && tmp.contains(".tmp-"), tmp);
            assertTrue(
                    tmp.getBytes(StandardCharsets.UTF_8).length <= name.getBytes(StandardCharsets.UTF_8).length, tmp);
            assertFalse(tmp.contains("\ufffd"), "cut inside a character: " + tmp);
        }
        assertTrue(ApplyCommand.temporaryName("y.npy").startsWith(".y.npy.tmp-"));
    }

    @Test
    void printsUsageOnRequest() {
        assertEquals(0, run("--help"));
        assertEquals(ApplyCommand.HELP + System.lineSeparator(), out.toString());
        assertTrue(ApplyCommand.HELP.startsWith(ApplyCommand.USAGE + "\n\n"), ApplyCommand.HELP);
        assertEquals("", err.toString());
    }

    /** The forms as the messages list them: erf, tanh, ... */
    private static final String FORMS = String.join(
            ", ",
            Stream.of(Form.values()).map(f -> f.name().toLowerCase(Locale.ROOT)).toList());

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
                arguments(List.of(), "expected IN.npy and OUT.npy, got 0 file arguments"),
                arguments(List.of("a.npy"), "expected IN.npy and OUT.npy, got 1 file argument"),
                arguments(List.of("a.npy", "b.npy", "c.npy"), "expected IN.npy and OUT.npy, got 3 file arguments"),
                arguments(
                        List.of("--form", "gelu", "a.npy", "b.npy"),
                        "invalid value 'gelu' for --form: expected " + FORMS),
                arguments(
                        List.of("a.npy", "-"),
                        "'-' (standard input or output) is not supported: IN and OUT must be files"),
                arguments(
                        List.of("-", "b.npy"),
                        "'-' (standard input or output) is not supported: IN and OUT must be files"),
                arguments(
                        List.of("--backend", "gpu", "a.npy", "b.npy"),
                        "invalid value 'gpu' for --backend: expected native, vector, scalar"),
                arguments(List.of("a.npy", "b.npy", "--form"), "missing value for --form"),
                arguments(
                        List.of("--out-dtype", "f64", "a.npy", "b.npy"),
                        "invalid value 'f64' for --out-dtype: expected f32, f16, bf16"),
                arguments(List.of("--bf16=yes", "a.npy", "b.npy"), "unknown option '--bf16=yes'"),
                arguments(List.of("--fast", "a.npy", "b.npy"), "unknown option '--fast'"));
    }

    @ParameterizedTest
    @MethodSource("badCommandLines")
    void rejectsBadCommandLines(List<String> args, String problem) throws Exception {
        assertEquals(2, run(args.toArray(String[]::new)));
        assertEquals(
                "gelu apply: " + problem + "\n" + ApplyCommand.USAGE + "\n",
                err.toString().replace(System.lineSeparator(), "\n"));
        assertEquals("", out.toString());
        assertEquals(List.of(), list(outDir));
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                arguments("empty.npy", new byte[0], "empty file"),
                arguments(
                        "zip.npy",
                        "PK\3\4 not numpy".getBytes(StandardCharsets.US_ASCII),
                        "not a .npy file (bad magic)"),
                arguments(
                        "short.npy",
                        withData(Npy.header(3, 5, 7), 12),
                        "truncated: header says 420 bytes of data, file has 12"),
                arguments(
                        "long.npy",
                        withData(Npy.header(2), 12),
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
    @ValueSource(
            strings = {
                "numpy_f8_2.npy",
                "numpy_f4_bigendian_4.npy",
                "numpy_f2_bigendian_4.npy",
                "numpy_f4_fortran_2x3.npy"
            })
    void rejectsNumpyFilesOfOtherLayouts(String name) throws Exception {
        Path in = inDir.resolve(name);
        try (InputStream resource = ApplyCommandTest.class.getResourceAsStream("/npy/" + name)) {
            Files.copy(resource, in);
        }
        String supported = ": only little-endian float32 ('<f4'), float16 ('<f2') and uint16 "
                + "('<u2', bf16 bits with --bf16) are supported";
        String problem = switch (name) {
            case "numpy_f8_2.npy" -> "unsupported dtype '<f8'" + supported;
            case "numpy_f4_bigendian_4.npy" -> "unsupported dtype '>f4'" + supported;
            case "numpy_f2_bigendian_4.npy" -> "unsupported dtype '>f2'" + supported;
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
        assertFails(named, in, result, problem, false);
    }

    private void assertFails(Path named, Path in, Path result, String problem, boolean resultExists)
            throws IOException {
        List<String> outBefore = list(outDir);
        List<String> inBefore = list(inDir);
        out.reset();
        err.reset();
        assertEquals(1, run(in.toString(), result.toString()));
        assertEquals("gelu apply: " + named + ": " + problem + System.lineSeparator(), err.toString());
        assertEquals("", out.toString());
        assertEquals(outBefore, list(outDir), "nothing may be left in the output directory");
        assertEquals(inBefore, list(inDir));
        assertEquals(resultExists, Files.isRegularFile(result));
    }

    private int run(String... args) {
        return ApplyCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
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
        float[] named = {
            -3,
            -1,
            0,
            0.5f,
            2,
            -0f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.MAX_VALUE,
            -Float.MAX_VALUE,
            -10,
            10,
            -5.5f,
            1e-20f
        };
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
            ByteBuffer data =
                    ByteBuffer.allocate(Math.toIntExact(header.dataBytes())).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(data, header.dataOffset());
            float[] values = new float[Math.toIntExact(header.count())];
            data.flip().asFloatBuffer().get(values);
            return values;
        }
    }
}
