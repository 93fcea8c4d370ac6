package dev.gelu.bench;

import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The 16-bit backward on each backend, off-heap: {@code dx = fl16(dy · GELU′(x))} with x from
 * {@code dist} and dy uniform in [-8, 8] (in reverse order), both rounded to nearest even in the 16-bit type. The
 * backend names are GeluBackendBench's; Gelem/s is {@code n / score}.
 */
@State(Scope.Thread)
public class GeluHalfBackwardBench extends Defaults {
    @Param({"native-avx512", "native-avx2", "native-scalar", "vector", "scalar"})
    public String backend;

    @Param({"4096", "65536", "16777216"})
    public int n;

    /** Every form: JMH takes an enum @Param without values as all its constants. */
    @Param
    public Form form;

    @Param({"BF16", "F16"})
    public Storage storage;

    @Param({"normal"})
    public String dist;

    private GeluKernels kernels;
    private Arena arena;
    private MemorySegment x;
    private MemorySegment dy;
    private MemorySegment dx;

    @Setup(Level.Trial)
    public void setUp() {
        kernels = Backends.available().stream()
                .filter(k -> (k.name().equals("native") ? "native-" + k.isa() : k.name()).equals(backend))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("backend " + backend + " cannot run here"));
        arena = Arena.ofConfined();
        x = half(Inputs.array(n, dist));
        float[] u = Inputs.array(n, "uniform8"); // reversed: not x itself when dist is uniform8 too
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            r[i] = u[n - 1 - i];
        }
        dy = half(r);
        dx = arena.allocate(2L * n, 64);
    }

    private MemorySegment half(float[] a) {
        MemorySegment s = arena.allocate(2L * a.length, 64);
        for (int i = 0; i < a.length; i++) {
            int b = Float.floatToRawIntBits(a[i]);
            s.setAtIndex(ValueLayout.JAVA_SHORT, i, storage == Storage.F16 ? Float.floatToFloat16(a[i])
                    : (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16));
        }
        return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void backward() {
        kernels.backward(form, storage, x, dy, dx, n);
    }
}
