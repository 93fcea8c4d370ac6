package dev.gelu.cli;

import dev.gelu.Accuracy;
import dev.gelu.Form;
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
 * special values are mixed in. A quick look, not a
 * rigorous benchmark: JMH and the C bench in bench/ are that.
 */
final class BenchCommand {
    private BenchCommand() {}

    static final String USAGE = "usage: gelu bench [--n N] [--form erf|tanh|both] [--accuracy correct|faithful|both]"
            + " [--dist normal|uniform8|student3] [--min-seconds S]";

    static int run(String[] args, PrintStream out, PrintStream err) {
        long n = 1L << 24;
        double minSeconds = 0.25;
        List<Form> forms = List.of(Form.ERF, Form.TANH);
        List<Accuracy> accuracies = List.of(Accuracy.values());
        String dist = "normal";
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
                    case "--form" -> forms = Args.forms(a, Args.value(a, args, i), true);
                    case "--accuracy" -> accuracies = Args.accuracies(a, Args.value(a, args, i), true);
                    case "--dist" -> dist = switch (Args.value(a, args, i).toLowerCase(Locale.ROOT)) {
                        case "normal", "uniform8", "student3" -> Args.value(a, args, i).toLowerCase(Locale.ROOT);
                        default -> throw new Args.BadArgs("--dist must be normal, uniform8 or student3, not '"
                                + Args.value(a, args, i) + "'");
                    };
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
        out.printf("gelu bench: n=%d floats (%d MiB in, %d MiB out), off-heap, 1 thread, x ~ %s with specials%n",
                n, n * 4 >> 20, n * 4 >> 20, switch (dist) {
                    case "uniform8" -> "uniform on [-8, 8]";
                    case "student3" -> "Student's t, 3 degrees of freedom";
                    default -> "N(0, 1) (--dist uniform8|student3 for others)";
                });
        out.printf("%-5s %-8s %-8s %-8s %10s %10s  %s%n", "form", "accuracy", "backend", "isa", "Gelem/s", "ns/elem",
                "bits");
        boolean allSame = true;
        boolean progress = Args.interactive();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(4 * n, 64);
            fill(x, n, dist);
            MemorySegment first = arena.allocate(4 * n, 64);
            MemorySegment y = arena.allocate(4 * n, 64);
            int step = 0, steps = forms.size() * accuracies.size() * backends.size();
            for (Form form : forms) {
              for (Accuracy accuracy : accuracies) {
                String acc = Args.name(accuracy);
                boolean haveFirst = false;
                for (GeluKernels k : backends) {
                    ++step;
                    if (progress) {
                        err.printf("\r[%d/%d] %s %s %s/%s ...          ", step, steps, form.name().toLowerCase(), acc,
                                k.name(), k.isa());
                    }
                    double seconds = time(k, form, accuracy, x, y, n, minSeconds);
                    String same;
                    if (!haveFirst) {
                        MemorySegment.copy(y, 0, first, 0, 4 * n);
                        haveFirst = true;
                        same = "reference";
                    } else {
                        long at = first.mismatch(y);
                        same = at < 0 ? "identical" : "DIFFER at element " + at / 4;
                        allSame &= at < 0;
                    }
                    if (progress) {
                        err.print("\r                                                  \r");
                    }
                    out.printf("%-5s %-8s %-8s %-8s %10.3f %10.3f  %s%n", form.name().toLowerCase(), acc, k.name(),
                            k.isa(), n / seconds / 1e9, seconds / n * 1e9, same);
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

    /** Median seconds per full pass over n elements, after a warm-up that lets the JIT finish. */
    private static double time(GeluKernels k, Form form, Accuracy accuracy, MemorySegment x, MemorySegment y, long n,
            double minSeconds) {
        long warm = Math.min(n, 1 << 14);
        // the Vector API loops take C2 most of a second to settle on a busy 2-core machine
        long until = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < until) {
            k.forward(form, accuracy, x.asSlice(0, 4 * warm), y.asSlice(0, 4 * warm), warm);
        }
        k.forward(form, accuracy, x, y, n);
        double[] rounds = new double[5];
        for (int r = 0; r < rounds.length; r++) {
            long reps = 0;
            long t0 = System.nanoTime();
            long t;
            do {
                k.forward(form, accuracy, x, y, n);
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
        float[] specials = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE};
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
