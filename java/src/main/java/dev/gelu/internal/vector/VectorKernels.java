package dev.gelu.internal.vector;

import static dev.gelu.internal.Coefficients.*;
import static jdk.incubator.vector.VectorOperators.D2F;
import static jdk.incubator.vector.VectorOperators.D2L;
import static jdk.incubator.vector.VectorOperators.F2D;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.L2D;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.NE;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.Backward;
import dev.gelu.internal.FormConstants;
import dev.gelu.internal.GeluKernels;
import dev.gelu.internal.GeluMath;
import dev.gelu.internal.HalfTables;
import dev.gelu.internal.ScalarKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API backend. For the Gaussian family (the erf form) it has the two tiers of the
 * AVX-512 kernel (native/src/gelu_forward_cr.h): the first evaluates Q to about 2^-36 and vouches for
 * a lane only when y*(1 -+ 2^-34) round to the same float; a block it cannot vouch for is redone
 * by the second tier, the lanes of the reference operation sequence (native/src/gelu_forward_ref.h), step for step,
 * which is all the logistic family (tanh, quick) runs. A form is data ({@link FormConstants}):
 * each loop takes its constants as arguments. Floats are widened to doubles of the preferred width (or
 * {@code -Dgelu.vector.bits}); G's 16-entry coefficient rows are looked up with two-vector
 * selects instead of gathers. A block with a lane flagged by the second tier's rounding test is
 * redone by {@link GeluMath}, which has the same bits and consults the hard-case table.
 * The faithful mode is {@link FaithfulVectorKernels}, in float.
 * {@code ./gelu verify} checks all 2^32 inputs of every form against the native library.
 *
 * <p>C2 compiles this well only while no vector is boxed: vectors never cross a call that is
 * not inlined, never merge at a branch, and each family has its own loop so that neither pushes
 * the other past the inlining budget.
 *
 * <p>Loaded by name only after the backend chooser has checked that {@code jdk.incubator.vector}
 * is readable, so no class of the fallback path refers to Vector API types.
 */
public final class VectorKernels implements GeluKernels {
    static final VectorSpecies<Double> DS = species();
    static final VectorSpecies<Float> FS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(DS.vectorBitSize() / 2));
    /* Same-width integral species, named constants so every conversion below has a constant
    target: species derived on the fly (withLanes, asIntegral) defeat the intrinsics. */
    static final VectorSpecies<Long> LS = VectorSpecies.of(long.class, VectorShape.forBitSize(DS.vectorBitSize()));
    static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, VectorShape.forBitSize(FS.vectorBitSize()));
    private static final int VL = DS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Fails with the reason when this JVM's vectors are too narrow to be worth it. */
    public VectorKernels() {
        if (VL < 4) {
            throw new UnsupportedOperationException("the preferred vector width is " + DS.vectorBitSize()
                    + " bits; the Vector API backend needs at least 256");
        }
    }

    private static VectorSpecies<Double> species() {
        String bits = System.getProperty("gelu.vector.bits");
        return bits == null
                ? DoubleVector.SPECIES_PREFERRED
                : VectorSpecies.of(double.class, VectorShape.forBitSize(Integer.parseInt(bits.trim())));
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public String isa() {
        return DS.vectorBitSize() + "-bit";
    }

    private static final ScalarKernels SCALAR = new ScalarKernels();

    /**
     * 16-bit outputs: of 16-bit inputs, a lookup of every input's result in {@link HalfTables} (2
     * Gelem/s whatever the data, about 3x this backend's float fast path on N(0, 1), which a
     * gather does not beat); of float32 inputs, {@link HalfVectorKernels}, or the scalar double
     * path on other widths.
     */
    @Override
    public void forward(Form form, Storage in, Storage out, MemorySegment src, MemorySegment dst, long count) {
        if (in != Storage.F32) {
            HalfTables.lookup(form, out, src, dst, count);
        } else if (HalfVectorKernels.usable()) {
            HalfVectorKernels.forward(form, out, src, dst, count);
        } else {
            SCALAR.forward(form, in, out, src, dst, count);
        }
    }

    /** 16-bit: {@link HalfBackward}; float32: {@link FloatBackward}; other widths element by element, as the scalar backend. */
    @Override
    public void backward(Form form, Storage type, MemorySegment x, MemorySegment dy, MemorySegment dx, long count) {
        if (type == Storage.F32 && FloatBackward.usable()) {
            FloatBackward.run(form, x, dy, dx, count);
        } else if (type != Storage.F32 && HalfBackward.usable()) {
            HalfBackward.run(form, type, x, dy, dx, count);
        } else {
            Backward.run(form, type, x, dy, dx, count);
        }
    }

    @Override
    public void forward(Form form, Accuracy accuracy, MemorySegment src, MemorySegment dst, long count) {
        // One loop per algorithm: C2 compiles each on its own, so no loop's inlined vector code
        // pushes another past the inlining budget (where vectors get boxed and 10x slower). The
        // form's constants are the loops' arguments.
        FormConstants c = FormConstants.of(form);
        if (accuracy == Accuracy.FAITHFUL) {
            FaithfulVectorKernels.forward(c, src, dst, count);
        } else if (c.forward().gaussian()) {
            gaussianLoop(c.forward(), src, dst, count);
        } else {
            logisticLoop(c.forward(), src, dst, count);
        }
    }

    // ---- correctly rounded

    /** The Gaussian family (erf): the first tier, and the second for the blocks it cannot vouch for. */
    private static void gaussianLoop(FormConstants.Forward f, MemorySegment src, MemorySegment dst, long count) {
        double amax = f.amax();
        long bound = count - count % VL;
        for (long i = 0; i < bound; i += VL) {
            FloatVector x = FloatVector.fromMemorySegment(FS, src, 4 * i, ORDER);
            // a lane with |x| < 2^-125, whose result is subnormal or the least normal: the
            // rounding test flags nearly every such result (a subnormal has fewer bits than it
            // assumes), and x86 converts a subnormal x slowly, so the block takes the scalar
            // code, which has such a result from x's bits (subnormal data 0.03 -> 0.3 Gelem/s)
            if (x.reinterpretAsInts().and(0x7FFFFFFF).compare(LT, 0x01000000).anyTrue()) {
                tinyBlock(f, src, dst, i);
                continue;
            }
            DoubleVector xd = (DoubleVector) x.convertShape(F2D, DS, 0);
            DoubleVector y = productFast(xd, erfQFast(atMost(xd.abs(), amax)), amax);
            if (vouched(y, FAST_FLAG_ERF_LO, FAST_FLAG_ERF_HI)) {
                ((FloatVector) y.convertShape(D2F, FS, 0)).intoMemorySegment(dst, 4 * i, ORDER);
            } else {
                secondTier(f, src, dst, i, VL);
            }
        }
        if (bound < count) {
            secondTier(f, src, dst, bound, (int) (count - bound));
        }
    }

    /**
     * The logistic family (tanh, quick): no table to drop, so its second tier is already what a
     * first tier would be.
     */
    private static void logisticLoop(FormConstants.Forward f, MemorySegment src, MemorySegment dst, long count) {
        double amax = f.amax(), c1 = f.c1(), c3 = f.c3();
        long bound = count - count % VL;
        for (long i = 0; i < bound; i += VL) {
            FloatVector x = FloatVector.fromMemorySegment(FS, src, 4 * i, ORDER);
            if (x.reinterpretAsInts().and(0x7FFFFFFF).compare(LT, 0x01000000).anyTrue()) { // as above
                tinyBlock(f, src, dst, i);
                continue;
            }
            store(f, logistic(x, amax, c1, c3), src, dst, i, VL, null);
        }
        if (bound < count) {
            logisticTail(f, src, dst, bound, (int) (count - bound));
        }
    }

    /**
     * One Gaussian block (n <= VL lanes at {@code at}) through the second tier. It reloads x, so
     * no vector crosses this call, and it is its own compilation unit, out of the loop's budget
     * (the logistic tail has its own, so neither inlines the other's code).
     */
    private static void secondTier(FormConstants.Forward f, MemorySegment src, MemorySegment dst, long at, int n) {
        VectorMask<Float> m = n == VL ? null : FS.indexInRange(0, n);
        FloatVector x = m == null
                ? FloatVector.fromMemorySegment(FS, src, 4 * at, ORDER)
                : FloatVector.fromMemorySegment(FS, src, 4 * at, ORDER, m);
        store(f, erf(x, f.amax()), src, dst, at, n, m);
    }

    /** The logistic family's last block (n < VL lanes at {@code at}), masked. */
    private static void logisticTail(FormConstants.Forward f, MemorySegment src, MemorySegment dst, long at, int n) {
        VectorMask<Float> m = FS.indexInRange(0, n);
        FloatVector x = FloatVector.fromMemorySegment(FS, src, 4 * at, ORDER, m);
        store(f, logistic(x, f.amax(), f.c1(), f.c3()), src, dst, at, n, m);
    }

    // ---- first tier

    /** y = x * (x < 0 ? Q : 1 - Q), x clamped at -amax; no cap on Q, unlike the second tier. */
    private static DoubleVector productFast(DoubleVector xd, DoubleVector q, double amax) {
        DoubleVector p = DoubleVector.broadcast(DS, 1.0).sub(q).blend(q, xd.compare(LT, 0.0));
        return xd.blend(-amax, xd.compare(LT, -amax)).mul(p);
    }

    /** Whether y*lo and y*hi round to the same float in every lane. */
    private static boolean vouched(DoubleVector y, double lo, double hi) {
        FloatVector l = (FloatVector) y.mul(lo).convertShape(D2F, FS, 0);
        FloatVector h = (FloatVector) y.mul(hi).convertShape(D2F, FS, 0);
        return !((IntVector) l.reinterpretShape(IS, 0))
                .compare(NE, h.reinterpretShape(IS, 0))
                .anyTrue();
    }

    /**
     * Q(a) = u exp(-a^2/2 + P(u)), u = 0.5/(1 + FAST_P a), as in the AVX-512 kernel but with P
     * by Horner's rule and the second tier's exp (no table): the C kernel's Estrin tree and
     * table lookup push this loop past C2's node budget, and then every vector is boxed. The
     * doubles differ from the C kernel's in the last bits; the floats it vouches for do not.
     */
    private static DoubleVector erfQFast(DoubleVector a) {
        DoubleVector u = DoubleVector.broadcast(DS, 0.5).div(a.fma(FAST_P, 1.0));
        DoubleVector p = DoubleVector.broadcast(DS, FAST_ERF[FAST_ERF_DEGREE]);
        for (int j = FAST_ERF_DEGREE - 1; j >= 0; j--) {
            p = p.fma(u, DoubleVector.broadcast(DS, FAST_ERF[j]));
        }
        return u.mul(expNeg(a.mul(a).fma(DoubleVector.broadcast(DS, -0.5), p)));
    }

    // ---- second tier

    /** The correctly rounded kernels' double y (GeluMath.y's bits for finite x), Gaussian family. */
    static DoubleVector erf(FloatVector x, double amax) {
        DoubleVector xd = (DoubleVector) x.convertShape(F2D, DS, 0);
        return product(xd, erfQ(atMost(xd.abs(), amax)), amax);
    }

    /** The correctly rounded kernels' double y (GeluMath.y's bits for finite x), logistic family. */
    static DoubleVector logistic(FloatVector x, double amax, double c1, double c3) {
        DoubleVector xd = (DoubleVector) x.convertShape(F2D, DS, 0);
        return product(xd, logisticQ(atMost(xd.abs(), amax), c1, c3), amax);
    }

    /** y = x * (x < 0 ? Q : 1 - Q), with x clamped at -amax, as in the C kernels. */
    private static DoubleVector product(DoubleVector xd, DoubleVector q, double amax) {
        q = atMost(q, Q_MAX);
        DoubleVector p = DoubleVector.broadcast(DS, 1.0).sub(q).blend(q, xd.compare(LT, 0.0));
        return xd.blend(-amax, xd.compare(LT, -amax)).mul(p);
    }

    /**
     * Rounds y to float and stores it, unless the rounding test flags a lane: then the block is
     * redone by the scalar code, which has the same bits and consults the hard-case table. No
     * vector crosses a call or merges with another, so none is ever boxed.
     */
    private static void store(
            FormConstants.Forward f,
            DoubleVector y,
            MemorySegment src,
            MemorySegment dst,
            long at,
            int n,
            VectorMask<Float> m) {
        FloatVector lo = (FloatVector) y.mul(FLAG_LO).convertShape(D2F, FS, 0);
        FloatVector hi = (FloatVector) y.mul(FLAG_HI).convertShape(D2F, FS, 0);
        VectorMask<Integer> flag = ((IntVector) lo.reinterpretShape(IS, 0)).compare(NE, hi.reinterpretShape(IS, 0));
        if (flag.anyTrue()) {
            scalarBlock(f, src, dst, at, n);
        } else if (m == null) {
            ((FloatVector) y.convertShape(D2F, FS, 0)).intoMemorySegment(dst, 4 * at, ORDER);
        } else {
            ((FloatVector) y.convertShape(D2F, FS, 0)).intoMemorySegment(dst, 4 * at, ORDER, m);
        }
    }

    /**
     * The scalar code on a block with a tiny lane, through a method handle C2 cannot treat as a
     * constant (the field is not final), so that it never inlines that code into the loop: once
     * the branch had been taken, the inlined scalar code left the loop a quarter slower.
     */
    private static MethodHandle scalarBlockHandle = scalarBlockHandle();

    private static MethodHandle scalarBlockHandle() {
        try {
            return MethodHandles.lookup()
                    .findStatic(
                            VectorKernels.class,
                            "scalarBlock",
                            MethodType.methodType(
                                    void.class,
                                    FormConstants.Forward.class,
                                    MemorySegment.class,
                                    MemorySegment.class,
                                    long.class,
                                    int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static void tinyBlock(FormConstants.Forward f, MemorySegment src, MemorySegment dst, long at) {
        try {
            scalarBlockHandle.invokeExact(f, src, dst, at, VL);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static void scalarBlock(FormConstants.Forward f, MemorySegment src, MemorySegment dst, long at, int n) {
        for (long i = at; i < at + n; i++) {
            dst.setAtIndex(F32, i, GeluMath.correctlyRounded(f, src.getAtIndex(F32, i)));
        }
    }

    /** v < max ? v : max, lane-wise, like the C code (NaN becomes max). */
    private static DoubleVector atMost(DoubleVector v, double max) {
        return v.blend(max, v.compare(LT, max).not());
    }

    /** exp(t) as GeluMath.expNeg, step for step (its bits). */
    static DoubleVector expNeg(DoubleVector t) {
        DoubleVector z = t.fma(LOG2E, EXP_SHIFT);
        DoubleVector k = z.sub(EXP_SHIFT);
        DoubleVector r = k.neg().fma(DoubleVector.broadcast(DS, LN2_HI), t);
        r = k.neg().fma(DoubleVector.broadcast(DS, LN2_LO), r);
        DoubleVector p = DoubleVector.broadcast(DS, EXP[EXP_DEGREE]);
        for (int j = EXP_DEGREE - 1; j >= 0; j--) {
            p = p.fma(r, DoubleVector.broadcast(DS, EXP[j]));
        }
        LongVector e = ((LongVector) z.reinterpretShape(LS, 0)).add(1023L).lanewise(LSHL, 52);
        return p.mul(e.reinterpretShape(DS, 0));
    }

    private static DoubleVector erfQ(DoubleVector a) {
        LongVector i = ((LongVector) a.convertShape(D2L, LS, 0)).min(G_PIECES - 1);
        DoubleVector idx = (DoubleVector) i.convertShape(L2D, DS, 0);
        DoubleVector s = a.sub(idx).sub(0.5);
        VectorMask<Double> upper = VL == 4 ? idx.compare(GE, 8.0) : null;
        DoubleVector g = coefficient(G, G_DEGREE, idx, upper);
        for (int j = G_DEGREE - 1; j >= 0; j--) {
            g = g.fma(s, coefficient(G, j, idx, upper));
        }
        return expNeg(a.mul(a).mul(-0.5)).mul(g);
    }

    /**
     * Row k of a coefficient-major 16-entry table at each lane's piece: one two-vector select
     * for 8 lanes, two for 4. The rows are loaded from the double[] each time (L1 hits):
     * vectors kept in an Object array would lose their exact type and with it the intrinsics.
     */
    static DoubleVector coefficient(double[] table, int k, DoubleVector idx, VectorMask<Double> upper) {
        int row = k * TABLE_WIDTH;
        DoubleVector v =
                idx.selectFrom(DoubleVector.fromArray(DS, table, row), DoubleVector.fromArray(DS, table, row + VL));
        return upper == null
                ? v
                : v.blend(
                        idx.selectFrom(
                                DoubleVector.fromArray(DS, table, row + 2 * VL),
                                DoubleVector.fromArray(DS, table, row + 3 * VL)),
                        upper);
    }

    /** e/(1 + e), e = exp(-v), v = w (c1 + c3 w^2): c3 = 0 makes the fma c1 and v = c1 w exactly. */
    private static DoubleVector logisticQ(DoubleVector w, double c1, double c3) {
        DoubleVector v = c3 == 0.0 ? w.mul(c1) : w.mul(w.mul(w).fma(c3, c1));
        DoubleVector e = expNeg(v.neg());
        return e.div(e.add(1.0));
    }
}
