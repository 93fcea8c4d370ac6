package dev.gelu.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gelu.Form;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code gelu apply} on 16-bit files: every float16 ({@code <f2}) and every bf16 ({@code <u2}
 * with {@code --bf16}) bit pattern through the command, each form, against MPFR's GELU rounded
 * once to the format (the library's golden16.bin.gz, an oracle independent of the code under
 * test); the same values as float32 narrowed with {@code --out-dtype}; then the conflicts
 * between IN's dtype and the options, each one line, exit 1 and no file.
 */
class ApplyHalfTest {
    private static final int N = 65536;
    /** [form][0 bf16, 1 f16][input bits]: GELU of the input whose bits are the index. */
    private static final short[][][] GOLDEN = load();

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

    /** Little-endian uint16 tables in the order erf-bf16, erf-f16, tanh-bf16, tanh-f16, quick-bf16, quick-f16. */
    private static short[][][] load() {
        short[][][] g = new short[Form.values().length][2][N];
        try (InputStream raw = ApplyHalfTest.class.getResourceAsStream("/dev/gelu/golden16.bin.gz");
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            for (int form = 0; form < g.length; form++) {
                for (int type = 0; type < 2; type++) {
                    for (int i = 0; i < N; i++) {
                        g[form][type][i] = Short.reverseBytes(in.readShort());
                    }
                }
            }
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("cannot read the test resource /dev/gelu/golden16.bin.gz", e);
        }
        return g;
    }

    private static short want(Form form, Npy.Dtype type, int bits) {
        return GOLDEN[form.ordinal()][type == Npy.Dtype.U2 ? 0 : 1][bits & 0xFFFF];
    }

    /** The float32 value of 16-bit bits: exact for both formats. */
    private static float widen(Npy.Dtype type, int bits) {
        return type == Npy.Dtype.U2 ? Float.intBitsToFloat(bits << 16) : Float.float16ToFloat((short) bits);
    }

    static Stream<Arguments> points() {
        return Stream.of(Form.values())
                .flatMap(f -> Stream.of(Npy.Dtype.F2, Npy.Dtype.U2).map(t -> arguments(f, t)));
    }

    @ParameterizedTest
    @MethodSource("points")
    void everySixteenBitInputIsCorrectlyRounded(Form form, Npy.Dtype type) throws Exception {
        short[] x = new short[N];
        for (int i = 0; i < N; i++) {
            x[i] = (short) i;
        }
        Path in = writeShorts(inDir.resolve("x.npy"), type, x, 256, 256);
        Path result = outDir.resolve("y.npy");
        List<String> args = new ArrayList<>(List.of("--form", form.name().toLowerCase(Locale.ROOT)));
        if (type == Npy.Dtype.U2) {
            args.add("--bf16");
        }
        args.addAll(List.of(in.toString(), result.toString()));
        assertEquals(0, run(args.toArray(String[]::new)), err.toString());
        assertEquals("", out.toString() + err);
        check(form, type, readShorts(result, type, 256, 256), i -> i, "all " + type + " inputs");
        assertEquals(List.of("y.npy"), list(outDir));
    }

    @ParameterizedTest
    @MethodSource("points")
    void float32NarrowsToTheSameBits(Form form, Npy.Dtype type) throws Exception {
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = widen(type, i);
        }
        Path in = writeFloats(inDir.resolve("x.npy"), x, N);
        Path result = outDir.resolve("y.npy");
        String outDtype = type == Npy.Dtype.U2 ? "bf16" : "f16";
        assertEquals(
                0,
                run(
                        "--form=" + form.name().toLowerCase(Locale.ROOT),
                        "--out-dtype=" + outDtype,
                        in.toString(),
                        result.toString()),
                err.toString());
        check(form, type, readShorts(result, type, N), i -> i, "float32 -> " + outDtype);
    }

    /**
     * More than two 4 MiB chunks of float32, a count that is no multiple of the chunk, narrowed
     * in place: every chunk's results must land at half its input offset. The bit patterns
     * repeat with a prime period so that a misplaced chunk cannot match by accident.
     */
    @Test
    void narrowingInPlaceAcrossChunks() throws Exception {
        int n = (3 << 20) + 12_345;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = widen(Npy.Dtype.U2, i % 65_521);
        }
        Path file = writeFloats(inDir.resolve("x.npy"), x, n);
        assertEquals(0, run("--form", "tanh", "--out-dtype", "bf16", file.toString(), file.toString()), err.toString());
        check(Form.TANH, Npy.Dtype.U2, readShorts(file, Npy.Dtype.U2, n), i -> i % 65_521, "bf16 in place");
        assertEquals(Npy.header(Npy.Dtype.U2, n).length + 2L * n, Files.size(file));
        assertEquals(List.of("x.npy"), list(inDir));
    }

    @Test
    void sixteenBitAcrossChunks() throws Exception {
        int n = (5 << 20) / 2 + 7; // 5 MiB and 14 bytes of float16: a full chunk and a partial one
        short[] x = new short[n];
        for (int i = 0; i < n; i++) {
            x[i] = (short) (i % 65_521);
        }
        Path in = writeShorts(inDir.resolve("x.npy"), Npy.Dtype.F2, x, n);
        Path result = outDir.resolve("y.npy");
        assertEquals(0, run(in.toString(), result.toString()), err.toString());
        check(Form.ERF, Npy.Dtype.F2, readShorts(result, Npy.Dtype.F2, n), i -> i % 65_521, "f16, two chunks");
    }

    /** The 16-bit output goes through the float32 replacement path: mode kept, symbolic link written through. */
    @Test
    void replacingThroughASymbolicLinkKeepsTheMode() throws Exception {
        Path real = Files.writeString(inDir.resolve("real.npy"), "old contents, longer than the new file");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r-----"));
        Path link = Files.createSymbolicLink(outDir.resolve("y.npy"), real);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = widen(Npy.Dtype.F2, i);
        }
        Path in = writeFloats(inDir.resolve("x.npy"), x, N);
        assertEquals(0, run("--out-dtype", "f16", in.toString(), link.toString()), err.toString());
        assertTrue(Files.isSymbolicLink(link), "the link was replaced by a regular file");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));
        check(Form.ERF, Npy.Dtype.F2, readShorts(real, Npy.Dtype.F2, N), i -> i, "through a link");
        assertEquals(List.of("real.npy", "x.npy"), list(inDir), "a temporary file was left");
    }

    /** --out-dtype naming the input's own type changes nothing, for 16-bit and float32 alike. */
    @Test
    void namingTheInputsOwnTypeIsANoOp() throws Exception {
        short[] h = {0x3c00, (short) 0xbc00, 0x4000, 0x7c00, 0x0001};
        Path f16 = writeShorts(inDir.resolve("h.npy"), Npy.Dtype.F2, h, 5);
        assertSameOutput(List.of(f16.toString()), List.of("--out-dtype", "f16", f16.toString()));
        Path bf16 = writeShorts(inDir.resolve("b.npy"), Npy.Dtype.U2, h, 5);
        assertSameOutput(List.of("--bf16", bf16.toString()), List.of("--bf16", "--out-dtype", "bf16", bf16.toString()));
        Path f32 = writeFloats(inDir.resolve("f.npy"), new float[] {-1, 0.5f, 3}, 3);
        assertSameOutput(List.of(f32.toString()), List.of("--out-dtype", "f32", f32.toString()));
        assertSameOutput(
                List.of("--accuracy", "faithful", f32.toString()),
                List.of("--accuracy", "faithful", "--out-dtype", "f32", f32.toString()));
    }

    private void assertSameOutput(List<String> args, List<String> sameArgs) throws Exception {
        Path a = outDir.resolve("a.npy");
        Path b = outDir.resolve("b.npy");
        assertEquals(
                0, run(Stream.concat(args.stream(), Stream.of(a.toString())).toArray(String[]::new)), err.toString());
        assertEquals(
                0,
                run(Stream.concat(sameArgs.stream(), Stream.of(b.toString())).toArray(String[]::new)),
                err.toString());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), args + " vs " + sameArgs);
    }

    static Stream<Arguments> conflicts() {
        String narrowsOnlyFloat32 = " input: a 16-bit input is written as its own type, only float32 narrows";
        return Stream.of(
                arguments(Npy.Dtype.U2, List.of(), "dtype '<u2' (uint16) is read only with --bf16, as bf16 bits"),
                arguments(
                        Npy.Dtype.U2,
                        List.of("--out-dtype", "bf16"),
                        "dtype '<u2' (uint16) is read only with --bf16, as bf16 bits"),
                arguments(
                        Npy.Dtype.F4,
                        List.of("--bf16"),
                        "--bf16 reads '<u2' (uint16) files of bf16 bits, not '<f4'; --out-dtype bf16 narrows float32 to bf16"),
                arguments(Npy.Dtype.F2, List.of("--bf16"), "--bf16 reads '<u2' (uint16) files of bf16 bits, not '<f2'"),
                arguments(
                        Npy.Dtype.F2,
                        List.of("--out-dtype", "bf16"),
                        "--out-dtype bf16 with a float16" + narrowsOnlyFloat32),
                arguments(
                        Npy.Dtype.F2,
                        List.of("--out-dtype", "f32"),
                        "--out-dtype f32 with a float16" + narrowsOnlyFloat32),
                arguments(
                        Npy.Dtype.U2,
                        List.of("--bf16", "--out-dtype", "f16"),
                        "--out-dtype f16 with a bf16" + narrowsOnlyFloat32),
                arguments(
                        Npy.Dtype.F2,
                        List.of("--accuracy", "faithful"),
                        "--accuracy faithful is for float32 output only; float16 results are always correctly rounded"),
                arguments(
                        Npy.Dtype.U2,
                        List.of("--bf16", "--accuracy=faithful"),
                        "--accuracy faithful is for float32 output only; bf16 results are always correctly rounded"),
                arguments(
                        Npy.Dtype.F4,
                        List.of("--out-dtype", "f16", "--accuracy", "faithful"),
                        "--accuracy faithful is for float32 output only; float16 results are always correctly rounded"),
                arguments(
                        Npy.Dtype.F4,
                        List.of("--accuracy", "faithful", "--out-dtype", "bf16"),
                        "--accuracy faithful is for float32 output only; bf16 results are always correctly rounded"));
    }

    /** Each conflict: exit 1, the one line naming IN, and no output, whether or not OUT existed. */
    @ParameterizedTest
    @MethodSource("conflicts")
    void conflictsAreOneLineAndWriteNothing(Npy.Dtype dtype, List<String> options, String problem) throws Exception {
        Path in = dtype == Npy.Dtype.F4
                ? writeFloats(inDir.resolve("x.npy"), new float[] {1, 2}, 2)
                : writeShorts(inDir.resolve("x.npy"), dtype, new short[] {0x3c00, 0x4000}, 2);
        Path result = outDir.resolve("y.npy");
        for (boolean existing : new boolean[] {false, true}) {
            if (existing) {
                Files.writeString(result, "old");
            }
            out.reset();
            err.reset();
            List<String> args = new ArrayList<>(options);
            args.addAll(List.of(in.toString(), result.toString()));
            assertEquals(1, run(args.toArray(String[]::new)));
            assertEquals(
                    "gelu apply: " + in + ": " + problem + "\n", err.toString().replace(System.lineSeparator(), "\n"));
            assertEquals("", out.toString());
            assertEquals(existing ? List.of("y.npy") : List.of(), list(outDir), "nothing may be left behind");
            if (existing) {
                assertEquals("old", Files.readString(result));
            }
        }
        assertEquals(List.of("x.npy"), list(inDir));
    }

    private interface Index {
        int bits(int i);
    }

    /** Element i of got must be the golden value of the input bits source.bits(i). */
    private static void check(Form form, Npy.Dtype type, short[] got, Index source, String what) {
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < got.length; i++) {
            short w = want(form, type, source.bits(i));
            if (got[i] != w) {
                if (bad++ < 5) {
                    first.append(String.format(
                            " [element %d, input 0x%04x: got 0x%04x, want 0x%04x]", i, source.bits(i), got[i], w));
                }
            }
        }
        if (bad != 0) {
            fail(form + " " + what + ": " + bad + " of " + got.length + " differ from MPFR:" + first);
        }
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

    private static Path writeShorts(Path path, Npy.Dtype dtype, short[] data, long... shape) throws IOException {
        byte[] header = Npy.header(dtype, shape);
        ByteBuffer bytes = ByteBuffer.allocate(header.length + 2 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put(header);
        bytes.asShortBuffer().put(data);
        return Files.write(path, bytes.array());
    }

    private static Path writeFloats(Path path, float[] data, long... shape) throws IOException {
        byte[] header = Npy.header(Npy.Dtype.F4, shape);
        ByteBuffer bytes = ByteBuffer.allocate(header.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put(header);
        bytes.asFloatBuffer().put(data);
        return Files.write(path, bytes.array());
    }

    /** Reads a 16-bit .npy file, checking its dtype and shape and that it is exactly header plus data. */
    private static short[] readShorts(Path path, Npy.Dtype dtype, long... shape) throws IOException, NpyException {
        try (FileChannel channel = FileChannel.open(path)) {
            // Npy.read also rejects Fortran order and missing or trailing bytes
            Npy.Header header = Npy.read(channel);
            assertEquals(dtype, header.dtype(), "dtype");
            assertArrayEquals(shape, header.shape(), "shape");
            assertEquals(0, header.dataOffset() % 64, "numpy aligns the data to 64 bytes");
            ByteBuffer data =
                    ByteBuffer.allocate(Math.toIntExact(header.dataBytes())).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(data, header.dataOffset());
            short[] values = new short[Math.toIntExact(header.count())];
            data.flip().asShortBuffer().get(values);
            return values;
        }
    }
}
