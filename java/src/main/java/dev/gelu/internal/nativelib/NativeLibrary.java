package dev.gelu.internal.nativelib;

import dev.gelu.internal.Version;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads libgelu once: from {@code -Dgelu.library.path} when set, else from the copy bundled in
 * the jar under {@code natives/<os>-<arch>/}, extracted to a temporary file that is deleted as
 * soon as it is loaded. Never throws: a failure is a reason that the backend chooser logs.
 *
 * <p>The library is opened with {@link SymbolLookup#libraryLookup(Path, Arena)} (dlopen), not
 * {@code System.load}: the JDK lets only one class loader {@code System.load} a given file,
 * so a second class loader (an application server, a test framework, a plugin) would fail with
 * "already loaded in another classloader". Every downcall handle is found through
 * {@link #downcall}, by name, in that lookup; the jextract bindings in {@code internal.ffm}
 * resolve through the class loader's {@code System.load} libraries and are not used for calls.
 */
public final class NativeLibrary {
    private NativeLibrary() {}

    private static final System.Logger LOG = System.getLogger("dev.gelu");
    private static final Linker LINKER = Linker.nativeLinker();
    private static SymbolLookup lookup;

    /**
     * A C string return type. {@code withTargetLayout} is a restricted method, so it is built only
     * once native access is known to be enabled: under {@code --illegal-native-access=deny} a
     * static field would make this class fail to initialize instead of reporting the flag.
     */
    private static AddressLayout cString() {
        return ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE));
    }

    /** System property naming an explicit library file; it wins over the bundled copy. */
    public static final String PATH_PROPERTY = "gelu.library.path";

    private static String failure;
    private static boolean attempted;
    private static String origin;

    /** Loads the library if not done yet; null on success, else why it cannot be used. */
    public static synchronized String load() {
        if (!attempted) {
            attempted = true;
            failure = tryLoad();
        }
        return failure;
    }

    /** Where the loaded library came from: a path, or the jar resource it was extracted from. */
    public static synchronized String origin() {
        return origin;
    }

    private static String tryLoad() {
        String explicit = System.getProperty(PATH_PROPERTY);
        try {
            if (explicit != null) {
                Path p = Path.of(explicit).toAbsolutePath();
                if (!Files.isRegularFile(p)) {
                    return "-D" + PATH_PROPERTY + "=" + explicit + " is not a file";
                }
                String err = open(p);
                if (err != null) {
                    return "cannot load libgelu: " + (err.contains(p.toString()) ? err : p + ": " + err);
                }
                origin = p.toString();
            } else {
                String platform = platform();
                if (platform == null) {
                    return "no bundled library for " + System.getProperty("os.name") + "/"
                            + System.getProperty("os.arch") + "; set -D" + PATH_PROPERTY;
                }
                String resource = "/natives/" + platform + "/libgelu.so";
                String err = extractAndLoad(resource);
                if (err != null) {
                    return err;
                }
                origin = "jar:" + resource;
            }
        } catch (UnsatisfiedLinkError | SecurityException e) {
            return "cannot load libgelu: " + e.getMessage();
        } catch (IllegalCallerException e) {
            return "native access is disabled for this module; add --enable-native-access="
                    + moduleName() + " (" + e.getMessage() + ")";
        }
        try {
            int version = (int) downcall("gelu_version_number", FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
            if (version != Version.NUMBER) {
                return "libgelu " + origin + " has version number " + version + ", this jar needs " + Version.NUMBER;
            }
            // every function the backends call, looked up now: a missing one is a reason to fall
            // back, not an error at the first call
            for (String f : new String[] {"gelu_isa", "gelu_isa_supported", "gelu_erf_f32_isa", "gelu_tanh_f32_isa",
                "gelu_version", "gelu_max_isa_status", "gelu_max_isa_value", "gelu_erf_bias_f32_isa",
                "geglu_erf_rows_f16_isa", "gelu_tanh_backward_bf16_isa"}) {
                lookup.findOrThrow(f);
            }
        } catch (RuntimeException | LinkageError e) {
            return "libgelu " + origin + " lacks the expected functions: " + rootMessage(e);
        } catch (Throwable t) {
            return "libgelu " + origin + ": gelu_version_number failed: " + t;
        }
        reportMaxIsa();
        return null;
    }

    /**
     * Opens the library file; null on success, else the reason, in the dynamic loader's own
     * words when it has them (libraryLookup only says that it could not open the file).
     */
    private static String open(Path file) {
        try {
            SymbolLookup l = SymbolLookup.libraryLookup(file, Arena.global());
            synchronized (NativeLibrary.class) {
                lookup = l;
            }
            return null;
        } catch (IllegalArgumentException e) {
            String why = dlerror(file);
            return why != null ? why : e.getMessage();
        }
    }

    /** What dlopen says about the file, through FFM, or null if it cannot say. */
    private static String dlerror(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup libc = LINKER.defaultLookup();
            MethodHandle dlopen = LINKER.downcallHandle(libc.findOrThrow("dlopen"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            MethodHandle dlerror = LINKER.downcallHandle(libc.findOrThrow("dlerror"), FunctionDescriptor.of(cString()));
            MethodHandle dlclose = LINKER.downcallHandle(libc.findOrThrow("dlclose"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            MemorySegment handle = (MemorySegment) dlopen.invokeExact(arena.allocateFrom(file.toString()), 2 /* RTLD_NOW */);
            if (!handle.equals(MemorySegment.NULL)) {
                int ignored = (int) dlclose.invokeExact(handle);
                return null;
            }
            MemorySegment msg = (MemorySegment) dlerror.invokeExact();
            return msg.equals(MemorySegment.NULL) ? null : msg.getString(0);
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * A downcall handle for a libgelu function, found by name in the loaded library.
     *
     * @throws java.util.NoSuchElementException if the library lacks it ("Symbol not found: NAME")
     * @throws IllegalStateException if the library is not loaded
     */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        SymbolLookup l;
        String why;
        synchronized (NativeLibrary.class) {
            why = load(); // null while tryLoad checks the library it has just opened
            l = lookup;
        }
        if (why != null || l == null) {
            throw new IllegalStateException("libgelu is not loaded: " + why);
        }
        return LINKER.downcallHandle(l.findOrThrow(name), descriptor, options);
    }

    /** A C string returned by a libgelu function without arguments, such as gelu_isa. */
    static String string(String function) {
        try {
            MemorySegment s = (MemorySegment) downcall(function, FunctionDescriptor.of(cString())).invokeExact();
            return s.getString(0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(function + " failed", t);
        }
    }

    /** An int returned by a libgelu function of no argument or one int argument. */
    static int integer(String function, int... arg) {
        try {
            if (arg.length == 0) {
                return (int) downcall(function, FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
            }
            return (int) downcall(function, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT))
                    .invokeExact(arg[0]);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(function + " failed", t);
        }
    }

    /** The loaded library's version string, {@code MAJOR.MINOR.PATCH}. */
    public static String version() {
        return string("gelu_version");
    }

    /** The loaded library's GELU_VERSION_NUMBER. */
    public static int versionNumber() {
        return integer("gelu_version_number");
    }

    /** Mirrors GELU_MAX_ISA_* of gelu.h. */
    private static final int MAX_ISA_APPLIED = 1;
    private static final int MAX_ISA_UNKNOWN = -1;

    /**
     * What the loaded library made of {@code GELU_MAX_ISA}: null when unset, else one line
     * such as {@code GELU_MAX_ISA='AVX2': applied, native ISA capped at avx2}.
     */
    public static String maxIsaReport() {
        if (load() != null) {
            String env = System.getenv("GELU_MAX_ISA");
            return env == null ? null : "GELU_MAX_ISA='" + env + "': not read (the native library is not loaded)";
        }
        int status = integer("gelu_max_isa_status");
        String value = string("gelu_max_isa_value");
        if (status == MAX_ISA_APPLIED) {
            return "GELU_MAX_ISA='" + value + "': applied, native ISA capped (running " + string("gelu_isa") + ")";
        }
        if (status == MAX_ISA_UNKNOWN) {
            return "GELU_MAX_ISA='" + value + "' is not an instruction set: ignored, nothing capped "
                    + "(use scalar, avx2 or avx512; case and surrounding blanks do not matter)";
        }
        return value.isEmpty() ? null : "GELU_MAX_ISA='" + value + "': blank, nothing capped";
    }

    /** Logs, once per loaded library, a GELU_MAX_ISA value that libgelu did not understand. */
    private static void reportMaxIsa() {
        try {
            if (integer("gelu_max_isa_status") == MAX_ISA_UNKNOWN) {
                LOG.log(Level.WARNING, "GELU_MAX_ISA=''{0}'' is not an instruction set: ignored, nothing capped "
                        + "(use scalar, avx2 or avx512; case and surrounding blanks do not matter)",
                        string("gelu_max_isa_value"));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot query GELU_MAX_ISA from libgelu: {0}", e.toString());
        }
    }

    /** The innermost cause's message ("Symbol not found: gelu_isa"), not its initializer-error wrapper. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    private static String extractAndLoad(String resource) {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "the jar has no " + resource + " (build it with CMake first, or set -D" + PATH_PROPERTY + ")";
            }
            Path tmp;
            try {
                tmp = Files.createTempFile("libgelu-" + Version.STRING + "-", ".so");
            } catch (IOException e) {
                return "cannot create a temporary file for libgelu in " + System.getProperty("java.io.tmpdir")
                        + ": " + e.getMessage() + " (set -Djava.io.tmpdir or -D" + PATH_PROPERTY + ")";
            }
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                // name the jar's copy: the temporary file in the message is gone by the time it is read
                String err = open(tmp);
                if (err != null) {
                    return "cannot load libgelu bundled as " + resource + ": " + err + noexecHint(err, tmp);
                }
            } finally {
                // the mapping stays valid after the file is gone, and nothing is left in /tmp
                Files.deleteIfExists(tmp);
            }
            return null;
        } catch (IOException e) {
            return "cannot extract " + resource + ": " + e.getMessage();
        }
    }

    /**
     * The hint for a temporary directory that refuses to map code (mounted noexec), as the
     * unwritable one gets: the dynamic loader only says "failed to map segment".
     */
    private static String noexecHint(String err, Path tmp) {
        String e = err.toLowerCase(Locale.ROOT);
        if (!e.contains("failed to map segment") && !e.contains("operation not permitted")) {
            return "";
        }
        return " (" + tmp.getParent() + " may be mounted noexec; set -Djava.io.tmpdir to a directory that allows "
                + "executables, or -D" + PATH_PROPERTY + ")";
    }

    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            return "linux-x86_64";
        }
        return null;
    }

    static String moduleName() {
        Module m = NativeLibrary.class.getModule();
        return m.isNamed() ? m.getName() : "ALL-UNNAMED";
    }
}
