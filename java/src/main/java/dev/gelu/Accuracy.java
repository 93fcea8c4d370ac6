package dev.gelu;

/**
 * What a result promises about its distance from the exact value. Both accuracies give the
 * same special values (NaN → NaN, +∞ → +∞, −∞ → −0) and signed zeros, and each is one fixed
 * operation sequence, so every backend returns the same bits in either.
 *
 * @see Gelu#of(Form, Accuracy)
 */
public enum Accuracy {
    /**
     * The exact value rounded once to the output format (round to nearest, ties to even): the
     * default, and what every static method of {@link Gelu} computes.
     */
    CORRECTLY_ROUNDED,
    /**
     * One of the two floats around the exact value (the exact value itself when it is a
     * float), for float32. On all 2^32 inputs 0.41 % of the results (erf and tanh forms; quick
     * about 0.49 %) are the other neighbour than the correctly rounded one. It needs no exp on
     * the central range, so it is faster than the correctly rounded mode; by how much depends
     * on the instruction set and the inputs (bench/results/RESULTS.md in the sources).
     */
    FAITHFUL
}
