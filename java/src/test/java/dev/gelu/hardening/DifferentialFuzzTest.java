package dev.gelu.hardening;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Gelu;
import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import dev.gelu.internal.ScalarKernels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Differential fuzzing: random calls (length 0 to 10^5, random offsets and byte alignments,
 * heap float[] / heap byte[] / off-heap, in place, disjoint ranges of one buffer or separate
 * buffers, read-only sources, special values and known hard cases mixed in) through every
 * backend and native ISA, directly and through the public entry points, compared bit for bit
 * (NaN payloads included) with {@link ScalarKernels}. Also checks that nothing outside dst's
 * range is written and that src is left alone.
 *
 * <p>{@code -Dgelu.fuzz.seed=N} repeats a run (the seed is in every failure message),
 * {@code -Dgelu.fuzz.calls=N} changes the number of calls (default 500,000).
 */
@Tag("slow")
class DifferentialFuzzTest {
    private static final int MAX_LEN = 100_000;
    private static final int SLACK = 64; // floats of random offset room
    private static final int CAP = 2 * MAX_LEN + 4 * SLACK; // room for two disjoint ranges
    private static final int POOL = 1 << 18;
    private static final ValueLayout.OfFloat FU = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final int CANARY = 0x7fbadbad;

    private enum Kind {
        KERNEL_SEGMENT,
        KERNEL_ARRAY,
        PUBLIC_SEGMENT,
        PUBLIC_ARRAY_RANGE,
        PUBLIC_ARRAY
    }

    private enum Storage {
        OFF_HEAP,
        HEAP_FLOATS,
        HEAP_BYTES
    }

    private enum Layout {
        SEPARATE,
        IN_PLACE,
        SAME_BUFFER_DISJOINT
    }

    private record Target(String name, Kind kind, GeluKernels kernels) {}

    // buffers, reused by every call: A holds src (and dst when they share a buffer), B holds dst
    private final Arena arena = Arena.ofConfined();
    private final float[][] floats = {new float[CAP], new float[CAP]};
    private final MemorySegment[][] buffers = {
        {
            arena.allocate(4L * CAP + 8, 64),
            MemorySegment.ofArray(floats[0]),
            MemorySegment.ofArray(new byte[4 * CAP + 8])
        },
        {
            arena.allocate(4L * CAP + 8, 64),
            MemorySegment.ofArray(floats[1]),
            MemorySegment.ofArray(new byte[4 * CAP + 8])
        }
    };
    private final float[] in = new float[MAX_LEN];
    private final float[] want = new float[MAX_LEN];
    private final MemorySegment inSeg = MemorySegment.ofArray(in);
    private final MemorySegment wantSeg = MemorySegment.ofArray(want);
    private final byte[] before = new byte[16];
    private final byte[] after = new byte[16];

    private float[] pool;
    private float[][] poolRef;
    private float[] specials;
    private float[][] specialRef;

    @Test
    void everyBackendAgreesWithTheScalarReference() {
        String seedProperty = System.getProperty("gelu.fuzz.seed");
        long seed = seedProperty != null ? Long.decode(seedProperty) : System.nanoTime();
        long calls = Long.getLong("gelu.fuzz.calls", 500_000L);
        try {
            fuzz(seed, calls);
        } finally {
            arena.close();
        }
    }

    private void fuzz(long seed, long calls) {
        SplittableRandom rnd = new SplittableRandom(seed);
        makeInputs(rnd);
        List<Target> targets = targets();
        Map<String, long[]> counts = new LinkedHashMap<>();
        targets.forEach(t -> counts.put(t.name(), new long[2]));
        long t0 = System.nanoTime();
        for (long call = 0; call < calls; call++) {
            Target target = targets.get(rnd.nextInt(targets.size()));
            int len = length(rnd);
            String what = null;
            try {
                what = one(rnd, target, len);
            } catch (Throwable e) {
                throw new AssertionError(header(seed, call, calls) + target.name() + " len=" + len + " threw " + e, e);
            }
            if (what != null) {
                throw new AssertionError(header(seed, call, calls) + target.name() + " " + what);
            }
            long[] c = counts.get(target.name());
            c[0]++;
            c[1] += len;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        StringBuilder summary = new StringBuilder(String.format(
                "DifferentialFuzzTest: seed=%d (-Dgelu.fuzz.seed=%d), %d calls in %d ms; active backend %s/%s%n",
                seed, seed, calls, ms, Gelu.backend(), Gelu.isa()));
        counts.forEach((name, c) -> summary.append(String.format("  %-34s %8d calls %12d floats%n", name, c[0], c[1])));
        System.out.print(summary);
        assertTrue(targets.size() >= 5, "targets: " + counts.keySet());
    }

    private static String header(long seed, long call, long calls) {
        return "fuzz seed=" + seed + " (rerun with -Dgelu.fuzz.seed=" + seed + "), call " + call + " of " + calls
                + ": ";
    }

    /** Every backend and ISA, through its segment and its array method, then the public entry points. */
    private static List<Target> targets() {
        List<Target> t = new ArrayList<>();
        for (GeluKernels k : Backends.available()) {
            String n = k.name() + "/" + k.isa();
            t.add(new Target(n + " segment", Kind.KERNEL_SEGMENT, k));
            t.add(new Target(n + " array", Kind.KERNEL_ARRAY, k));
        }
        t.add(new Target("Gelu.apply(segment, segment)", Kind.PUBLIC_SEGMENT, null));
        t.add(new Target("Gelu.apply(float[], off, float[], off, n)", Kind.PUBLIC_ARRAY_RANGE, null));
        t.add(new Target("Gelu.apply(float[], float[])", Kind.PUBLIC_ARRAY, null));
        return t;
    }

    /** 90% short (0..64), 9% medium (to 4096), 1% long (to 10^5); some right at the backends' chunk sizes. */
    private static int length(SplittableRandom rnd) {
        int bucket = rnd.nextInt(100);
        if (bucket < 90) {
            return rnd.nextInt(65);
        }
        if (rnd.nextInt(5) == 0) {
            int[] edges = {256, 1024, 4096, 1 << 14, 1 << 16};
            int e = edges[rnd.nextInt(bucket < 99 ? 3 : edges.length)];
            return e + rnd.nextInt(-2, 3);
        }
        return bucket < 99 ? rnd.nextInt(65, 4097) : rnd.nextInt(4097, MAX_LEN + 1);
    }

    /** One random call; null when it returned the right bits and wrote nothing else, else what went wrong. */
    private String one(SplittableRandom rnd, Target target, int len) {
        Form form = Form.values()[rnd.nextInt(Form.values().length)];
        Kind kind = target.kind() == Kind.KERNEL_SEGMENT || target.kind() == Kind.KERNEL_ARRAY
                ? (len == 0 ? Kind.PUBLIC_SEGMENT : target.kind()) // kernels are never called with 0
                : target.kind();
        fillInput(rnd, form, len);
        if (kind == Kind.PUBLIC_ARRAY) {
            boolean inPlace = rnd.nextInt(4) == 0;
            float[] src = java.util.Arrays.copyOf(in, len);
            float[] dst = inPlace ? src : new float[len];
            Gelu.apply(form, src, dst);
            String d = String.format("%s len=%d in place=%b", form, len, inPlace);
            return compare(MemorySegment.ofArray(dst), inPlace ? null : MemorySegment.ofArray(src), len, d);
        }

        boolean arrays = kind == Kind.KERNEL_ARRAY || kind == Kind.PUBLIC_ARRAY_RANGE;
        Layout layout = switch (rnd.nextInt(8)) {
            case 0, 1 -> Layout.IN_PLACE;
            case 2 -> Layout.SAME_BUFFER_DISJOINT;
            default -> Layout.SEPARATE;
        };
        Storage srcStorage = arrays ? Storage.HEAP_FLOATS : storage(rnd);
        Storage dstStorage = layout == Layout.SEPARATE && !arrays ? storage(rnd) : srcStorage;
        long srcByte = 4L * rnd.nextInt(SLACK) + (arrays ? 0 : misalignment(rnd));
        long dstByte;
        int srcBuf = 0;
        int dstBuf = layout == Layout.SEPARATE ? 1 : 0;
        switch (layout) {
            case IN_PLACE -> dstByte = srcByte;
            case SAME_BUFFER_DISJOINT -> {
                // two ranges of one buffer, touching (gap 0) or not, either one first
                long first = srcByte;
                long second = first + 4L * len + 4L * rnd.nextInt(4) + (arrays ? 0 : misalignment(rnd));
                if (rnd.nextBoolean()) {
                    srcByte = second;
                    dstByte = first;
                } else {
                    dstByte = second;
                }
            }
            default -> dstByte = 4L * rnd.nextInt(SLACK) + (arrays ? 0 : misalignment(rnd));
        }
        MemorySegment srcAll = buffers[srcBuf][srcStorage.ordinal()];
        MemorySegment dstAll = buffers[dstBuf][dstStorage.ordinal()];

        // canaries around dst, then the input (which may cover some of them), then a snapshot
        for (long b = Math.max(0, dstByte - 16); b < Math.min(dstAll.byteSize() - 3, dstByte + 4L * len + 16); b += 4) {
            dstAll.set(ValueLayout.JAVA_INT_UNALIGNED, b, CANARY);
        }
        MemorySegment.copy(in, 0, srcAll, FU, srcByte, len);
        long lo = Math.max(0, dstByte - before.length);
        int loN = (int) (dstByte - lo);
        long hi = dstByte + 4L * len;
        int hiN = (int) Math.min(after.length, dstAll.byteSize() - hi);
        MemorySegment.copy(dstAll, ValueLayout.JAVA_BYTE, lo, before, 0, loN);
        MemorySegment.copy(dstAll, ValueLayout.JAVA_BYTE, hi, after, 0, hiN);

        MemorySegment src = srcAll.asSlice(srcByte, 4L * len);
        MemorySegment dst = dstAll.asSlice(dstByte, 4L * len);
        boolean readOnlySrc = !arrays && layout != Layout.IN_PLACE && rnd.nextInt(8) == 0;
        String d = String.format(
                "%s len=%d %s src=%s@%d%s dst=%s@%d",
                form, len, layout, srcStorage, srcByte, readOnlySrc ? " (read-only)" : "", dstStorage, dstByte);
        switch (kind) {
            case KERNEL_SEGMENT ->
                target.kernels()
                        .forward(form, Accuracy.CORRECTLY_ROUNDED, readOnlySrc ? src.asReadOnly() : src, dst, len);
            case PUBLIC_SEGMENT -> Gelu.apply(form, readOnlySrc ? src.asReadOnly() : src, dst);
            case KERNEL_ARRAY ->
                target.kernels()
                        .forward(
                                form,
                                Accuracy.CORRECTLY_ROUNDED,
                                floats[srcBuf],
                                (int) (srcByte / 4),
                                floats[dstBuf],
                                (int) (dstByte / 4),
                                len);
            case PUBLIC_ARRAY_RANGE ->
                Gelu.apply(form, floats[srcBuf], (int) (srcByte / 4), floats[dstBuf], (int) (dstByte / 4), len);
            default -> throw new AssertionError(kind);
        }

        String bad = compare(dst, layout == Layout.IN_PLACE ? null : src, len, d);
        if (bad != null) {
            return bad;
        }
        for (int i = 0; i < loN; i++) {
            if (dstAll.get(ValueLayout.JAVA_BYTE, lo + i) != before[i]) {
                return d + ": wrote byte " + (lo + i - dstByte) + " before dst";
            }
        }
        for (int i = 0; i < hiN; i++) {
            if (dstAll.get(ValueLayout.JAVA_BYTE, hi + i) != after[i]) {
                return d + ": wrote byte " + i + " after dst's end";
            }
        }
        return null;
    }

    /** dst against the reference bits; src (when not in place) against the input. */
    private String compare(MemorySegment dst, MemorySegment src, int len, String d) {
        long m = MemorySegment.mismatch(dst, 0, 4L * len, wantSeg, 0, 4L * len);
        if (m >= 0) {
            int i = (int) (m / 4);
            int got = Float.floatToRawIntBits(dst.get(FU, 4L * i));
            return String.format(
                    "%s: at %d, x=%08x: scalar reference %08x, got %08x",
                    d, i, Float.floatToRawIntBits(in[i]), Float.floatToRawIntBits(want[i]), got);
        }
        if (src != null) {
            long s = MemorySegment.mismatch(src, 0, 4L * len, inSeg, 0, 4L * len);
            if (s >= 0) {
                return d + ": src changed at " + s / 4;
            }
        }
        return null;
    }

    private static Storage storage(SplittableRandom rnd) {
        int r = rnd.nextInt(4);
        return r < 2 ? Storage.OFF_HEAP : r == 2 ? Storage.HEAP_FLOATS : Storage.HEAP_BYTES;
    }

    /** Mostly float-aligned; one call in four starts 1 to 3 bytes off. */
    private static int misalignment(SplittableRandom rnd) {
        return rnd.nextInt(4) == 0 ? rnd.nextInt(1, 4) : 0;
    }

    /** A window of the random pool with, in a third of the calls, special values dropped in. */
    private void fillInput(SplittableRandom rnd, Form form, int len) {
        int start = rnd.nextInt(POOL - len + 1);
        System.arraycopy(pool, start, in, 0, len);
        System.arraycopy(poolRef[form.ordinal()], start, want, 0, len);
        if (len > 0 && rnd.nextInt(3) == 0) {
            int k = rnd.nextInt(1, Math.min(len, 16) + 1);
            for (int j = 0; j < k; j++) {
                int at = rnd.nextInt(len);
                int s = rnd.nextInt(specials.length);
                in[at] = specials[s];
                want[at] = specialRef[form.ordinal()][s];
            }
        }
    }

    /** The input pool and the specials, with their reference results from the scalar Java kernels. */
    private void makeInputs(SplittableRandom rnd) {
        List<Float> sp = new ArrayList<>();
        int[] bits = {
            0x00000000,
            0x80000000,
            0x7f800000,
            0xff800000,
            0x7fc00000,
            0xffc00000,
            0x7f800001,
            0xff800001,
            0x7fbfffff,
            0x7fc12345,
            0xffd54321,
            0x7fffffff,
            0xffffffff,
            0x00000001,
            0x80000001,
            0x007fffff,
            0x807fffff,
            0x00800000,
            0x80800000,
            0x7f7fffff,
            0xff7fffff,
            0x3f800000,
            0xbf800000
        };
        for (int b : bits) {
            sp.add(Float.intBitsToFloat(b));
        }
        for (float v : new float[] {
            1e-45f, 1e-38f, 1e-30f, 1e-20f, 1e-10f, 1e-7f, 1e-4f, 0.5f, 2f, 4f, 5.5f, 6f, 8f, 9f, 10f, 10.5f, 12f, 13f,
            13.5f, 14f, 14.5f, 15f, 16f, 20f, 50f, 1e3f, 1e10f, 1e19f, 1e20f, 1e30f
        }) {
            sp.add(v);
            sp.add(-v);
            sp.add(Math.nextUp(v));
            sp.add(-Math.nextDown(v));
        }
        for (float x : hardCases()) {
            sp.add(x);
        }
        specials = new float[sp.size()];
        for (int i = 0; i < specials.length; i++) {
            specials[i] = sp.get(i);
        }
        pool = new float[POOL];
        for (int i = 0; i < POOL; i++) {
            int kind = rnd.nextInt(20);
            pool[i] = switch (kind) {
                case 0, 1, 2, 3 -> Float.intBitsToFloat(rnd.nextInt()); // everything, NaN payloads included
                case 4 -> specials[rnd.nextInt(specials.length)];
                case 5, 6 -> (float) (rnd.nextDouble(-1, 1) * Math.pow(2, rnd.nextInt(-149, 8)));
                case 7, 8 -> (float) rnd.nextDouble(-20, 0);
                default -> (float) rnd.nextDouble(-8, 8);
            };
        }
        ScalarKernels reference = new ScalarKernels();
        poolRef = new float[Form.values().length][POOL];
        specialRef = new float[Form.values().length][specials.length];
        for (Form form : Form.values()) {
            reference.forward(form, Accuracy.CORRECTLY_ROUNDED, pool, 0, poolRef[form.ordinal()], 0, POOL);
            reference.forward(
                    form, Accuracy.CORRECTLY_ROUNDED, specials, 0, specialRef[form.ordinal()], 0, specials.length);
        }
    }

    /** The inputs of native/tests/hard_cases.txt (closest to a rounding boundary), when present. */
    private static List<Float> hardCases() {
        List<Float> xs = new ArrayList<>();
        Path p = Path.of("native/tests/hard_cases.txt");
        if (Files.isRegularFile(p)) {
            try {
                for (String line : Files.readAllLines(p)) {
                    if (!line.startsWith("#") && !line.isBlank()) {
                        xs.add(Float.intBitsToFloat(
                                Integer.parseUnsignedInt(line.trim().split("\\s+")[0], 16)));
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return xs;
    }
}
