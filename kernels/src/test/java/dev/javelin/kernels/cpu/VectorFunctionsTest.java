package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.javelin.tensor.Op;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** The public functions give exactly the bits of the backend's loops, and the documented accuracy. */
class VectorFunctionsTest {
    @Test
    void functionsMatchTheKernelLoopsBitForBit() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        int n = s.length() * 257;
        long seed = System.nanoTime();
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble(-30, 30) * (r.nextInt(8) == 0 ? 4 : 1));
        x[0] = Float.NaN;
        x[1] = 0f;
        x[2] = Float.NEGATIVE_INFINITY;
        x[3] = Float.POSITIVE_INFINITY;
        check(Op.EXP, VectorFunctions::exp, x, Math::exp, 1, seed);
        check(Op.EXP, VectorFunctions::expCompact, x, Math::exp, 1, seed);
        check(Op.TANH, VectorFunctions::tanh, x, Math::tanh, 2.5, seed);
        check(Op.SIGMOID, VectorFunctions::sigmoid, x, v -> 1 / (1 + Math.exp(-v)), 3, seed);
        check(Op.ERF, VectorFunctions::erf, x, dev.javelin.tensor.spi.SpecialFunctions::erf, 3, seed);
        float[] pos = new float[n];
        for (int i = 0; i < n; i++) pos[i] = (float) Math.exp(r.nextDouble(-80, 80));
        check(Op.LOG, VectorFunctions::log, pos, Math::log, 1, seed);
    }

    /**
     * tanh's 2x is clamped to [-20, 20]: every float from 8 to 12 (both signs) matches the loop and is
     * within 2.5 ulp; so is every float where its error peaks (near 0.008 and 4.5, both signs).
     */
    @Test
    void tanhAroundItsClampAndItsWorstCasesMatchesTheKernelLoopForEveryFloat() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        sweep(Op.TANH, VectorFunctions::tanh, Math::tanh, 2.5, 8f, 12f, true);
        sweep(Op.TANH, VectorFunctions::tanh, Math::tanh, 2.5, 0.007f, 0.009f, true);
        sweep(Op.TANH, VectorFunctions::tanh, Math::tanh, 2.5, 4f, 5f, true);
    }

    /** tanh keeps the sign of zero, as Math.tanh does. */
    @Test
    void tanhOfMinusZeroIsMinusZero() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        float[] out = new float[FloatVector.SPECIES_PREFERRED.length()];
        VectorFunctions.tanh(FloatVector.broadcast(FloatVector.SPECIES_PREFERRED, -0f)).intoArray(out, 0);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(out[0]));
    }

    /** sigmoid's exp is clamped to -x in [-20, 88]: every float around both ends matches the loop and the accuracy. */
    @Test
    void sigmoidAroundItsClampsMatchesTheKernelLoopForEveryFloat() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        sweep(Op.SIGMOID, VectorFunctions::sigmoid, v -> 1 / (1 + Math.exp(-v)), 3, 18f, 22f, false);
        sweep(Op.SIGMOID, VectorFunctions::sigmoid, v -> 1 / (1 + Math.exp(-v)), 3, 86f, 90f, true);
    }

    /** Every float in [lo, hi) (and its negation when asked, which for sigmoid means only the negatives). */
    private static void sweep(Op op, UnaryOperator<FloatVector> f, java.util.function.DoubleUnaryOperator exact, double ulps,
                              float lo, float hi, boolean negate) {
        int from = Float.floatToIntBits(lo), to = Float.floatToIntBits(hi);
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[(2 * (to - from) + lanes - 1) / lanes * lanes]; // whole vectors: the padding is lo
        java.util.Arrays.fill(x, lo);
        for (int b = from; b < to; b++) {
            x[2 * (b - from)] = negate && op == Op.SIGMOID ? -Float.intBitsToFloat(b) : Float.intBitsToFloat(b);
            x[2 * (b - from) + 1] = negate ? -Float.intBitsToFloat(b) : Float.intBitsToFloat(b);
        }
        check(op, f, x, exact, ulps, 0);
    }

    private static void check(Op op, UnaryOperator<FloatVector> f, float[] x, java.util.function.DoubleUnaryOperator exact,
                              double ulps, long seed) {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        float[] loop = new float[x.length];
        new VectorFloatLoops().unary(op, x, 0, 1, loop, 0, 1, x.length);
        for (int i = 0; i < x.length; i += s.length()) {
            float[] got = new float[s.length()];
            f.apply(FloatVector.fromArray(s, x, i)).intoArray(got, 0);
            for (int l = 0; l < s.length(); l++) {
                assertEquals(Float.floatToRawIntBits(loop[i + l]), Float.floatToRawIntBits(got[l]), op + " at x=" + x[i + l] + ", seed " + seed);
                double e = exact.applyAsDouble(x[i + l]);
                if (Double.isNaN(e) || Double.isInfinite(e) || (float) e == 0f) continue;
                assertEquals(e, got[l], ulps * Math.ulp((float) e) + Float.MIN_NORMAL, op + " at x=" + x[i + l] + ", seed " + seed);
            }
        }
    }
}
