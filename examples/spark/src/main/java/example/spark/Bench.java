package example.spark;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;

/**
 * Rows per second of the job with gelu-ffm's bias + GELU against the same job with a
 * plain-Java tanh-form GELU, and with bias only (the floor: everything but GELU). One
 * process, {@code local[2]}; the input is generated and cached before the clock starts, and
 * each run writes to Spark's {@code noop} sink, which computes every row and stores none.
 * Three rounds, the variants interleaved; the best round of each is the result.
 * Run: {@code mvn -q compile exec:exec [-Dbench.rows=N]} (docs/SPARK.md).
 */
public final class Bench {
    private Bench() {}

    /**
     * Runs the benchmark.
     *
     * @param args the number of rows (default 400000)
     */
    public static void main(String[] args) {
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
            Map<String, Double> best = new LinkedHashMap<>();
            for (int round = 1; round <= 3; round++) {
                for (Map.Entry<String, Activation> v : variants.entrySet()) {
                    long t0 = System.nanoTime();
                    BatchInference.infer(input, v.getValue(), report).write().format("noop").mode("overwrite").save();
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double rate = rows / seconds;
                    best.merge(v.getKey(), rate, Math::max);
                    System.out.printf("round %d  %-32s %6.2f s  %,12.0f rows/s%n", round, v.getKey(), seconds, rate);
                }
            }
            System.out.printf("%,d rows of %d features -> %d units, %d partitions, local[2]; gelu-ffm %s backend=%s isa=%s%n",
                    rows, DenseLayer.IN, DenseLayer.OUT, partitions, Gelu.version(), Gelu.backend(), Gelu.isa());
            double ours = best.get("gelu-ffm bias+GELU (tanh form)");
            for (Map.Entry<String, Double> e : best.entrySet()) {
                System.out.printf("best  %-32s %,12.0f rows/s  (gelu-ffm / this: %.2fx)%n", e.getKey(), e.getValue(),
                        ours / e.getValue());
            }
        } finally {
            spark.stop();
        }
    }
}
