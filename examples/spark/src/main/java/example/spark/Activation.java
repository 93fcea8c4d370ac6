package example.spark;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;

/**
 * bias + GELU over a batch of rows, in place: what the job does after the dense layer. Sent to
 * the executors inside the task closure, so it holds only serializable values (a {@link Form},
 * not a {@link Gelu}).
 */
sealed interface Activation extends Serializable {
    /**
     * {@code z[r][j] = GELU(z[r][j] + bias[j])} for the first {@code rows} rows of
     * {@code bias.length} values.
     *
     * @param z the pre-activations, overwritten with the results
     * @param bias one value per column
     * @param rows how many rows of z to use (z may be longer)
     */
    void apply(float[] z, float[] bias, int rows);

    /** gelu-ffm's fused bias + GELU, correctly rounded, on the heap array itself (no copy). */
    record Library(Form form) implements Activation {
        @Override
        public void apply(float[] z, float[] bias, int rows) {
            MemorySegment y = MemorySegment.ofArray(z);
            Gelu.of(form).bias(y, MemorySegment.ofArray(bias), y, rows, bias.length, bias.length, bias.length);
        }
    }

    /**
     * The tanh form as one writes it in plain Java: {@code x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))}
     * in double through {@link Math#tanh}, rounded to float; the benchmark's baseline.
     */
    record JavaTanh() implements Activation {
        private static final double K = Math.sqrt(2 / Math.PI);

        @Override
        public void apply(float[] z, float[] bias, int rows) {
            int cols = bias.length;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    double x = z[r * cols + j] + bias[j];
                    z[r * cols + j] = (float) (0.5 * x * (1 + Math.tanh(K * (x + 0.044715 * x * x * x))));
                }
            }
        }
    }

    /** bias without GELU: the benchmark's floor, the job's cost apart from the activation. */
    record BiasOnly() implements Activation {
        @Override
        public void apply(float[] z, float[] bias, int rows) {
            int cols = bias.length;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    z[r * cols + j] += bias[j];
                }
            }
        }
    }
}
