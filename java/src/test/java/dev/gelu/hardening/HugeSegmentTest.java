package dev.gelu.hardening;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One segment of 2^31 + 1000 floats (8 GiB): element counts past Integer.MAX_VALUE must work,
 * in one call, with nothing truncated to int. Native AVX2 or AVX-512 only (the Java backends
 * and the scalar C kernel would take minutes), and only with 12 GiB of memory available.
 */
@Tag("slow")
class HugeSegmentTest {
    private static final long FLOATS = (1L << 31) + 1000;
    private static final long NEEDED = 12L << 30;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Test
    void inPlaceOnMoreThanIntegerMaxValueFloats() {
        Assumptions.assumeTrue(
                "native".equals(Gelu.backend()),
                "backend " + Gelu.backend() + ": 2^31 floats take minutes on the Java backends");
        Assumptions.assumeFalse(
                "scalar".equals(Gelu.isa()),
                "native ISA scalar: 2^31 floats take one and a half minutes; the vector ISAs cover the count");
        long available = availableMemory();
        Assumptions.assumeTrue(available >= NEEDED, "only " + (available >> 20) + " MiB of memory available");

        // inputs at the interesting indices; everything else stays 0, and GELU(±0) = ±0
        Map<Long, Float> inputs = new TreeMap<>();
        long[] indices = {
            0,
            1,
            (1L << 30),
            Integer.MAX_VALUE - 2L,
            Integer.MAX_VALUE - 1L,
            Integer.MAX_VALUE,
            1L << 31,
            (1L << 31) + 1,
            (1L << 31) + 2,
            (1L << 31) + 3,
            (1L << 31) + 500,
            (1L << 32) / 2 + 999,
            FLOATS - 3,
            FLOATS - 2,
            FLOATS - 1
        };
        for (int i = 0; i < indices.length; i++) {
            inputs.put(indices[i], (i % 2 == 0 ? -1 : 1) * (0.375f + 0.6f * i));
        }
        long[] zeros = {2, (1L << 31) - 10, (1L << 31) + 10, FLOATS - 10};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = zeroedHugePages(arena, 4 * FLOATS);
            inputs.forEach((i, x) -> s.setAtIndex(F, i, x));
            s.setAtIndex(F, zeros[0], -0f);

            Gelu.apply(Form.ERF, s, s);

            for (Map.Entry<Long, Float> e : inputs.entrySet()) {
                float want = Gelu.apply(Form.ERF, e.getValue());
                assertEquals(
                        Float.floatToRawIntBits(want),
                        Float.floatToRawIntBits(s.getAtIndex(F, e.getKey())),
                        "GELU(" + e.getValue() + ") at index " + e.getKey());
            }
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(s.getAtIndex(F, zeros[0])));
            for (int i = 1; i < zeros.length; i++) {
                assertEquals(0, Float.floatToRawIntBits(s.getAtIndex(F, zeros[i])), "index " + zeros[i]);
            }

            // the tail once more, through a slice that starts past 2^31 floats: the other form
            MemorySegment tail = s.asSlice(4 * ((1L << 31) - 4));
            inputs.forEach((i, x) -> s.setAtIndex(F, i, x));
            Gelu.apply(Form.TANH, tail, tail);
            for (Map.Entry<Long, Float> e : inputs.entrySet()) {
                Form form = e.getKey() >= (1L << 31) - 4 ? Form.TANH : Form.ERF;
                float x = e.getValue();
                float want = form == Form.TANH ? Gelu.apply(Form.TANH, x) : x; // untouched before the slice
                assertEquals(
                        Float.floatToRawIntBits(want),
                        Float.floatToRawIntBits(s.getAtIndex(F, e.getKey())),
                        form + " at index " + e.getKey());
            }
        }
    }

    /**
     * Zeroed memory from an anonymous mmap advised to use transparent huge pages: the same memory
     * as {@code arena.allocate}, but without 2 million 4 KiB page faults (20 s of system time
     * instead of 6 on a busy machine). Unmapped when the arena closes; falls back to the arena.
     */
    private static MemorySegment zeroedHugePages(Arena arena, long bytes) {
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle mmap = linker.downcallHandle(
                    libc.findOrThrow("mmap"),
                    FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
            MethodHandle madvise = linker.downcallHandle(
                    libc.findOrThrow("madvise"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
            MethodHandle munmap = linker.downcallHandle(
                    libc.findOrThrow("munmap"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
            int protReadWrite = 0x1 | 0x2, mapPrivateAnonymous = 0x02 | 0x20, madvHugepage = 14;
            MemorySegment p = (MemorySegment)
                    mmap.invokeExact(MemorySegment.NULL, bytes, protReadWrite, mapPrivateAnonymous, -1, 0L);
            if (p.address() == -1L) {
                return arena.allocate(bytes, 64);
            }
            int ignored = (int) madvise.invokeExact(p, bytes, madvHugepage); // only a hint
            return p.reinterpret(bytes, arena, seg -> {
                try {
                    int unused = (int) munmap.invokeExact(seg, bytes);
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            });
        } catch (Throwable t) {
            return arena.allocate(bytes, 64); // zero-filled
        }
    }

    /**
     * MemAvailable from /proc/meminfo, else com.sun.management's free memory (by reflection: the
     * tests compile into module dev.gelu, which does not read jdk.management); 0 if unknown.
     */
    static long availableMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux: ask the JVM
        }
        try {
            Object os = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getOperatingSystemMXBean")
                    .invoke(null);
            return (Long) Class.forName("com.sun.management.OperatingSystemMXBean")
                    .getMethod("getFreeMemorySize")
                    .invoke(os);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0;
        }
    }
}
