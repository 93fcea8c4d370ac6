package dev.gelu.bench;

import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The 16-bit storage points on each backend, off-heap: bf16 or f16 in and out, and float32 in
 * with 16-bit out (correctly rounded, the only accuracy of 16-bit results). The inputs are the
 * float inputs of {@link GeluBackendBench} rounded to nearest even in the 16-bit format. The
 * backend names are GeluBackendBench's; Gelem/s is {@code n / score}.
 */
@State(Scope.Thread)
public class GeluHalfBench extends Defaults {
    @Param({"native-avx512", "native-avx2", "native-scalar", "vector", "scalar"})
    public String backend;

    @Param({"4096", "65536", "16777216"})
    public int n;

    /** Every form: JMH takes an enum @Param without values as all its constants. */
    @Param
    public Form form;

    /** in_out: BF16, F16 (the same type in and out), F32_BF16, F32_F16 (narrowing). */
    @Param({"BF16", "F16", "F32_BF16", "F32_F16"})
    public String storage;

    @Param({"normal"})
    public String dist;

    private GeluKernels kernels;
    private Storage in;
    private Storage out;
    private Arena arena;
    private MemorySegment src;
    private MemorySegment dst;

    @Setup(Level.Trial)
    public void setUp() {
        List<GeluKernels> available = Backends.available();
        kernels = available.stream()
                .filter(k -> (k.name().equals("native") ? "native-" + k.isa() : k.name()).equals(backend))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("backend " + backend + " cannot run here"));
        out = Storage.valueOf(storage.substring(storage.indexOf('_') + 1));
        in = storage.startsWith("F32_") ? Storage.F32 : out;
        arena = Arena.ofConfined();
        MemorySegment floats = Inputs.allocate(arena, n);
        Inputs.fill(floats, n, dist);
        if (in == Storage.F32) {
            src = floats;
        } else {
            src = arena.allocate(2L * n, 64);
            for (long i = 0; i < n; i++) {
                float f = floats.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                int b = Float.floatToRawIntBits(f);
                src.setAtIndex(ValueLayout.JAVA_SHORT, i, in == Storage.F16 ? Float.floatToFloat16(f)
                        : (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16));
            }
        }
        dst = arena.allocate(2L * n, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void apply() {
        kernels.forward(form, in, out, src, dst, n);
    }
}
