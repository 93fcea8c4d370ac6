package dev.gelu;

/**
 * The GELU definitions, each with its constants taken as exact real numbers.
 *
 * @see Gelu#of(Form, Accuracy)
 */
public enum Form {
    /** {@code x·Φ(x) = x/2·erfc(−x/√2)}: PyTorch's default, {@code approximate='none'}. */
    ERF,
    /** {@code x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))}: GPT-2, {@code approximate='tanh'}. */
    TANH,
    /**
     * {@code x·σ(1.702x) = x/(1 + e^(−1.702x))}, with 1.702 the exact decimal: the "quick" GELU
     * of CLIP and others. Like the other forms: correctly rounded in every storage type, and
     * faithful in float32.
     */
    QUICK
}
