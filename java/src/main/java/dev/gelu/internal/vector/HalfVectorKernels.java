package dev.gelu.internal.vector;

import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.F2I;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.I2S;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LT;

import dev.gelu.Form;
import dev.gelu.Storage;
import dev.gelu.internal.FormConstants;
import dev.gelu.internal.HalfCoefficients;
import dev.gelu.internal.HalfMath;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * 16-bit outputs on the Vector API: the float32 fast path of native/src/gelu_half_body.h (see
 * there), 16 or 8 lanes, for float32 inputs (narrowing); 16-bit inputs are a table lookup
 * ({@link dev.gelu.internal.HalfTables}), which is faster here than this path. The same 32
 * pieces of Q (and the tail's R), looked up by two-vector selects; a register with a lane of
 * |x| >= 4 (or a NaN) takes the tail's E in float, through short loops over up to 64 such
 * registers (see {@link #flushTail}). A lane whose window test does not decide, x below
 * -A_SCALE but above where the result turns -0, a NaN, and the last count % L elements are
 * queued and done by {@link HalfExactVector}, the double path of {@code HalfMath} in vector
 * lanes: the results are correctly rounded either way, so the bits are those of every backend.
 */
final class HalfVectorKernels {
    private HalfVectorKernels() {}

    /** The width of the float32 backend (-Dgelu.vector.bits or the preferred one), at most 512. */
    private static final VectorSpecies<Float> FS = VectorSpecies.of(
            float.class,
            VectorShape.forBitSize(Math.min(
                    512, Integer.getInteger("gelu.vector.bits", FloatVector.SPECIES_PREFERRED.vectorBitSize()))));

    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());
    private static final VectorSpecies<Short> SS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FS.vectorBitSize() / 2));
    private static final int L = FS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final int M = HalfCoefficients.ULPS;
    /** Each form's coefficient rows cut into vectors: [form][row][part], 32 / L parts. */
    private static final float[][][][] PARTS = Stream.of(Form.values())
            .map(f -> parts(FormConstants.of(f).half().table()))
            .toArray(float[][][][]::new);

    private static float[][][] parts(float[] table) {
        float[][][] p = new float[HalfCoefficients.DEGREE + 1][32 / L][L];
        for (int j = 0; j <= HalfCoefficients.DEGREE; j++) {
            for (int part = 0; part < 32 / L; part++) {
                System.arraycopy(table, 32 * j + part * L, p[j][part], 0, L);
            }
        }
        return p;
    }

    static boolean usable() {
        return L == 8 || L == 16;
    }

    /** Narrowing: float32 in, {@code out} (BF16 or F16) out. */
    static void forward(Form form, Storage out, MemorySegment src, MemorySegment dst, long count) {
        FormConstants f = FormConstants.of(form);
        FormConstants.Half half = f.half();
        float[][][] c = PARTS[form.ordinal()];
        float lo = -half.aScale(); // below, E leaves float's normal range: the double path
        boolean bf16 = out == Storage.BF16;
        float zeroBelow = bf16 ? half.bf16ZeroBelow() : half.f16ZeroBelow();
        // x at or above this gives +inf: bf16 at +inf only, f16 above 65520 (GELU(65520) < 65520
        // rounds to 65504; above, GELU(x) > 65520)
        float infFrom = bf16 ? Float.POSITIVE_INFINITY : Math.nextUp(65520.0f);
        // f16: |x| below this may give a subnormal result, which only the tail's store rounds
        // (|y| is about |x| / 2 there; tiny data through the double path ran 0.03-0.04 Gelem/s)
        float tiny = bf16 ? 0.0f : 0x1p-12f;
        Call call = new Call(f, bf16, lo, zeroBelow, infFrom, dst, count);
        long bound = count - count % L;
        float[] xs = new float[L];
        for (long i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(FS, src, 4 * i, ORDER);
            FloatVector ax = x.abs();
            FloatVector q = q(c, ax);
            // No vector crosses a call that is not inlined or merges at a branch (C2 would box
            // it): a register with a lane of |x| >= 4 (or a NaN, or for f16 a nonzero |x| below
            // 2^-12, whose result may be subnormal) waits, x and Q in arrays, for the tail's
            // passes (methods of their own, out of this loop's inlining budget; E is 1 below 4).
            // The rest have every |x| < 4: no -0 known from x, no infinity, nothing below lo.
            if (!ax.compare(LT, 4.0f)
                    .and(ax.compare(GE, tiny).or(ax.compare(EQ, 0.0f)))
                    .allTrue()) {
                if (x.compare(LE, zeroBelow).allTrue()) { // all -0 (x in [-60, -12]: 0.7x without this)
                    ShortVector.broadcast(SS, (short) 0x8000).intoMemorySegment(dst, 2 * i, ORDER);
                    continue;
                }
                Tail t = call.tail();
                x.intoArray(t.x, t.n * L); // x as read: in place, the stores cover part of src
                q.intoArray(t.q, t.n * L);
                t.at[t.n++] = i;
                if (t.n == t.registers) {
                    flushTail(form, call);
                }
                continue;
            }
            long left = central(ax.neg().fma(q, positive(x)), bf16, dst, i);
            if (left != 0) {
                x.intoArray(xs, 0);
                call.leave(xs, 0, left, i);
            }
        }
        if (call.tail != null) {
            flushTail(form, call);
        }
        for (long i = bound; i < count; i++) {
            call.lanes().add(src.getAtIndex(F32, i), i);
        }
        if (call.lanes != null) {
            call.lanes.flush(f, bf16, dst);
        }
    }

    /** One call's constants, and its queues (made when first needed). */
    private static final class Call {
        final FormConstants f;
        final boolean bf16;
        final float lo, zeroBelow, infFrom;
        final MemorySegment dst;
        final long count;
        /** erf works with 2G, 2 ln 2 and 2r: k = 2; the others 1. */
        final float k;

        Queue lanes;
        Tail tail;

        Call(FormConstants f, boolean bf16, float lo, float zeroBelow, float infFrom, MemorySegment dst, long count) {
            this.count = count;
            this.k = f.forward().gaussian() ? 2.0f : 1.0f;
            this.f = f;
            this.bf16 = bf16;
            this.lo = lo;
            this.zeroBelow = zeroBelow;
            this.infFrom = infFrom;
            this.dst = dst;
        }

        Queue lanes() {
            if (lanes == null) {
                lanes = new Queue(count);
            }
            return lanes;
        }

        Tail tail() {
            if (tail == null) {
                tail = new Tail(count);
            }
            return tail;
        }

        /** The lanes of mask (x from a[off...]) of the register at element i to the double path. */
        void leave(float[] a, int off, long mask, long i) {
            Queue q = lanes();
            q.add(a, off, mask, i);
            if (q.full()) {
                q.flush(f, bf16, dst);
            }
        }
    }

    /** Registers with a lane of |x| >= 4: their x and Q, their places, then the lanes they leave. */
    private static final class Tail {
        static final int REGISTERS = 64;
        final int registers;
        final float[] x, q, g, e, mn;
        final long[] at, left;
        int n;

        /** For a call of count elements: no more registers than it has. */
        Tail(long count) {
            registers = (int) Math.max(1, Math.min(REGISTERS, count / L));
            x = new float[registers * L];
            q = new float[registers * L];
            g = new float[registers * L];
            e = new float[registers * L];
            mn = new float[registers * L];
            at = new long[registers];
            left = new long[registers];
        }
    }

    /**
     * A pass over the waiting registers: G (one a form), the reduction, E, y, the store. Each
     * is a loop of its own, called through this interface from one call site that sees seven
     * classes, which C2 does not inline: inlined into one method (which it did when that method
     * was compiled first), their vector operations exhausted its node budget and it boxed their
     * vectors, at a sixth of the speed or less.
     */
    @FunctionalInterface
    private interface Pass {
        void run(Call call, Tail t);
    }

    private static final Pass[][] PASSES = {
        {
            HalfVectorKernels::tailErf,
            HalfVectorKernels::tailReduce,
            HalfVectorKernels::tailScale,
            HalfVectorKernels::tailY,
            HalfVectorKernels::tailStore
        },
        {
            HalfVectorKernels::tailTanh,
            HalfVectorKernels::tailReduce,
            HalfVectorKernels::tailScale,
            HalfVectorKernels::tailY,
            HalfVectorKernels::tailStore
        },
        {
            HalfVectorKernels::tailQuick,
            HalfVectorKernels::tailReduce,
            HalfVectorKernels::tailScale,
            HalfVectorKernels::tailY,
            HalfVectorKernels::tailStore
        },
    };

    /** The waiting registers through their passes, then the lanes they leave to the queue. */
    private static void flushTail(Form form, Call call) {
        Tail t = call.tail;
        for (Pass p : PASSES[form.ordinal()]) {
            p.run(call, t);
        }
        for (int r = 0; r < t.n; r++) {
            if (t.left[r] != 0) {
                call.leave(t.x, r * L, t.left[r], t.at[r]);
            }
        }
        t.n = 0;
    }

    /**
     * The lanes the float path leaves, with their places, until {@link HalfExactVector} does them
     * a vector at a time and stores each result over the float path's. Their x are copies, so a
     * narrowing in place (whose stores cover the floats already read) keeps them.
     */
    private static final class Queue {
        private static final int CAPACITY = 512;
        /**
         * Fewer lanes than this (N(0, 1)'s few a call) go to HalfMath one by one: vector code
         * that runs that rarely is not compiled yet, and interpreted it cost N(0, 1) half its speed.
         */
        private static final int FEW = 64;

        private final int capacity;
        private final float[] x;
        private final long[] at;
        private final int[] out;
        private final double[] y;
        private int n;

        /** For a call of count elements: no larger than it needs (a short call allocates little). */
        Queue(long count) {
            capacity = (int) Math.min(CAPACITY, count);
            x = new float[capacity + L + HalfExactVector.VL];
            at = new long[capacity + L];
            out = new int[capacity + L + HalfExactVector.VL];
            y = new double[capacity + L + HalfExactVector.VL];
        }

        void add(float[] lanes, int off, long mask, long i) {
            for (; mask != 0; mask &= mask - 1) {
                int l = Long.numberOfTrailingZeros(mask);
                x[n] = lanes[off + l];
                at[n++] = i + l;
            }
        }

        void add(float v, long i) {
            x[n] = v;
            at[n++] = i;
        }

        boolean full() {
            return n >= capacity;
        }

        void flush(FormConstants f, boolean bf16, MemorySegment dst) {
            if (n < FEW) {
                Storage type = bf16 ? Storage.BF16 : Storage.F16;
                for (int k = 0; k < n; k++) {
                    dst.setAtIndex(U16, at[k], HalfMath.forward(f, type, x[k]));
                }
                n = 0;
                return;
            }
            int padded = n + (HalfExactVector.VL - n % HalfExactVector.VL) % HalfExactVector.VL;
            Arrays.fill(x, n, padded, 0.0f);
            HalfExactVector.run(f, bf16, x, y, out, padded);
            for (int k = 0; k < n; k++) {
                dst.setAtIndex(U16, at[k], (short) out[k]);
            }
            n = 0;
        }
    }

    /**
     * Q(a) from the 32 pieces (gelu_half_q): r = min(4a, a + 12) is 4a below 4 (exact) and a + 12
     * from 4 on, held below 32; k = trunc(r) picks the piece, t = r - k - 1/2. 4a is
     * fma(a, 4, 2^-100), as in C.
     */
    private static FloatVector q(float[][][] c, FloatVector ax) {
        FloatVector r = ax.fma(4.0f, 0x1p-100f).min(ax.add(12.0f)).min(HalfCoefficients.R_MAX);
        FloatVector kf = (FloatVector) ((IntVector) r.convertShape(F2I, IS, 0)).convertShape(I2F, FS, 0);
        FloatVector t = r.sub(kf).sub(0.5f);
        FloatVector q = lookup(c[HalfCoefficients.DEGREE], kf);
        for (int j = HalfCoefficients.DEGREE - 1; j >= 0; j--) {
            q = q.fma(t, lookup(c[j], kf));
        }
        return q;
    }

    /** |x| held at 2^64 by its bits (NaN and the infinities too), so nothing overflows. */
    private static FloatVector held(FloatVector x) {
        return x.reinterpretAsInts().and(0x7FFFFFFF).min(0x5F800000).reinterpretAsFloats();
    }

    /** max(0, x), with -0 kept. */
    private static FloatVector positive(FloatVector x) {
        return FloatVector.zero(FS).blend(x, x.compare(GE, 0.0f));
    }

    /**
     * y rounded to the type and stored at element i of dst, with the results known from x (-0
     * at or below zeroBelow, +inf from infFrom); returns the lanes left to the double path (x
     * below lo, a NaN, or a rounding the window of m float ulps does not decide). One method a
     * type, each small enough for C2 to inline (one for both was not, and its vectors were boxed).
     */
    private static long store(
            FloatVector x,
            FloatVector y,
            int m,
            boolean bf16,
            float lo,
            float zeroBelow,
            float infFrom,
            MemorySegment dst,
            long i) {
        return bf16 ? storeBf16(x, y, m, lo, zeroBelow, dst, i) : storeF16(x, y, m, lo, zeroBelow, infFrom, dst, i);
    }

    /** y (every |x| < 4) rounded and stored; returns the lanes the window of M ulps leaves. */
    private static long central(FloatVector y, boolean bf16, MemorySegment dst, long i) {
        return bf16 ? centralBf16(y, dst, i) : centralF16(y, dst, i);
    }

    private static long centralBf16(FloatVector y, MemorySegment dst, long i) {
        IntVector b = y.reinterpretAsInts();
        VectorMask<Integer> undecided = b.add(M - 0x8000).and(0xFFFF).compare(LE, 2 * M);
        IntVector bits = b.add(0x8000).lanewise(LSHR, 16);
        ((ShortVector) bits.convertShape(I2S, SS, 0)).intoMemorySegment(dst, 2 * i, ORDER);
        return undecided.toLong();
    }

    private static long centralF16(FloatVector y, MemorySegment dst, long i) {
        IntVector b = y.reinterpretAsInts();
        IntVector ab = b.and(0x7FFFFFFF);
        VectorMask<Integer> zero = ab.compare(EQ, 0);
        VectorMask<Integer> normal = ab.compare(GE, 0x38800000).and(ab.compare(LT, 0x477FE000));
        VectorMask<Integer> undecided = b.add(M - 0x1000)
                .and(0x1FFF)
                .compare(LE, 2 * M)
                .or(normal.or(zero).not());
        IntVector bits = ab.sub(0x38000000 - 0x1000)
                .lanewise(LSHR, 13)
                .blend(0, zero)
                .or(b.lanewise(LSHR, 16).and(0x8000));
        ((ShortVector) bits.convertShape(I2S, SS, 0)).intoMemorySegment(dst, 2 * i, ORDER);
        return undecided.toLong();
    }

    private static long storeBf16(
            FloatVector x, FloatVector y, int m, float lo, float zeroBelow, MemorySegment dst, long i) {
        VectorMask<Float> gone = x.compare(LE, zeroBelow); // -inf too
        VectorMask<Float> inf = x.compare(EQ, Float.POSITIVE_INFINITY);
        VectorMask<Float> slow = x.compare(GE, lo).not().andNot(gone); // NaN too
        IntVector b = y.reinterpretAsInts();
        VectorMask<Integer> undecided = b.add(m - 0x8000).and(0xFFFF).compare(LE, 2 * m);
        IntVector bits =
                b.add(0x8000).lanewise(LSHR, 16).blend(0x8000, gone.cast(IS)).blend(0x7F80, inf.cast(IS));
        ((ShortVector) bits.convertShape(I2S, SS, 0)).intoMemorySegment(dst, 2 * i, ORDER);
        return undecided.cast(FS).andNot(gone).andNot(inf).or(slow).toLong();
    }

    /**
     * f16 takes its subnormal results here too (most of the tail's lanes above where f16 turns
     * -0 are subnormal, and went to the double path): u = |y| 2^24 (exact, below 2^10) rounds
     * to the result's bits k, decided where u's fraction is farther from 1/2 than y's error, m
     * ulps of y, at most m 2^-14 in u (k = 1024 is the least normal's bits).
     */
    private static long storeF16(
            FloatVector x, FloatVector y, int m, float lo, float zeroBelow, float infFrom, MemorySegment dst, long i) {
        VectorMask<Float> gone = x.compare(LE, zeroBelow); // -inf too
        VectorMask<Float> inf = x.compare(GE, infFrom);
        VectorMask<Float> slow = x.compare(GE, lo).not().andNot(gone); // NaN too
        IntVector b = y.reinterpretAsInts();
        IntVector ab = b.and(0x7FFFFFFF);
        VectorMask<Integer> sub = ab.compare(LT, 0x38800000); // below 2^-14, zeros too
        FloatVector u = y.abs().mul(0x1p24f);
        IntVector k = (IntVector) u.convertShape(F2I, IS, 0);
        FloatVector frac = u.sub((FloatVector) k.convertShape(I2F, FS, 0));
        VectorMask<Integer> tie = frac.sub(0.5f).abs().compare(LE, m * 0x1p-13f).cast(IS);
        VectorMask<Integer> undecided = b.add(m - 0x1000)
                .and(0x1FFF)
                .compare(LE, 2 * m)
                .or(ab.compare(GE, 0x477FE000))
                .andNot(sub)
                .or(tie.and(sub));
        IntVector bits = ab.sub(0x38000000 - 0x1000)
                .lanewise(LSHR, 13)
                .blend(k.add(1, frac.compare(GT, 0.5f).cast(IS)), sub)
                .or(b.lanewise(LSHR, 16).and(0x8000))
                .blend(0x8000, gone.cast(IS))
                .blend(0x7C00, inf.cast(IS));
        ((ShortVector) bits.convertShape(I2S, SS, 0)).intoMemorySegment(dst, 2 * i, ORDER);
        return undecided.cast(FS).andNot(gone).andNot(inf).or(slow).toLong();
    }

    /*
     * Registers with a lane of |x| >= 4: Q times the tail's E(a) = exp(-(G(a) - G4)) for a held
     * to [4, A_SCALE], gelu_half_tail_e's operations (see there) without its deep scaling (those
     * lanes, below -A_SCALE, take the double path here). Below 4, E = 1 exactly, so the other
     * lanes keep their Q; the window is the tail's. In short loops through arrays: C2 parses
     * each Vector API operation into hundreds of nodes, and a method of more than about twenty
     * of them runs out (NodeCountInliningCutoff), leaves calls out, and boxes their vectors
     * (the whole of E in one loop ran at a sixth of the speed).
     */

    /** G = g - e exactly, into t.g and t.e: erf's 2G = a^2 (erf works with 2 ln 2 and 2r). */
    private static void tailErf(Call call, Tail t) {
        float aScale = call.f.half().aScale();
        for (int r = 0; r < t.n * L; r += L) {
            FloatVector a = held(FloatVector.fromArray(FS, t.x, r)).max(4.0f).min(aScale);
            FloatVector g = a.mul(a);
            g.intoArray(t.g, r);
            a.neg().fma(a, g).intoArray(t.e, r);
        }
    }

    /** tanh's G = C3 a^3 + a: a^2 = hh - hn, a hh = cu - cn, C3 cu = p - pn exactly, p + a = g - sn exactly. */
    private static void tailTanh(Call call, Tail t) {
        float aScale = call.f.half().aScale();
        FloatVector c3 = bc(HalfCoefficients.TANH_C3);
        for (int r = 0; r < t.n * L; r += L) {
            FloatVector a = held(FloatVector.fromArray(FS, t.x, r)).max(4.0f).min(aScale);
            FloatVector hh = a.mul(a),
                    hn = a.neg().fma(a, hh),
                    cu = a.mul(hh),
                    cn = a.neg().fma(hh, cu);
            FloatVector p = c3.mul(cu), pn = c3.neg().fma(cu, p);
            FloatVector g = p.add(a);
            g.intoArray(t.g, r);
            c3.fma(a.fma(hn, cn), pn).add(g.sub(p).sub(a)).intoArray(t.e, r);
        }
    }

    /** quick's G = a C. */
    private static void tailQuick(Call call, Tail t) {
        float aScale = call.f.half().aScale();
        FloatVector c = bc(HalfCoefficients.QUICK_C);
        for (int r = 0; r < t.n * L; r += L) {
            FloatVector a = held(FloatVector.fromArray(FS, t.x, r)).max(4.0f).min(aScale);
            FloatVector g = a.mul(c);
            g.intoArray(t.g, r);
            a.neg().fma(c, g).intoArray(t.e, r);
        }
    }

    /**
     * From G = g - e (k G for erf, k = 2): -n = round(-(g - G4) / ln 2) into t.mn, and r = G -
     * G4 - n ln 2 into t.g, as fma(-n, k ln2_hi, u) - v with (u, v) = (g - G4, 0) for erf (there
     * g - G4 is exact) and (g, G4) for the others; the same operations as the C kernels.
     */
    private static void tailReduce(Call call, Tail t) {
        float k = call.k;
        float g4 = k * call.f.half().g4();
        boolean erf = k == 2.0f;
        float u4 = erf ? g4 : 0.0f, v4 = erf ? 0.0f : g4;
        FloatVector hi = bc(k * HalfCoefficients.LN2_HI), lo = bc(k * HalfCoefficients.LN2_LO);
        for (int r = 0; r < t.n * L; r += L) {
            FloatVector g = FloatVector.fromArray(FS, t.g, r);
            FloatVector mn =
                    g.sub(g4).mul(-HalfCoefficients.LOG2E / k).add(0x1.8p23f).sub(0x1.8p23f); // to nearest
            mn.intoArray(t.mn, r);
            mn.fma(lo, mn.fma(hi, g.sub(u4)).sub(v4))
                    .sub(FloatVector.fromArray(FS, t.e, r))
                    .intoArray(t.g, r);
        }
    }

    /** Q E into t.q: E = 2^-n (1 + r S(r)), S's coefficient j over k^(j+1) (s). */
    private static void tailScale(Call call, Tail t) {
        float[] s = EXP_S[call.k == 2.0f ? 1 : 0];
        int degree = s.length - 1;
        for (int i = 0; i < t.n * L; i += L) {
            FloatVector r = FloatVector.fromArray(FS, t.g, i);
            FloatVector p = bc(s[degree]);
            for (int j = degree - 1; j >= 0; j--) {
                p = p.fma(r, bc(s[j]));
            }
            // 2^mn from its bits: mn is an integer in [-127, 0] here, E a normal float
            IntVector n = ((IntVector) FloatVector.fromArray(FS, t.mn, i).convertShape(F2I, IS, 0))
                    .add(127)
                    .lanewise(LSHL, 23);
            r.fma(p, bc(1.0f))
                    .mul(n.reinterpretAsFloats())
                    .mul(FloatVector.fromArray(FS, t.q, i))
                    .intoArray(t.q, i);
        }
    }

    /** The waiting registers' y from x and Q E (in t.q), into t.g. */
    private static void tailY(Call call, Tail t) {
        for (int r = 0; r < t.n * L; r += L) {
            FloatVector x = FloatVector.fromArray(FS, t.x, r);
            held(x).neg().fma(FloatVector.fromArray(FS, t.q, r), positive(x)).intoArray(t.g, r);
        }
    }

    /** The waiting registers' y (in t.g) rounded and stored; their left lanes into t.left. */
    private static void tailStore(Call call, Tail t) {
        int m = call.f.half().tailUlps();
        for (int r = 0; r < t.n; r++) {
            FloatVector x = FloatVector.fromArray(FS, t.x, r * L), y = FloatVector.fromArray(FS, t.g, r * L);
            t.left[r] = store(x, y, m, call.bf16, call.lo, call.zeroBelow, call.infFrom, call.dst, t.at[r]);
        }
    }

    /** S's coefficients for k = 1 and k = 2 (erf): coefficient j over k^(j+1), exactly. */
    private static final float[][] EXP_S = {scaled(1.0f), scaled(2.0f)};

    private static float[] scaled(float k) {
        float[] es = HalfCoefficients.EXP_S;
        float[] s = new float[es.length];
        float scale = 1.0f / k;
        for (int j = 0; j < es.length; j++) {
            s[j] = es[j] * scale;
            scale /= k;
        }
        return s;
    }

    private static FloatVector bc(float v) {
        return FloatVector.broadcast(FS, v);
    }

    /** Row entry kf (a float index in [0, 32)) from the row's 32 / L parts. */
    private static FloatVector lookup(float[][] row, FloatVector kf) {
        if (L == 16) {
            return kf.selectFrom(FloatVector.fromArray(FS, row[0], 0), FloatVector.fromArray(FS, row[1], 0));
        }
        FloatVector a =
                kf.min(15.0f).selectFrom(FloatVector.fromArray(FS, row[0], 0), FloatVector.fromArray(FS, row[1], 0));
        FloatVector b = kf.sub(16.0f)
                .max(0.0f)
                .selectFrom(FloatVector.fromArray(FS, row[2], 0), FloatVector.fromArray(FS, row[3], 0));
        return a.blend(b, kf.compare(GE, 16.0f));
    }
}
