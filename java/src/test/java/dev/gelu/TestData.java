package dev.gelu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/** Inputs and the MPFR golden values shared by the tests. */
final class TestData {
    private TestData() {}

    /**
     * One golden row: x, then per form (in {@link Form}'s order, the file's columns) its
     * correctly rounded GELU and the side of the exact value relative to that float (+1 above,
     * -1 below, 0 the float itself).
     */
    record Golden(float x, float[] results, int[] sides) {
        float of(Form form) {
            return results[form.ordinal()];
        }

        /** Whether y is one of the two floats around the exact value, a zero with x's sign. */
        boolean faithful(Form form, float y) {
            float want = of(form);
            int side = sides[form.ordinal()];
            if (Float.floatToRawIntBits(y) == Float.floatToRawIntBits(want) || (Float.isNaN(want) && Float.isNaN(y))) {
                return true;
            }
            if (side == 0 || Float.isNaN(y) || (y == 0 && Math.copySign(1f, y) != Math.copySign(1f, x))) {
                return false;
            }
            return Float.floatToRawIntBits(y)
                    == Float.floatToRawIntBits(side > 0 ? Math.nextUp(want) : Math.nextDown(want));
        }
    }

    /** The rows of golden.tsv: {@code x}, each form's result, each form's side. */
    static List<Golden> golden() {
        int forms = Form.values().length;
        List<Golden> rows = new ArrayList<>();
        try (InputStream in = TestData.class.getResourceAsStream("golden.tsv.gz");
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(" ");
                float[] y = new float[forms];
                int[] side = new int[forms];
                for (int i = 0; i < forms; i++) {
                    y[i] = bits(f[1 + i]);
                    side[i] = side(f[1 + forms + i]);
                }
                rows.add(new Golden(bits(f[0]), y, side));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    private static int side(String s) {
        return s.equals("+") ? 1 : s.equals("-") ? -1 : 0;
    }

    private static float bits(String hex) {
        return Float.intBitsToFloat(Integer.parseUnsignedInt(hex, 16));
    }

    /** Random floats, mostly in [-16, 16], with specials, subnormals and NaN payloads mixed in. */
    static float[] inputs(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] specials = {
            0f,
            -0f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.MAX_VALUE,
            -Float.MAX_VALUE,
            Float.MIN_NORMAL,
            1e-40f,
            -3e-39f,
            Float.intBitsToFloat(0x7f800001),
            Float.intBitsToFloat(0xffc12345),
            -15f,
            15f,
            -12f,
            12f
        };
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(10);
            x[i] = switch (kind) {
                case 0 -> specials[rnd.nextInt(specials.length)];
                case 1 -> Float.intBitsToFloat(rnd.nextInt());
                default -> (float) (rnd.nextDouble() * 32 - 16);
            };
        }
        return x;
    }

    /** The value of a 16-bit code of the type, exactly. */
    static float value16(Storage t, int code) {
        return t == Storage.BF16 ? Float.intBitsToFloat(code << 16) : Float.float16ToFloat((short) code);
    }

    /**
     * The 16-bit code nearest to the finite double p, ties to the even code; half an ulp beyond
     * the largest finite value and more: infinity. A binary search over the type's values: an
     * oracle for a product rounded once, independent of the library's rounding code.
     */
    static int nearest16(Storage t, double p) {
        int inf = t == Storage.BF16 ? 0x7F80 : 0x7C00;
        double m = Math.abs(p);
        int lo = 0, hi = inf; // value16(lo) <= m < value16(hi)
        if (m >= value16(t, inf - 1)) {
            lo = inf - 1;
        } else {
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (value16(t, mid) <= m) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
        }
        double vlo = value16(t, lo);
        double vhi = lo + 1 == inf ? 2 * vlo - value16(t, lo - 1) : value16(t, lo + 1);
        double dlo = m - vlo, dhi = vhi - m;
        int pick = dlo < dhi ? lo : dhi < dlo ? lo + 1 : (lo & 1) == 0 ? lo : lo + 1;
        return pick | (Math.copySign(1.0, p) < 0 ? 0x8000 : 0);
    }
}
