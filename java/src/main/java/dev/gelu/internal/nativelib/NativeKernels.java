package dev.gelu.internal.nativelib;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.GeluKernels;
import dev.gelu.internal.ffm.GeluNative;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
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
 * which pass the array itself, in chunks so that GC is never held off for long. Every handle
 * comes from the jextract bindings of gelu.h ({@link Binding}).
 */
public final class NativeKernels implements GeluKernels {
    /** Below this many elements the call is shorter than a safepoint delay worth avoiding. */
    private static final long CRITICAL_MAX = 1 << 14;
    /** Heap calls are cut into chunks of this many elements (about 0.1 ms each). */
    private static final long HEAP_CHUNK = 1 << 16;

    /** gelu_isa()'s names, indexed by the gelu.h ids of this architecture's ISAs */
    private static final String[] NAMES = NativeLibrary.isaNames().toArray(String[]::new);

    private final int isa;

    private NativeKernels(int isa) {
        this.isa = isa;
    }

    /** The kernels of the ISA libgelu chose (best supported, capped by GELU_MAX_ISA). */
    public static NativeKernels active() {
        NativeLibrary.requireLoaded();
        String name = GeluNative.gelu_isa().getString(0);
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return new NativeKernels(i);
            }
        }
        throw new IllegalStateException("libgelu reports an unknown ISA " + name);
    }

    /** One instance per ISA that can run here, lowest first. */
    public static List<NativeKernels> supported() {
        NativeLibrary.requireLoaded();
        List<NativeKernels> list = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            if (GeluNative.gelu_isa_supported(i) != 0) {
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
                run(Kernel.QUICK_FAITHFUL, src, dst, count);
            } else {
                run(Kernel.QUICK, src, dst, count);
            }
        } else if (faithful) {
            run(Kernel.TANH_FAITHFUL, src, dst, count);
        } else {
            run(Kernel.TANH, src, dst, count);
        }
    }

    @Override
    public void forward(Form form, Storage in, Storage out, MemorySegment src, MemorySegment dst, long count) {
        // one call site per kernel, as above
        boolean bf16 = out == Storage.BF16;
        if (in == Storage.F32) {
            if (form == Form.ERF) {
                run(bf16 ? Kernel.ERF_F32_TO_BF16 : Kernel.ERF_F32_TO_F16, 4, 2, src, dst, count);
            } else if (form == Form.TANH) {
                run(bf16 ? Kernel.TANH_F32_TO_BF16 : Kernel.TANH_F32_TO_F16, 4, 2, src, dst, count);
            } else {
                run(bf16 ? Kernel.QUICK_F32_TO_BF16 : Kernel.QUICK_F32_TO_F16, 4, 2, src, dst, count);
            }
        } else if (form == Form.ERF) {
            run(bf16 ? Kernel.ERF_BF16 : Kernel.ERF_F16, 2, 2, src, dst, count);
        } else if (form == Form.TANH) {
            run(bf16 ? Kernel.TANH_BF16 : Kernel.TANH_F16, 2, 2, src, dst, count);
        } else {
            run(bf16 ? Kernel.QUICK_BF16 : Kernel.QUICK_F16, 2, 2, src, dst, count);
        }
    }

    @Override
    public void bias(
            Form form,
            Accuracy accuracy,
            Storage type,
            MemorySegment x,
            MemorySegment bias,
            MemorySegment y,
            long rows,
            long cols,
            long ldx,
            long ldy) {
        Kernel k = Ops.get(Ops.BIAS, form, accuracy, type);
        if (x.isNative() && bias.isNative() && y.isNative()) {
            rows(rows * cols <= CRITICAL_MAX ? k.critical() : k.plain(), x, bias, y, rows, cols, ldx, ldy);
            return;
        }
        long e = type.bytes();
        if (cols >= HEAP_CHUNK) { // long rows: one call per piece of a row
            for (long i = 0; i < rows; i++) {
                for (long j = 0; j < cols; j += HEAP_CHUNK) {
                    long n = Math.min(HEAP_CHUNK, cols - j);
                    rows(
                            k.heap(),
                            x.asSlice((i * ldx + j) * e, n * e),
                            bias.asSlice(j * e, n * e),
                            y.asSlice((i * ldy + j) * e, n * e),
                            1,
                            n,
                            n,
                            n);
                }
            }
            return;
        }
        long chunk = HEAP_CHUNK / cols; // whole rows per call
        for (long i = 0; i < rows; i += chunk) {
            long r = Math.min(chunk, rows - i);
            rows(
                    k.heap(),
                    x.asSlice(i * ldx * e, ((r - 1) * ldx + cols) * e),
                    bias,
                    y.asSlice(i * ldy * e, ((r - 1) * ldy + cols) * e),
                    r,
                    cols,
                    ldx,
                    ldy);
        }
    }

    @Override
    public void geglu(
            Form form,
            Accuracy accuracy,
            Storage type,
            MemorySegment a,
            MemorySegment gate,
            MemorySegment y,
            long count) {
        Kernel k = Ops.get(Ops.GLU, form, accuracy, type);
        if (a.isNative() && gate.isNative() && y.isNative()) {
            glu(count <= CRITICAL_MAX ? k.critical() : k.plain(), a, gate, y, count);
            return;
        }
        long e = type.bytes();
        for (long off = 0; off < count; off += HEAP_CHUNK) {
            long n = Math.min(HEAP_CHUNK, count - off);
            glu(k.heap(), a.asSlice(off * e, n * e), gate.asSlice(off * e, n * e), y.asSlice(off * e, n * e), n);
        }
    }

    @Override
    public void gegluRows(
            Form form,
            Accuracy accuracy,
            Storage type,
            MemorySegment x,
            MemorySegment y,
            long rows,
            long cols,
            long ldx,
            long ldy) {
        if (!(x.isNative() && y.isNative()) && cols >= HEAP_CHUNK) {
            GeluKernels.super.gegluRows(form, accuracy, type, x, y, rows, cols, ldx, ldy); // row by row, chunked
            return;
        }
        Kernel k = Ops.get(Ops.ROWS, form, accuracy, type);
        if (x.isNative() && y.isNative()) {
            rows(rows * cols <= CRITICAL_MAX ? k.critical() : k.plain(), x, y, rows, cols, ldx, ldy);
            return;
        }
        long e = type.bytes(), chunk = HEAP_CHUNK / cols;
        for (long i = 0; i < rows; i += chunk) {
            long r = Math.min(chunk, rows - i);
            rows(
                    k.heap(),
                    x.asSlice(i * ldx * e, ((r - 1) * ldx + 2 * cols) * e),
                    y.asSlice(i * ldy * e, ((r - 1) * ldy + cols) * e),
                    r,
                    cols,
                    ldx,
                    ldy);
        }
    }

    @Override
    public void backward(Form form, Storage type, MemorySegment x, MemorySegment dy, MemorySegment dx, long count) {
        Kernel k = Ops.BACKWARD[form.ordinal() * Storage.values().length + type.ordinal()];
        if (x.isNative() && dy.isNative() && dx.isNative()) {
            glu(count <= CRITICAL_MAX ? k.critical() : k.plain(), x, dy, dx, count);
            return;
        }
        long e = type.bytes();
        for (long off = 0; off < count; off += HEAP_CHUNK) {
            long n = Math.min(HEAP_CHUNK, count - off);
            glu(k.heap(), x.asSlice(off * e, n * e), dy.asSlice(off * e, n * e), dx.asSlice(off * e, n * e), n);
        }
    }

    private void rows(
            MethodHandle h,
            MemorySegment x,
            MemorySegment bias,
            MemorySegment y,
            long rows,
            long cols,
            long ldx,
            long ldy) {
        int rc;
        try {
            rc = (int) h.invokeExact(isa, x, bias, y, rows, cols, ldx, ldy);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native GELU call failed", t);
        }
        check(rc, rows * cols);
    }

    private void rows(MethodHandle h, MemorySegment x, MemorySegment y, long rows, long cols, long ldx, long ldy) {
        int rc;
        try {
            rc = (int) h.invokeExact(isa, x, y, rows, cols, ldx, ldy);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native GELU call failed", t);
        }
        check(rc, rows * cols);
    }

    private void glu(MethodHandle h, MemorySegment a, MemorySegment gate, MemorySegment y, long n) {
        int rc;
        try {
            rc = (int) h.invokeExact(isa, a, gate, y, n);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native GELU call failed", t);
        }
        check(rc, n);
    }

    private void check(int rc, long n) {
        if (rc != GeluNative.GELU_OK()) {
            throw new IllegalStateException("libgelu returned error " + rc + " for " + n + " elements on " + isa());
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
        check(rc, n);
    }

    /**
     * The composed operations' kernels, per form and variant (f32, f32 faithful, bf16, f16),
     * looked up on first use: gelu_FORM_bias_V_isa, geglu_FORM_V_isa, geglu_FORM_rows_V_isa.
     */
    private static final class Ops {
        private static final String[] VARIANTS = {"f32", "f32_faithful", "bf16", "f16"};
        static final Kernel[] BIAS = all("gelu_%s_bias_%s_isa");
        static final Kernel[] GLU = all("geglu_%s_%s_isa");
        static final Kernel[] ROWS = all("geglu_%s_rows_%s_isa");
        /** gelu_FORM_backward_TYPE_isa, indexed by form and Storage (f32, bf16, f16) */
        static final Kernel[] BACKWARD = backward();

        private static Kernel[] backward() {
            Kernel[] k = new Kernel[Form.values().length * Storage.values().length];
            for (Form f : Form.values()) {
                for (Storage t : Storage.values()) {
                    k[f.ordinal() * Storage.values().length + t.ordinal()] =
                            Kernel.of("gelu_" + Kernel.lower(f) + "_backward_" + Kernel.lower(t) + "_isa");
                }
            }
            return k;
        }

        static int index(Form form, Accuracy accuracy, Storage type) {
            int v = type == Storage.F32 ? (accuracy == Accuracy.FAITHFUL ? 1 : 0) : type == Storage.BF16 ? 2 : 3;
            return form.ordinal() * VARIANTS.length + v;
        }

        /** The kernel of a point. */
        static Kernel get(Kernel[] kernels, Form form, Accuracy accuracy, Storage type) {
            return kernels[index(form, accuracy, type)];
        }

        private static Kernel[] all(String pattern) {
            Kernel[] k = new Kernel[Form.values().length * VARIANTS.length];
            for (Form f : Form.values()) {
                for (int v = 0; v < VARIANTS.length; v++) {
                    k[f.ordinal() * VARIANTS.length + v] =
                            Kernel.of(String.format(Locale.ROOT, pattern, Kernel.lower(f), VARIANTS[v]));
                }
            }
            return k;
        }
    }

    /**
     * The downcall handles of one {@code _isa} entry point, from its jextract binding found by
     * its C name (gelu_FORM_TYPE[_faithful]_isa, gelu_FORM_f32_to_TYPE_isa), with the linker
     * options of each kind of call. A record, so that C2 trusts its fields as constants.
     */
    private record Kernel(MethodHandle plain, MethodHandle critical, MethodHandle heap) {
        static final Kernel ERF = f32(Form.ERF, Accuracy.CORRECTLY_ROUNDED);
        static final Kernel ERF_FAITHFUL = f32(Form.ERF, Accuracy.FAITHFUL);
        static final Kernel TANH = f32(Form.TANH, Accuracy.CORRECTLY_ROUNDED);
        static final Kernel TANH_FAITHFUL = f32(Form.TANH, Accuracy.FAITHFUL);
        static final Kernel QUICK = f32(Form.QUICK, Accuracy.CORRECTLY_ROUNDED);
        static final Kernel QUICK_FAITHFUL = f32(Form.QUICK, Accuracy.FAITHFUL);
        static final Kernel ERF_BF16 = half(Form.ERF, Storage.BF16, Storage.BF16);
        static final Kernel ERF_F16 = half(Form.ERF, Storage.F16, Storage.F16);
        static final Kernel TANH_BF16 = half(Form.TANH, Storage.BF16, Storage.BF16);
        static final Kernel TANH_F16 = half(Form.TANH, Storage.F16, Storage.F16);
        static final Kernel QUICK_BF16 = half(Form.QUICK, Storage.BF16, Storage.BF16);
        static final Kernel QUICK_F16 = half(Form.QUICK, Storage.F16, Storage.F16);
        static final Kernel ERF_F32_TO_BF16 = half(Form.ERF, Storage.F32, Storage.BF16);
        static final Kernel ERF_F32_TO_F16 = half(Form.ERF, Storage.F32, Storage.F16);
        static final Kernel TANH_F32_TO_BF16 = half(Form.TANH, Storage.F32, Storage.BF16);
        static final Kernel TANH_F32_TO_F16 = half(Form.TANH, Storage.F32, Storage.F16);
        static final Kernel QUICK_F32_TO_BF16 = half(Form.QUICK, Storage.F32, Storage.BF16);
        static final Kernel QUICK_F32_TO_F16 = half(Form.QUICK, Storage.F32, Storage.F16);

        /** gelu_FORM_f32[_faithful]_isa */
        private static Kernel f32(Form form, Accuracy accuracy) {
            return of("gelu_" + lower(form) + "_f32" + (accuracy == Accuracy.FAITHFUL ? "_faithful" : "") + "_isa");
        }

        /** gelu_FORM_TYPE_isa (16-bit in and out) or gelu_FORM_f32_to_TYPE_isa */
        private static Kernel half(Form form, Storage in, Storage out) {
            return of("gelu_" + lower(form) + (in == Storage.F32 ? "_f32_to_" : "_") + lower(out) + "_isa");
        }

        static String lower(Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }

        /** plain: the generated handle; critical: no thread-state transition; heap: also heap segments */
        static Kernel of(String function) {
            Binding b = Binding.of(function);
            return new Kernel(b.handle(), b.with(Linker.Option.critical(false)), b.with(Linker.Option.critical(true)));
        }
    }
}
