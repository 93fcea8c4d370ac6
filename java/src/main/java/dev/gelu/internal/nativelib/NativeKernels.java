package dev.gelu.internal.nativelib;

import dev.gelu.Gelu.Form;
import dev.gelu.internal.GeluKernels;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

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
    public void apply(Form form, MemorySegment src, MemorySegment dst, long count) {
        boolean tanh = form == Form.TANH;
        if (src.isNative() && dst.isNative()) {
            call(count <= CRITICAL_MAX ? Handles.critical(tanh) : Handles.plain(tanh), src, dst, count);
            return;
        }
        MethodHandle heap = Handles.heap(tanh);
        for (long off = 0; off < count; off += HEAP_CHUNK) {
            long n = Math.min(HEAP_CHUNK, count - off);
            call(heap, src.asSlice(4 * off, 4 * n), dst.asSlice(4 * off, 4 * n), n);
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

    /** Downcall handles, found by name in the library NativeLibrary opened. */
    private static final class Handles {
        /** int gelu_{erf,tanh}_f32_isa(int isa, const float *x, float *y, size_t n) */
        private static final FunctionDescriptor KERNEL = FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
        private static final MethodHandle ERF_PLAIN = make(false);
        private static final MethodHandle TANH_PLAIN = make(true);
        private static final MethodHandle ERF_CRITICAL = make(false, Linker.Option.critical(false));
        private static final MethodHandle TANH_CRITICAL = make(true, Linker.Option.critical(false));
        private static final MethodHandle ERF_HEAP = make(false, Linker.Option.critical(true));
        private static final MethodHandle TANH_HEAP = make(true, Linker.Option.critical(true));

        static MethodHandle plain(boolean tanh) {
            return tanh ? TANH_PLAIN : ERF_PLAIN;
        }

        static MethodHandle critical(boolean tanh) {
            return tanh ? TANH_CRITICAL : ERF_CRITICAL;
        }

        static MethodHandle heap(boolean tanh) {
            return tanh ? TANH_HEAP : ERF_HEAP;
        }

        private static MethodHandle make(boolean tanh, Linker.Option... options) {
            return NativeLibrary.downcall(tanh ? "gelu_tanh_f32_isa" : "gelu_erf_f32_isa", KERNEL, options);
        }
    }
}
