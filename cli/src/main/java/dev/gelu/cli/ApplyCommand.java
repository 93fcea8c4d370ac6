package dev.gelu.cli;

import dev.gelu.Gelu;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code gelu apply [--form erf|tanh] [--backend native|vector|scalar] IN.npy OUT.npy}: applies
 * GELU to every element of a float32 {@code .npy} file and writes the result, same shape, to
 * another.
 *
 * <p>Both files are memory-mapped and the kernel reads the input mapping and writes the output
 * mapping directly, so no element is copied through the Java heap. The output is built in a
 * temporary file beside {@code OUT} and renamed onto it only when complete, so a failure leaves
 * neither a partial {@code OUT} nor a temporary file, and {@code OUT} may be {@code IN}.
 */
public final class ApplyCommand {
    static final String USAGE = "usage: gelu apply [--form erf|tanh] [--backend native|vector|scalar] IN.npy OUT.npy";

    private static final List<String> FORMS = List.of("erf", "tanh");
    private static final List<String> BACKENDS = List.of("native", "vector", "scalar");

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
            out.println(USAGE);
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
        Gelu.Form form = Gelu.Form.valueOf(options.form().toUpperCase(Locale.ROOT));
        try {
            apply(form, options.in(), options.out());
            return 0;
        } catch (Failure e) {
            err.println("gelu apply: " + e.getMessage());
            return 1;
        }
    }

    private static void apply(Gelu.Form form, Path in, Path out) throws Failure {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            // The kernels read floats in native order; .npy float32 data is little-endian.
            throw new Failure("big-endian platforms are not supported");
        }
        requireRegularFile(in);
        Path dir = outputDirectory(out);
        Path tmp = null;
        try {
            // Closed, and unmapped, before the rename: some systems refuse to replace an open file.
            try (FileChannel src = openInput(in)) {
                Npy.Header header = readHeader(in, src);
                tmp = createTemporary(dir, out);
                write(form, in, src, header, out, tmp);
            } catch (IOException e) {
                throw new Failure(in, e);
            }
            try {
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new Failure(out, e);
            }
        } finally {
            // A no-op after the move; after a failure it removes the partial output.
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    /** Fills {@code tmp} with the header and GELU of the data, mapping to mapping, and syncs it. */
    private static void write(Gelu.Form form, Path in, FileChannel src, Npy.Header header, Path out, Path tmp)
            throws Failure {
        byte[] outHeader = Npy.header(header.shape());
        try (FileChannel dst = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Arena arena = Arena.ofConfined()) {
            // The header takes at least 64 bytes, so neither mapping is ever empty, even for shape (0,).
            MemorySegment input = mapInput(in, src, arena).asSlice(header.dataOffset(), header.dataBytes());
            // Mapping past the end of the file extends it to the full size.
            MemorySegment output = dst.map(MapMode.READ_WRITE, 0, outHeader.length + header.dataBytes(), arena);
            MemorySegment.copy(MemorySegment.ofArray(outHeader), 0, output, 0, outHeader.length);
            try {
                Gelu.apply(form, input, output.asSlice(outHeader.length));
            } catch (RuntimeException e) {
                throw new Failure(e.getMessage() != null ? e.getMessage() : e.toString());
            }
            // On disk before the rename, so that a crash cannot leave OUT naming a partial file.
            output.force();
        } catch (IOException | UncheckedIOException e) {
            throw new Failure(out, e);
        }
    }

    private static FileChannel openInput(Path in) throws Failure {
        try {
            return FileChannel.open(in, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new Failure(in, e);
        }
    }

    private static MemorySegment mapInput(Path in, FileChannel src, Arena arena) throws Failure {
        try {
            return src.map(MapMode.READ_ONLY, 0, src.size(), arena);
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

    /** Checks {@code out} before any work is done, and returns the directory that will hold it. */
    private static Path outputDirectory(Path out) throws Failure {
        if (Files.isDirectory(out)) {
            throw new Failure(out, "is a directory");
        }
        // The rename would replace a device such as /dev/null with a plain file.
        if (Files.exists(out) && !Files.isRegularFile(out)) {
            throw new Failure(out, "not a regular file");
        }
        Path dir = out.toAbsolutePath().getParent();
        if (!Files.exists(dir)) {
            throw new Failure(out, "directory " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new Failure(out, dir + " is not a directory");
        }
        return dir;
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

    /** Creates an empty, hidden file beside {@code out} that no other run can have chosen. */
    private static Path createTemporary(Path dir, Path out) throws Failure {
        String suffix = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        Path tmp = dir.resolve("." + out.getFileName() + ".tmp-" + suffix);
        try {
            // Not Files.createTempFile: it would give OUT mode 0600 instead of the usual umask mode.
            Files.createFile(tmp);
            return tmp;
        } catch (IOException e) {
            throw new Failure(out, e);
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // Nothing better to do: the error that got us here is the one worth reporting.
        }
    }

    /** The parsed command line; {@code form} is already validated, {@code backend} may be null. */
    private record Options(String form, String backend, Path in, Path out, boolean help, boolean version) {
        static Options parse(String[] args) throws UsageException {
            String form = "erf";
            String backend = null;
            List<String> files = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (Args.isHelp(arg)) {
                    return new Options(form, null, null, null, true, false);
                } else if (Args.isVersion(arg)) {
                    return new Options(form, null, null, null, false, true);
                } else if (arg.equals("--form") || arg.equals("--backend")) {
                    if (i + 1 == args.length) {
                        throw new UsageException("missing value for " + arg);
                    }
                    String value = args[++i];
                    if (arg.equals("--form")) {
                        form = choose(arg, value, FORMS);
                    } else {
                        backend = choose(arg, value, BACKENDS);
                    }
                } else if (arg.startsWith("--form=")) {
                    form = choose("--form", arg.substring("--form=".length()), FORMS);
                } else if (arg.startsWith("--backend=")) {
                    backend = choose("--backend", arg.substring("--backend=".length()), BACKENDS);
                } else if (arg.equals("-")) {
                    // memory-mapped in and out: standard input and output cannot be either
                    throw new UsageException("'-' (standard input or output) is not supported: IN and OUT must be files");
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
            return new Options(form, backend, path(files.get(0)), path(files.get(1)), false, false);
        }

        /** One of {@code allowed}, in any case (--form ERF is --form erf). */
        private static String choose(String option, String value, List<String> allowed) throws UsageException {
            String v = value.toLowerCase(Locale.ROOT);
            if (!allowed.contains(v)) {
                throw new UsageException("invalid value '" + value + "' for " + option + ": expected "
                        + String.join(", ", allowed));
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
            return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        }
    }
}
