package dev.gelu.internal;

import dev.gelu.Form;

/**
 * One form's constants: the data that makes each algorithm's single body (the correctly rounded
 * kernel in {@link GeluMath}, the faithful one in {@link FaithfulMath}, the 16-bit one in
 * {@link HalfMath}, GELU′ in {@link BackwardMath}, and the Vector API loops) compute that form.
 * The tables are generated (Coefficients, FaithfulFloatCoefficients, HalfCoefficients,
 * BackwardCoefficients and the hard-case tables); the entries below only say which belong to
 * which form. A new form is a constant of {@link Form} and an entry here, which {@link #of}
 * (an exhaustive switch) does not compile without.
 *
 * <p>Every form is {@code GELU(x) = x·(1 − Q(|x|))} for {@code x ≥ 0} and {@code x·Q(|x|)} below,
 * with {@code Q(a)} the weight of the gate's far side, of one of two families:
 * <ul>
 *   <li>Gaussian, {@code Q(a) = Φ(−a) = G(a)·exp(−a²/2)} with G from a table (the erf form);</li>
 *   <li>logistic, {@code Q(a) = σ(−v) = e/(1 + e)}, {@code e = exp(−v)},
 *       {@code v = a·(c1 + c3·a²)}: the tanh form (twice tanh's argument), and the quick form with
 *       {@code c3 = 0}, for which {@code fma(c3, a², c1)} is {@code c1} exactly, so
 *       {@code v = c1·a} has the bits of the product.</li>
 * </ul>
 *
 * @param forward the correctly rounded float32 kernel's
 * @param faithful the faithful float32 kernel's
 * @param half the 16-bit kernel's
 * @param derivative GELU′'s, for the backward operation
 */
public record FormConstants(Forward forward, Faithful faithful, Half half, Derivative derivative) {

    /**
     * The correctly rounded kernel's, shared by every kernel that starts from its double y.
     *
     * @param gaussian Q's family: Gaussian, or logistic with {@code c1} and {@code c3}
     * @param amax |x| is held at this for Q, and x at −amax for the product: beyond it the result is x or −0
     * @param c1 logistic: v's linear coefficient
     * @param c3 logistic: v's cubic coefficient (0: v = c1·a)
     * @param hardInputs the inputs (float bits, sorted as unsigned) whose result the rounding test cannot decide
     * @param hardResults their correctly rounded results (float bits)
     */
    public record Forward(boolean gaussian, double amax, double c1, double c3, int[] hardInputs, int[] hardResults) {}

    /**
     * The faithful kernel's: y = x P(x) in float on the central range [lo, hi) of {@code central},
     * y = x from hi on, the float negative tail below lo ({@link FaithfulFloatTail}).
     *
     * @param central the central range, the piece map, P's 32 pieces and the tail's clamp (generated)
     */
    public record Faithful(FaithfulFloatCoefficients.Form central) {}

    /**
     * The 16-bit kernel's float fast path (the Vector API one; the scalar one takes the double y
     * of {@link Forward}).
     *
     * @param table Q and the tail's R on 32 pieces, coefficient p of piece k at [32p + k]
     * @param aScale the tail's E holds a at this; x below -aScale takes the double path
     * @param g4 G(4) in float, where E is 1
     * @param tailUlps y's bound in float ulps in a register with a lane of |x| >= 4
     * @param bf16ZeroBelow x at or below this gives −0 in bf16
     * @param f16ZeroBelow x at or below this gives −0 in f16
     * @param bf16Inputs bf16: the inputs (float bits, sorted as unsigned) the double path cannot decide
     * @param bf16Results bf16: their results (bits)
     * @param f16Inputs f16: the inputs the double path cannot decide
     * @param f16Results f16: their results (bits)
     */
    public record Half(
            float[] table,
            float aScale,
            float g4,
            int tailUlps,
            float bf16ZeroBelow,
            float f16ZeroBelow,
            int[] bf16Inputs,
            int[] bf16Results,
            int[] f16Inputs,
            int[] f16Results) {}

    /**
     * GELU′'s: a Gaussian form's from the H table of BackwardCoefficients, a logistic form's
     * from these.
     *
     * @param amax |x| is held at this
     * @param c1 logistic: v's linear coefficient
     * @param c3 logistic: v's cubic coefficient
     * @param d3 logistic: v′'s quadratic coefficient (v′ = c1 + d3·a²)
     * @param rHi logistic: the bracket 1 + e − a·v′ vanishes at a = rHi + rLo
     * @param rLo logistic: the low part of that root
     * @param root logistic: the bracket near its root, a polynomial in a − rHi
     * @param hardInputs the inputs (float bits, sorted as unsigned) whose GELU′ the rounding test cannot decide
     * @param hardResults their correctly rounded GELU′ (float bits)
     */
    public record Derivative(
            double amax,
            double c1,
            double c3,
            double d3,
            double rHi,
            double rLo,
            double[] root,
            int[] hardInputs,
            int[] hardResults) {}

    private static final FormConstants ERF = new FormConstants(
            new Forward(true, Coefficients.ERF_AMAX, 0.0, 0.0, HardCaseTable.ERF_X, HardCaseTable.ERF_Y),
            new Faithful(FaithfulFloatCoefficients.ERF),
            new Half(
                    HalfCoefficients.ERF,
                    HalfCoefficients.ERF_A_SCALE,
                    HalfCoefficients.ERF_G4,
                    HalfCoefficients.ERF_TAIL_ULPS,
                    HalfCoefficients.ERF_BF16_ZERO_BELOW,
                    HalfCoefficients.ERF_F16_ZERO_BELOW,
                    HalfHardCaseTable.ERF_BF16_X,
                    HalfHardCaseTable.ERF_BF16_Y,
                    HalfHardCaseTable.ERF_F16_X,
                    HalfHardCaseTable.ERF_F16_Y),
            new Derivative(
                    Coefficients.ERF_AMAX,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    null,
                    BackwardHardCaseTable.X[0],
                    BackwardHardCaseTable.Y[0]));

    private static final FormConstants TANH = new FormConstants(
            new Forward(
                    false,
                    Coefficients.TANH_WMAX,
                    Coefficients.TANH_C1,
                    Coefficients.TANH_C3,
                    HardCaseTable.TANH_X,
                    HardCaseTable.TANH_Y),
            new Faithful(FaithfulFloatCoefficients.TANH),
            new Half(
                    HalfCoefficients.TANH,
                    HalfCoefficients.TANH_A_SCALE,
                    HalfCoefficients.TANH_G4,
                    HalfCoefficients.TANH_TAIL_ULPS,
                    HalfCoefficients.TANH_BF16_ZERO_BELOW,
                    HalfCoefficients.TANH_F16_ZERO_BELOW,
                    HalfHardCaseTable.TANH_BF16_X,
                    HalfHardCaseTable.TANH_BF16_Y,
                    HalfHardCaseTable.TANH_F16_X,
                    HalfHardCaseTable.TANH_F16_Y),
            new Derivative(
                    Coefficients.TANH_WMAX,
                    Coefficients.TANH_C1,
                    Coefficients.TANH_C3,
                    BackwardCoefficients.TANH_D3,
                    BackwardCoefficients.TANH_R_HI,
                    BackwardCoefficients.TANH_R_LO,
                    BackwardCoefficients.TANH_ROOT,
                    BackwardHardCaseTable.X[1],
                    BackwardHardCaseTable.Y[1]));

    private static final FormConstants QUICK = new FormConstants(
            new Forward(
                    false,
                    Coefficients.QUICK_WMAX,
                    Coefficients.QUICK_C,
                    0.0,
                    HardCaseTable.QUICK_X,
                    HardCaseTable.QUICK_Y),
            new Faithful(FaithfulFloatCoefficients.QUICK),
            new Half(
                    HalfCoefficients.QUICK,
                    HalfCoefficients.QUICK_A_SCALE,
                    HalfCoefficients.QUICK_G4,
                    HalfCoefficients.QUICK_TAIL_ULPS,
                    HalfCoefficients.QUICK_BF16_ZERO_BELOW,
                    HalfCoefficients.QUICK_F16_ZERO_BELOW,
                    HalfHardCaseTable.QUICK_BF16_X,
                    HalfHardCaseTable.QUICK_BF16_Y,
                    HalfHardCaseTable.QUICK_F16_X,
                    HalfHardCaseTable.QUICK_F16_Y),
            new Derivative(
                    BackwardCoefficients.QUICK_WMAX,
                    BackwardCoefficients.QUICK_C1,
                    0.0,
                    0.0,
                    BackwardCoefficients.QUICK_R_HI,
                    BackwardCoefficients.QUICK_R_LO,
                    BackwardCoefficients.QUICK_ROOT,
                    BackwardHardCaseTable.X[2],
                    BackwardHardCaseTable.Y[2]));

    /** The constants of {@code form}: the one place a form is named (exhaustive, so a new form must be added). */
    public static FormConstants of(Form form) {
        return switch (form) {
            case ERF -> ERF;
            case TANH -> TANH;
            case QUICK -> QUICK;
        };
    }
}
