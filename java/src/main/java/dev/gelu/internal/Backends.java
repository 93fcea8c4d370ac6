package dev.gelu.internal;

import dev.gelu.internal.nativelib.NativeKernels;
import dev.gelu.internal.nativelib.NativeLibrary;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the backend once: native, else Vector API, else scalar, each skipped tier logged once
 * with the reason and the flag that would enable it. {@code -Dgelu.backend=native|vector|scalar}
 * forces one; if it cannot run, every call fails with the reason (never a silent fallback). So
 * does an explicit {@code -Dgelu.library.path} that cannot be loaded.
 */
public final class Backends {
    private Backends() {}

    /** System property that forces a backend. */
    public static final String PROPERTY = "gelu.backend";

    private static final System.Logger LOG = System.getLogger("dev.gelu");
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_CLASS = "dev.gelu.internal.vector.VectorKernels";

    private static final class Active {
        static final GeluKernels KERNELS;
        static final IllegalStateException FAILURE;

        static {
            GeluKernels k = null;
            IllegalStateException f = null;
            try {
                k = choose();
            } catch (IllegalStateException e) {
                f = e;
            }
            KERNELS = k;
            FAILURE = f;
        }
    }

    /** The backend in use. */
    public static GeluKernels get() {
        if (Active.FAILURE != null) {
            throw new IllegalStateException(Active.FAILURE.getMessage(), Active.FAILURE);
        }
        return Active.KERNELS;
    }

    /** Every backend that can run here: native once per supported ISA, vector, scalar. */
    public static List<GeluKernels> available() {
        List<GeluKernels> all = new ArrayList<>();
        if (NativeLibrary.load() == null) {
            all.addAll(NativeKernels.supported());
        }
        vector().ifPresent(all::add);
        all.add(new ScalarKernels());
        return all;
    }

    /** Why the native backend cannot run, or null when it can. */
    public static String nativeUnavailableReason() {
        return NativeLibrary.load();
    }

    /** Why the Vector API backend cannot run, or null when it can. */
    public static String vectorUnavailableReason() {
        return vectorOrReason() instanceof String why ? why : null;
    }

    private static Optional<GeluKernels> vector() {
        return vectorOrReason() instanceof GeluKernels k ? Optional.of(k) : Optional.empty();
    }

    /** The Vector API kernels, loaded by name, or the reason they cannot be. */
    private static Object vectorOrReason() {
        Optional<Module> m = ModuleLayer.boot().findModule(VECTOR_MODULE);
        if (m.isEmpty() || !Backends.class.getModule().canRead(m.get())) {
            return "module " + VECTOR_MODULE + " is not readable; add --add-modules " + VECTOR_MODULE;
        }
        try {
            return Class.forName(VECTOR_CLASS).getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return cause.getMessage() != null ? cause.getMessage() : cause.toString();
        }
    }

    private static GeluKernels choose() {
        String forced = System.getProperty(PROPERTY);
        if (forced != null) {
            return forced(forced.trim().toLowerCase(Locale.ROOT));
        }
        String nativeWhy = nativeUnavailableReason();
        if (nativeWhy == null) {
            GeluKernels k = NativeKernels.active();
            LOG.log(Level.DEBUG, "GELU backend: native ({0}), from {1}", k.isa(), NativeLibrary.origin());
            return k;
        }
        if (System.getProperty(NativeLibrary.PATH_PROPERTY) != null) {
            // the user named a library: running something else instead would hide the mistake
            throw new IllegalStateException(
                    "-D" + NativeLibrary.PATH_PROPERTY + " names a library that cannot be used: " + nativeWhy);
        }
        LOG.log(Level.WARNING, "GELU native backend unavailable: {0}", nativeWhy);
        Object vector = vectorOrReason();
        if (vector instanceof GeluKernels k) {
            LOG.log(Level.INFO, "GELU backend: vector ({0})", k.isa());
            return k;
        }
        LOG.log(Level.WARNING, "GELU Vector API backend unavailable: {0}; using scalar Java", vector);
        return new ScalarKernels();
    }

    private static GeluKernels forced(String name) {
        switch (name) {
            case "native" -> {
                String why = nativeUnavailableReason();
                if (why != null) {
                    throw new IllegalStateException("-D" + PROPERTY + "=native, but " + why);
                }
                return NativeKernels.active();
            }
            case "vector" -> {
                Object vector = vectorOrReason();
                if (vector instanceof GeluKernels k) {
                    return k;
                }
                throw new IllegalStateException("-D" + PROPERTY + "=vector, but " + vector);
            }
            case "scalar" -> {
                return new ScalarKernels();
            }
            default ->
                throw new IllegalStateException(
                        "-D" + PROPERTY + "=" + name + " is not a backend; use native, vector or scalar");
        }
    }
}
