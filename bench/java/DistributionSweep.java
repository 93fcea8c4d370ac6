// Throughput of one operation of the public API, one form, on one backend, across input
// distributions, in one JVM (docs/JAVA.md, "The Java backends on any data"). Outside the build:
//   javac -cp java/target/gelu-ffm.jar -d /tmp/ds bench/java/DistributionSweep.java
//   java -Dgelu.backend=vector --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
//       -cp java/target/gelu-ffm.jar:/tmp/ds DistributionSweep bwd-f16 ERF normal,u:-8:8,nan,normal
// Operations: f32 (correctly rounded), faithful, bf16, f16 (16-bit in and out), f32-bf16, f32-f16
// (narrowing), bwd-f32, bwd-bf16, bwd-f16. Distributions: normal, t3 (Student's t(3)), o30 (1 %
// from N(0, 30^2)), sub (subnormal), nan (10 % NaN), bits (random bit patterns), u:LO:HI
// (uniform). Each is warmed for -Dwarmms (1500) ms, then timed in 11 rounds of 20 ms, n = 65536;
// prints Gelem/s and the share of the first distribution's. The first distribution in a fresh JVM
// mostly measures the JIT's warm-up: repeat it at the end.
import dev.gelu.*;
import java.lang.foreign.*;
import java.util.*;

/** Throughput of one operation and form on the chosen backend across distributions; medians of 11. */
public class DistributionSweep {
    static float draw(String d, SplittableRandom r) {
        switch (d) {
            case "normal": return (float) r.nextGaussian();
            case "t3": { double z = r.nextGaussian(), c = 0; for (int i = 0; i < 3; i++) { double g = r.nextGaussian(); c += g * g; } return (float) (z / Math.sqrt(c / 3)); }
            case "o30": return (float) (r.nextDouble() < 0.01 ? 30 * r.nextGaussian() : r.nextGaussian());
            case "sub": return Float.intBitsToFloat((r.nextInt(0x007FFFFF) + 1) | (r.nextBoolean() ? 0x80000000 : 0));
            case "nan": return r.nextDouble() < 0.1 ? Float.NaN : (float) r.nextGaussian();
            case "bits": return Float.intBitsToFloat(r.nextInt());
            default: { String[] p = d.split(":"); return (float) r.nextDouble(Double.parseDouble(p[1]), Double.parseDouble(p[2])); }
        }
    }
    static short half(float x, boolean f16) {
        if (f16) return Float.floatToFloat16(x);
        int b = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) return (short) ((b >>> 16) | 0x40);
        return (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16);
    }
    public static void main(String[] a) {
        int n = 1 << 16;
        String op = a[0];
        Form form = Form.valueOf(a[1]);
        String[] dists = a[2].split(",");
        boolean in16 = op.equals("bf16") || op.equals("f16") || op.equals("bwd-bf16") || op.equals("bwd-f16");
        boolean f16 = op.endsWith("f16") && !op.endsWith("bf16");
        boolean bwd = op.startsWith("bwd");
        Storage s16 = f16 ? Storage.F16 : Storage.BF16;
        Gelu g = op.equals("faithful") ? Gelu.of(form, Accuracy.FAITHFUL) : Gelu.of(form);
        if (in16) g = g.storage(s16);
        else if (op.startsWith("f32-")) g = g.storage(Storage.F32, s16);
        int es = in16 ? 2 : 4, eo = in16 || op.startsWith("f32-") ? 2 : 4;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate((long) es * n, 64), dy = arena.allocate((long) es * n, 64), dst = arena.allocate((long) eo * n, 64);
            SplittableRandom r0 = new SplittableRandom(3);
            for (int i = 0; i < n; i++) {
                float v = (float) r0.nextGaussian();
                if (in16) dy.setAtIndex(ValueLayout.JAVA_SHORT, i, half(v, f16)); else dy.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
            }
            StringBuilder sb = new StringBuilder(String.format("%-9s %-5s", op, form));
            double base = 0;
            for (String d : dists) {
                SplittableRandom r = new SplittableRandom(7);
                for (int i = 0; i < n; i++) {
                    float x = draw(d, r);
                    if (in16) src.setAtIndex(ValueLayout.JAVA_SHORT, i, half(x, f16)); else src.setAtIndex(ValueLayout.JAVA_FLOAT, i, x);
                }
                double[] t = new double[11];
                long warmEnd = System.nanoTime() + Long.getLong("warmms", 1500) * 1_000_000;
                while (System.nanoTime() < warmEnd) { if (bwd) g.backward(src, dy, dst); else g.apply(src, dst); }
                for (int k = 0; k < t.length; k++) {
                    int reps = 0;
                    long t0 = System.nanoTime(), t1;
                    do { if (bwd) g.backward(src, dy, dst); else g.apply(src, dst); reps++; t1 = System.nanoTime(); } while (t1 - t0 < 20_000_000);
                    t[k] = (double) n * reps / (t1 - t0);
                }
                Arrays.sort(t);
                double m = t[t.length / 2];
                if (base == 0) base = m;
                sb.append(String.format("  %s %.3f (%.2f)", d, m, m / base));
            }
            System.out.println(sb);
        }
    }
}
