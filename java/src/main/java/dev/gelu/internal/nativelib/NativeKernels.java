package dev.gelu.internal.nativelib;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.Checks;
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
        } else if (form == Form.QUICK) {
            if (faithful) {
                throw Checks.quickNotYet();
            }
            run(Kernel.QUICK, src, dst, count);
        } else if (faithful) {
            run(Kernel.TANH_FAITHFUL, src, dst, count);
        } else {
            run(Kernel.TANH, src, dst, count);
        }
    }

    @Override
    public void forward(Form form, Storage in, Storage out, MemorySegment src, MemorySegment dst, long count) {
        // one call site per kernel, as above
        if (form == Form.QUICK) {
            throw Checks.quickNotYet();
        }
        boolean erf = form == Form.ERF, bf16 = out == Storage.BF16;
        if (in == Storage.F32) {
            if (erf) {
                run(bf16 ? Kernel.ERF_F32_TO_BF16 : Kernel.ERF_F32_TO_F16, 4, 2, src, dst, count);
            } else {
                run(bf16 ? Kernel.TANH_F32_TO_BF16 : Kernel.TANH_F32_TO_F16, 4, 2, src, dst, count);
            }
        } else if (erf) {
            run(bf16 ? Kernel.ERF_BF16 : Kernel.ERF_F16, 2, 2, src, dst, count);
        } else {
            run(bf16 ? Kernel.TANH_BF16 : Kernel.TANH_F16, 2, 2, src, dst, count);
        }
    }

    private void run(Kernel k, MemorySegment src, MemorySegment dst, long count) {
        run(k, 4, 4, src, dst, count);
    }

    private void run(Kernel k, int inBytes, int outBytes, MemorySegment src, MemorySegment dst, long count) {
        if (src.isNative() && dst.isNative()) {
            call(count <= CRITICAL_MAX ? k.critical() : k.plain(), src, dst, count);
            return;
        }
        for (long off = 0; off < count; off += HEAP_CHUNK) {
            long n = Math.min(HEAP_CHUNK, count - off);
            call(k.heap(), src.asSlice(inBytes * off, inBytes * n), dst.asSlice(outBytes * off, outBytes * n), n);
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
     * scheme: gelu_FORM_TYPE[_faithful]_isa, gelu_FORM_f32_to_TYPE_isa) in the library NativeLibrary opened, with the
     * linker options of each kind of call. A record, so that C2 trusts its fields as constants.
     */
    private record Kernel(MethodHandle plain, MethodHandle critical, MethodHandle heap) {
        /** int gelu_..._isa(int isa, const T *x, U *y, size_t n): every kind has this shape */
        private static final FunctionDescriptor SIGNATURE = FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
        static final Kernel ERF = f32(Form.ERF, Accuracy.CORRECTLY_ROUNDED);
        static final Kernel ERF_FAITHFUL = f32(Form.ERF, Accuracy.FAITHFUL);
        static final Kernel TANH = f32(Form.TANH, Accuracy.CORRECTLY_ROUNDED);
        static final Kernel TANH_FAITHFUL = f32(Form.TANH, Accuracy.FAITHFUL);
        static final Kernel QUICK = f32(Form.QUICK, Accuracy.CORRECTLY_ROUNDED);
        static final Kernel ERF_BF16 = half(Form.ERF, Storage.BF16, Storage.BF16);
        static final Kernel ERF_F16 = half(Form.ERF, Storage.F16, Storage.F16);
        static final Kernel TANH_BF16 = half(Form.TANH, Storage.BF16, Storage.BF16);
        static final Kernel TANH_F16 = half(Form.TANH, Storage.F16, Storage.F16);
        static final Kernel ERF_F32_TO_BF16 = half(Form.ERF, Storage.F32, Storage.BF16);
        static final Kernel ERF_F32_TO_F16 = half(Form.ERF, Storage.F32, Storage.F16);
        static final Kernel TANH_F32_TO_BF16 = half(Form.TANH, Storage.F32, Storage.BF16);
        static final Kernel TANH_F32_TO_F16 = half(Form.TANH, Storage.F32, Storage.F16);

        /** gelu_FORM_f32[_faithful]_isa */
        private static Kernel f32(Form form, Accuracy accuracy) {
            return of(lower(form) + "_f32" + (accuracy == Accuracy.FAITHFUL ? "_faithful" : ""));
        }

        /** gelu_FORM_TYPE_isa (16-bit in and out) or gelu_FORM_f32_to_TYPE_isa */
        private static Kernel half(Form form, Storage in, Storage out) {
            return of(lower(form) + (in == Storage.F32 ? "_f32_to_" : "_") + lower(out));
        }

        private static String lower(Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }

        private static Kernel of(String point) {
            String name = "gelu_" + point + "_isa";
            return new Kernel(NativeLibrary.downcall(name, SIGNATURE),
                    NativeLibrary.downcall(name, SIGNATURE, Linker.Option.critical(false)),
                    NativeLibrary.downcall(name, SIGNATURE, Linker.Option.critical(true)));
        }
    }
}
