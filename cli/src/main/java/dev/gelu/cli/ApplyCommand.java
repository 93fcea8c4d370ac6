package dev.gelu.cli;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Gelu;
import dev.gelu.Storage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code gelu apply [--form erf|tanh|quick] [--accuracy correct|faithful] [--bf16] [--out-dtype f32|f16|bf16]
 * [--backend native|vector|scalar] IN.npy OUT.npy} (correctly rounded unless {@code --accuracy
 * faithful}): applies GELU to every element of a {@code .npy} file and writes the result, same
 * shape, to another.
 *
 * <p>The element types: float32 ({@code <f4}) in and out, or narrowed to float16 or bf16 with
 * {@code --out-dtype}; float16 ({@code <f2}) in and out; with {@code --bf16}, uint16
 * ({@code <u2}) read as bf16 bits and written back as uint16, since numpy has no bf16 dtype.
 * A 16-bit input is never widened: {@code --out-dtype} may name its own type (a no-op), no
 * other. A 16-bit result is always correctly rounded, so {@code --accuracy faithful} is for
 * float32 output only. Every conflict between the options and IN's dtype is found once IN's
 * header is read and before any file is created.
 *
 * <p>The data goes through one off-heap buffer in chunks: read from {@code IN} with
 * {@code FileChannel.read}, GELU in place, written with {@code FileChannel.write}. Neither file
 * is memory-mapped, so no kernel ever touches file-backed memory: a full disk, a file-size
 * limit or an input that shrinks while it is read is an I/O error and the one-line message,
 * never a SIGBUS that kills the JVM. The output is built in a temporary file beside the file
 * it will become and renamed onto it only when complete and synced, so a failure, Ctrl-C or
 * SIGTERM (a shutdown hook removes it) leaves neither a partial {@code OUT} nor a temporary
 * file, and {@code OUT} may be {@code IN}.
 *
 * <p>Replacing an existing {@code OUT}: the new file gets the old one's permission bits (and
 * its owner and group where allowed); a symbolic link is written through (its target is
 * replaced, the link stays); a file with other hard links is refused, since the rename would
 * leave the other names on the old contents.
 */
public final class ApplyCommand {
    static final String USAGE = "usage: gelu apply [--form " + Args.FORM_CHOICES + "] [--accuracy correct|faithful] "
            + "[--bf16] [--out-dtype f32|f16|bf16] [--backend native|vector|scalar] IN.npy OUT.npy";

    /** What {@code --help} prints: the usage line, then what goes in and what comes out. */
    static final String HELP = USAGE + """


            GELU of every element of IN.npy (C order, any shape), written to OUT.npy (same shape).
              '<f4' float32 in: float32 out, or '<f2' float16 with --out-dtype f16, or '<u2'
                    holding bf16 bits with --out-dtype bf16 (each result rounded once)
              '<f2' float16 in: float16 out
              '<u2' uint16 in, with --bf16 only: read as bf16 bits, bf16 bits out (numpy has no bf16)
            A 16-bit input is never widened: --out-dtype may only name its own type. 16-bit results
            are always correctly rounded, so --accuracy faithful is for float32 output only.""";

    private static final List<String> ACCURACIES = List.of("correct", "faithful");
    private static final List<String> BACKENDS = List.of("native", "vector", "scalar");
    private static final List<String> OUT_DTYPES = List.of("f32", "f16", "bf16");

    private ApplyCommand() {}

    /**
     * Runs the command with the arguments that follow {@code apply}. On failure prints one line,
     * {@code gelu apply: PATH: PROBLEM}, to {@code err}; for bad arguments also the usage line.
     *
     * @param args the arguments after {@code apply}
     * @param out where {@code --help} and {@code --version} print
     * @param err where problems are reported
     * @return 0 on success, 1 if a file cannot be read or written, 2 for bad arguments
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            err.println("gelu apply: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (options.help()) {
            out.println(HELP);
            return 0;
        }
        if (options.version()) {
            out.println(Args.version());
            return 0;
        }
        // Gelu picks its backend on first use, so the property must be set before anything touches it.
        if (options.backend() != null) {
            System.setProperty("gelu.backend", options.backend());
        }
        try {
            apply(options);
            return 0;
        } catch (Failure e) {
            err.println("gelu apply: " + e.getMessage());
            return 1;
        }
    }

    /** Bytes read, computed and written at a time: large enough for full-speed I/O, small enough for L2/L3. */
    private static final int CHUNK_BYTES = 4 << 20;

    private static void apply(Options options) throws Failure {
        Path in = options.in();
        Path out = options.out();
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            // The kernels read elements in native order; the .npy data they get is little-endian.
            throw new Failure("big-endian platforms are not supported");
        }
        requireRegularFile(in);
        Path target = outputTarget(out);
        Path tmp = null;
        Thread cleanup = null;
        try {
            try (FileChannel src = openInput(in)) {
                Npy.Header header = readHeader(in, src);
                Plan plan = plan(options, header.dtype(), in);
                tmp = createTemporary(target, out);
                cleanup = removeOnExit(tmp, out);
                write(plan, in, src, header, out, tmp);
            } catch (IOException e) {
                throw new Failure(in, e);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new Failure(out, e);
            }
        } finally {
            // A no-op after the move; after a failure it removes the partial output.
            if (tmp != null) {
                deleteQuietly(tmp);
            }
            if (cleanup != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs, or has run: it deletes what is left
                }
            }
        }
    }

    /** What a run computes: the GELU instance, whose storage fits IN's dtype, and OUT's dtype. */
    private record Plan(Gelu gelu, Npy.Dtype outDtype) {}

    /**
     * Matches IN's dtype with {@code --bf16}, {@code --out-dtype} and {@code --accuracy}; a
     * conflict is the one-line Failure naming IN. The rule: a 16-bit input is written as its own
     * type, only float32 narrows, and 16-bit output is correctly rounded.
     */
    private static Plan plan(Options options, Npy.Dtype dtype, Path in) throws Failure {
        if (dtype == Npy.Dtype.U2 && !options.bf16()) {
            // uint16 is also a plain integer array; reading it as bf16 must be asked for
            throw new Failure(in, "dtype '<u2' (uint16) is read only with --bf16, as bf16 bits");
        }
        if (options.bf16() && dtype != Npy.Dtype.U2) {
            throw new Failure(
                    in,
                    "--bf16 reads '<u2' (uint16) files of bf16 bits, not '" + dtype.descr() + "'"
                            + (dtype == Npy.Dtype.F4 ? "; --out-dtype bf16 narrows float32 to bf16" : ""));
        }
        Storage input = switch (dtype) {
            case F4 -> Storage.F32;
            case F2 -> Storage.F16;
            case U2 -> Storage.BF16;
        };
        Storage output = options.outDtype() == null
                ? input
                : switch (options.outDtype()) {
                    case "f16" -> Storage.F16;
                    case "bf16" -> Storage.BF16;
                    default -> Storage.F32;
                };
        if (input != Storage.F32 && output != input) {
            throw new Failure(
                    in,
                    "--out-dtype " + options.outDtype() + " with a " + name(input)
                            + " input: a 16-bit input is written as its own type, only float32 narrows");
        }
        Accuracy accuracy = options.accuracy().equals("faithful") ? Accuracy.FAITHFUL : Accuracy.CORRECTLY_ROUNDED;
        if (accuracy == Accuracy.FAITHFUL && output != Storage.F32) {
            // the library refuses it too, in its own (Java API) words
            throw new Failure(
                    in,
                    "--accuracy faithful is for float32 output only; " + name(output)
                            + " results are always correctly rounded");
        }
        Form form = Form.valueOf(options.form().toUpperCase(Locale.ROOT));
        Npy.Dtype outDtype = switch (output) {
            case F32 -> Npy.Dtype.F4;
            case F16 -> Npy.Dtype.F2;
            case BF16 -> Npy.Dtype.U2;
        };
        try {
            return new Plan(Gelu.of(form, accuracy).storage(input, output), outDtype);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new Failure(in, e.getMessage()); // a combination the checks above missed, or not implemented yet
        }
    }

    private static String name(Storage storage) {
        return switch (storage) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bf16";
        };
    }

    /** A shutdown hook (Ctrl-C, SIGTERM, System.exit) that removes the temporary file. */
    private static Thread removeOnExit(Path tmp, Path out) {
        Thread hook = new Thread(
                () -> {
                    try {
                        if (Files.deleteIfExists(tmp)) {
                            System.err.println("gelu apply: " + out + ": interrupted, nothing written");
                        }
                    } catch (IOException ignored) {
                        // nothing better to do while the JVM goes down
                    }
                },
                "gelu-apply-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /**
     * Fills {@code tmp} with the header and GELU of the data, chunk by chunk through one off-heap
     * buffer, and syncs it. An input that ends early (it shrank since its header was read) and
     * every write error (no space, file too large) is a {@link Failure}.
     */
    private static void write(Plan plan, Path in, FileChannel src, Npy.Header header, Path out, Path tmp)
            throws Failure {
        Gelu gelu = plan.gelu();
        int inSize = header.dtype().bytes();
        int outSize = plan.outDtype().bytes();
        byte[] outHeader = Npy.header(plan.outDtype(), header.shape());
        long bytes = header.dataBytes();
        try (FileChannel dst = FileChannel.open(tmp, StandardOpenOption.WRITE);
                Arena arena = Arena.ofConfined()) {
            writeFully(dst, ByteBuffer.wrap(outHeader), 0);
            MemorySegment buffer = arena.allocate(Math.max(4, Math.min(bytes, CHUNK_BYTES)), 64);
            ByteBuffer io = buffer.asByteBuffer();
            // CHUNK_BYTES is a multiple of 4, so every chunk holds whole elements of any dtype.
            for (long done = 0; done < bytes; ) {
                int n = (int) Math.min(CHUNK_BYTES, bytes - done);
                io.clear().limit(n);
                readFully(in, src, io, header.dataOffset() + done, header.dataOffset() + bytes);
                // In place; narrowing float32 leaves the 16-bit results in the chunk's first half.
                int results = n / inSize * outSize;
                try {
                    gelu.apply(buffer.asSlice(0, n), buffer.asSlice(0, results));
                } catch (RuntimeException e) {
                    throw new Failure(e.getMessage() != null ? e.getMessage() : e.toString());
                }
                io.clear().limit(results);
                writeFully(dst, io, outHeader.length + done / inSize * outSize);
                done += n;
            }
            // On disk before the rename, so that a crash cannot leave OUT naming a partial file.
            dst.force(true);
        } catch (IOException | UncheckedIOException e) {
            throw new Failure(out, e);
        }
    }

    /** Reads {@code buffer} full from {@code position}; an early end of file is a Failure naming IN. */
    private static void readFully(Path in, FileChannel src, ByteBuffer buffer, long position, long expectedEnd)
            throws Failure {
        long start = position - buffer.position();
        try {
            while (buffer.hasRemaining()) {
                if (src.read(buffer, start + buffer.position()) < 0) {
                    throw new Failure(
                            in,
                            "shrank while being read: it ends at byte " + (start + buffer.position())
                                    + ", its header says " + expectedEnd);
                }
            }
        } catch (IOException e) {
            throw new Failure(in, e);
        }
    }

    private static void writeFully(FileChannel dst, ByteBuffer buffer, long position) throws IOException {
        long start = position - buffer.position();
        while (buffer.hasRemaining()) {
            dst.write(buffer, start + buffer.position());
        }
    }

    private static FileChannel openInput(Path in) throws Failure {
        try {
            return FileChannel.open(in, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new Failure(in, e);
        }
    }

    private static void requireRegularFile(Path in) throws Failure {
        if (Files.isDirectory(in)) {
            throw new Failure(in, "is a directory");
        }
        if (!Files.exists(in)) {
            throw new Failure(in, "no such file");
        }
        if (!Files.isRegularFile(in)) {
            throw new Failure(in, "not a regular file");
        }
    }

    /**
     * Checks {@code out} before any work is done and returns the file to replace: {@code out}
     * itself, or the file a symbolic link {@code out} points to (written through).
     */
    private static Path outputTarget(Path out) throws Failure {
        Path target = out.toAbsolutePath();
        if (Files.isSymbolicLink(target)) {
            try {
                target = target.toRealPath();
            } catch (IOException e) {
                throw new Failure(out, "is a symbolic link to a missing file; give its target instead");
            }
        }
        if (Files.isDirectory(target)) {
            throw new Failure(out, "is a directory");
        }
        // The rename would replace a device such as /dev/null with a plain file.
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            throw new Failure(out, "not a regular file");
        }
        if (Files.exists(target)) {
            int links = hardLinks(target);
            if (links > 1) {
                // the rename would give OUT new contents and leave the other names on the old ones
                throw new Failure(
                        out,
                        "has " + links + " hard links; replacing it would detach them "
                                + "(write to a new name, or remove the other links first)");
            }
        }
        Path dir = target.getParent();
        if (!Files.exists(dir)) {
            throw new Failure(out, "directory " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new Failure(out, dir + " is not a directory");
        }
        return target;
    }

    private static int hardLinks(Path file) {
        try {
            return (Integer) Files.getAttribute(file, "unix:nlink");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 1; // no such attribute here: nothing to protect
        }
    }

    private static Npy.Header readHeader(Path in, FileChannel src) throws Failure {
        try {
            return Npy.read(src);
        } catch (NpyException e) {
            throw new Failure(in, e.getMessage());
        } catch (IOException e) {
            throw new Failure(in, e);
        }
    }

    /**
     * Creates an empty, hidden file beside {@code target} that no other run can have chosen, with
     * the permission bits (and, where allowed, the owner and group) of the file it will replace.
     */
    private static Path createTemporary(Path target, Path out) throws Failure {
        Path tmp = target.resolveSibling(temporaryName(target.getFileName().toString()));
        try {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                // created with the old file's bits (less the umask), so the data is never more
                // readable than the file it replaces, then given exactly those bits
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(target);
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(perms));
                Files.setPosixFilePermissions(tmp, perms);
                copyOwnership(target, tmp);
            } else {
                // Not Files.createTempFile: it would give OUT mode 0600 instead of the usual umask mode.
                Files.createFile(tmp);
            }
            return tmp;
        } catch (IOException | UnsupportedOperationException e) {
            if (Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
                deleteQuietly(tmp);
            }
            throw new Failure(out, e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
    }

    private static void copyOwnership(Path from, Path to) {
        try {
            var owner = Files.getOwner(from);
            if (!owner.equals(Files.getOwner(to))) {
                Files.setOwner(to, owner);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // only root may give a file away; the new file stays the caller's, as any editor's would
        }
        try {
            Object group = Files.getAttribute(from, "posix:group");
            if (!group.equals(Files.getAttribute(to, "posix:group"))) {
                Files.setAttribute(to, "posix:group", group);
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // not a member of that group: keep the caller's
        }
    }

    /**
     * {@code .NAME.tmp-XXXXXXXXXXXXX} (13 random base-36 digits). A name too long for that is cut
     * so that the temporary name is no longer than NAME itself: whatever length OUT's file
     * system takes for NAME, it takes the temporary name too.
     */
    static String temporaryName(String name) {
        String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        String suffix = ".tmp-" + "0".repeat(13 - random.length()) + random;
        int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        int extra = 1 + suffix.length();
        if (nameBytes + extra <= 64) {
            return "." + name + suffix;
        }
        return "." + utf8Prefix(name, Math.max(1, nameBytes - extra)) + suffix;
    }

    /** The longest prefix of s whose UTF-8 encoding takes at most maxBytes, cut between characters. */
    private static String utf8Prefix(String s, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > maxBytes) {
                break;
            }
            bytes += len;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // Nothing better to do: the error that got us here is the one worth reporting.
        }
    }

    /**
     * The parsed command line; {@code form}, {@code accuracy} and {@code outDtype} are validated,
     * {@code backend} and {@code outDtype} may be null (not given).
     */
    private record Options(
            String form,
            String accuracy,
            String backend,
            boolean bf16,
            String outDtype,
            Path in,
            Path out,
            boolean help,
            boolean version) {
        static Options parse(String[] args) throws UsageException {
            String form = "erf";
            String accuracy = "correct";
            String backend = null;
            boolean bf16 = false;
            String outDtype = null;
            List<String> files = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (Args.isHelp(arg)) {
                    return new Options(form, accuracy, null, false, null, null, null, true, false);
                } else if (Args.isVersion(arg)) {
                    return new Options(form, accuracy, null, false, null, null, null, false, true);
                } else if (arg.equals("--bf16")) {
                    bf16 = true;
                } else if (arg.equals("--form")
                        || arg.equals("--backend")
                        || arg.equals("--accuracy")
                        || arg.equals("--out-dtype")) {
                    if (i + 1 == args.length) {
                        throw new UsageException("missing value for " + arg);
                    }
                    String value = args[++i];
                    switch (arg) {
                        case "--form" -> form = choose(arg, value, Args.FORMS);
                        case "--accuracy" -> accuracy = choose(arg, value, ACCURACIES);
                        case "--out-dtype" -> outDtype = choose(arg, value, OUT_DTYPES);
                        default -> backend = choose(arg, value, BACKENDS);
                    }
                } else if (arg.startsWith("--accuracy=")) {
                    accuracy = choose("--accuracy", arg.substring("--accuracy=".length()), ACCURACIES);
                } else if (arg.startsWith("--form=")) {
                    form = choose("--form", arg.substring("--form=".length()), Args.FORMS);
                } else if (arg.startsWith("--out-dtype=")) {
                    outDtype = choose("--out-dtype", arg.substring("--out-dtype=".length()), OUT_DTYPES);
                } else if (arg.startsWith("--backend=")) {
                    backend = choose("--backend", arg.substring("--backend=".length()), BACKENDS);
                } else if (arg.equals("-")) {
                    // IN is read at offsets and OUT renamed into place: neither can be a pipe
                    throw new UsageException(
                            "'-' (standard input or output) is not supported: IN and OUT must be files");
                } else if (arg.startsWith("-")) {
                    throw new UsageException("unknown option '" + arg + "'");
                } else {
                    files.add(arg);
                }
            }
            if (files.size() != 2) {
                throw new UsageException("expected IN.npy and OUT.npy, got " + files.size() + " file argument"
                        + (files.size() == 1 ? "" : "s"));
            }
            return new Options(
                    form, accuracy, backend, bf16, outDtype, path(files.get(0)), path(files.get(1)), false, false);
        }

        /** One of {@code allowed}, in any case (--form ERF is --form erf). */
        private static String choose(String option, String value, List<String> allowed) throws UsageException {
            String v = value.toLowerCase(Locale.ROOT);
            if (!allowed.contains(v)) {
                throw new UsageException(
                        "invalid value '" + value + "' for " + option + ": expected " + String.join(", ", allowed));
            }
            return v;
        }

        private static Path path(String arg) throws UsageException {
            try {
                return Path.of(arg);
            } catch (InvalidPathException e) {
                throw new UsageException("invalid path '" + arg + "': " + e.getReason());
            }
        }
    }

    /** A bad command line; the message names the problem. */
    private static final class UsageException extends Exception {
        @Serial
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** A failure to report as the one line after {@code "gelu apply: "}. */
    private static final class Failure extends Exception {
        @Serial
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }

        Failure(Path path, String problem) {
            super(path + ": " + problem);
        }

        Failure(Path path, Exception e) {
            this(path, problem(e));
        }

        /** The OS's short reason, without the path that the message names already. */
        private static String problem(Exception e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            if (cause instanceof NoSuchFileException) {
                return "no such file or directory";
            }
            if (cause instanceof AccessDeniedException) {
                return "permission denied";
            }
            if (cause instanceof FileSystemException f && f.getReason() != null) {
                return f.getReason();
            }
            return cause.getMessage() != null
                    ? cause.getMessage()
                    : cause.getClass().getSimpleName();
        }
    }
}
