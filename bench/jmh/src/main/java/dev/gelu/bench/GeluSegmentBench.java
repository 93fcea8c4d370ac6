package dev.gelu.bench;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code Gelu.apply(form, src, dst)} out of place on off-heap segments of each kind of arena,
 * through the backend the library picks (native here). The arena matters for small n: a
 * downcall keeps the segments' arenas alive for its duration, which is free for global and
 * confined arenas but not for shared ones. Throughput in Gelem/s is {@code n / score}.
 */
@State(Scope.Thread)
public class GeluSegmentBench extends Defaults {
    @Param({"1", "16", "256", "4096", "65536", "1048576", "16777216"})
    public int n;

    @Param({"confined", "shared", "global", "auto", "mapped"})
    public String arena;

    /** Every form: JMH takes an enum @Param without values as all its constants. */
    @Param
    public Form form;

    private Arena owner;
    private Path file;
    private MemorySegment src;
    private MemorySegment dst;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        switch (arena) {
            case "confined" -> allocate(owner = Arena.ofConfined());
            case "shared" -> allocate(owner = Arena.ofShared());
            case "global" -> allocate(Arena.global()); // leaks 8n bytes per fork, which ends soon after
            case "auto" -> allocate(Arena.ofAuto());
            case "mapped" -> map();
            default -> throw new IllegalArgumentException("unknown arena " + arena);
        }
        Inputs.fill(src, n);
        dst.fill((byte) 0); // faults every page in now rather than in the first timed call
    }

    private void allocate(Arena a) {
        src = Inputs.allocate(a, n);
        dst = Inputs.allocate(a, n);
    }

    /**
     * src and dst are the two halves of one temporary file of 2n floats, mapped read-write.
     * Each half starts on a 64-byte boundary, as the other arenas' segments do: for small n,
     * a dst that shares src's 64 bytes costs a masked-store stall (about 12 ns at n = 1 on
     * the AVX-512 kernel), which would be mistaken for a cost of mapped memory.
     */
    private void map() throws IOException {
        file = Files.createTempFile("gelu-jmh-", ".f32");
        long bytes = 4L * n;
        long half = (bytes + 63) & -64;
        owner = Arena.ofConfined();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment both = ch.map(FileChannel.MapMode.READ_WRITE, 0, 2 * half, owner);
            src = both.asSlice(0, bytes);
            dst = both.asSlice(half, bytes);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (owner != null) {
            owner.close();
        }
        if (file != null) {
            Files.delete(file);
        }
    }

    @Benchmark
    public void apply() {
        Gelu.apply(form, src, dst);
    }
}
