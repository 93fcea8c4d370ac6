package dev.gelu.cli;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code gelu verify}: every float bit pattern (or every K-th) through every backend, in both
 * accuracies, compared bit for bit with the native kernel of the best ISA. The native kernels
 * themselves are proven correctly rounded, or faithful, by native/tools/gelu_exhaustive; this
 * extends the proof to the Java backends, NaN payloads included.
 */
final class VerifyCommand {
    private VerifyCommand() {}

    private static final int CHUNK = 1 << 20;

    static final String USAGE = "usage: gelu verify [--stride K] [--threads N] [--form " + Args.FORM_CHOICES
            + "|both|all]" + " [--accuracy correct|faithful|both] [--storage f32|f32-bf16|f32-f16|all]";

    static int run(String[] args, PrintStream out, PrintStream err) {
        long stride = 1;
        int threads = Runtime.getRuntime().availableProcessors();
        List<Form> forms = List.of(Form.values());
        List<Accuracy> accuracies = List.of(Accuracy.values());
        List<Storage> outputs = List.of(Storage.F32);
        try {
            for (int i = 0; i < args.length; i += 2) {
                String a = args[i];
                if (Args.isHelp(a)) {
                    out.println(USAGE);
                    return 0;
                }
                if (Args.isVersion(a)) {
                    out.println(Args.version());
                    return 0;
                }
                switch (a) {
                    case "--stride" -> stride = Args.longAtLeast(a, Args.value(a, args, i), 1);
                    case "--threads" -> threads = Args.intAtLeast(a, Args.value(a, args, i), 1);
                    case "--form" -> forms = Args.forms(a, Args.value(a, args, i));
                    case "--accuracy" -> accuracies = Args.accuracies(a, Args.value(a, args, i), true);
                    case "--storage" ->
                        outputs = switch (Args.value(a, args, i).toLowerCase(java.util.Locale.ROOT)) {
                            case "f32" -> List.of(Storage.F32);
                            case "f32-bf16" -> List.of(Storage.BF16);
                            case "f32-f16" -> List.of(Storage.F16);
                            case "all" -> List.of(Storage.values());
                            default ->
                                throw new Args.BadArgs("--storage must be f32, f32-bf16, f32-f16 or all, not '"
                                        + Args.value(a, args, i) + "'");
                        };
                    default -> throw new Args.BadArgs("unknown option '" + a + "'");
                }
            }
        } catch (Args.BadArgs e) {
            err.println("gelu verify: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        List<GeluKernels> all = Backends.available();
        GeluKernels reference = all.stream()
                .filter(k -> k.name().equals("native"))
                .reduce((a, b) -> b)
                .orElse(null);
        if (reference == null) {
            err.println("gelu verify: the native library is needed as the reference: "
                    + Backends.nativeUnavailableReason());
            return 1;
        }
        List<GeluKernels> checked =
                all.stream().filter(k -> !k.name().equals("native")).toList();
        long total = (0x1_0000_0000L + stride - 1) / stride;
        out.printf(
                "gelu verify: %d inputs per form (stride %d), %d threads, reference native/%s%n",
                total, stride, threads, reference.isa());
        boolean ok = true;
        for (Storage output : outputs) {
            // 16-bit outputs have one accuracy, correctly rounded
            for (Accuracy accuracy : output == Storage.F32 ? accuracies : List.of(Accuracy.CORRECTLY_ROUNDED)) {
                for (Form form : forms) {
                    for (GeluKernels k : checked) {
                        long t0 = System.nanoTime();
                        long bad = verify(form, accuracy, output, reference, k, stride, total, threads, err);
                        out.printf(
                                "%-5s %-8s %s%s/%s: %d inputs, %d differ from native/%s (%.0f s)%n",
                                Args.name(form),
                                Args.name(accuracy),
                                output == Storage.F32
                                        ? ""
                                        : "f32->" + output.name().toLowerCase() + " ",
                                k.name(),
                                k.isa(),
                                total,
                                bad,
                                reference.isa(),
                                (System.nanoTime() - t0) / 1e9);
                        ok &= bad == 0;
                    }
                }
            }
        }
        out.println(ok ? "OK: every Java backend returns the native bits" : "FAILED");
        return ok ? 0 : 1;
    }

    private static long verify(
            Form form,
            Accuracy accuracy,
            Storage output,
            GeluKernels ref,
            GeluKernels k,
            long stride,
            long total,
            int threads,
            PrintStream err) {
        int size = output.bytes();
        AtomicLong next = new AtomicLong();
        AtomicLong bad = new AtomicLong();
        long chunks = (total + CHUNK - 1) / CHUNK;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                jobs.add(pool.submit(() -> {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment x = arena.allocate(4L * CHUNK, 64);
                        MemorySegment want = arena.allocate(4L * CHUNK, 64);
                        MemorySegment got = arena.allocate(4L * CHUNK, 64);
                        for (long c; (c = next.getAndIncrement()) < chunks; ) {
                            long first = c * CHUNK;
                            int n = (int) Math.min(CHUNK, total - first);
                            for (int i = 0; i < n; i++) {
                                x.setAtIndex(ValueLayout.JAVA_INT, i, (int) ((first + i) * stride));
                            }
                            MemorySegment xs = x.asSlice(0, 4L * n);
                            MemorySegment w = want.asSlice(0, (long) size * n), g = got.asSlice(0, (long) size * n);
                            if (output == Storage.F32) {
                                ref.forward(form, accuracy, xs, w, n);
                                k.forward(form, accuracy, xs, g, n);
                            } else {
                                ref.forward(form, Storage.F32, output, xs, w, n);
                                k.forward(form, Storage.F32, output, xs, g, n);
                            }
                            for (long at = w.mismatch(g); at >= 0; at = nextMismatch(w, g, at, size)) {
                                if (bad.getAndIncrement() < 5) {
                                    long i = at / size;
                                    err.printf(
                                            "  %s %s %s/%s x=%08x: %s, native %s%n",
                                            form,
                                            Args.name(accuracy),
                                            k.name(),
                                            k.isa(),
                                            x.getAtIndex(ValueLayout.JAVA_INT, i),
                                            hex(g, i, size),
                                            hex(w, i, size));
                                }
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("verification failed to run", e);
        }
        return bad.get();
    }

    /** The next differing byte offset after element at / size, or -1. */
    private static long nextMismatch(MemorySegment w, MemorySegment g, long at, int size) {
        long from = (at / size + 1) * size;
        if (from >= w.byteSize()) {
            return -1;
        }
        long m = w.asSlice(from).mismatch(g.asSlice(from));
        return m < 0 ? -1 : from + m;
    }

    private static String hex(MemorySegment s, long i, int size) {
        return size == 4
                ? String.format("%08x", s.getAtIndex(ValueLayout.JAVA_INT, i))
                : String.format("%04x", s.getAtIndex(ValueLayout.JAVA_SHORT, i) & 0xFFFF);
    }
}
