package dev.gelu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gelu.Form;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The correctly rounded result of |x| < 2^-125 from x's bits ({@link GeluMath#tinyHalf}) against
 * the rounding of the double evaluation y it skips (whose Q_MAX keeps x/2 from being an exact
 * tie), on every fifth bit pattern of that range, both signs, and its ends.
 */
class TinyInputTest {
    @ParameterizedTest
    @EnumSource(Form.class)
    void bitsGiveTheRoundingOfTheDoubleEvaluation(Form form) {
        FormConstants.Forward f = FormConstants.of(form).forward();
        int bad = 0;
        String first = "";
        for (int m = 0; m < 0x01000000; m = m == 0 ? 1 : m + 5) {
            for (int b : new int[] {m, m | 0x80000000, 0x00FFFFFF, 0x80FFFFFF}) {
                float x = Float.intBitsToFloat(b);
                float want = (float) GeluMath.y(f, x);
                float got = GeluMath.correctlyRounded(f, x);
                if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(want) && bad++ == 0) {
                    first = String.format(
                            " (first: x bits 0x%08x, got 0x%08x, want 0x%08x)",
                            b, Float.floatToRawIntBits(got), Float.floatToRawIntBits(want));
                }
            }
        }
        assertEquals(0, bad, form + ": results that differ" + first);
    }
}
