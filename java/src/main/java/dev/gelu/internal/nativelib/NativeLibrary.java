package dev.gelu.internal.nativelib;

import dev.gelu.internal.Version;
import dev.gelu.internal.ffm.GeluNative;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads libgelu once: from {@code -Dgelu.library.path} when set, else from the copy bundled in
 * the jar under {@code natives/<os>-<arch>/}, extracted to a temporary file that is deleted as
 * soon as it is loaded. Never throws: a failure is a reason that the backend chooser logs.
 */
public final class NativeLibrary {
    private NativeLibrary() {}

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
                System.load(p.toString());
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
            int version = GeluNative.gelu_version_number();
            if (version != Version.NUMBER) {
                return "libgelu " + origin + " has version number " + version + ", this jar needs " + Version.NUMBER;
            }
            // every function the backends call, looked up now: a missing one is a reason to fall
            // back, not an ExceptionInInitializerError at the first call
            GeluNative.gelu_isa$address();
            GeluNative.gelu_isa_supported$address();
            GeluNative.gelu_erf_f32_isa$address();
            GeluNative.gelu_tanh_f32_isa$address();
            GeluNative.gelu_version$address();
        } catch (RuntimeException | LinkageError e) {
            return "libgelu " + origin + " lacks the expected functions: " + rootMessage(e);
        }
        return null;
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
                System.load(tmp.toString());
            } catch (UnsatisfiedLinkError e) {
                // name the jar's copy: the temporary file in the message is gone by the time it is read
                return "cannot load libgelu bundled as " + resource + ": " + e.getMessage();
            } finally {
                // the mapping stays valid after the file is gone, and nothing is left in /tmp
                Files.deleteIfExists(tmp);
            }
            return null;
        } catch (IOException e) {
            return "cannot extract " + resource + ": " + e.getMessage();
        }
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
