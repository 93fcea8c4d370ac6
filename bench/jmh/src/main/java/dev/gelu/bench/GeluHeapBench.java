package dev.gelu.bench;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Heap data: {@code float[]} arrays, and the same arrays wrapped as heap segments. Both reach
 * the native kernel without a copy (critical downcalls that pass the array), so they should
 * track {@link GeluSegmentBench} except for the extra checks and slicing. Gelem/s is
 * {@code n / score}. At n = 1 the time differs from fork to fork (about 21 or 32 ns on an
 * AMD EPYC, with either method), so a one-fork figure there needs {@code -f 5} to confirm.
 */
@State(Scope.Thread)
public class GeluHeapBench extends Defaults {
    @Param({"1", "16", "256", "4096", "65536", "1048576", "16777216"})
    public int n;

    /** Every form: JMH takes an enum @Param without values as all its constants. */
    @Param
    public Form form;

    private float[] src;
    private float[] dst;
    private MemorySegment srcSegment;
    private MemorySegment dstSegment;

    @Setup(Level.Trial)
    public void setUp() {
        src = Inputs.array(n);
        dst = new float[n];
        srcSegment = MemorySegment.ofArray(src);
        dstSegment = MemorySegment.ofArray(dst);
    }

    @Benchmark
    public void array() {
        Gelu.apply(form, src, dst);
    }

    @Benchmark
    public void segment() {
        Gelu.apply(form, srcSegment, dstSegment);
    }
}
