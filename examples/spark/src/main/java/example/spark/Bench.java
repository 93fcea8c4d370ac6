package example.spark;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;

/**
 * Rows per second of the job with gelu-ffm's bias + GELU against the same job with a
 * plain-Java tanh-form GELU, and with bias only (the floor: everything but GELU). One
 * process, {@code local[2]}; the input is generated and cached before the clock starts, and
 * each run writes to Spark's {@code noop} sink, which computes every row and stores none.
 * Five rounds, the variants interleaved; the best round of each is the result. Each run is
 * reported twice: rows per second of wall time, and rows per second of CPU time (the sum of
 * the tasks' executor CPU time, Spark's own task metric), which a machine shared with other
 * work disturbs much less than the wall clock.
 * Run: {@code mvn -q compile exec:exec [-Dbench.rows=N]} (docs/SPARK.md).
 */
public final class Bench {
    private Bench() {}

    /**
     * Runs the benchmark.
     *
     * @param args the number of rows (default 400000)
     * @throws InterruptedException if interrupted while waiting for Spark's task metrics
     */
    public static void main(String[] args) throws InterruptedException {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 400_000;
        int partitions = 8;
        Map<String, Activation> variants = new LinkedHashMap<>();
        variants.put("gelu-ffm bias+GELU (tanh form)", new Activation.Library(Form.TANH));
        variants.put("plain Java, Math.tanh", new Activation.JavaTanh());
        variants.put("bias only, no GELU", new Activation.BiasOnly());

        SparkSession spark = SparkSession.builder().master("local[2]").appName("gelu-spark-bench")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            Dataset<Row> input = BatchInference.input(spark, rows, partitions).cache();
            input.count();
            CollectionAccumulator<String> report = spark.sparkContext().collectionAccumulator("backends");
            CpuTime cpu = new CpuTime();
            spark.sparkContext().addSparkListener(cpu);
            Map<String, Double> best = new LinkedHashMap<>();
            Map<String, Double> bestCpu = new LinkedHashMap<>();
            for (int round = 1; round <= 5; round++) {
                for (Map.Entry<String, Activation> v : variants.entrySet()) {
                    int jobs = cpu.jobs.get();
                    long cpu0 = cpu.nanos.get();
                    long t0 = System.nanoTime();
                    BatchInference.infer(input, v.getValue(), report).write().format("noop").mode("overwrite").save();
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double cpuSeconds = cpu.afterJob(jobs, cpu0) / 1e9;
                    best.merge(v.getKey(), rows / seconds, Math::max);
                    bestCpu.merge(v.getKey(), rows / cpuSeconds, Math::max);
                    System.out.printf("round %d  %-32s %6.2f s %,10.0f rows/s   cpu %6.2f s %,10.0f rows/cpu-s%n", round,
                            v.getKey(), seconds, rows / seconds, cpuSeconds, rows / cpuSeconds);
                }
            }
            System.out.printf("%,d rows of %d features -> %d units, %d partitions, local[2]; gelu-ffm %s backend=%s isa=%s%n",
                    rows, DenseLayer.IN, DenseLayer.OUT, partitions, Gelu.version(), Gelu.backend(), Gelu.isa());
            report.value().stream().filter(line -> !line.contains("backend=native ")).findFirst().ifPresent(line -> {
                throw new IllegalStateException("not a measurement of the native kernels: " + line);
            });
            String ours = "gelu-ffm bias+GELU (tanh form)";
            for (String name : variants.keySet()) {
                System.out.printf("best  %-32s %,10.0f rows/s (gelu-ffm / this: %.2fx)   %,10.0f rows/cpu-s (%.2fx)%n", name,
                        best.get(name), best.get(ours) / best.get(name), bestCpu.get(name),
                        bestCpu.get(ours) / bestCpu.get(name));
            }
        } finally {
            spark.stop();
        }
    }

    /** Sums the executor CPU time of finished tasks, and counts finished jobs. */
    private static final class CpuTime extends SparkListener {
        final AtomicLong nanos = new AtomicLong();
        final AtomicInteger jobs = new AtomicInteger();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                nanos.addAndGet(end.taskMetrics().executorCpuTime());
            }
        }

        @Override
        public void onJobEnd(SparkListenerJobEnd end) {
            jobs.incrementAndGet();
        }

        /**
         * The CPU time since {@code nanos0}, once the listener has seen the end of the job that
         * followed {@code jobs0}: events arrive in order, so its tasks' ends came before it.
         */
        long afterJob(int jobs0, long nanos0) throws InterruptedException {
            while (jobs.get() == jobs0) {
                Thread.sleep(5);
            }
            return nanos.get() - nanos0;
        }
    }
}
