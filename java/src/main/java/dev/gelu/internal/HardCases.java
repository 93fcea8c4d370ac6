package dev.gelu.internal;

/**
 * The slow path of the rounding test, as in native/src/gelu_hard_cases.c: inputs whose fast
 * result the exhaustive checker found misrounded, with their correctly rounded result.
 */
public final class HardCases {
    private HardCases() {}

    /** The correct result for x if it is a known hard case, else {@code fast}. */
    public static float lookup(boolean tanh, float x, float fast) {
        int[] keys = tanh ? HardCaseTable.TANH_X : HardCaseTable.ERF_X;
        int key = Float.floatToRawIntBits(x);
        int lo = 0, hi = keys.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Integer.compareUnsigned(keys[mid], key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < keys.length && keys[lo] == key) {
            return Float.intBitsToFloat((tanh ? HardCaseTable.TANH_Y : HardCaseTable.ERF_Y)[lo]);
        }
        return fast;
    }
}
