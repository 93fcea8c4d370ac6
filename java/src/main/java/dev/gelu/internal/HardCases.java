package dev.gelu.internal;

import dev.gelu.Form;

/**
 * The slow path of the rounding test, as in native/src/gelu_hard_cases.c: inputs whose fast
 * result the exhaustive checker found misrounded, with their correctly rounded result.
 */
public final class HardCases {
    private HardCases() {}

    /** The correct result for x if it is a known hard case, else {@code fast}. */
    public static float lookup(Form form, float x, float fast) {
        int[] keys = switch (form) {
            case ERF -> HardCaseTable.ERF_X;
            case TANH -> HardCaseTable.TANH_X;
            case QUICK -> HardCaseTable.QUICK_X;
        };
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
            int[] values = switch (form) {
                case ERF -> HardCaseTable.ERF_Y;
                case TANH -> HardCaseTable.TANH_Y;
                case QUICK -> HardCaseTable.QUICK_Y;
            };
            return Float.intBitsToFloat(values[lo]);
        }
        return fast;
    }
}
