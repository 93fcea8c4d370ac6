// A narrowing benchmark through the public API on one backend, data distributions the JMH
// benchmarks do not have (docs/JAVA.md's Vector API table). Outside the build:
//   javac -cp java/target/gelu-ffm.jar -d /tmp/nb bench/java/NarrowBench.java
//   java -Dwarm=3000 -Dreps=60 --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
//       -Dgelu.backend=vector -cp java/target/gelu-ffm.jar:/tmp/nb NarrowBench normal,u:-8:-4 bf16 ERF,TANH,QUICK
// Arguments: distributions (normal, u:LO:HI uniform, bits: random bit patterns, seqB: the 65536
// floats from bit pattern B on), bf16 or f16, forms. Prints Gelem/s, the median of 15 rounds of
// reps calls on n = 65536 after warm calls.
import dev.gelu.*;
import java.lang.foreign.*;
import java.util.*;

/** f32 -> 16-bit narrowing throughput of the chosen backend on several distributions; medians. */
public class NarrowBench {
    public static void main(String[] a) {
        int n = 1 << 16;
        Form[] forms = a.length > 2 ? Arrays.stream(a[2].split(",")).map(Form::valueOf).toArray(Form[]::new) : new Form[] {Form.ERF, Form.TANH, Form.QUICK};
        String[] dists = a.length > 0 ? a[0].split(",") : new String[] {"normal", "u:-8:8", "u:-8:-4", "u:-60:-12", "u:-14:-4"};
        Storage out = a.length > 1 && a[1].equals("f16") ? Storage.F16 : Storage.BF16;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(4L * n, 64), dst = arena.allocate(2L * n, 64);
            for (Form form : forms) {
                Gelu g = Gelu.of(form).storage(Storage.F32, out);
                StringBuilder sb = new StringBuilder(form + " -> " + out + ":");
                for (String d : dists) {
                    SplittableRandom r = new SplittableRandom(7);
                    for (int i = 0; i < n; i++) {
                        float x;
                        if (d.equals("normal")) x = (float) r.nextGaussian();
                        else if (d.equals("bits")) x = Float.intBitsToFloat(r.nextInt());
                        else if (d.startsWith("seq")) x = Float.intBitsToFloat(Integer.parseInt(d.substring(3)) + i);
                        else { String[] p = d.split(":"); x = (float) r.nextDouble(Double.parseDouble(p[1]), Double.parseDouble(p[2])); }
                        src.setAtIndex(ValueLayout.JAVA_FLOAT, i, x);
                    }
                    double[] t = new double[15];
                    for (int w = 0; w < Integer.getInteger("warm", 200); w++) g.apply(src, dst);
                    for (int k = 0; k < t.length; k++) {
                        int reps = Integer.getInteger("reps", 20);
                        long t0 = System.nanoTime();
                        for (int q = 0; q < reps; q++) g.apply(src, dst);
                        t[k] = (double) n * reps / (System.nanoTime() - t0);
                    }
                    Arrays.sort(t);
                    sb.append(String.format("  %s %.3f", d, t[t.length / 2]));
                }
                System.out.println(sb);
            }
        }
    }
}
