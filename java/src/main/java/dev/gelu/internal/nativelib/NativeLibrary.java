package dev.gelu.internal.nativelib;

import dev.gelu.internal.Version;
import dev.gelu.internal.ffm.GeluNative;
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
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Loads libgelu once: from {@code -Dgelu.library.path} when set, else from the copy bundled in
 * the jar under {@code natives/<os>-<arch>/}, extracted to a temporary file that is deleted as
 * soon as it is loaded. Never throws: a failure is a reason that the backend chooser logs.
 *
 * <p>The library is opened with {@link SymbolLookup#libraryLookup(Path, Arena)} (dlopen), not
 * {@code System.load}: the JDK lets only one class loader {@code System.load} a given file,
 * so a second class loader (an application server, a test framework, a plugin) would fail with
 * "already loaded in another classloader". Every call goes through the jextract bindings in
 * {@code internal.ffm}, whose symbol lookup is {@link #symbols} (scripts/jextract.sh routes it
 * here), so each class loader's copy of the bindings resolves in the library it opened.
 */
public final class NativeLibrary {
    private NativeLibrary() {}

    private static final System.Logger LOG = System.getLogger("dev.gelu");
    private static final Linker LINKER = Linker.nativeLinker();
    /** The opened library while tryLoad checks it and once it is loaded; null otherwise. */
    private static volatile SymbolLookup lookup;

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
            if (failure != null) {
                lookup = null; // a library that failed the checks is never called
            }
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
            return "native access is disabled for this module; add --enable-native-access=" + moduleName() + " ("
                    + e.getMessage() + ")";
        }
        try {
            int version = GeluNative.gelu_version_number();
            if (version != Version.NUMBER) {
                return "libgelu " + origin + " has version number " + version + ", this jar needs " + Version.NUMBER;
            }
            // functions of every kind the backends call, resolved now: a missing one is a reason
            // to fall back, not an error at the first call
            List<Supplier<MemorySegment>> probes = List.of(
                    GeluNative::gelu_isa$address,
                    GeluNative::gelu_isa_supported$address,
                    GeluNative::gelu_erf_f32_isa$address,
                    GeluNative::gelu_tanh_f32_isa$address,
                    GeluNative::gelu_version$address,
                    GeluNative::gelu_max_isa_status$address,
                    GeluNative::gelu_max_isa_value$address,
                    GeluNative::gelu_erf_bias_f32_isa$address,
                    GeluNative::geglu_erf_rows_f16_isa$address,
                    GeluNative::gelu_tanh_backward_bf16_isa$address);
            probes.forEach(Supplier::get);
        } catch (RuntimeException | LinkageError e) {
            // a missing symbol fails its binding's initializer: NoSuchElementException("Symbol not found: NAME")
            return "libgelu " + origin + " lacks the expected functions: " + rootMessage(e);
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
            lookup = SymbolLookup.libraryLookup(file, Arena.global());
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
            MethodHandle dlopen = LINKER.downcallHandle(
                    libc.findOrThrow("dlopen"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            MethodHandle dlerror = LINKER.downcallHandle(libc.findOrThrow("dlerror"), FunctionDescriptor.of(cString()));
            MethodHandle dlclose = LINKER.downcallHandle(
                    libc.findOrThrow("dlclose"), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            MemorySegment handle =
                    (MemorySegment) dlopen.invokeExact(arena.allocateFrom(file.toString()), 2 /* RTLD_NOW */);
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
     * The symbol lookup of the jextract bindings ({@code GeluNative.SYMBOL_LOOKUP}): the library
     * this class loader opened. A binding resolves its function when first used, and a binding
     * whose lookup failed cannot be used again, so every path to a binding passes {@link #load}
     * first (tryLoad itself, or {@link #requireLoaded}). The lookup takes no lock: a
     * binding resolves inside its class initializer, which must not wait for load's monitor.
     *
     * @throws IllegalStateException (from the lookup) if the library is not loaded
     */
    public static SymbolLookup symbols() {
        return name -> {
            SymbolLookup l = lookup;
            if (l == null) {
                throw new IllegalStateException(
                        "libgelu is not loaded (" + name + " used before NativeLibrary.load())");
            }
            return l.find(name);
        };
    }

    /** Loads the library if not done yet; throws with the reason if it cannot be used. */
    static void requireLoaded() {
        String why = load();
        if (why != null) {
            throw new IllegalStateException("libgelu is not loaded: " + why);
        }
    }

    /** The loaded library's version string, {@code MAJOR.MINOR.PATCH}. */
    public static String version() {
        requireLoaded();
        return GeluNative.gelu_version().getString(0);
    }

    /** The loaded library's GELU_VERSION_NUMBER. */
    public static int versionNumber() {
        requireLoaded();
        return GeluNative.gelu_version_number();
    }

    /**
     * What the loaded library made of {@code GELU_MAX_ISA}: null when unset, else one line
     * such as {@code GELU_MAX_ISA='AVX2': applied, native ISA capped at avx2}.
     */
    public static String maxIsaReport() {
        if (load() != null) {
            String env = System.getenv("GELU_MAX_ISA");
            return env == null ? null : "GELU_MAX_ISA='" + env + "': not read (the native library is not loaded)";
        }
        int status = GeluNative.gelu_max_isa_status();
        String value = GeluNative.gelu_max_isa_value().getString(0);
        if (status == GeluNative.GELU_MAX_ISA_APPLIED()) {
            String running = GeluNative.gelu_isa().getString(0);
            return "GELU_MAX_ISA='" + value + "': applied, native ISA capped (running " + running + ")";
        }
        if (status == GeluNative.GELU_MAX_ISA_UNKNOWN()) {
            return "GELU_MAX_ISA='" + value + "' is not an instruction set: ignored, nothing capped " + "(use "
                    + isaChoices() + "; case and surrounding blanks do not matter)";
        }
        return value.isEmpty() ? null : "GELU_MAX_ISA='" + value + "': blank, nothing capped";
    }

    /** Logs, once per loaded library, a GELU_MAX_ISA value that libgelu did not understand. */
    private static void reportMaxIsa() {
        try {
            if (GeluNative.gelu_max_isa_status() == GeluNative.GELU_MAX_ISA_UNKNOWN()) {
                LOG.log(
                        Level.WARNING,
                        "GELU_MAX_ISA=''{0}'' is not an instruction set: ignored, nothing capped "
                                + "(use {1}; case and surrounding blanks do not matter)",
                        new Object[] {GeluNative.gelu_max_isa_value().getString(0), isaChoices()});
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
                return "cannot create a temporary file for libgelu in " + System.getProperty("java.io.tmpdir") + ": "
                        + e.getMessage() + " (set -Djava.io.tmpdir or -D" + PATH_PROPERTY + ")";
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

    /** The jar's directory of natives for this machine, {@code linux-x86_64} or {@code linux-aarch64}, or null. */
    public static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) {
            return null;
        }
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            return "linux-x86_64";
        }
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            return "linux-aarch64";
        }
        return null;
    }

    /**
     * libgelu's instruction-set names on this machine's architecture, indexed by their gelu.h ids
     * (GELU_ISA_SCALAR, GELU_ISA_AVX2, GELU_ISA_AVX512 on x86-64; GELU_ISA_SCALAR, GELU_ISA_NEON on
     * aarch64: the ids repeat across architectures).
     */
    public static List<String> isaNames() {
        return "linux-aarch64".equals(platform()) ? List.of("scalar", "neon") : List.of("scalar", "avx2", "avx512");
    }

    /** "scalar, avx2 or avx512": the GELU_MAX_ISA values this architecture understands. */
    private static String isaChoices() {
        List<String> names = isaNames();
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    static String moduleName() {
        Module m = NativeLibrary.class.getModule();
        return m.isNamed() ? m.getName() : "ALL-UNNAMED";
    }
}
