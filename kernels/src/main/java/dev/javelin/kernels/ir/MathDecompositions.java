package dev.javelin.kernels.ir;

import dev.javelin.kernels.ir.Decompositions.Builder;

/**
 * The float32 transcendentals, each defined once as arithmetic on a kernel body ({@link Builder}):
 * the eager CPU kernels, the compiled ones and the PTX all render these trees. Every function
 * uses only IEEE operations that round the same way on every renderer and JIT tier (no hardware
 * approximation, no library call), so its bits do not depend on where or when it runs.
 *
 * <p>exp, log and the polynomials are the Cephes single-precision ones; erf's two polynomials are
 * minimax fits made for it. Accuracy against the correctly rounded result
 * (measured by {@code DecompositionAccuracyTest} over every float in the ranges it names): exp 1
 * ulp, log 1 ulp, tanh 2 ulp, sigmoid 2 ulp, erf 1.1 ulp, sin and cos 2 ulp for every finite float;
 * pow (in {@link PowDecomposition}) 1 ulp.
 */
final class MathDecompositions {
    private MathDecompositions() {}

    static final float EXP_MAX = 88.72283905206835f, EXP_MIN = -103.972077083991796f, LOG2E = 1.44269504088896341f,
            ROUNDER = 12582912f, LN2_HI = -0.693359375f, LN2_LO = 2.12194440e-4f;
    private static final float[] EXP_P = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f,
            1.6666665459e-1f, 5.0000001201e-1f};
    /** EXP_P with its odd-degree coefficients negated: p(-r) as a polynomial in r. */
    private static final float[] EXP_P_NEGATED = negatedOddTerms(EXP_P);
    private static final float[] LOG_P = {7.0376836292e-2f, -1.1514610310e-1f, 1.1676998740e-1f, -1.2420140846e-1f,
            1.4249322787e-1f, -1.6668057665e-1f, 2.0000714765e-1f, -2.4999993993e-1f, 3.3333331174e-1f};
    /**
     * erf below |x| = {@link #ERF_SPLIT}: erf(x) = x + x q(x^2), q minimax-fitted here (degree 5 in x^2,
     * coefficients rounded to float32 one at a time from the constant term, the rest refitted; the
     * fit's own error is below 1.6e-8 absolute, 0.27 x 2^-24), highest degree first.
     */
    private static final float[] ERF_SMALL = {-6.020989968e-04f, 4.999676719e-03f, -2.677153051e-02f, 1.128196791e-01f,
            -3.761250973e-01f, 1.283791512e-01f};
    /**
     * erf from {@link #ERF_SPLIT} to {@link #ERF_ONE}: ln(erfc(x)) as a degree-6 polynomial in x, fitted the
     * same way with weight erfc(x) (the error it leaves in 1 - e^p), highest degree first.
     */
    private static final float[] ERF_LOG_ERFC = {1.947352721e-04f, -3.031614469e-03f, 2.218145505e-02f, -1.038389951e-01f,
            -6.372857094e-01f, -1.127615452e+00f, -2.099239646e-04f};
    /** Where erf switches from the odd polynomial to 1 - e^p(x) (59/64: both fits stay under 0.3 ulp). */
    private static final float ERF_SPLIT = 0.921875f;
    /** From here erf rounds to 1 (erfc(4) = 1.5e-8, below half an ulp under 1), so |x| is clamped to it. */
    private static final float ERF_ONE = 4f;
    private static final float[] SIN_P = {-1.9515295891E-4f, 8.3321608736E-3f, -1.6666654611E-1f};
    private static final float[] COS_P = {2.443315711809948E-5f, -1.388731625493765E-3f, 4.166664568298827E-2f};
    /** pi/2 in four parts, the first three of at most 9 significant bits. */
    private static final float[] PIO2 = {1.5703125f, 4.8351288E-4f, 3.138557E-7f, 6.0771006E-11f};
    /**
     * e^x within 1 ulp: x = n ln2 + r, |r| <= ln2/2; e^r - 1 = r + r^2 p(r) by the Cephes polynomial;
     * then 2^n (1 + (e^r - 1)) as one fma, 2^n in two exact halves (the second scale rounds a subnormal).
     */
    static int exp(Builder b, int x) {
        int over = b.gt(x, b.c(EXP_MAX)), under = b.lt(x, b.c(EXP_MIN));
        int xc = b.select(under, b.c(EXP_MIN), b.select(over, b.c(EXP_MAX), x));
        int t = b.fma(xc, b.c(LOG2E), b.c(ROUNDER)); // 1.5 * 2^23 + n: its low bits hold n
        int n = b.sub(t, b.c(ROUNDER));
        int m = expm1Reduced(b, reduced(b, n, xc));
        int ni = b.isub(b.bits(t), b.ci(0x4b400000));
        int n1 = b.shr(ni, 1);
        int s1 = b.fromBits(b.shl(b.iadd(n1, b.ci(127)), 23));
        int s2 = b.fromBits(b.shl(b.iadd(b.isub(ni, n1), b.ci(127)), 23));
        int e = b.mul(b.fma(s1, m, s1), s2);
        return b.select(under, b.c(0f), b.select(over, b.c(Float.POSITIVE_INFINITY), e));
    }

    /**
     * {@link #exp} for -88 <= x <= 88 (or NaN), with one 2^n scale: no overflow; below x = -87.3 the
     * result is subnormal (rounded once) and below -87.7 it is 0.
     */
    static int expInRange(Builder b, int x) {
        int t = b.fma(x, b.c(LOG2E), b.c(ROUNDER));
        int n = b.sub(t, b.c(ROUNDER));
        int scale = twoTo(b, t);
        return b.fma(scale, expm1Reduced(b, reduced(b, n, x)), scale);
    }

    /**
     * e^r - 1 = r + r^2 p(r) for |r| <= ln2/2; 2^n e^r is then one fma away. (r^2 p(r) + r as one fma
     * measured 1.003 ulp for exp against 0.988 for this order.)
     */
    private static int expm1Reduced(Builder b, int r) {
        return b.add(b.mul(b.mul(expPolynomial(b, r), r), r), r);
    }

    /** x - n ln2 in two steps (Cody and Waite): the high part of ln2 has few bits, so n * LN2_HI is exact. */
    private static int reduced(Builder b, int n, int x) {
        return b.fma(n, b.c(LN2_LO), b.fma(n, b.c(LN2_HI), x));
    }

    /** 2^n from t = 1.5 * 2^23 + n: the bias added to t's bits, shifted into the exponent field (t's own exponent shifts out). */
    private static int twoTo(Builder b, int t) {
        return b.fromBits(b.shl(b.iadd(b.bits(t), b.ci(127)), 23));
    }

    /** The Cephes polynomial p(r) with e^r = 1 + r + r^2 p(r), |r| <= ln2/2. */
    private static int expPolynomial(Builder b, int r) {
        return horner(b, r, EXP_P);
    }

    /** p[0] x^(k-1) + ... + p[k-1] by Horner's rule with fused multiply-adds (the first as {@code x * p0 + p1}). */
    private static int horner(Builder b, int x, float[] p) {
        int acc = b.fma(x, b.c(p[0]), b.c(p[1]));
        for (int k = 2; k < p.length; k++) acc = b.fma(acc, x, b.c(p[k]));
        return acc;
    }

    /** {@code p} (highest degree first) with the coefficients of odd degree negated. */
    private static float[] negatedOddTerms(float[] p) {
        float[] q = p.clone();
        for (int i = 0; i < q.length; i++) if ((q.length - 1 - i) % 2 == 1) q[i] = -q[i];
        return q;
    }

    /** The natural logarithm within 1 ulp; NaN below 0, -inf at 0: x = m 2^e, m in [sqrt(1/2), sqrt(2)), the Cephes polynomial in m - 1. */
    static int log(Builder b, int x) {
        int tiny = b.lt(x, b.c(Float.MIN_NORMAL));
        int bits = b.bits(b.select(tiny, b.mul(x, b.c(8388608f)), x)); // subnormals scaled by 2^23
        int e = b.toFloat(b.isub(b.iand(b.ushr(bits, 23), b.ci(0xff)), b.ci(126)));
        e = b.select(tiny, b.sub(e, b.c(23f)), e);
        int m = b.fromBits(b.ior(b.iand(bits, b.ci(0x807fffff)), b.ci(0x3f000000)));
        int low = b.lt(m, b.c(0.707106781186547524f));
        e = b.select(low, b.sub(e, b.c(1f)), e);
        m = b.sub(b.add(m, b.select(low, m, b.c(0f))), b.c(1f));
        int z = b.mul(m, m);
        int p = horner(b, m, LOG_P);
        int y = b.fma(e, b.c(-2.12194440e-4f), b.mul(b.mul(p, m), z));
        y = b.fma(z, b.c(-0.5f), y);
        int r = b.fma(e, b.c(0.693359375f), b.add(m, y));
        r = b.select(b.eq(x, b.c(0f)), b.c(Float.NEGATIVE_INFINITY), r);
        r = b.select(b.lt(x, b.c(0f)), b.c(Float.NaN), r);
        return b.select(b.or(b.eq(x, b.c(Float.POSITIVE_INFINITY)), b.isNaN(x)), x, r);
    }

    /**
     * tanh within 2 ulp (1.959 measured over every float): (1 - e) / (1 + e) with e = e^-2|x| = s (1 + m)
     * ({@link #expOfNegated}), numerator and denominator each one fma from the unrounded parts
     * ((1 - s) - s m and (1 + s) + s m: 1 - s and 1 + s are exact while e is above 2^-24, and where
     * it is below, their rounding is under a quarter ulp of the result), so only m's error and three
     * roundings reach the quotient; near 0 (n = 0, s = 1) the numerator is -m itself, so small x keeps
     * its precision without a second branch. |x| clamped at 10, where tanh rounds to 1; the sign of x
     * put back last, so -0 stays -0. 26 vector operations (constants and bit reinterpretations not
     * counted) against the 32 of an odd polynomial blended with 1 - 2 / (e^2|x| + 1) (1.27 ulp) it
     * replaced (perf/NOTES.md).
     */
    static int tanh(Builder b, int x) {
        int ax = b.abs(x);
        ax = b.select(b.gt(ax, b.c(10f)), b.c(10f), ax); // NaN stays NaN
        NegatedExp e = expOfNegated(b, b.add(ax, ax));
        int s = e.scale();
        int numerator = b.fma(s, e.minusM(b), b.sub(b.c(1f), s));
        int denominator = b.fma(s, e.m(b), b.add(b.c(1f), s));
        return b.withSignOfNonNegative(b.div(numerator, denominator), x);
    }

    /**
     * 1 / (1 + e^-x) within 2 ulp (1.9991 measured over every float of [-88, 88]) with one division:
     * e^-x = s (1 + m) ({@link #expOfNegated}), the denominator (1 + s m) + s, whose first rounding
     * is at the size of 1 + s m: for x < -16.6, where s is at least 2^24, it is below a quarter ulp of
     * the sum, which 1 + s would not be (it loses the 1). x clamped to [-88, 88]: 1 from 88 on, 0 below
     * -88 (where the true value is below 6.1e-39, subnormal); between -88 and -87.3 the subnormal
     * quotient is rounded once. 22 vector operations against the 28 of the Newton-corrected quotient
     * (1.43 ulp) it replaced (perf/NOTES.md).
     */
    static int sigmoid(Builder b, int x) {
        int under = b.lt(x, b.c(-88f));
        int xc = b.select(under, b.c(-88f), b.select(b.gt(x, b.c(88f)), b.c(88f), x)); // NaN stays NaN
        NegatedExp e = expOfNegated(b, xc);
        int denominator = b.add(b.fma(e.scale(), e.m(b), b.c(1f)), e.scale());
        return b.select(under, b.c(0f), b.div(b.c(1f), denominator));
    }

    /**
     * e^-v = s (1 + m) for |v| <= 88 (or NaN), in parts, so that tanh and sigmoid can round their sums
     * once: the scale s = 2^n (exact; 0 for n = -127) and m = e^r - 1 = r + r^2 p(r), |r| <= ln2/2, held
     * as {@code rn} = -r and {@code square} = r^2 p(r), so that m and -m are each one subtraction.
     * Made from v without negating it: n = round(-v log2e), rn = v + n ln2 (Cody and Waite), p(r)
     * as Horner's rule in rn with the odd coefficients negated: the bits e^-v's parts would have from
     * -v.
     */
    private static NegatedExp expOfNegated(Builder b, int v) {
        int t = b.fma(v, b.c(-LOG2E), b.c(ROUNDER)); // 1.5 * 2^23 + n: its low bits hold n
        int n = b.sub(t, b.c(ROUNDER));
        int rn = b.fma(n, b.c(-LN2_LO), b.fma(n, b.c(-LN2_HI), v));
        int square = b.mul(b.mul(horner(b, rn, EXP_P_NEGATED), rn), rn);
        return new NegatedExp(twoTo(b, t), rn, square);
    }

    /** e^-v = scale (1 + m), m = square - rn (see {@link #expOfNegated}). */
    private record NegatedExp(int scale, int rn, int square) {
        int m(Builder b) {
            return b.sub(square, rn);
        }

        int minusM(Builder b) {
            return b.sub(rn, square);
        }
    }

    /**
     * The error function within 1.1 ulp, with no division: below |x| = 0.921875, x + x q(x^2) (the
     * leading x exact, the correction about an eighth of it); above, 1 - e^p(|x|) with p a polynomial
     * fit of ln(erfc(x)) (e^p at most 0.19 there, so its error reaches the result scaled down), |x|
     * clamped at 4, where erf rounds to 1. About 36 instructions against the 55 and a division of
     * the Taylor series and Numerical Recipes' erfc fit it replaced (perf/NOTES.md).
     */
    static int erf(Builder b, int x) {
        int ax = b.abs(x);
        int small = b.fma(horner(b, b.mul(x, x), ERF_SMALL), ax, ax);
        int clamped = b.select(b.gt(ax, b.c(ERF_ONE)), b.c(ERF_ONE), ax); // NaN stays NaN
        int tail = b.sub(b.c(1f), expInRange(b, horner(b, clamped, ERF_LOG_ERFC)));
        return b.withSignOfNonNegative(b.select(b.lt(ax, b.c(ERF_SPLIT)), small, tail), x); // erf is odd: computed for |x|, the sign put back
    }

    /**
     * sin within 2 ulp for every finite float, against StrictMath's in double: 1.71 ulp over every
     * float of [45000, 60000], 1.58 ulp over every 101st float from 51000 to the largest (cos: 1.74,
     * 1.55), 1.70 over every float near the four hardest reductions; the full sweep's figures are in
     * perf/NOTES.md. Infinities and NaN give NaN.
     */
    static int sin(Builder b, int x) {
        return sinCos(b, x, false);
    }

    /** cos, to the same accuracy as {@link #sin}. */
    static int cos(Builder b, int x) {
        return sinCos(b, x, true);
    }

    /** Where the Cody-Waite reduction stops being exact (n < 2^15): from here on the large-argument one. */
    static final float LARGE_ARGUMENT = 51000f;

    /**
     * |x| = n pi/2 + r, |r| <= pi/4, with pi/2 in four parts (Cody and Waite): the first three have at
     * most 9 bits, so n times each is exact for n < 2^15, and the rounding of the last two steps is
     * carried as a correction {@code lo}. From |x| = 51000 on, {@link LargeArgumentReduction} gives
     * r, lo and n instead, in a region skipped when no lane needs it. The Cephes polynomials for sin
     * and cos on [-pi/4, pi/4]; n's low bits (from the rounding sum's bits) pick the polynomial and the sign.
     */
    private static int sinCos(Builder b, int x, boolean cos) {
        int ax = b.abs(x);
        int t = b.add(b.mul(ax, b.c(0.636619772367581343f)), b.c(ROUNDER)); // 1.5 * 2^23 + n
        int n = b.sub(t, b.c(ROUNDER));
        int r2 = b.fma(n, b.c(-PIO2[1]), b.fma(n, b.c(-PIO2[0]), ax));
        int r3 = b.fma(n, b.c(-PIO2[2]), r2);
        int r = b.fma(n, b.c(-PIO2[3]), r3);
        int nn = b.neg(n);
        int lo = b.add(b.fma(nn, b.c(PIO2[2]), b.sub(r2, r3)), b.fma(nn, b.c(PIO2[3]), b.sub(r3, r)));
        int large = b.ifAny(b.ge(ax, b.c(LARGE_ARGUMENT)));
        int[] reduced = LargeArgumentReduction.reduce(b, ax);
        b.endRegion(large);
        r = b.select(large, reduced[0], r);
        lo = b.select(large, reduced[1], lo);
        t = b.select(large, reduced[2], t);
        int z = b.mul(r, r);
        int sinR = b.add(b.fma(b.mul(horner(b, z, SIN_P), z), r, r), lo);
        int cosR = b.fma(b.neg(r), lo, b.fma(b.mul(horner(b, z, COS_P), z), z, b.fma(z, b.c(-0.5f), b.c(1f))));
        int q = b.bits(t); // n in the low bits; cos(x) = sin(x + pi/2)
        if (cos) q = b.iadd(q, b.ci(1));
        int odd = b.gt(b.toFloat(b.iand(q, b.ci(1))), b.c(0.5f));
        int v = b.select(odd, cosR, sinR);
        // the sign bit when n mod 4 is 2 or 3; adding 0x80000000 to an int toggles its sign bit and nothing else
        int flip = b.shl(b.iand(q, b.ci(2)), 30);
        if (!cos) flip = b.iadd(flip, b.iand(b.bits(x), b.ci(0x80000000))); // sin is odd
        return b.fromBits(b.iadd(b.bits(v), flip));
    }
}
