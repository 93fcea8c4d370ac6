package dev.gelu.internal;

/**
 * The slow path of every rounding test, as in native/src/gelu_hard_cases.c: the inputs whose
 * fast result the exhaustive checkers found misrounded (each form's in {@link FormConstants}),
 * with their correctly rounded results.
 */
final class HardCases {
    private HardCases() {}

    /** The index of x's bits in {@code keys} (sorted as unsigned, like the C tables), or -1. */
    static int indexOf(int[] keys, float x) {
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
        return lo < keys.length && keys[lo] == key ? lo : -1;
    }

    /** The float whose bits {@code results} holds for x if x is in {@code keys}, else {@code fast}. */
    static float lookup(int[] keys, int[] results, float x, float fast) {
        int i = indexOf(keys, x);
        return i < 0 ? fast : Float.intBitsToFloat(results[i]);
    }
}
