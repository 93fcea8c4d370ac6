package dev.gelu.bench;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Every backend's kernels called directly, below the public API's argument checks, on
 * off-heap confined segments: the native kernels of each ISA the CPU supports, the Vector API
 * kernels and plain Java. A backend this machine cannot run fails its setup with the list of
 * those it can. The two scalar backends take 10 to 40 ns per element, up to 0.7 s a call at
 * n = 2^24, so scripts/jmh.sh runs them only up to n = 2^20. Gelem/s is {@code n / score}.
 */
@State(Scope.Thread)
public class GeluBackendBench extends Defaults {
    @Param({"native-avx512", "native-avx2", "native-scalar", "vector", "scalar"})
    public String backend;

    @Param({"1", "16", "256", "4096", "65536", "1048576", "16777216"})
    public int n;

    /** Every form: JMH takes an enum @Param without values as all its constants. */
    @Param
    public Form form;

    @Param({"CORRECTLY_ROUNDED", "FAITHFUL"})
    public Accuracy accuracy;

    /** The input distribution: N(0, 1), or uniform in [-8, 8] (a lane in the deep tail in most vectors). */
    @Param({"normal", "uniform8"})
    public String dist;

    private GeluKernels kernels;
    private Arena arena;
    private MemorySegment src;
    private MemorySegment dst;

    @Setup(Level.Trial)
    public void setUp() {
        List<GeluKernels> available = Backends.available();
        kernels = available.stream()
                .filter(k -> key(k).equals(backend))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("backend " + backend + " cannot run here; available: "
                        + available.stream().map(GeluBackendBench::key).toList()));
        arena = Arena.ofConfined();
        src = Inputs.allocate(arena, n);
        dst = Inputs.allocate(arena, n);
        Inputs.fill(src, n, dist);
    }

    /** The names of the backend parameter: native ones by ISA, the Java ones by name alone. */
    private static String key(GeluKernels k) {
        return k.name().equals("native") ? "native-" + k.isa() : k.name();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void apply() {
        kernels.forward(form, accuracy, src, dst, n);
    }
}
