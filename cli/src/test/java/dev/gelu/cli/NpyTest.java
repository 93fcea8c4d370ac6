package dev.gelu.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {
    private static final String F4_MESSAGE = ": only little-endian float32 ('<f4'), float16 ('<f2') and uint16 "
            + "('<u2', bf16 bits with --bf16) are supported";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "7", "3,5,7", "1,0,4", "2,3,4,5,6,7,8,9"})
    void headerRoundTrips(String dims) throws Exception {
        long[] shape = dims.isEmpty()
                ? new long[0]
                : Arrays.stream(dims.split(",")).mapToLong(Long::parseLong).toArray();
        long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        byte[] header = Npy.header(shape);
        assertEquals(0, header.length % 64, "data must start 64-byte aligned");
        assertEquals(1, header[6], "major version");
        assertEquals('\n', header[header.length - 1]);

        Npy.Header read = read(file(header, count * 4));
        assertArrayEquals(shape, read.shape());
        assertEquals(count, read.count());
        assertEquals(count * 4, read.dataBytes());
        assertEquals(header.length, read.dataOffset());
    }

    @Test
    void writesTheDictNumpyWrites() {
        byte[] header = Npy.header(3, 5, 7);
        String dict = new String(header, 10, header.length - 10, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5, 7), }", dict.stripTrailing());
        assertEquals(
                header.length - 10,
                ByteBuffer.wrap(header, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort());
        assertEquals("(7,)", new Npy.Header(new long[] {7}, 7, 64).toString());
        assertEquals("()", new Npy.Header(new long[0], 1, 64).toString());
    }

    @Test
    void headersOver64KiBUseVersion2() throws Exception {
        long[] shape = new long[25_000];
        Arrays.fill(shape, 1);
        byte[] header = Npy.header(shape);
        assertEquals(2, header[6]);
        assertEquals(0, header.length % 64);
        assertEquals(
                header.length - 12,
                ByteBuffer.wrap(header, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        Npy.Header read = read(file(header, 4));
        assertArrayEquals(shape, read.shape());
        assertEquals(header.length, read.dataOffset());
    }

    @Test
    void writingRejectsImpossibleShapes() {
        assertEquals(
                "negative dimension -1 in shape (3, -1)",
                assertThrows(IllegalArgumentException.class, () -> Npy.header(3, -1))
                        .getMessage());
        assertEquals(
                "shape (4611686018427387904,) is too large: its size in bytes overflows 64 bits",
                assertThrows(IllegalArgumentException.class, () -> Npy.header(1L << 62))
                        .getMessage());
    }

    @Test
    void readsAFileWrittenByNumpy() throws Exception {
        Path path = resource("numpy_f4_3x5x7.npy");
        try (FileChannel channel = FileChannel.open(path)) {
            Npy.Header header = Npy.read(channel);
            assertArrayEquals(new long[] {3, 5, 7}, header.shape());
            assertEquals(105, header.count());
            assertEquals(0, header.dataOffset() % 64);
            ByteBuffer data = ByteBuffer.allocate(420).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(data, header.dataOffset());
            for (int i = 0; i < 105; i++) {
                assertEquals((i - 52) / 8f, data.getFloat(4 * i), "element " + i);
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", textBlock = """
            numpy_f8_2.npy           => unsupported dtype '<f8'
            numpy_f4_bigendian_4.npy => unsupported dtype '>f4'
            numpy_f2_bigendian_4.npy => unsupported dtype '>f2'
            numpy_f4_fortran_2x3.npy => Fortran-order arrays are not supported
            """, quoteCharacter = '"')
    void rejectsNumpyFilesOfOtherLayouts(String name, String message) throws Exception {
        assertRejected(message + (message.startsWith("unsupported") ? F4_MESSAGE : ""), resource(name));
    }

    @Test
    void readsFloat16AndUint16FilesWrittenByNumpy() throws Exception {
        Path path = resource("numpy_f2_3x5x7.npy");
        try (FileChannel channel = FileChannel.open(path)) {
            Npy.Header header = Npy.read(channel);
            assertEquals(Npy.Dtype.F2, header.dtype());
            assertArrayEquals(new long[] {3, 5, 7}, header.shape());
            assertEquals(210, header.dataBytes());
            ByteBuffer data = ByteBuffer.allocate(210).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(data, header.dataOffset());
            for (int i = 0; i < 105; i++) {
                assertEquals((i - 52) / 8f, Float.float16ToFloat(data.getShort(2 * i)), "element " + i);
            }
        }
        Npy.Header u2 = read(resource("numpy_u2_4.npy"));
        assertEquals(Npy.Dtype.U2, u2.dtype());
        assertEquals(8, u2.dataBytes());
    }

    @ParameterizedTest
    @CsvSource({"F4, <f4", "F2, <f2", "U2, <u2"})
    void writesEveryDtypeAsNumpyDoes(Npy.Dtype dtype, String descr) throws Exception {
        byte[] header = Npy.header(dtype, 3, 5, 7);
        String dict = new String(header, 10, header.length - 10, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (3, 5, 7), }", dict.stripTrailing());
        Npy.Header read = read(file(header, 105L * dtype.bytes()));
        assertEquals(dtype, read.dtype());
        assertEquals(105L * dtype.bytes(), read.dataBytes());
        assertRejected(
                "truncated: header says " + 105 * dtype.bytes() + " bytes of data, file has 12", file(header, 12));
    }

    /** Layouts that numpy itself does not write but Python reads the same: dict, then shape. */
    static Stream<Arguments> dictLayouts() {
        return Stream.of(
                arguments("{'shape': (3, 5, 7), 'fortran_order': False, 'descr': '<f4'}", new long[] {3, 5, 7}),
                arguments("{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(3,5,7)}", new long[] {3, 5, 7}),
                arguments(
                        "  {  'descr' : '<f4' ,'fortran_order':False,  'shape' : ( 3 , 5 ,7 , ) , }",
                        new long[] {3, 5, 7}),
                arguments("{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", new long[] {7}),
                arguments("{'descr': '<f4', 'fortran_order': False, 'shape': (0,)}", new long[] {0}),
                arguments("{'descr': '<f4', 'fortran_order': False, 'shape': ()}", new long[0]),
                arguments("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", new long[] {2, 3}),
                arguments("{'descr': '<f4',\t'fortran_order': False,\n'shape': (2, 3), }\r\n", new long[] {2, 3}));
    }

    @ParameterizedTest
    @MethodSource("dictLayouts")
    void parsesAnyDictLayout(String dict, long[] shape) throws Exception {
        long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        assertArrayEquals(shape, read(npy(1, dict, count * 4)).shape());
    }

    @Test
    void readsVersions2And3() throws Exception {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
        assertArrayEquals(new long[] {2}, read(npy(2, dict, 8)).shape());
        assertArrayEquals(new long[] {2}, read(npy(3, dict, 8)).shape());
        // Version 3 headers are UTF-8: the message quotes the decoded text.
        String accented = "{'descr': '<f4\u00e9', 'fortran_order': False, 'shape': (2,), }";
        assertRejected("unsupported dtype '<f4\u00e9'" + F4_MESSAGE, npy(3, accented, 8));
    }

    /** Headers that must be rejected: dict, then the message. */
    static Stream<Arguments> badHeaders() {
        String prefix = "{'descr': '<f4', 'fortran_order': False, ";
        return Stream.of(
                arguments(
                        "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }",
                        "unsupported dtype '|b1'" + F4_MESSAGE),
                arguments(
                        "{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }",
                        "unsupported dtype '=f4'" + F4_MESSAGE),
                arguments(
                        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
                        "unsupported dtype [('a', '<f4')]" + F4_MESSAGE),
                arguments(
                        "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }",
                        "malformed header: 'fortran_order' must be True or False, not 0"),
                arguments(prefix + "'shape': (7), }", "malformed header: 'shape' must be a tuple of integers, not (7)"),
                arguments(prefix + "'shape': [7], }", "malformed header: 'shape' must be a tuple of integers, not [7]"),
                arguments(
                        prefix + "'shape': ('7',), }",
                        "malformed header: 'shape' must be a tuple of integers, not ('7',)"),
                arguments(
                        prefix + "'shape': (True,), }",
                        "malformed header: 'shape' must be a tuple of integers, not (True,)"),
                arguments(prefix + "'shape': (3, -1), }", "negative dimension -1 in shape (3, -1)"),
                arguments(
                        prefix + "'shape': (1048576, 1048576, 1048576, 8), }",
                        "shape (1048576, 1048576, 1048576, 8) is too large: its size in bytes overflows 64 bits"),
                arguments(
                        prefix + "'shape': (99999999999999999999,), }",
                        "shape (99999999999999999999,) is too large: its size in bytes overflows 64 bits"),
                arguments(prefix + "}", "malformed header: missing key 'shape'"),
                arguments(prefix + "'shape': (2,), 'x': 1}", "malformed header: unexpected key 'x'"),
                arguments(
                        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",
                        "malformed header: duplicate key 'descr'"),
                arguments(
                        prefix + "'shape': (2,), } x", "malformed header: unexpected 'x' at column 59 after the dict"),
                arguments(prefix + "'shape': (2,)", "malformed header: unexpected end of the dict"),
                arguments(
                        "{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}",
                        "malformed header: expected ',' but found 'f' at column 18"),
                arguments(
                        "{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}",
                        "malformed header: unexpected 'false'"),
                arguments(prefix + "'shape': (2,) ; }", "malformed header: expected ',' but found ';' at column 56"),
                arguments(prefix + "'shape': (2,), '", "malformed header: unterminated string at column 57"),
                arguments("{1: '<f4'}", "malformed header: dict keys must be strings, not 1"),
                arguments("['descr', '<f4']", "malformed header: expected '{' but found '[' at column 1"),
                arguments("", "malformed header: unexpected end of the dict"),
                arguments(
                        prefix + "'shape': " + "(".repeat(100_000) + "}",
                        "malformed header: values nested more than 32 deep"),
                arguments(
                        "{'descr': '<f\n4', 'fortran_order': False, 'shape': (2,)}",
                        "unsupported dtype '<f\\u000a4'" + F4_MESSAGE));
    }

    @ParameterizedTest
    @MethodSource("badHeaders")
    void rejectsBadHeaders(String dict, String message) throws Exception {
        assertRejected(message, npy(1, dict, 8));
    }

    @Test
    void rejectsBadMagic() throws Exception {
        byte[] header = Npy.header(2);
        header[1] = 'n';
        assertRejected("not a .npy file (bad magic)", file(header, 8));
        assertRejected("not a .npy file (bad magic)", write("PK\3\4 a zip file".getBytes(StandardCharsets.US_ASCII)));
        assertRejected("not a .npy file (bad magic)", write(new byte[] {'x'}));
    }

    @ParameterizedTest
    @CsvSource({"4, 0, 4.0", "1, 1, 1.1", "0, 0, 0.0", "255, 9, 255.9"})
    void rejectsUnsupportedVersions(int major, int minor, String version) throws Exception {
        byte[] header = Npy.header(2);
        header[6] = (byte) major;
        header[7] = (byte) minor;
        assertRejected("unsupported .npy version " + version, file(header, 8));
    }

    @Test
    void rejectsAnEmptyFile() throws Exception {
        assertRejected("empty file", write(new byte[0]));
    }

    @Test
    void rejectsTruncatedHeaders() throws Exception {
        byte[] header = Npy.header(3, 5, 7);
        assertRejected("truncated: file has 4 bytes, its header needs 10", write(Arrays.copyOf(header, 4)));
        assertRejected("truncated: file has 9 bytes, its header needs 10", write(Arrays.copyOf(header, 9)));
        assertRejected("truncated: file has 100 bytes, its header needs 128", write(Arrays.copyOf(header, 100)));
        byte[] v2 = Arrays.copyOf(header, 11);
        v2[6] = 2;
        assertRejected("truncated: file has 11 bytes, its header needs 12", write(v2));
    }

    @Test
    void rejectsHugeHeaderLengths() throws Exception {
        ByteBuffer header = ByteBuffer.allocate(64 + (2 << 20)).order(ByteOrder.LITTLE_ENDIAN);
        header.put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 2)
                .put((byte) 0);
        header.putInt(header.capacity() - 12);
        assertRejected(
                "header of " + (header.capacity() - 12) + " bytes is too large (limit 1048576)", write(header.array()));
    }

    @Test
    void rejectsTruncatedData() throws Exception {
        assertRejected("truncated: header says 420 bytes of data, file has 12", file(Npy.header(3, 5, 7), 12));
        assertRejected("truncated: header says 4 bytes of data, file has 0", file(Npy.header(), 0));
    }

    @Test
    void rejectsTrailingBytes() throws Exception {
        assertRejected("trailing bytes: header says 28 bytes of data, file has 32", file(Npy.header(7), 32));
        assertRejected("trailing bytes: header says 0 bytes of data, file has 1", file(Npy.header(0), 1));
    }

    private void assertRejected(String message, Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path)) {
            assertEquals(
                    message,
                    assertThrows(NpyException.class, () -> Npy.read(channel)).getMessage());
        }
    }

    private static Npy.Header read(Path path) throws IOException, NpyException {
        try (FileChannel channel = FileChannel.open(path)) {
            return Npy.read(channel);
        }
    }

    /** A .npy file with the given version and raw dict, padded as numpy pads, and zeroed data. */
    private Path npy(int major, String dict, long dataBytes) throws IOException {
        byte[] text = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + text.length + 1 + 63) / 64 * 64;
        ByteBuffer header = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        header.put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) major)
                .put((byte) 0);
        if (major == 1) {
            header.putShort((short) (total - prefix));
        } else {
            header.putInt(total - prefix);
        }
        header.put(text);
        while (header.remaining() > 1) {
            header.put((byte) ' ');
        }
        header.put((byte) '\n');
        return file(header.array(), dataBytes);
    }

    private Path file(byte[] header, long dataBytes) throws IOException {
        byte[] bytes = Arrays.copyOf(header, Math.toIntExact(header.length + dataBytes));
        return write(bytes);
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(Files.createTempFile(dir, "test", ".npy"), bytes);
    }

    private Path resource(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /npy/" + name);
            }
            Path path = dir.resolve(name);
            Files.copy(in, path);
            return path;
        }
    }
}
