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

    /* The float32 backend's species (VectorKernels'), named constants so that every conversion
    below has a constant target. */
    private static final VectorSpecies<Float> FS = VectorKernels.FS;
    private static final VectorSpecies<Integer> IS = VectorKernels.IS;

    /**
     * The type's bits of each lane of v (sign included). The species are this class's
     * constants, never arguments: a method of vectors that C2 compiles on its own before its
     * callers (it runs once a vector, they once a call) is not inlined into them later when
     * that code is big, and with species for arguments it was (no constant target for the
     * conversions, every vector boxed): the f16 backward ran 0.05 Gelem/s instead of 1. The two
     * types differ only in scalars, chosen before any vector is made, as vectors merged at a
     * branch are boxed: bf16 takes the same steps with bounds no lane meets.
     */
    static IntVector bits(DoubleVector v, boolean bf16) {
        LongVector vb = v.reinterpretAsLongs();
        LongVector ab = vb.and(Long.MAX_VALUE);
        LongVector q = ab.lanewise(LSHR, 52).sub(bf16 ? 1023 + 7 : 1023 + 10).max(bf16 ? -133 : -24);
        DoubleVector c = q.add(52 + 1023).lanewise(LSHL, 52).or(1L << 51).reinterpretAsDoubles();
        FloatVector r = (FloatVector) ab.reinterpretAsDoubles().add(c).sub(c).convertShape(D2F, FS, 0);
        IntVector rb = r.reinterpretAsInts(); // exact: r has the type's precision (or is >= 2^128: infinity)
        IntVector subnormal = (IntVector) r.mul(0x1p24f).convertShape(F2I, IS, 0); // f16 below 2^-14
        IntVector bits = rb.lanewise(LSHR, bf16 ? 16 : 13)
                .sub(bf16 ? 0 : 112 << 10)
                .blend(subnormal, rb.compare(LT, bf16 ? 0 : 0x38800000))
                .blend(0x7C00, rb.compare(GE, bf16 ? Integer.MAX_VALUE : 0x47800000)); // f16: 65536 and up
        IntVector sign = ((IntVector) vb.lanewise(LSHR, 48).convertShape(L2I, IS, 0)).and(0x8000);
        return bits.or(sign);
    }
}
