package dev.gelu.bench;

import dev.gelu.Accuracy;
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
 * The operations on each backend, off-heap float32, correctly rounded: bias + GELU on rows of
 * 4096 (one row when n is smaller), GEGLU and the backward, next to the forward call on the
 * same n.
 * The native backend runs libgelu's fused kernels; the Java backends build them from their
 * forward kernel block by block. The backend names are GeluBackendBench's; Gelem/s is
 * {@code n / score}.
 */
@State(Scope.Thread)
public class GeluOpsBench extends Defaults {
    @Param({"native-avx512", "native-avx2", "native-scalar", "vector", "scalar"})
    public String backend;

    @Param({"4096", "65536", "16777216"})
    public int n;

    /** Every form: JMH takes an enum @Param without values as all its constants. */
    @Param
    public Form form;

    @Param({"normal"})
    public String dist;

    private GeluKernels kernels;
    private Arena arena;
    private MemorySegment x;
    private MemorySegment other;
    private MemorySegment y;
    private long cols;

    @Setup(Level.Trial)
    public void setUp() {
        kernels = Backends.available().stream()
                .filter(k -> (k.name().equals("native") ? "native-" + k.isa() : k.name()).equals(backend))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("backend " + backend + " cannot run here"));
        arena = Arena.ofConfined();
        x = Inputs.allocate(arena, n);
        Inputs.fill(x, n, dist);
        other = Inputs.allocate(arena, n); // GEGLU's a; its first 4096 (or n) values are the bias
        Inputs.fill(other, n, "uniform8");
        y = Inputs.allocate(arena, n);
        cols = n % 4096 == 0 ? 4096 : n;
        for (long j = 0; j < cols; j++) {
            other.setAtIndex(ValueLayout.JAVA_FLOAT, j, other.getAtIndex(ValueLayout.JAVA_FLOAT, j) * 0.01f);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void forward() {
        kernels.forward(form, Accuracy.CORRECTLY_ROUNDED, x, y, n);
    }

    @Benchmark
    public void bias() {
        kernels.bias(form, Accuracy.CORRECTLY_ROUNDED, Storage.F32, x, other, y, n / cols, cols, cols, cols);
    }

    @Benchmark
    public void geglu() {
        kernels.geglu(form, Accuracy.CORRECTLY_ROUNDED, Storage.F32, other, x, y, n);
    }

    @Benchmark
    public void backward() {
        kernels.backward(form, Storage.F32, x, other, y, n);
    }
}
