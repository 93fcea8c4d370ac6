package example.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The model: one dense layer from {@link #IN} features to {@link #OUT} units with fixed,
 * deterministic weights (a stand-in for trained ones), followed by bias + GELU. The 4x
 * widening is the shape of a transformer's feed-forward block, where GELU sits.
 */
final class DenseLayer implements Serializable {
    private static final long serialVersionUID = 1L;

    static final int IN = 32;
    static final int OUT = 128;

    /** IN rows of OUT: row k holds input k's weight into every unit. */
    private final float[] weights = new float[IN * OUT];
    private final float[] bias = new float[OUT];

    DenseLayer() {
        // small multiples of 1/256 in [-0.5, 0.5]: exact floats, the same everywhere
        for (int k = 0; k < IN; k++) {
            for (int j = 0; j < OUT; j++) {
                weights[k * OUT + j] = ((k * 37 + j * 11) % 257 - 128) / 256f;
            }
        }
        for (int j = 0; j < OUT; j++) {
            bias[j] = (j % 17 - 8) / 16f;
        }
    }

    /** The bias, one value per unit (the caller must not change it). */
    float[] bias() {
        return bias;
    }

    /**
     * {@code z[r][j] = Σ_k x[r][k]·w[k][j]} for the first {@code rows} rows, k ascending. Java
     * rounds every product and sum to float (no fused multiply-add unless asked for), and the
     * order is fixed, so the bits are the same in the driver and in every executor, interpreted
     * or compiled; the inner loop runs along j, which the JIT vectorizes.
     *
     * @param x rows of {@link #IN} features, back to back
     * @param z rows of {@link #OUT} pre-activations, back to back
     * @param rows how many rows of x and z to use
     */
    void multiply(float[] x, float[] z, int rows) {
        for (int r = 0; r < rows; r++) {
            int zr = r * OUT;
            Arrays.fill(z, zr, zr + OUT, 0f);
            for (int k = 0; k < IN; k++) {
                float a = x[r * IN + k];
                int wk = k * OUT;
                for (int j = 0; j < OUT; j++) {
                    z[zr + j] += a * weights[wk + j];
                }
            }
        }
    }
}
