package dev.gelu;

/**
 * How values are stored: the element type of the input and output memory.
 *
 * <p>16-bit values travel as their raw bits: in a {@code short[]}, or in a segment as
 * native-order 16-bit words. A 16-bit result is always correctly rounded straight to its
 * format (the exact value rounded once, not through a float32 result: that would round twice
 * and be wrong for every odd bf16 subnormal, for instance).
 *
 * @see Gelu#storage(Storage)
 * @see Gelu#storage(Storage, Storage)
 */
public enum Storage {
    /** IEEE 754 binary32, {@code float}. */
    F32(4),
    /**
     * bfloat16: the top half of a float32 (8 significant bits, float32's exponent range).
     * Widening is exact: {@code Float.intBitsToFloat(bits << 16)}.
     */
    BF16(2),
    /**
     * IEEE 754 binary16 (11 significant bits, largest finite 65504, least subnormal 2^-24), as
     * {@link Float#float16ToFloat(short)} reads it.
     */
    F16(2);

    private final int bytes;

    Storage(int bytes) {
        this.bytes = bytes;
    }

    /**
     * The size of one element.
     *
     * @return 4 or 2
     */
    public int bytes() {
        return bytes;
    }
}
