package dev.gelu.internal.nativelib;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.internal.GeluKernels;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The native kernels of one instruction set, through FFM.
 *
 * <p>Off-heap segments go to the kernel as they are. Small calls use a {@code critical}
 * downcall (no thread-state transition, about 3 ns); large ones a plain downcall, so a long
 * kernel never delays a safepoint. Heap memory goes through {@code critical(true)} downcalls,
 * which pass the array itself, in chunks so that GC is never held off for long.
 */
public final class NativeKernels implements GeluKernels {
    /** Below this many elements the call is shorter than a safepoint delay worth avoiding. */
    private static final long CRITICAL_MAX = 1 << 14;
    /** Heap calls are cut into chunks of this many elements (about 0.1 ms each). */
    private static final long HEAP_CHUNK = 1 << 16;

    private static final String[] NAMES = {"scalar", "avx2", "avx512"};

    private final int isa;

    private NativeKernels(int isa) {
        this.isa = isa;
    }

    /** The kernels of the ISA libgelu chose (best supported, capped by GELU_MAX_ISA). */
    public static NativeKernels active() {
        String name = NativeLibrary.string("gelu_isa");
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return new NativeKernels(i);
            }
        }
        throw new IllegalStateException("libgelu reports an unknown ISA " + name);
    }

    /** One instance per ISA that can run here, lowest first. */
    public static List<NativeKernels> supported() {
        List<NativeKernels> list = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            if (NativeLibrary.integer("gelu_isa_supported", i) != 0) {
                list.add(new NativeKernels(i));
            }
        }
        return list;
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public String isa() {
        return NAMES[isa];
    }

    @Override
    public void forward(Form form, Accuracy accuracy, MemorySegment src, MemorySegment dst, long count) {
        // one call site per kernel, so that each sees its handles as constants
        boolean faithful = accuracy == Accuracy.FAITHFUL;
        if (form == Form.ERF) {
            if (faithful) {
                run(Kernel.ERF_FAITHFUL, src, dst, count);
            } else {
                run(Kernel.ERF, src, dst, count);
            }
        } else if (faithful) {
            run(Kernel.TANH_FAITHFUL, src, dst, count);
        } else {
            run(Kernel.TANH, src, dst, count);
        }
    }

    private void run(Kernel k, MemorySegment src, MemorySegment dst, long count) {
        if (src.isNative() && dst.isNative()) {
            call(count <= CRITICAL_MAX ? k.critical() : k.plain(), src, dst, count);
            return;
        }
        for (long off = 0; off < count; off += HEAP_CHUNK) {
            long n = Math.min(HEAP_CHUNK, count - off);
            call(k.heap(), src.asSlice(4 * off, 4 * n), dst.asSlice(4 * off, 4 * n), n);
        }
    }

    private void call(MethodHandle h, MemorySegment src, MemorySegment dst, long n) {
        int rc;
        try {
            rc = (int) h.invokeExact(isa, src, dst, n);
        } catch (RuntimeException | Error e) {
            throw e; // e.g. IllegalStateException("Already closed") from an arena closed meanwhile
        } catch (Throwable t) {
            throw new IllegalStateException("native GELU call failed", t);
        }
        if (rc != 0) {
            throw new IllegalStateException("libgelu returned error " + rc + " for " + n + " elements on " + isa());
        }
    }

    /**
     * The downcall handles of one {@code _isa} entry point, found by its name (the C name
     * scheme: gelu_FORM_f32[_faithful]_isa) in the library NativeLibrary opened, with the
     * linker options of each kind of call. A record, so that C2 trusts its fields as constants.
     */
    private record Kernel(MethodHandle plain, MethodHandle critical, MethodHandle heap) {
        /** int gelu_..._isa(int isa, const float *x, float *y, size_t n) */
        private static final FunctionDescriptor SIGNATURE = FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
        static final Kernel ERF = of(Form.ERF, Accuracy.CORRECTLY_ROUNDED);
        static final Kernel ERF_FAITHFUL = of(Form.ERF, Accuracy.FAITHFUL);
        static final Kernel TANH = of(Form.TANH, Accuracy.CORRECTLY_ROUNDED);
        static final Kernel TANH_FAITHFUL = of(Form.TANH, Accuracy.FAITHFUL);

        private static Kernel of(Form form, Accuracy accuracy) {
            String name = "gelu_" + form.name().toLowerCase(Locale.ROOT) + "_f32"
                    + (accuracy == Accuracy.FAITHFUL ? "_faithful" : "") + "_isa";
            return new Kernel(NativeLibrary.downcall(name, SIGNATURE),
                    NativeLibrary.downcall(name, SIGNATURE, Linker.Option.critical(false)),
                    NativeLibrary.downcall(name, SIGNATURE, Linker.Option.critical(true)));
        }
    }
}
