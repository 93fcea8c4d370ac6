package gelu.interop;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The Java side of the cross-language call-cost comparison (issue #13): gelu_erf_f32 of
 * build/libgelu.so called through raw FFM downcalls (critical on heap arrays, critical and plain
 * on off-heap segments of a shared and of the global arena), JNI (bench/interop/gelu_jni.c) and
 * the library's public API, at each n; plus c_loop_in_jvm, the C driver's own loop
 * (libinterop_c.so) timed among the other cells, the C reference of this process.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp gelu-ffm.jar:classes gelu.interop.InteropBench \
 *       LIBGELU LIBGELU_JNI LIBINTEROP_C [--rounds R] [--min-us U] [--sizes 1,16,256,4096] [--warmup-s S]
 *       [--paths p,q]
 * </pre>
 *
 * Prints CSV on stdout, path,n,ns_per_call, one line per round and cell. Every path has its own
 * loop method, so that each call site is monomorphic and sees its method handle as a constant;
 * each cell is warmed up and calibrated to rounds of about min-us microseconds, then all the cells
 * run round-robin, unrecorded, for warmup-s seconds (default 4) so that JIT compilation settles,
 * then the recorded rounds go round-robin over all the cells so that a noisy moment spreads over
 * all of them. One thread, no parallelism.
 */
public final class InteropBench {
    private static final FunctionDescriptor KERNEL = FunctionDescriptor.of(
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);

    private static MethodHandle PLAIN;
    private static MethodHandle CRITICAL;
    private static MethodHandle CRITICAL_HEAP;
    private static MethodHandle CRITICAL_FAITHFUL;
    private static MethodHandle C_LOOP; // double interop_c_ns_per_call(int, float*, float*, size_t, long)
    private static int sink;

    // static finals so that C2 folds them; set from main through a holder class
    private static final class H {
        static final MethodHandle PLAIN = InteropBench.PLAIN;
        static final MethodHandle CRITICAL = InteropBench.CRITICAL;
        static final MethodHandle CRITICAL_HEAP = InteropBench.CRITICAL_HEAP;
        static final MethodHandle CRITICAL_FAITHFUL = InteropBench.CRITICAL_FAITHFUL;
    }

    /** The paths, in table order. */
    private static final String[] PATHS = {
        "c_loop_in_jvm", // the C driver's loop, run from here: the same-process C reference
        "ffm_critical_heap",
        "ffm_critical_offheap_shared",
        "ffm_critical_offheap_global",
        "ffm_plain_offheap_shared",
        "ffm_plain_offheap_global",
        "ffm_critical_offheap_shared_faithful",
        "jni_critical_array",
        "jni_region_copy",
        "jni_direct_buffer",
        "jni_address",
        "api_heap",
        "api_segment_shared",
    };

    // per size: heap arrays, off-heap segments (shared and global arena), direct buffers
    private static float[][] xa, ya;
    private static MemorySegment[] xs, ys, xg, yg;
    private static ByteBuffer[] xb, yb;
    private static final long[][] spacers = new long[16][];
    private static int[] sizes = {1, 16, 256, 4096};

    public static void main(String[] args) throws Throwable {
        if (args.length < 3) {
            System.err.println("usage: InteropBench LIBGELU LIBGELU_JNI LIBINTEROP_C [--rounds R] [--min-us U] "
                    + "[--sizes a,b,c] [--warmup-s S] [--paths p,q]");
            System.exit(2);
        }
        java.util.List<String> only = null; // --paths a,b: time only these (c_loop_in_jvm always)
        int rounds = 101;
        double warmupS = 4;
        double minUs = 200;
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--min-us" -> minUs = Double.parseDouble(args[++i]);
                case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--warmup-s" -> warmupS = Double.parseDouble(args[++i]);
                case "--paths" -> only = Arrays.asList(args[++i].split(","));
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(args[0]), Arena.global());
        MemorySegment erf = lib.findOrThrow("gelu_erf_f32");
        PLAIN = linker.downcallHandle(erf, KERNEL);
        CRITICAL = linker.downcallHandle(erf, KERNEL, Linker.Option.critical(false));
        CRITICAL_HEAP = linker.downcallHandle(erf, KERNEL, Linker.Option.critical(true));
        CRITICAL_FAITHFUL = linker.downcallHandle(lib.findOrThrow("gelu_erf_f32_faithful"), KERNEL,
                Linker.Option.critical(false));
        JniGelu.load(args[1]);
        C_LOOP = linker.downcallHandle(SymbolLookup.libraryLookup(Path.of(args[2]), Arena.global())
                .findOrThrow("interop_c_ns_per_call"), FunctionDescriptor.of(ValueLayout.JAVA_DOUBLE,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG));

        int ns = sizes.length;
        xa = new float[ns][];
        ya = new float[ns][];
        xs = new MemorySegment[ns];
        ys = new MemorySegment[ns];
        xg = new MemorySegment[ns];
        yg = new MemorySegment[ns];
        xb = new ByteBuffer[ns];
        yb = new ByteBuffer[ns];
        Arena shared = Arena.ofShared();
        long seed = 0x9E3779B97F4A7C15L;
        for (int j = 0; j < ns; j++) {
            int n = sizes[j];
            xa[j] = new float[n];
            // a spacer between x and y: two back-to-back float[1] put y 24 bytes after x, and the
            // kernel's masked store to y then stalls the next call's masked load of x (store
            // forwarding, +30 ns at n = 1: the c_heap_layout row); which layout a run got would
            // depend on GC timing
            spacers[j] = new long[8];
            ya[j] = new float[n];
            for (int i = 0; i < n; i++) {
                seed = seed * 6364136223846793005L + 1442695040888963407L;
                xa[j][i] = (float) ((seed >>> 11) / 9007199254740992.0 * 10.0 - 5.0);
            }
            xs[j] = shared.allocate(4L * n, 64);
            ys[j] = shared.allocate(4L * n, 64);
            xg[j] = Arena.global().allocate(4L * n, 64);
            yg[j] = Arena.global().allocate(4L * n, 64);
            xb[j] = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
            yb[j] = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
            MemorySegment.copy(xa[j], 0, xs[j], ValueLayout.JAVA_FLOAT, 0, n);
            MemorySegment.copy(xa[j], 0, xg[j], ValueLayout.JAVA_FLOAT, 0, n);
            xb[j].asFloatBuffer().put(xa[j]);
        }
        check();

        int np = PATHS.length;
        boolean[] on = new boolean[np];
        for (int p = 0; p < np; p++) {
            on[p] = p == 0 || only == null || only.contains(PATHS[p]);
        }
        long[][] reps = new long[np][ns];
        // warm-up and calibration, cell by cell: several passes so that each loop method is
        // entered compiled (not only through OSR), then reps for rounds of about minUs
        for (int p = 0; p < np; p++) {
            for (int j = 0; j < ns && on[p]; j++) {
                long r = 16;
                double t = 0;
                for (int pass = 0; pass < 40 || t < 50e6; pass++) { // >= 40 passes and >= 50 ms
                    double dt = timeCell(p, j, r) * r;
                    t += dt;
                    if (dt < minUs * 1e3 / 8 && r < (1L << 30)) {
                        r *= 2;
                    }
                }
                double per = Double.MAX_VALUE; // the fastest of 5: a preempted pass would give short rounds
                for (int k = 0; k < 5; k++) {
                    per = Math.min(per, timeCell(p, j, r));
                }
                reps[p][j] = Math.max(1, (long) (minUs * 1e3 / per));
            }
        }
        // then unrecorded rounds over all the cells for warmupS seconds: pinned to one CPU, C2
        // compiles on the CPU being measured, and the library's code shared by several cells
        // (heap and segment, n <= 2 and more) is recompiled as its profile widens; a cell timed
        // before that settles reads several times its steady cost (api_heap, n = 16: 260 ns
        // against 50 with a warm-up of 40 ms per cell only)
        long warmEnd = System.nanoTime() + (long) (warmupS * 1e9);
        for (int round = 0; round < 10 || System.nanoTime() < warmEnd; round++) {
            for (int p = 0; p < np; p++) {
                for (int j = 0; j < ns && on[p]; j++) {
                    timeCell(p, j, reps[p][j]);
                }
            }
        }
        StringBuilder out = new StringBuilder("path,n,ns_per_call\n");
        for (int round = 0; round < rounds; round++) {
            for (int p = 0; p < np; p++) {
                for (int j = 0; j < ns && on[p]; j++) {
                    double per = timeCell(p, j, reps[p][j]);
                    out.append(PATHS[p]).append(',').append(sizes[j]).append(',')
                            .append(String.format("%.3f", per)).append('\n');
                }
            }
        }
        System.out.print(out);
        System.err.println("InteropBench: " + Runtime.version() + ", library backend " + Gelu.backend() + "/"
                + Gelu.isa() + ", rc " + sink);
        if (sink != 0) {
            System.exit(1);
        }
    }

    /** Every path must give the bits of a plain call: a wrong shim would be timed for nothing. */
    private static void check() throws Throwable {
        for (int j = 0; j < sizes.length; j++) {
            int n = sizes[j];
            float[] want = new float[n];
            // the reference: a critical(true) downcall (a plain one refuses heap segments)
            int rc = (int) CRITICAL_HEAP.invokeExact(MemorySegment.ofArray(xa[j]), MemorySegment.ofArray(want), (long) n);
            if (rc != 0) {
                throw new AssertionError("rc " + rc);
            }
            for (int p = 0; p < PATHS.length; p++) {
                if (PATHS[p].endsWith("faithful")) {
                    continue; // other bits by design
                }
                Arrays.fill(ya[j], 0f);
                ys[j].fill((byte) 0);
                yg[j].fill((byte) 0);
                yb[j].clear();
                for (int i = 0; i < n; i++) {
                    yb[j].putFloat(4 * i, 0f);
                }
                run(p, j, 1);
                float[] got = switch (PATHS[p]) {
                    case "ffm_critical_heap", "jni_critical_array", "jni_region_copy", "api_heap" -> ya[j].clone();
                    case "ffm_critical_offheap_global", "ffm_plain_offheap_global" ->
                            yg[j].toArray(ValueLayout.JAVA_FLOAT);
                    case "jni_direct_buffer" -> {
                        float[] a = new float[n];
                        yb[j].asFloatBuffer().get(a);
                        yield a;
                    }
                    default -> ys[j].toArray(ValueLayout.JAVA_FLOAT);
                };
                for (int i = 0; i < n; i++) {
                    if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) {
                        throw new AssertionError(PATHS[p] + " n=" + n + " differs at " + i);
                    }
                }
            }
        }
    }

    /** ns per call of path p on size j over reps calls. */
    private static double timeCell(int p, int j, long reps) throws Throwable {
        if (p == 0) { // timed inside C, the loop of interop_c
            double per = (double) C_LOOP.invokeExact(0, xs[j], ys[j], (long) sizes[j], reps);
            sink |= per < 0 ? 1 : 0;
            return per;
        }
        long t0 = System.nanoTime();
        sink |= run(p, j, reps);
        return (double) (System.nanoTime() - t0) / reps;
    }

    private static int run(int p, int j, long reps) throws Throwable {
        int n = sizes[j];
        return switch (p) {
            case 0 -> (double) C_LOOP.invokeExact(0, xs[j], ys[j], (long) n, reps) < 0 ? 1 : 0;
            case 1 -> ffmCriticalHeap(xa[j], ya[j], n, reps);
            case 2 -> ffmCritical(xs[j], ys[j], n, reps);
            case 3 -> ffmCriticalGlobal(xg[j], yg[j], n, reps);
            case 4 -> ffmPlain(xs[j], ys[j], n, reps);
            case 5 -> ffmPlainGlobal(xg[j], yg[j], n, reps);
            case 6 -> ffmCriticalFaithful(xs[j], ys[j], n, reps);
            case 7 -> jniCritical(xa[j], ya[j], n, reps);
            case 8 -> jniRegion(xa[j], ya[j], n, reps);
            case 9 -> jniBuffer(xb[j], yb[j], n, reps);
            case 10 -> jniAddress(xs[j].address(), ys[j].address(), n, reps);
            case 11 -> apiHeap(xa[j], ya[j], reps);
            case 12 -> apiSegment(xs[j], ys[j], reps);
            default -> throw new IllegalArgumentException("path " + p);
        };
    }

    // ---- one loop per path

    /** The arrays are wrapped at each call, as a caller holding float[] must. */
    private static int ffmCriticalHeap(float[] x, float[] y, long n, long reps) throws Throwable {
        int acc = 0;
        for (long r = 0; r < reps; r++) {
            acc |= (int) H.CRITICAL_HEAP.invokeExact(MemorySegment.ofArray(x), MemorySegment.ofArray(y), n);
        }
        return acc;
    }

    private static int ffmCritical(MemorySegment x, MemorySegment y, long n, long reps) throws Throwable {
        int acc = 0;
        for (long r = 0; r < reps; r++) {
            acc |= (int) H.CRITICAL.invokeExact(x, y, n);
        }
        return acc;
    }

    private static int ffmCriticalGlobal(MemorySegment x, MemorySegment y, long n, long reps) throws Throwable {
        int acc = 0;
        for (long r = 0; r < reps; r++) {
            acc |= (int) H.CRITICAL.invokeExact(x, y, n);
        }
        return acc;
    }

    private static int ffmPlain(MemorySegment x, MemorySegment y, long n, long reps) throws Throwable {
        int acc = 0;
        for (long r = 0; r < reps; r++) {
            acc |= (int) H.PLAIN.invokeExact(x, y, n);
        }
        return acc;
    }

    private static int ffmPlainGlobal(MemorySegment x, MemorySegment y, long n, long reps) throws Throwable {
        int acc = 0;
        for (long r = 0; r < reps; r++) {
            acc |= (int) H.PLAIN.invokeExact(x, y, n);
        }
        return acc;
    }

    private static int ffmCriticalFaithful(MemorySegment x, MemorySegment y, long n, long reps) throws Throwable {
        int acc = 0;
        for (long r = 0; r < reps; r++) {
            acc |= (int) H.CRITICAL_FAITHFUL.invokeExact(x, y, n);
        }
        return acc;
    }

    private static int jniCritical(float[] x, float[] y, int n, long reps) {
        int acc = 0;
        for (long r = 0; r < reps; r++) {
            acc |= JniGelu.erfCritical(x, y, n);
        }
        return acc;
    }

    private static int jniRegion(float[] x, float[] y, int n, long reps) {
        int acc = 0;
        for (long r = 0; r < reps; r++) {
            acc |= JniGelu.erfRegion(x, y, n);
        }
        return acc;
    }

    private static int jniBuffer(ByteBuffer x, ByteBuffer y, int n, long reps) {
        int acc = 0;
        for (long r = 0; r < reps; r++) {
            acc |= JniGelu.erfBuffer(x, y, n);
        }
        return acc;
    }

    private static int jniAddress(long x, long y, long n, long reps) {
        int acc = 0;
        for (long r = 0; r < reps; r++) {
            acc |= JniGelu.erfAddress(x, y, n);
        }
        return acc;
    }

    private static int apiHeap(float[] x, float[] y, long reps) {
        for (long r = 0; r < reps; r++) {
            Gelu.apply(Form.ERF, x, y);
        }
        return 0;
    }

    private static int apiSegment(MemorySegment x, MemorySegment y, long reps) {
        for (long r = 0; r < reps; r++) {
            Gelu.apply(Form.ERF, x, y);
        }
        return 0;
    }
}
