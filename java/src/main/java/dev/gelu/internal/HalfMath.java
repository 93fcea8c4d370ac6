package dev.gelu.internal;

import dev.gelu.Form;
import dev.gelu.Storage;

/**
 * 16-bit results by the double-precision path: the same steps as native/src/gelu_half.c (see
 * there for why each is there). The correctly rounded kernels' double y is rounded straight
 * to the 16-bit format; |x| below 2^-30 is x/2 nudged up by one double ulp, exact below that.
 */
public final class HalfMath {
    private HalfMath() {}

    private static final double TINY = 0x1p-30;

    /** GELU(x) rounded once to {@code type} (BF16 or F16), as raw bits. */
    public static short forward(Form form, Storage type, float x) {
        return forward(FormConstants.of(form), type, x);
    }

    /** GELU(x) rounded once to {@code type}, for the form whose constants are {@code c}. */
    public static short forward(FormConstants c, Storage type, float x) {
        if (Float.isNaN(x)) {
            return quietNaN(x, type);
        }
        int known = HardCases.indexOf(inputs(c.half(), type), x);
        if (known >= 0) {
            return (short) results(c.half(), type)[known];
        }
        FormConstants.Forward f = c.forward();
        double xd = x;
        if (Math.abs(xd) < TINY) {
            if (xd == 0.0) {
                return bits(xd, type);
            }
            double half = xd * 0.5;
            double up = Double.longBitsToDouble(Double.doubleToRawLongBits(half) + (half > 0 ? 1 : -1));
            return bits(round(up, type), type);
        }
        // beyond the clamps: -0, or from 20 on x minus less than 2^-49 x (quick; erf, tanh: 2^-280),
        // which rounds as the double below x
        if (xd <= -f.amax()) {
            return (short) 0x8000;
        }
        if (xd == Double.POSITIVE_INFINITY) { // GELU(+inf) = +inf; below, the double under x must be finite
            return (short) (type == Storage.BF16 ? 0x7F80 : 0x7C00);
        }
        if (xd >= 20.0) {
            return bits(round(Double.longBitsToDouble(Double.doubleToRawLongBits(xd) - 1), type), type);
        }
        double y = GeluMath.y(f, x);
        return bits(round(y * Coefficients.FLAG_LO, type), type);
    }

    /** The inputs of the hard-case table of a form and 16-bit type, sorted as unsigned. */
    public static int[] hardCaseInputs(Form form, Storage type) {
        return inputs(FormConstants.of(form).half(), type);
    }

    /** The results of the hard-case table, index for index with {@link #hardCaseInputs}. */
    public static int[] hardCaseResults(Form form, Storage type) {
        return results(FormConstants.of(form).half(), type);
    }

    private static int[] inputs(FormConstants.Half h, Storage type) {
        return type == Storage.BF16 ? h.bf16Inputs() : h.f16Inputs();
    }

    private static int[] results(FormConstants.Half h, Storage type) {
        return type == Storage.BF16 ? h.bf16Results() : h.f16Results();
    }

    /** The value of 16-bit bits as a float, exactly. */
    public static float widen(Storage type, short h) {
        return type == Storage.BF16 ? Float.intBitsToFloat(h << 16) : Float.float16ToFloat(h);
    }

    /** y (finite, not NaN) rounded to the format's precision, ties to even, as a double. */
    static double round(double y, Storage type) {
        if (y == 0.0) {
            return y;
        }
        int e = Math.getExponent(y); // y is a normal double here
        int q = type == Storage.BF16 ? Math.max(e - 7, -133) : Math.max(e - 10, -24);
        // c = 1.5 * 2^(q + 52): adding it rounds |y| to a multiple of 2^q
        double c = Double.longBitsToDouble(((long) (q + 52 + 1023) << 52) | (1L << 51));
        double r = (Math.abs(y) + c) - c;
        return y < 0 ? -r : r;
    }

    /** The bits of a value of the format, or of anything beyond its largest finite value. */
    static short bits(double r, Storage type) {
        if (type == Storage.BF16) {
            return (short) (Float.floatToRawIntBits((float) r) >>> 16);
        }
        int sign = Double.doubleToRawLongBits(r) < 0 ? 0x8000 : 0;
        double a = Math.abs(r);
        if (a >= 65536.0) {
            return (short) (sign | 0x7C00);
        }
        if (a < 0x1p-14) {
            return (short) (sign | (int) (a * 0x1p24));
        }
        return (short) (sign | ((Float.floatToRawIntBits((float) a) >>> 13) - (112 << 10)));
    }

    static short quietNaN(float x, Storage type) {
        int b = Float.floatToRawIntBits(x) | 0x00400000;
        if (type == Storage.BF16) {
            return (short) (b >>> 16);
        }
        return (short) (((b >>> 16) & 0x8000) | 0x7C00 | ((b >>> 13) & 0x3FF));
    }
}
