package dev.gelu.internal.vector;

import static jdk.incubator.vector.VectorOperators.D2F;
import static jdk.incubator.vector.VectorOperators.F2I;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.L2I;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LT;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A double rounded once to bf16 or f16 in vector lanes, by the steps of {@code HalfMath.round}
 * and {@code HalfMath.bits}, so with their bits: 1.5 · 2^(q+52) added to |v| and taken away
 * again leaves |v| rounded to a multiple of 2^q, ties to even, q from v's exponent (e − 7 for
 * bf16, e − 10 for f16) held at the type's subnormal step; that value is a float, whose bits give
 * the type's. v must be a finite normal double or zero, below 2^900 in magnitude (so that q's
 * constant has an exponent); anything beyond the type's range gives its infinity.
 */
final class HalfRounding {
    private HalfRounding() {}

    /**
     * The type's bits of each lane of v (sign included) as ints of {@code is}; {@code fs} is the
     * float species of the same lane count. The species are the caller's constants, so that
     * every conversion has a constant target once this is inlined.
     */
    static IntVector bits(DoubleVector v, boolean bf16, VectorSpecies<Float> fs, VectorSpecies<Integer> is) {
        LongVector vb = v.reinterpretAsLongs();
        LongVector ab = vb.and(Long.MAX_VALUE);
        LongVector q = ab.lanewise(LSHR, 52).sub(bf16 ? 1023 + 7 : 1023 + 10).max(bf16 ? -133 : -24);
        DoubleVector c = q.add(52 + 1023).lanewise(LSHL, 52).or(1L << 51).reinterpretAsDoubles();
        FloatVector r = (FloatVector) ab.reinterpretAsDoubles().add(c).sub(c).convertShape(D2F, fs, 0);
        IntVector rb = r.reinterpretAsInts(); // exact: r has the type's precision (or is >= 2^128: infinity)
        IntVector bits;
        if (bf16) {
            bits = rb.lanewise(LSHR, 16);
        } else {
            IntVector normal = rb.lanewise(LSHR, 13).sub(112 << 10);
            IntVector subnormal = (IntVector) r.mul(0x1p24f).convertShape(F2I, is, 0);
            bits = normal.blend(subnormal, rb.compare(LT, 0x38800000)) // below 2^-14
                    .blend(0x7C00, rb.compare(GE, 0x47800000)); // 65536 and up
        }
        IntVector sign = ((IntVector) vb.lanewise(LSHR, 48).convertShape(L2I, is, 0)).and(0x8000);
        return bits.or(sign);
    }
}
