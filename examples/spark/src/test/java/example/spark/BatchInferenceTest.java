package example.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Spark job on {@code local[2]} gives, for every row and every output, the bits of the
 * library called directly in the driver on the same data, and its executors ran the native
 * backend (a fallback to Java fails the test rather than passing slowly).
 */
class BatchInferenceTest {
    /** Partitions of about 6700 rows: each spans two batches, the second one partial. */
    private static final int ROWS = 20_011;
    private static final int PARTITIONS = 3;

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("gelu-spark-test")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void everyOutputIsTheLibrarysOnTheNativeBackend(Form form) {
        CollectionAccumulator<String> report = spark.sparkContext().collectionAccumulator("backends");
        // collected, not sorted by Spark: a sort samples its input first, running the job twice
        List<Row> rows = BatchInference.infer(BatchInference.input(spark, ROWS, PARTITIONS), new Activation.Library(form),
                report).collectAsList();

        float[] want = direct(Gelu.of(form));
        assertEquals(ROWS, rows.size());
        boolean[] seen = new boolean[ROWS];
        for (Row row : rows) {
            int r = Math.toIntExact(row.getLong(0));
            assertFalse(seen[r], "row " + r + " twice");
            seen[r] = true;
            float[] y = BatchInference.fromBytes((byte[]) row.get(1));
            assertEquals(DenseLayer.OUT, y.length);
            for (int j = 0; j < DenseLayer.OUT; j++) {
                float w = want[r * DenseLayer.OUT + j];
                if (Float.floatToRawIntBits(w) != Float.floatToRawIntBits(y[j])) {
                    throw new AssertionError(form + " row " + r + " unit " + j + ": Spark gave " + y[j] + ", the library "
                            + w);
                }
            }
        }

        List<String> lines = report.value();
        assertEquals(PARTITIONS, lines.size(), "one report per partition: " + lines);
        for (String line : lines) {
            assertTrue(line.contains("backend=native "), "an executor ran gelu-ffm's Java fallback: " + line);
        }
    }

    /** The driver's answer: the whole input at once through the library's array overload. */
    private static float[] direct(Gelu gelu) {
        float[] x = new float[ROWS * DenseLayer.IN];
        for (int r = 0; r < ROWS; r++) {
            System.arraycopy(BatchInference.features(r), 0, x, r * DenseLayer.IN, DenseLayer.IN);
        }
        DenseLayer layer = new DenseLayer();
        float[] z = new float[ROWS * DenseLayer.OUT];
        layer.multiply(x, z, ROWS);
        float[] y = new float[z.length];
        gelu.bias(z, layer.bias(), y);
        return y;
    }

    /** The surefire argLine in pom.xml is what Spark's own launcher would have added. */
    @Test
    void theJvmHasSparksModuleOptions() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String option : JavaModuleOptions.defaultModuleOptionArray()) {
            assertTrue(args.contains(option), option + " is missing from the JVM options (spark.jvm.flags in pom.xml)");
        }
        assertTrue(args.contains("--enable-native-access=ALL-UNNAMED"));
    }
}
