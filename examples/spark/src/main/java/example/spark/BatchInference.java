package example.spark;

import dev.gelu.Gelu;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

/**
 * The batch-inference job: rows of {@code (id, x)}, x a feature vector of
 * {@link DenseLayer#IN} floats, become rows of {@code (id, y)}, y = GELU(x·W + b) of
 * {@link DenseLayer#OUT} floats. Vectors are binary columns of little-endian floats (measured
 * faster than {@code array<float>}: docs/SPARK.md).
 *
 * <p>Each partition runs in {@code mapPartitions}: its rows are packed, {@link #BATCH} at a
 * time, into one float array that the partition reuses; the dense layer fills the
 * pre-activations, the activation rewrites them in place (gelu-ffm takes the heap array
 * without a copy), and the results are unpacked into the output rows. A batch bounds the
 * memory a partition of millions of rows would need, and is large enough that the kernel
 * call's fixed cost does not show.
 */
public final class BatchInference {
    private BatchInference() {}

    /** Rows per batch: 4096 x 128 floats, 2 MiB of pre-activations. */
    static final int BATCH = 4096;

    static final StructType INPUT = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("x", DataTypes.BinaryType, false);
    static final StructType OUTPUT = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("y", DataTypes.BinaryType, false);

    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * The features of row {@code id}: pseudo-random floats in [-4, 4), a pure function of the id,
     * so the driver can rebuild any row.
     */
    static float[] features(long id) {
        SplittableRandom random = new SplittableRandom(id);
        float[] x = new float[DenseLayer.IN];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) (random.nextDouble() * 8 - 4);
        }
        return x;
    }

    /**
     * {@code rows} rows of {@code (id, x)} in {@code partitions} partitions.
     *
     * @param spark the session
     * @param rows the number of rows, ids 0 to rows − 1
     * @param partitions the number of partitions
     * @return the input
     */
    public static Dataset<Row> input(SparkSession spark, long rows, int partitions) {
        return spark.range(0, rows, 1, partitions)
                .map((MapFunction<Long, Row>) id -> RowFactory.create(id, toBytes(features(id), 0, DenseLayer.IN)),
                        Encoders.row(INPUT));
    }

    /**
     * The job: the dense layer and {@code activation} on every row of {@code input}, partition by
     * partition. Each partition's task adds one line to {@code report}, naming the partition and
     * the gelu-ffm backend and ISA that the executor running it has loaded.
     *
     * @param input rows of {@link #INPUT}
     * @param activation bias + GELU
     * @param report collects one line per partition
     * @return rows of {@link #OUTPUT}, lazily
     */
    public static Dataset<Row> infer(Dataset<Row> input, Activation activation, CollectionAccumulator<String> report) {
        DenseLayer layer = new DenseLayer();
        return input.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> {
            report.add("partition " + TaskContext.getPartitionId() + ": backend=" + Gelu.backend() + " isa="
                    + Gelu.isa());
            return new Batches(rows, layer, activation);
        }, Encoders.row(OUTPUT));
    }

    /** Output rows, computed a batch at a time as they are pulled. */
    private static final class Batches implements Iterator<Row> {
        private final Iterator<Row> in;
        private final DenseLayer layer;
        private final Activation activation;
        private final long[] ids = new long[BATCH];
        private final float[] x = new float[BATCH * DenseLayer.IN];
        private final float[] z = new float[BATCH * DenseLayer.OUT];
        private int count;
        private int next;

        Batches(Iterator<Row> in, DenseLayer layer, Activation activation) {
            this.in = in;
            this.layer = layer;
            this.activation = activation;
        }

        @Override
        public boolean hasNext() {
            if (next == count) {
                fill();
            }
            return next < count;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int r = next++;
            return RowFactory.create(ids[r], toBytes(z, r * DenseLayer.OUT, DenseLayer.OUT));
        }

        private void fill() {
            count = 0;
            next = 0;
            MemorySegment features = MemorySegment.ofArray(x);
            while (count < BATCH && in.hasNext()) {
                Row row = in.next();
                ids[count] = row.getLong(0);
                byte[] bytes = (byte[]) row.get(1);
                MemorySegment.copy(MemorySegment.ofArray(bytes), LE_FLOAT, 0, features, ValueLayout.JAVA_FLOAT,
                        (long) count * DenseLayer.IN * Float.BYTES, DenseLayer.IN);
                count++;
            }
            if (count > 0) {
                layer.multiply(x, z, count);
                activation.apply(z, layer.bias(), count);
            }
        }
    }

    /** {@code length} floats of {@code a} from {@code offset} as little-endian bytes. */
    static byte[] toBytes(float[] a, int offset, int length) {
        byte[] bytes = new byte[length * Float.BYTES];
        MemorySegment.copy(a, offset, MemorySegment.ofArray(bytes), LE_FLOAT, 0, length);
        return bytes;
    }

    /** The floats of little-endian {@code bytes}. */
    static float[] fromBytes(byte[] bytes) {
        return MemorySegment.ofArray(bytes).toArray(LE_FLOAT);
    }
}
