package dev.gelu.cli;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Headers of NumPy {@code .npy} files holding little-endian float32, float16 or uint16 arrays
 * in C order (the {@link Dtype}s).
 *
 * <p>A file is the magic {@code \x93NUMPY}, a major and a minor version byte, the length of
 * the header dict (little-endian uint16 for version 1.0, uint32 for 2.0 and 3.0), then the
 * dict itself, a Python literal such as {@code {'descr': '<f4', 'fortran_order': False,
 * 'shape': (3, 5, 7), }} padded with spaces and a newline, then the raw data. Reading accepts
 * versions 1.0, 2.0 and 3.0 and any layout of the dict that Python would; writing produces
 * what {@code numpy.save} does, version 1.0 unless the header needs more than 65535 bytes.
 */
public final class Npy {
    /** The element types supported, all little-endian, by their numpy {@code descr}. */
    public enum Dtype {
        /** IEEE 754 binary32. */
        F4("<f4", 4),
        /** IEEE 754 binary16, which numpy calls float16. */
        F2("<f2", 2),
        /** uint16: numpy has no bfloat16 dtype, so bf16 arrays travel as their bits in uint16 arrays. */
        U2("<u2", 2);

        private final String descr;
        private final int bytes;

        Dtype(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }

        /**
         * The numpy type string, such as {@code <f4}.
         *
         * @return the descr
         */
        public String descr() {
            return descr;
        }

        /**
         * The size of one element.
         *
         * @return 4 or 2
         */
        public int bytes() {
            return bytes;
        }

        static Dtype of(Object descr) {
            for (Dtype d : values()) {
                if (d.descr.equals(descr)) {
                    return d;
                }
            }
            return null;
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy aligns the data to 64 bytes so that it can be mapped and vectorised directly. */
    private static final int ALIGNMENT = 64;
    /** Real headers are a few hundred bytes; the cap keeps a corrupt length from allocating gigabytes. */
    private static final int MAX_HEADER_BYTES = 1 << 20;
    /** In the order numpy writes them, which is also the order missing ones are reported in. */
    private static final List<String> KEYS = List.of("descr", "fortran_order", "shape");

    private Npy() {}

    /** A validated header: the array's element type, its shape and where its data starts in the file. */
    public static final class Header {
        private final Dtype dtype;
        private final long[] shape;
        private final long count;
        private final long dataOffset;

        Header(long[] shape, long count, long dataOffset) {
            this(Dtype.F4, shape, count, dataOffset);
        }

        Header(Dtype dtype, long[] shape, long count, long dataOffset) {
            this.dtype = dtype;
            this.shape = shape.clone();
            this.count = count;
            this.dataOffset = dataOffset;
        }

        /**
         * The element type.
         *
         * @return the dtype
         */
        public Dtype dtype() {
            return dtype;
        }

        /**
         * The dimensions, outermost first; empty for a 0-d array.
         *
         * @return a copy of the shape
         */
        public long[] shape() {
            return shape.clone();
        }

        /**
         * The number of elements: the product of the dimensions (1 for a 0-d array).
         *
         * @return the element count
         */
        public long count() {
            return count;
        }

        /**
         * The size of the data in bytes.
         *
         * @return the element count times the element size
         */
        public long dataBytes() {
            return count * dtype.bytes();
        }

        /**
         * The file offset of the first data byte, which is also the header's total length.
         *
         * @return the offset in bytes
         */
        public long dataOffset() {
            return dataOffset;
        }

        /** The shape as Python writes it: {@code ()}, {@code (7,)}, {@code (3, 5, 7)}. */
        @Override
        public String toString() {
            return shapeText(shape);
        }
    }

    /**
     * Reads and validates the header of the {@code .npy} file open in {@code file}, including
     * that the file holds exactly the data the header promises. Reads with positional reads,
     * so the channel's position is left alone.
     *
     * @param file the open file
     * @return the validated header
     * @throws NpyException if the file is not a C-order {@code .npy} file of a supported dtype and the right size
     * @throws IOException if reading fails
     */
    public static Header read(FileChannel file) throws IOException, NpyException {
        long size = file.size();
        if (size == 0) {
            throw new NpyException("empty file");
        }
        ByteBuffer prefix = ByteBuffer.allocate(MAGIC.length + 6).order(ByteOrder.LITTLE_ENDIAN);
        int got = readFully(file, prefix, 0);
        for (int i = 0; i < Math.min(got, MAGIC.length); i++) {
            if (prefix.get(i) != MAGIC[i]) {
                throw new NpyException("not a .npy file (bad magic)");
            }
        }
        if (got < MAGIC.length + 2) {
            throw truncatedHeader(size, MAGIC.length + 4);
        }
        int major = Byte.toUnsignedInt(prefix.get(MAGIC.length));
        int minor = Byte.toUnsignedInt(prefix.get(MAGIC.length + 1));
        if (minor != 0 || major < 1 || major > 3) {
            throw new NpyException("unsupported .npy version " + major + "." + minor);
        }
        int prefixBytes = MAGIC.length + 2 + (major == 1 ? 2 : 4);
        if (got < prefixBytes) {
            throw truncatedHeader(size, prefixBytes);
        }
        long dictBytes = major == 1
                ? Short.toUnsignedInt(prefix.getShort(MAGIC.length + 2))
                : Integer.toUnsignedLong(prefix.getInt(MAGIC.length + 2));
        long dataOffset = prefixBytes + dictBytes;
        if (dataOffset > size) {
            throw truncatedHeader(size, dataOffset);
        }
        if (dictBytes > MAX_HEADER_BYTES) {
            throw new NpyException("header of " + dictBytes + " bytes is too large (limit " + MAX_HEADER_BYTES + ")");
        }
        ByteBuffer dict = ByteBuffer.allocate((int) dictBytes);
        readFully(file, dict, prefixBytes);
        // Versions 1 and 2 are specified as ASCII, which numpy decodes as latin-1; 3 is UTF-8.
        Charset charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        Map<String, Literal> entries = new DictParser(new String(dict.array(), charset)).parse();

        Literal descr = entries.get("descr");
        Dtype dtype = Dtype.of(descr.value());
        if (dtype == null) {
            throw new NpyException("unsupported dtype " + descr.text() + UNSUPPORTED);
        }
        Literal fortranOrder = entries.get("fortran_order");
        if (fortranOrder.value() != Boolean.FALSE) {
            if (fortranOrder.value() == Boolean.TRUE) {
                throw new NpyException("Fortran-order arrays are not supported");
            }
            throw new NpyException(
                    "malformed header: 'fortran_order' must be True or False, not " + fortranOrder.text());
        }
        long[] shape = shape(entries.get("shape"));
        long count = count(shape, dtype);
        if (count < 0) {
            throw new NpyException("shape " + shapeText(shape) + " is too large: its size in bytes overflows 64 bits");
        }
        long dataBytes = count * dtype.bytes();
        long available = size - dataOffset;
        if (available < dataBytes) {
            throw new NpyException("truncated: header says " + dataBytes + " bytes of data, file has " + available);
        }
        if (available > dataBytes) {
            throw new NpyException(
                    "trailing bytes: header says " + dataBytes + " bytes of data, file has " + available);
        }
        return new Header(dtype, shape, count, dataOffset);
    }

    /** What follows an unsupported dtype in the message; --bf16 is the gelu apply option that reads '<u2'. */
    private static final String UNSUPPORTED = ": only little-endian float32 ('<f4'), float16 ('<f2') and uint16 "
            + "('<u2', bf16 bits with --bf16) are supported";

    /**
     * The complete header, magic to newline, of a float32 C-order array of the given shape;
     * its length is a multiple of 64, and the data follows it directly.
     *
     * @param shape the dimensions, outermost first
     * @return the header bytes
     * @throws IllegalArgumentException if a dimension is negative or the data size overflows 64 bits
     */
    public static byte[] header(long... shape) {
        return header(Dtype.F4, shape);
    }

    /**
     * The complete header of a C-order array of {@code dtype} and the given shape, as
     * {@link #header(long...)}.
     *
     * @param dtype the element type
     * @param shape the dimensions, outermost first
     * @return the header bytes
     * @throws IllegalArgumentException if a dimension is negative or the data size overflows 64 bits
     */
    public static byte[] header(Dtype dtype, long... shape) {
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension " + dim + " in shape " + shapeText(shape));
            }
        }
        if (count(shape, dtype) < 0) {
            throw new IllegalArgumentException(
                    "shape " + shapeText(shape) + " is too large: its size in bytes overflows 64 bits");
        }
        byte[] dict = ("{'descr': '" + dtype.descr() + "', 'fortran_order': False, 'shape': " + shapeText(shape)
                        + ", }")
                .getBytes(StandardCharsets.US_ASCII);
        int major = 1;
        int prefixBytes = MAGIC.length + 4;
        int total = alignUp(prefixBytes + dict.length + 1);
        if (total - prefixBytes > 0xFFFF) {
            major = 2;
            prefixBytes = MAGIC.length + 6;
            total = alignUp(prefixBytes + dict.length + 1);
        }
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) (total - prefixBytes));
        } else {
            out.putInt(total - prefixBytes);
        }
        out.put(dict);
        while (out.remaining() > 1) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    private static int alignUp(int n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** The number of elements, or -1 if their size in bytes does not fit in a long. */
    private static long count(long[] shape, Dtype dtype) {
        // A zero dimension makes the array empty however large the others are.
        if (Arrays.stream(shape).anyMatch(dim -> dim == 0)) {
            return 0;
        }
        try {
            long count = 1;
            for (long dim : shape) {
                count = Math.multiplyExact(count, dim);
            }
            Math.multiplyExact(count, dtype.bytes());
            return count;
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    private static long[] shape(Literal literal) throws NpyException {
        if (!(literal.value() instanceof Tuple(List<Object> items))) {
            throw new NpyException("malformed header: 'shape' must be a tuple of integers, not " + literal.text());
        }
        long[] shape = new long[items.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(items.get(i) instanceof BigInteger dim)) {
                throw new NpyException("malformed header: 'shape' must be a tuple of integers, not " + literal.text());
            }
            if (dim.signum() < 0) {
                throw new NpyException("negative dimension " + dim + " in shape " + literal.text());
            }
            if (dim.bitLength() >= Long.SIZE) {
                throw new NpyException(
                        "shape " + literal.text() + " is too large: its size in bytes overflows 64 bits");
            }
            shape[i] = dim.longValue();
        }
        return shape;
    }

    private static String shapeText(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder text = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return text.append(')').toString();
    }

    private static NpyException truncatedHeader(long size, long needed) {
        return new NpyException("truncated: file has " + size + " bytes, its header needs " + needed);
    }

    /** Fills {@code buffer} from {@code position} on; returns the bytes read, fewer only at end of file. */
    private static int readFully(FileChannel file, ByteBuffer buffer, long position) throws IOException {
        int start = buffer.position();
        while (buffer.hasRemaining()) {
            int n = file.read(buffer, position + buffer.position() - start);
            if (n < 0) {
                break;
            }
        }
        return buffer.position() - start;
    }

    private static String quote(String text) {
        return "'" + printable(text) + "'";
    }

    /** Text from the file made fit for a one-line message: control characters escaped, long text cut. */
    private static String printable(String text) {
        final int limit = 60;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < limit; i++) {
            char c = text.charAt(i);
            boolean breaksLine = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            out.append(breaksLine ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return text.length() > limit ? out.append("...").toString() : out.toString();
    }

    /** A parsed value and its source text, for messages that quote what the file says. */
    private record Literal(Object value, String text) {}

    /** A Python tuple, told apart from a list because numpy requires the shape to be a tuple. */
    private record Tuple(List<Object> items) {}

    /**
     * Parses the subset of Python literals that .npy headers use: one dict with string keys,
     * whose values are strings, integers, True, False, tuples and lists (structured dtypes
     * have list descrs, which are parsed only to be rejected by name).
     */
    private static final class DictParser {
        /** Far deeper than any descr; keeps a hostile header from overflowing the stack. */
        private static final int MAX_DEPTH = 32;

        private final String text;
        private int pos;
        private int depth;

        DictParser(String text) {
            this.text = text;
        }

        Map<String, Literal> parse() throws NpyException {
            Map<String, Literal> entries = new LinkedHashMap<>();
            skipSpace();
            expect('{');
            while (!peekIs('}')) {
                int keyStart = pos;
                if (!(value() instanceof String key)) {
                    throw malformed("dict keys must be strings, not "
                            + printable(text.substring(keyStart, pos).strip()));
                }
                if (!KEYS.contains(key)) {
                    throw malformed("unexpected key " + quote(key));
                }
                expect(':');
                int valueStart = pos;
                Object value = value();
                if (entries.put(
                                key,
                                new Literal(
                                        value,
                                        printable(
                                                text.substring(valueStart, pos).strip())))
                        != null) {
                    throw malformed("duplicate key " + quote(key));
                }
                if (!peekIs('}')) {
                    expect(',');
                }
            }
            expect('}');
            if (pos != text.length()) {
                throw malformed("unexpected " + describe(pos) + " after the dict");
            }
            for (String key : KEYS) {
                if (!entries.containsKey(key)) {
                    throw malformed("missing key '" + key + "'");
                }
            }
            return entries;
        }

        /** Parses one value and the whitespace after it. */
        private Object value() throws NpyException {
            skipSpace();
            if (pos == text.length()) {
                throw malformed("unexpected end of the dict");
            }
            if (depth == MAX_DEPTH) {
                throw malformed("values nested more than " + MAX_DEPTH + " deep");
            }
            char c = text.charAt(pos);
            Object value;
            depth++;
            if (c == '\'' || c == '"') {
                value = string(c);
            } else if (c == '(') {
                value = tupleOrParenthesised();
            } else if (c == '[') {
                value = list();
            } else if (c == '-' || c == '+' || isDigit(c)) {
                value = integer();
            } else if (Character.isLetter(c)) {
                value = constant();
            } else {
                throw malformed("unexpected " + describe(pos));
            }
            depth--;
            skipSpace();
            return value;
        }

        private String string(char quote) throws NpyException {
            int start = pos++;
            StringBuilder value = new StringBuilder();
            while (pos < text.length() && text.charAt(pos) != quote) {
                char c = text.charAt(pos++);
                value.append(c);
                // A backslash only keeps the next character from ending the string: escapes stay
                // undecoded, since no supported descr contains one.
                if (c == '\\' && pos < text.length()) {
                    value.append(text.charAt(pos++));
                }
            }
            if (pos == text.length()) {
                throw malformed("unterminated string at column " + (start + 1));
            }
            pos++;
            return value.toString();
        }

        private Object tupleOrParenthesised() throws NpyException {
            pos++;
            skipSpace();
            List<Object> items = new ArrayList<>();
            if (peekIs(')')) {
                pos++;
                return new Tuple(items);
            }
            items.add(value());
            if (peekIs(')')) {
                // "(7)" is just 7 in Python: only a comma makes a one-element tuple.
                pos++;
                return items.getFirst();
            }
            expect(',');
            while (!peekIs(')')) {
                items.add(value());
                if (!peekIs(')')) {
                    expect(',');
                }
            }
            pos++;
            return new Tuple(items);
        }

        private List<Object> list() throws NpyException {
            pos++;
            skipSpace();
            List<Object> items = new ArrayList<>();
            while (!peekIs(']')) {
                items.add(value());
                if (!peekIs(']')) {
                    expect(',');
                }
            }
            pos++;
            return items;
        }

        private BigInteger integer() throws NpyException {
            int start = pos;
            if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
                pos++;
            }
            int digits = pos;
            while (pos < text.length() && isDigit(text.charAt(pos))) {
                pos++;
            }
            if (pos == digits) {
                throw malformed("unexpected " + describe(start));
            }
            BigInteger value = new BigInteger(text.substring(start, pos));
            // numpy under Python 2 wrote long dimensions as 3L; numpy still reads such files.
            if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
                pos++;
            }
            return value;
        }

        private Object constant() throws NpyException {
            int start = pos;
            while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
                pos++;
            }
            return switch (text.substring(start, pos)) {
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                default -> throw malformed("unexpected " + quote(text.substring(start, pos)));
            };
        }

        private boolean peekIs(char c) throws NpyException {
            skipSpace();
            if (pos == text.length()) {
                throw malformed("unexpected end of the dict");
            }
            return text.charAt(pos) == c;
        }

        private void expect(char c) throws NpyException {
            if (!peekIs(c)) {
                throw malformed("expected '" + c + "' but found " + describe(pos));
            }
            pos++;
            skipSpace();
        }

        private void skipSpace() {
            while (pos < text.length() && " \t\n\r\f".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }

        /** Only ASCII digits: Python rejects the other Unicode digits that Java would accept. */
        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private String describe(int at) {
            return quote(String.valueOf(text.charAt(at))) + " at column " + (at + 1);
        }

        private NpyException malformed(String problem) {
            return new NpyException("malformed header: " + problem);
        }
    }
}
