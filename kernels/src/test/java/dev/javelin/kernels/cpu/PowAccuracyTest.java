package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.spi.SpecialFunctions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * float32 pow from its decomposition ({@code PowDecomposition}), run by the eager kernels: its accuracy
 * against the double-precision pow, C99's special cases (which PyTorch follows), exact squares, and the
 * same bits in every layout.
 */
class PowAccuracyTest {
    private static float[] pow(float[] x, float[] y) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += 4096) GeneratedLoops.binary(Op.POW, x, i, 1, y, i, 1, out, i, 1, Math.min(4096, x.length - i));
        return out;
    }

    /** The error of {@code got} against {@code exact} in ulps of the float nearest it (subnormal ulps below MIN_NORMAL). */
    private static double ulps(float got, double exact) {
        float e = (float) exact;
        if (Double.isNaN(exact)) return Float.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        if (Float.isInfinite(e)) return got == e ? 0 : Math.abs(got - exact) / Math.ulp(Float.MAX_VALUE);
        return Math.abs(got - exact) / Math.ulp(Math.abs(e));
    }

    /**
     * Random pairs over the whole range where the result is a float: bases 2^-40 to 2^40 (and negative
     * ones with integral exponents), bases near 1 with exponents to 10^5, any positive float to an
     * exponent in [-3, 3]. Measured with 2^22 pairs: 0.61 ulp for normal results, 0.75 for subnormal ones.
     */
    @Test
    void powIsWithinItsStatedUlpsOverRandomPairs() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        SplittableRandom r = new SplittableRandom(7);
        int n = 1 << 18;
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) {
            double lx = r.nextDouble(-40, 40);
            x[i] = (float) Math.pow(2, lx);
            y[i] = (float) r.nextDouble(-1, 1) * (float) Math.min(40, 135 / Math.max(Math.abs(lx), 1e-3));
            switch (i % 8) {
                case 1, 5 -> {
                    y[i] = (float) Math.rint(y[i]);
                    x[i] = -x[i];
                }
                case 3 -> {
                    x[i] = 1 + (float) r.nextDouble(-1e-3, 1e-3);
                    y[i] = (float) r.nextDouble(-1e5, 1e5);
                }
                case 7 -> {
                    x[i] = Float.intBitsToFloat(r.nextInt(1, 0x7f800000));
                    y[i] = (float) r.nextDouble(-3, 3);
                }
                default -> { }
            }
        }
        float[] out = pow(x, y);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < n; i++) {
            double err = ulps(out[i], SpecialFunctions.pow(x[i], y[i]));
            if (err > worst) {
                worst = err;
                at = i;
            }
        }
        System.out.printf("PowAccuracyTest: %d pairs, %.3f ulp at pow(%s, %s)%n", n, worst, x[at], y[at]);
        assertTrue(worst <= 1, "pow(" + x[at] + ", " + y[at] + ") = " + out[at] + ": " + worst + " ulp, stated 1");
    }

    /** Every pair of special and ordinary values: C99's results (NaN, zeros with their signs, infinities) exactly, the others within an ulp. */
    @Test
    void specialValuesFollowC99AsPyTorchDoes() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        float[] v = {0f, -0f, 1f, -1f, 2f, -2f, 0.5f, -0.5f, 3f, -3f, 2.5f, -2.5f, 1e-42f, -1e-42f, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 16777216f, 16777217f * 2, -16777215f, 1f / 3};
        float[] x = new float[v.length * v.length], y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = v[i / v.length];
            y[i] = v[i % v.length];
        }
        float[] out = pow(x, y);
        for (int i = 0; i < x.length; i++) {
            float e = (float) SpecialFunctions.pow(x[i], y[i]);
            String what = "pow(" + x[i] + ", " + y[i] + ") = " + out[i] + ", C99 " + e;
            if (Float.isNaN(e) || Float.isInfinite(e) || e == 0 || Math.abs(e) == 1) {
                assertTrue(Float.isNaN(e) ? Float.isNaN(out[i]) : Float.floatToRawIntBits(e) == Float.floatToRawIntBits(out[i]), what);
            } else {
                assertTrue(ulps(out[i], SpecialFunctions.pow(x[i], y[i])) <= 1, what);
            }
        }
        assertEquals(1f, pow(new float[] {1f}, new float[] {Float.NaN})[0], "1^NaN is 1 (Java's Math.pow: NaN)");
        assertEquals(1f, pow(new float[] {-1f}, new float[] {Float.NEGATIVE_INFINITY})[0], "(-1)^-inf is 1");
    }

    /** Powers of two to integral exponents are exact; x^2 is x * x and x^1 is x bit for bit (what the JIT rewrites them to). */
    @Test
    void squaresIdentitiesAndPowersOfTwoAreExact() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[1000];
        for (int i = 0; i < x.length; i++) x[i] = Float.intBitsToFloat(r.nextInt());
        float[] two = new float[x.length], one = new float[x.length];
        java.util.Arrays.fill(two, 2f);
        java.util.Arrays.fill(one, 1f);
        float[] sq = pow(x, two), id = pow(x, one);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(x[i] * x[i]), Float.floatToRawIntBits(sq[i]), "pow(" + x[i] + ", 2)");
            assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(id[i]), "pow(" + x[i] + ", 1)");
        }
        float[] b = new float[300], e = new float[300];
        for (int i = 0; i < b.length; i++) {
            b[i] = i % 2 == 0 ? 2f : 0.5f;
            e[i] = i / 2 - 75;
        }
        float[] p = pow(b, e);
        for (int i = 0; i < b.length; i++) assertEquals((float) Math.pow(b[i], e[i]), p[i], "pow(" + b[i] + ", " + e[i] + ")");
    }

    /**
     * A broadcast exponent and a strided output give the bits of dense rows (a strided base is read from
     * a dense copy by the caller, {@code Elementwise}: the generated loops refuse it).
     */
    @Test
    void everyLayoutGivesTheBitsOfDenseRows() {
        assumeTrue(VectorSupport.enabled(), "needs jdk.incubator.vector");
        SplittableRandom r = new SplittableRandom(5);
        int n = 77;
        float[] x = new float[3 * n], y = new float[n], s = {1.7f};
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-4, 4);
        float[] dense = new float[n], base = new float[n];
        for (int i = 0; i < n; i++) base[i] = x[3 * i];
        java.util.Arrays.fill(y, s[0]);
        GeneratedLoops.binary(Op.POW, base, 0, 1, y, 0, 1, dense, 0, 1, n);
        float[] strided = new float[2 * n];
        GeneratedLoops.binary(Op.POW, base, 0, 1, s, 0, 0, strided, 1, 2, n);
        for (int i = 0; i < n; i++) assertEquals(Float.floatToRawIntBits(dense[i]), Float.floatToRawIntBits(strided[1 + 2 * i]), "at " + i);
        assertThrows(IllegalArgumentException.class, () -> GeneratedLoops.binary(Op.POW, x, 0, 3, s, 0, 0, strided, 1, 2, n));
    }
}
