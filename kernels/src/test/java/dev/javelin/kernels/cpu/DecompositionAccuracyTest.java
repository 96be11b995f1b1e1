package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.spi.SpecialFunctions;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The accuracy each float32 transcendental states (in {@code MathDecompositions}), measured on the
 * eager kernels (generated from the same decompositions as the JIT's) against the double-precision
 * function: every {@code STRIDE}-th float of each range, both signs where the function is defined
 * for both, plus the special values. The error is in units of the last place of the float nearest
 * the exact result.
 */
class DecompositionAccuracyTest {
    /**
     * Every 997th float bit pattern by default (about a million per range spanning all exponents);
     * {@code -Djavelin.accuracy.stride=61} for the denser sweep whose figures perf/NOTES.md records.
     */
    static final int STRIDE = Integer.getInteger("javelin.accuracy.stride", 997);

    /** The largest error over every STRIDE-th float in [lo, hi] (and -hi..-lo when {@code bothSigns}), in ulps. */
    static double maxUlps(Op op, DoubleUnaryOperator exact, float lo, float hi, boolean bothSigns) {
        return maxUlps(op, exact, lo, hi, bothSigns, STRIDE);
    }

    /** The same over every {@code stride}-th float. */
    static double maxUlps(Op op, DoubleUnaryOperator exact, float lo, float hi, boolean bothSigns, int stride) {
        int from = Float.floatToRawIntBits(lo), to = Float.floatToRawIntBits(hi);
        int count = (int) (((long) to - from) / stride + 1);
        float[] x = new float[bothSigns ? 2 * count : count];
        for (int i = 0; i < count; i++) {
            x[i] = Float.intBitsToFloat(from + i * stride);
            if (bothSigns) x[count + i] = -x[i];
        }
        float[] y = new float[x.length];
        // in calls of 4096: a first call over millions would run its loop in the interpreter throughout
        for (int i = 0; i < x.length; i += 4096) GeneratedLoops.unary(op, x, i, 1, y, i, 1, Math.min(4096, x.length - i));
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double e = exact.applyAsDouble(x[i]);
            double err = Math.abs(y[i] - e) / Math.ulp((float) Math.abs(e));
            if (!(err <= worst)) {
                if (Double.isNaN(err) && Double.isNaN(e) && Float.isNaN(y[i])) continue;
                assertFalse(Double.isNaN(err), op + "(" + x[i] + ") = " + y[i] + ", exact " + e);
                worst = err;
            }
        }
        return worst;
    }

    static void assertWithin(double ulps, Op op, DoubleUnaryOperator exact, float lo, float hi, boolean bothSigns) {
        double worst = maxUlps(op, exact, lo, hi, bothSigns);
        System.out.printf("DecompositionAccuracyTest: %s over [%g, %g]%s: %.3f ulp%n", op, lo, hi, bothSigns ? " and negated" : "", worst);
        assertTrue(worst <= ulps, op + " over [" + lo + ", " + hi + "]: " + worst + " ulp, stated " + ulps);
    }

    @Test
    void eachTranscendentalIsWithinItsStatedUlps() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        assertWithin(1, Op.EXP, Math::exp, 0f, 88.7f, true);
        assertWithin(1, Op.LOG, Math::log, Float.MIN_NORMAL, Float.MAX_VALUE, false);
        assertWithin(2, Op.TANH, Math::tanh, 0f, 20f, true);
        assertWithin(2, Op.SIGMOID, v -> 1 / (1 + Math.exp(-v)), 0f, 88f, true);
        assertWithin(1.1, Op.ERF, SpecialFunctions::erf, 0f, 10f, true);
        assertWithin(2, Op.SIN, StrictMath::sin, 0f, Float.MAX_VALUE, true);
        assertWithin(2, Op.COS, StrictMath::cos, 0f, Float.MAX_VALUE, true);
    }

    /**
     * sin and cos where their reduction is hardest: every float around |x| = 51000, where the
     * large-argument reduction takes over, and around the four floats closest to a multiple of pi/2
     * (|x| 2/pi within 2^-29.9, 2^-29.5, 2^-27.9 and 2^-27.8 of an integer: found by computing
     * x 2/pi modulo 1 for every float past 2^15 from 2/pi's bits).
     */
    @Test
    void sinAndCosWhereTheReductionIsHardestForEveryFloat() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        float[] hardest = {0x1.f37c8ap95f, 0x1.47d0fep34f, 0x1.32ede2p85f, 0x1.628d4cp40f};
        for (Op op : new Op[] {Op.SIN, Op.COS}) {
            DoubleUnaryOperator exact = op == Op.SIN ? StrictMath::sin : StrictMath::cos;
            double worst = maxUlps(op, exact, 50_000f, 52_000f, true, 1);
            for (float h : hardest) {
                worst = Math.max(worst, maxUlps(op, exact, stepDown(h, 300), stepDown(h, -300), true, 1));
            }
            System.out.printf("DecompositionAccuracyTest: %s around 51000 and the hardest reductions: %.3f ulp%n", op, worst);
            assertTrue(worst <= 2, op + ": " + worst + " ulp, stated 2");
        }
    }

    /**
     * The large-argument path runs only for vectors with a lane that needs it: the other lanes of such
     * a vector get the bits they get in a vector without one.
     */
    @Test
    void aLaneOnTheLargePathChangesNoOtherLane() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        java.util.Random random = new java.util.Random(11);
        float[] small = new float[67];
        for (int i = 0; i < small.length; i++) small[i] = (random.nextFloat() - 0.5f) * 100_000f;
        for (Op op : new Op[] {Op.SIN, Op.COS}) {
            float[] alone = new float[small.length];
            GeneratedLoops.unary(op, small, 0, 1, alone, 0, 1, small.length);
            for (int big : new int[] {0, 5, 33, 66}) {
                float[] mixed = small.clone(), y = new float[small.length];
                mixed[big] = big % 2 == 0 ? 3.0e30f : -Float.MAX_VALUE;
                GeneratedLoops.unary(op, mixed, 0, 1, y, 0, 1, small.length);
                for (int i = 0; i < small.length; i++) {
                    if (i != big) assertEquals(Float.floatToRawIntBits(alone[i]), Float.floatToRawIntBits(y[i]), op + "(" + small[i] + ") beside " + mixed[big]);
                }
                double e = op == Op.SIN ? StrictMath.sin(mixed[big]) : StrictMath.cos(mixed[big]);
                assertTrue(Math.abs(y[big] - e) <= 2 * Math.ulp((float) e), op + "(" + mixed[big] + ") = " + y[big] + ", exact " + e);
            }
        }
    }

    /** The float {@code steps} floats below {@code x} (above when negative). */
    private static float stepDown(float x, int steps) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(x) - steps);
    }

    /**
     * Every float where tanh's and sigmoid's errors peak (each swept over every float: tanh 1.959 ulp at
     * 0.1240584, sigmoid 1.9991 at -3.449918e-4 and 1.9974 at 7.691439; perf/NOTES.md).
     */
    @Test
    void tanhAndSigmoidWhereTheirErrorsPeakForEveryFloat() {
        DoubleUnaryOperator sigmoid = v -> 1 / (1 + Math.exp(-v));
        assertWithinForEveryFloat(2, Op.TANH, Math::tanh, 0.12f, 0.13f);
        assertWithinForEveryFloat(2, Op.TANH, Math::tanh, -0.13f, -0.12f);
        assertWithinForEveryFloat(2, Op.SIGMOID, sigmoid, -3.5e-4f, -3.4e-4f);
        assertWithinForEveryFloat(2, Op.SIGMOID, sigmoid, 7.6f, 7.8f);
    }

    /** erf's odd polynomial hands over to 1 - e^p at |x| = 0.921875: every float around it, both signs. */
    @Test
    void erfAroundItsBranchPointForEveryFloat() {
        assertWithinForEveryFloat(1.1, Op.ERF, SpecialFunctions::erf, 0.9f, 0.95f);
        assertWithinForEveryFloat(1.1, Op.ERF, SpecialFunctions::erf, -0.95f, -0.9f);
    }

    private static void assertWithinForEveryFloat(double ulps, Op op, DoubleUnaryOperator exact, float lo, float hi) {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        int from = Float.floatToRawIntBits(lo), to = Float.floatToRawIntBits(hi);
        float[] x = new float[Math.abs(to - from) + 1], y = new float[x.length];
        for (int i = 0; i < x.length; i++) x[i] = Float.intBitsToFloat(Math.min(from, to) + i);
        GeneratedLoops.unary(op, x, 0, 1, y, 0, 1, x.length);
        for (int i = 0; i < x.length; i++) {
            double e = exact.applyAsDouble(x[i]);
            assertTrue(Math.abs(y[i] - e) <= ulps * Math.ulp((float) e), op + "(" + x[i] + ") = " + y[i] + ", exact " + e);
        }
    }

    @Test
    void specialValuesFollowJavaMath() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        float[] x = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, -1f, 1e-42f, 200f, -200f};
        Op[] ops = {Op.EXP, Op.LOG, Op.TANH, Op.SIGMOID, Op.ERF, Op.SIN, Op.COS};
        DoubleUnaryOperator[] exact = {Math::exp, Math::log, Math::tanh, v -> 1 / (1 + Math.exp(-v)), SpecialFunctions::erf, Math::sin, Math::cos};
        for (int k = 0; k < ops.length; k++) {
            float[] y = new float[x.length];
            GeneratedLoops.unary(ops[k], x, 0, 1, y, 0, 1, x.length);
            for (int i = 0; i < x.length; i++) {
                if (Float.isInfinite(x[i]) && (ops[k] == Op.SIN || ops[k] == Op.COS)) {
                    assertTrue(Float.isNaN(y[i]), ops[k] + "(" + x[i] + ") = " + y[i]);
                    continue;
                }
                if (Math.abs(x[i]) == 200f && (ops[k] == Op.SIN || ops[k] == Op.COS)) continue; // checked by the sweep
                float e = (float) exact[k].applyAsDouble(x[i]);
                if (ops[k] == Op.LOG && x[i] == 1e-42f) e = (float) Math.log(1e-42f); // a subnormal input
                boolean same = Float.isNaN(e) ? Float.isNaN(y[i]) : y[i] == e || Math.abs(y[i] - e) <= 2 * Math.ulp(e);
                assertTrue(same, ops[k] + "(" + x[i] + ") = " + y[i] + ", expected " + e);
                if (x[i] == 0f && ops[k] != Op.COS && ops[k] != Op.EXP && ops[k] != Op.LOG && ops[k] != Op.SIGMOID) {
                    assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), ops[k] + " keeps the sign of zero");
                }
            }
        }
    }
}
