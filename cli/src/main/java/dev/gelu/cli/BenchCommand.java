package dev.gelu.cli;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.Backends;
import dev.gelu.internal.GeluKernels;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code gelu bench}: every backend and native ISA on the same off-heap input, in both
 * accuracies, checked bit for bit against each other, with throughput as the median of timed
 * rounds. The input is N(0, 1) by default (what pre-activations look like), or uniform on
 * [-8, 8] (the adversarial case), or Student's t with 3 degrees of freedom (heavy tails); a few
 * special values are mixed in. {@code --storage} adds the 16-bit points (bf16 or f16 in and
 * out, float32 in and 16-bit out), on the same values rounded to the 16-bit format. A quick look, not a
 * rigorous benchmark: JMH and the C bench in bench/ are that.
 */
final class BenchCommand {
    private BenchCommand() {}

    static final String USAGE = "usage: gelu bench [--n N] [--form " + Args.FORM_CHOICES + "|both|all]"
            + " [--accuracy correct|faithful|both] [--dist normal|uniform8|student3]"
            + " [--storage f32|bf16|f16|f32-bf16|f32-f16|all] [--min-seconds S]";

    /** A storage point: the element types in and out. */
    private record Point(String name, Storage in, Storage out) {}

    private static final List<Point> POINTS = List.of(
            new Point("f32", Storage.F32, Storage.F32),
            new Point("bf16", Storage.BF16, Storage.BF16),
            new Point("f16", Storage.F16, Storage.F16),
            new Point("f32-bf16", Storage.F32, Storage.BF16),
            new Point("f32-f16", Storage.F32, Storage.F16));

    static int run(String[] args, PrintStream out, PrintStream err) {
        long n = 1L << 24;
        double minSeconds = 0.25;
        List<Form> forms = List.of(Form.values());
        List<Accuracy> accuracies = List.of(Accuracy.values());
        String dist = "normal";
        List<Point> points = List.of(POINTS.get(0));
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (Args.isHelp(a)) {
                    out.println(USAGE);
                    return 0;
                }
                if (Args.isVersion(a)) {
                    out.println(Args.version());
                    return 0;
                }
                switch (a) {
                    case "--n" -> n = Args.longAtLeast(a, Args.value(a, args, i), 1);
                    case "--min-seconds" -> minSeconds = Args.seconds(a, Args.value(a, args, i));
                    case "--form" -> forms = Args.forms(a, Args.value(a, args, i));
                    case "--accuracy" -> accuracies = Args.accuracies(a, Args.value(a, args, i), true);
                    case "--dist" ->
                        dist = switch (Args.value(a, args, i).toLowerCase(Locale.ROOT)) {
                            case "normal", "uniform8", "student3" ->
                                Args.value(a, args, i).toLowerCase(Locale.ROOT);
                            default ->
                                throw new Args.BadArgs("--dist must be normal, uniform8 or student3, not '"
                                        + Args.value(a, args, i) + "'");
                        };
                    case "--storage" -> points = storage(Args.value(a, args, i));
                    default -> throw new Args.BadArgs("unknown option '" + a + "'");
                }
                i++;
            }
            if (n > Long.MAX_VALUE / 8) {
                throw new Args.BadArgs("--n is too large: " + n);
            }
        } catch (Args.BadArgs e) {
            err.println("gelu bench: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        List<GeluKernels> backends = Backends.available();
        out.printf(
                "gelu bench: n=%d floats (%d MiB in, %d MiB out), off-heap, 1 thread, x ~ %s with specials%n",
                n,
                n * 4 >> 20,
                n * 4 >> 20,
                switch (dist) {
                    case "uniform8" -> "uniform on [-8, 8]";
                    case "student3" -> "Student's t, 3 degrees of freedom";
                    default -> "N(0, 1) (--dist uniform8|student3 for others)";
                });
        out.printf(
                "%-5s %-8s %-8s %-8s %10s %10s  %s%n",
                "form", "accuracy", "backend", "isa", "Gelem/s", "ns/elem", "bits");
        boolean allSame = true;
        boolean progress = Args.interactive();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x32 = arena.allocate(4 * n, 64);
            fill(x32, n, dist);
            MemorySegment first = arena.allocate(4 * n, 64);
            MemorySegment y = arena.allocate(4 * n, 64);
            int step = 0, steps = 0;
            for (Point p : points) {
                for (Form form : forms) {
                    for (Accuracy accuracy :
                            p.out() == Storage.F32 ? accuracies : List.of(Accuracy.CORRECTLY_ROUNDED)) {
                        steps += backends.size();
                    }
                }
            }
            for (Point p : points) {
                MemorySegment x = p.in() == Storage.F32 ? x32 : narrowed(arena, x32, n, p.in());
                long outBytes = p.out().bytes() * n;
                if (points.size() > 1 || p.out() != Storage.F32) {
                    out.printf(
                            "storage %s: %s in, %s out (16-bit results are always correctly rounded)%n",
                            p.name(), p.in(), p.out());
                }
                List<Accuracy> accs = p.out() == Storage.F32 ? accuracies : List.of(Accuracy.CORRECTLY_ROUNDED);
                for (Form form : forms) {
                    for (Accuracy accuracy : accs) {
                        String acc = Args.name(accuracy);
                        boolean haveFirst = false;
                        for (GeluKernels k : backends) {
                            ++step;
                            if (progress) {
                                err.printf(
                                        "\r[%d/%d] %s %s %s %s/%s ...          ",
                                        step, steps, p.name(), Args.name(form), acc, k.name(), k.isa());
                            }
                            Pass pass = p.out() == Storage.F32
                                    ? (s, d, m) -> k.forward(form, accuracy, s, d, m)
                                    : (s, d, m) -> k.forward(form, p.in(), p.out(), s, d, m);
                            double seconds = time(pass, p, x, y, n, minSeconds);
                            String same;
                            if (!haveFirst) {
                                MemorySegment.copy(y, 0, first, 0, outBytes);
                                haveFirst = true;
                                same = "reference";
                            } else {
                                long at = first.asSlice(0, outBytes).mismatch(y.asSlice(0, outBytes));
                                same = at < 0
                                        ? "identical"
                                        : "DIFFER at element " + at / p.out().bytes();
                                allSame &= at < 0;
                            }
                            if (progress) {
                                err.print("\r                                                            \r");
                            }
                            out.printf(
                                    "%-5s %-8s %-8s %-8s %10.3f %10.3f  %s%n",
                                    Args.name(form),
                                    acc,
                                    k.name(),
                                    k.isa(),
                                    n / seconds / 1e9,
                                    seconds / n * 1e9,
                                    same);
                        }
                    }
                }
            }
        }
        out.println(allSame ? "all backends agree bit for bit" : "BACKENDS DISAGREE");
        return allSame ? 0 : 1;
    }

    private static double normal(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    private static double sq(double v) {
        return v * v;
    }

    /** One pass of a kernel over m elements. */
    @FunctionalInterface
    private interface Pass {
        void run(MemorySegment src, MemorySegment dst, long m);
    }

    private static List<Point> storage(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.equals("all")) {
            return POINTS;
        }
        for (Point p : POINTS) {
            if (p.name().equals(v)) {
                return List.of(p);
            }
        }
        throw new Args.BadArgs("--storage must be f32, bf16, f16, f32-bf16, f32-f16 or all, not '" + value + "'");
    }

    /** The float inputs rounded to nearest even in a 16-bit format, as raw bits. */
    private static MemorySegment narrowed(Arena arena, MemorySegment x32, long n, Storage type) {
        MemorySegment h = arena.allocate(2 * n, 64);
        for (long i = 0; i < n; i++) {
            float f = x32.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            int b = Float.floatToRawIntBits(f);
            short bits = type == Storage.F16
                    ? Float.floatToFloat16(f)
                    : Float.isNaN(f) ? (short) ((b >>> 16) | 0x40) : (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16);
            h.setAtIndex(ValueLayout.JAVA_SHORT, i, bits);
        }
        return h;
    }

    /** Median seconds per full pass over n elements, after a warm-up that lets the JIT finish. */
    private static double time(Pass pass, Point p, MemorySegment x, MemorySegment y, long n, double minSeconds) {
        // The Vector API code runs in the interpreter and C1 (each operation allocating, 100 to
        // 1000 times as slow) until C2 has compiled it, which counts calls and loop trips, not
        // elements: first 1024-element calls for 1 s, which reach C2's thresholds soonest (the
        // faithful erf kernel on uniform[-8, 8] stayed slow for more than 8 s of full-size
        // calls), then the full input until two windows of 100 ms in a row agree within 5 %, for
        // at most 10 s (a smoke run's --min-seconds below 0.25 shortens all three in proportion).
        MemorySegment src = x.asSlice(0, p.in().bytes() * n),
                dst = y.asSlice(0, p.out().bytes() * n);
        double scale = Math.min(1.0, 4 * minSeconds);
        long small = Math.min(n, 1024), start = System.nanoTime();
        while (System.nanoTime() - start < (long) (scale * 1e9)) {
            pass.run(x.asSlice(0, p.in().bytes() * small), y.asSlice(0, p.out().bytes() * small), small);
        }
        long window = (long) (scale * 100_000_000L), most = System.nanoTime() + (long) (scale * 10e9);
        double before = 0;
        while (true) {
            long t0 = System.nanoTime(), reps = 0, t;
            do {
                pass.run(src, dst, n);
                reps++;
                t = System.nanoTime();
            } while (t - t0 < window);
            double rate = reps / (double) (t - t0);
            if (t >= most || (before > 0 && Math.abs(rate - before) <= 0.05 * before)) {
                break;
            }
            before = rate;
        }
        double[] rounds = new double[5];
        for (int r = 0; r < rounds.length; r++) {
            long reps = 0;
            long t0 = System.nanoTime();
            long t;
            do {
                pass.run(src, dst, n);
                reps++;
                t = System.nanoTime();
            } while (t - t0 < minSeconds * 1e9 / rounds.length);
            rounds[r] = (t - t0) / 1e9 / reps;
        }
        Arrays.sort(rounds);
        return rounds[rounds.length / 2];
    }

    private static void fill(MemorySegment x, long n, String dist) {
        SplittableRandom rnd = new SplittableRandom(42);
        float[] specials = {
            0f,
            -0f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.MAX_VALUE,
            -Float.MAX_VALUE
        };
        for (long i = 0; i < n; i++) {
            double v = switch (dist) {
                case "uniform8" -> rnd.nextDouble() * 16 - 8;
                case "student3" -> normal(rnd) / Math.sqrt((sq(normal(rnd)) + sq(normal(rnd)) + sq(normal(rnd))) / 3);
                default -> normal(rnd);
            };
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
        }
        for (int i = 0; i < specials.length && i < n; i++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, (i * 7919L) % n, specials[i]);
        }
    }
}
