package dev.gelu.bench;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The small-call cost. {@code value} is {@code Gelu.apply(form, x)}, which is always Java;
 * for a few elements, {@code javaLoop} calls it per element while {@code array} and
 * {@code segment} make one native call for all of them, so where the two lines cross is the
 * size below which a caller is better off with the per-element method.
 */
@State(Scope.Thread)
public class GeluSingleBench extends Defaults {
    /** Enough different inputs that branch prediction sees the real mix, few enough to stay in L1. */
    private static final int VALUES = 1024;

    /** Every form: JMH takes an enum @Param without values as all its constants. */
    @Param
    public Form form;

    private float[] values;
    private int next;

    /** The few-element calls; a state of its own so that {@code value} is not repeated per n. */
    @State(Scope.Thread)
    public static class Batch {
        @Param({"1", "4", "16", "64"})
        public int n;

        float[] src;
        float[] dst;
        MemorySegment srcSegment;
        MemorySegment dstSegment;

        @Setup(Level.Trial)
        public void setUp() {
            src = Inputs.array(n);
            dst = new float[n];
            // global: the arena whose downcalls cost nothing to keep it alive
            srcSegment = Inputs.allocate(Arena.global(), n);
            dstSegment = Inputs.allocate(Arena.global(), n);
            Inputs.fill(srcSegment, n);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        values = Inputs.array(VALUES);
    }

    @Benchmark
    public float value() {
        return Gelu.apply(form, values[next++ & (VALUES - 1)]);
    }

    @Benchmark
    public void javaLoop(Batch b) {
        for (int i = 0; i < b.n; i++) {
            b.dst[i] = Gelu.apply(form, b.src[i]);
        }
    }

    @Benchmark
    public void array(Batch b) {
        Gelu.apply(form, b.src, b.dst);
    }

    @Benchmark
    public void segment(Batch b) {
        Gelu.apply(form, b.srcSegment, b.dstSegment);
    }
}
