package dev.javelin.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 transcendentals of the cpu-vector backend as callable functions over
 * {@link FloatVector#SPECIES_PREFERRED} vectors, for generated code (the JIT) that wants the same
 * bits as the eager kernels: every function gives the same result interpreted and compiled, unlike
 * {@code lanewise(EXP)} and friends (SVML when compiled, {@link Math} when interpreted), and
 * {@link #sumLanes} unlike {@code reduceLanes(ADD)}. The bodies are the ones written out in
 * {@link VectorOpLoops} (VectorFunctionsTest checks they agree bit for bit); call them straight from
 * a hot loop so C2 inlines them: every method here is under C2's 325-bytecode limit for inlining a hot
 * call (tanh, sigmoid and erf call {@link #exp}; the polynomials are separate methods), since a call
 * that is not inlined boxes its vectors.
 *
 * <pre>{@code
 * FloatVector y = VectorFunctions.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, i));
 * }</pre>
 */
public final class VectorFunctions {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    // Constants as vectors: a scalar argument (mul(2f)) inlines a broadcast at every use, and C2 counts
    // those nodes against its inlining cutoff (NodeCountInliningCutoff), which decides whether two of
    // these functions fit in one fused loop without boxing. The price: C2 reloads each constant in every
    // iteration (a store into a float[] might alias its payload), measured 1-2 ns per 16 floats on tanh
    // and sigmoid alone; VectorOpLoops' eager loops keep scalar broadcasts, which C2 hoists.
    static final FloatVector ZERO = c(0f), ONE = c(1f), TWO = c(2f), TWENTY = c(20f), MINUS_TWENTY = c(-20f),
            EXP_MAX = c(88.72283905206835f), EXP_MIN = c(-103.972077083991796f), IN_RANGE_MAX = c(88f),
            LOG2E = c(1.44269504088896341f), ROUNDER = c(12582912f), LN2_HI = c(-0.693359375f), LN2_LO = c(2.12194440e-4f),
            EXP_P0 = c(1.9875691500e-4f), EXP_P1 = c(1.3981999507e-3f), EXP_P2 = c(8.3334519073e-3f),
            EXP_P3 = c(4.1665795894e-2f), EXP_P4 = c(1.6666665459e-1f), EXP_P5 = c(5.0000001201e-1f);
    private static final VectorSpecies<Integer> BITS = S.vectorShape().withLanes(int.class);
    static final IntVector EXP_BIAS = IntVector.broadcast(BITS, 127), SIGN_BIT = IntVector.broadcast(BITS, 0x80000000);

    // log's and erf's polynomial coefficients, highest degree first
    private static final FloatVector[] LOG_P = vectors(7.0376836292e-2f, -1.1514610310e-1f, 1.1676998740e-1f, -1.2420140846e-1f,
            1.4249322787e-1f, -1.6668057665e-1f, 2.0000714765e-1f, -2.4999993993e-1f, 3.3333331174e-1f);
    private static final FloatVector[] ERFC_P = vectors(0.17087277f, -0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f,
            -0.18628806f, 0.09678418f, 0.37409196f, 1.00002368f, -1.26551223f);
    private static final FloatVector[] ERF_SERIES = vectors(1f / 9360, -1f / 1320, 1f / 216, -1f / 42, 1f / 10, -1f / 3, 1f);
    private static final FloatVector HALF = c(0.5f), MINUS_HALF = c(-0.5f), SUBNORMAL_SCALE = c(8388608f), TWENTY_THREE = c(23f),
            SQRT_HALF = c(0.707106781186547524f), LN2_HI_POS = c(0.693359375f), LN2_LO_NEG = c(-2.12194440e-4f),
            TWO_OVER_SQRT_PI = c(1.1283791670955126f), MINUS_EIGHTY_SEVEN = c(-87f);

    private VectorFunctions() {}

    private static FloatVector[] vectors(float... values) {
        FloatVector[] v = new FloatVector[values.length];
        for (int i = 0; i < values.length; i++) v[i] = c(values[i]);
        return v;
    }

    private static FloatVector c(float value) {
        return FloatVector.broadcast(S, value);
    }

    /**
     * e^x, within 1 ulp. Its constants are broadcast here, which C2 hoists out of a loop; see
     * {@link #expCompact} for the form that fits beside a second heavy function in one loop.
     */
    public static FloatVector exp(FloatVector v) {
        // exp: x = n ln2 + r, |r| <= ln2/2; e^r by the Cephes polynomial; 2^n in two exact halves.
        VectorMask<Float> over = v.compare(VectorOperators.GT, 88.72283905206835f), under = v.compare(VectorOperators.LT, -103.972077083991796f);
        FloatVector kxc = v.blend(88.72283905206835f, over).blend(-103.972077083991796f, under);
        FloatVector kt = kxc.mul(1.44269504088896341f).add(12582912f);
        FloatVector kn = kt.sub(12582912f);
        FloatVector kr = kn.fma(FloatVector.broadcast(S, -0.693359375f), kxc);
        kr = kn.fma(FloatVector.broadcast(S, 2.12194440e-4f), kr);
        FloatVector kp = kr.fma(1.9875691500e-4f, 1.3981999507e-3f);
        kp = kp.fma(kr, FloatVector.broadcast(S, 8.3334519073e-3f));
        kp = kp.fma(kr, FloatVector.broadcast(S, 4.1665795894e-2f));
        kp = kp.fma(kr, FloatVector.broadcast(S, 1.6666665459e-1f));
        kp = kp.fma(kr, FloatVector.broadcast(S, 5.0000001201e-1f));
        IntVector kni = kt.reinterpretAsInts().sub(0x4b400000);
        IntVector kn1 = kni.lanewise(VectorOperators.ASHR, 1);
        FloatVector ks1 = kn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector ks2 = kni.sub(kn1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return kp.mul(kr).mul(kr).add(kr).add(1f).mul(ks1).mul(ks2).blend(Float.POSITIVE_INFINITY, over).blend(0f, under);
    }

    /**
     * {@link #exp}, bit for bit, with its constants loaded from static vectors: fewer C2 nodes (it fits
     * in one loop with another heavy function, see the note on the constants), one reload per constant
     * and iteration. Generated loops with two heavy functions call this one.
     */
    public static FloatVector expCompact(FloatVector v) {
        // exp: x = n ln2 + r, |r| <= ln2/2; e^r by the Cephes polynomial; 2^n in two exact halves.
        // The range clamps are compare-and-blend: Java's max/min (NaN and signed-zero rules) cost six instructions each.
        VectorMask<Float> over = v.compare(VectorOperators.GT, EXP_MAX), under = v.compare(VectorOperators.LT, EXP_MIN);
        FloatVector kxc = v.blend(EXP_MAX, over).blend(EXP_MIN, under);
        FloatVector kt = kxc.mul(LOG2E).add(ROUNDER);
        FloatVector kn = kt.sub(ROUNDER);
        FloatVector kr = kn.fma(LN2_HI, kxc);
        kr = kn.fma(LN2_LO, kr);
        FloatVector kp = expPolynomial(kr);
        // kt = 1.5 * 2^23 + n exactly, so its low bits hold n (no float-to-int conversion, five instructions under Java's rules)
        IntVector kni = kt.reinterpretAsInts().sub(0x4b400000);
        IntVector kn1 = kni.lanewise(VectorOperators.ASHR, 1);
        FloatVector ks1 = kn1.add(EXP_BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector ks2 = kni.sub(kn1).add(EXP_BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return kp.mul(kr).mul(kr).add(kr).add(ONE).mul(ks1).mul(ks2).blend(Float.POSITIVE_INFINITY, over).blend(0f, under);
    }

    /** The natural logarithm, within 1 ulp; NaN below 0, -inf at 0. */
    public static FloatVector log(FloatVector v) {
        // log: x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m by the Cephes polynomial in m - 1
        VectorMask<Float> tiny = v.compare(VectorOperators.LT, Float.MIN_NORMAL);
        IntVector bits = v.blend(v.mul(SUBNORMAL_SCALE), tiny).reinterpretAsInts(); // subnormals scaled by 2^23
        FloatVector e = ((FloatVector) bits.lanewise(VectorOperators.LSHR, 23).and(0xff).sub(126)
                .convert(VectorOperators.I2F, 0)).sub(TWENTY_THREE, tiny);
        FloatVector m = bits.and(0x807fffff).or(0x3f000000).reinterpretAsFloats();
        VectorMask<Float> low = m.compare(VectorOperators.LT, SQRT_HALF);
        e = e.sub(ONE, low);
        m = m.add(m.blend(ZERO, low.not())).sub(ONE);
        FloatVector z = m.mul(m);
        FloatVector p = logPolynomial(m);
        FloatVector y = e.fma(LN2_LO_NEG, p.mul(m).mul(z));
        y = z.fma(MINUS_HALF, y);
        FloatVector r = e.fma(LN2_HI_POS, m.add(y))
                .blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, ZERO))
                .blend(Float.NaN, v.compare(VectorOperators.LT, ZERO))
                .blend(v, v.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY).or(v.test(VectorOperators.IS_NAN)));
        return r;
    }

    /**
     * tanh, within 2.5 ulp: expm1(2x) / (expm1(2x) + 2), with 2x clamped to [-20, 20] (tanh rounds to
     * +-1 there). One exp reduction and a division, no second branch to blend: this is 40% fewer vector
     * operations than an odd polynomial near 0 blended with 1 - 2 / (e^2|x| + 1) (1.3 ulp), which made a
     * fused tanh-and-sigmoid loop compute-bound and too big for C2 to inline.
     */
    public static FloatVector tanh(FloatVector v) {
        FloatVector y = v.add(v);
        y = y.blend(TWENTY, y.compare(VectorOperators.GT, TWENTY)).blend(MINUS_TWENTY, y.compare(VectorOperators.LT, MINUS_TWENTY));
        FloatVector kt = y.mul(LOG2E).add(ROUNDER);
        FloatVector kn = kt.sub(ROUNDER);
        FloatVector kr = kn.fma(LN2_HI, y);
        kr = kn.fma(LN2_LO, kr);
        // expm1(y) = 2^n expm1(r) + (2^n - 1): exact arithmetic around expm1(r) for n = 0, so small x keeps its precision
        FloatVector em1r = expPolynomial(kr).mul(kr).fma(kr, kr);
        FloatVector scale = kt.reinterpretAsInts().add(EXP_BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector em1 = scale.fma(em1r, scale.sub(ONE));
        // the sign of x on the result: a no-op except for -0, whose expm1 comes out +0
        return em1.div(em1.add(TWO)).reinterpretAsInts().or(v.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats();
    }

    /**
     * {@link #exp} for -88 <= x <= 88 (or NaN), bit for bit: nothing overflows and no result is
     * subnormal there, so one exact 2^n scale replaces exp's two halves and its range blends.
     */
    private static FloatVector expInRange(FloatVector kxc) {
        FloatVector kt = kxc.mul(LOG2E).add(ROUNDER);
        FloatVector kn = kt.sub(ROUNDER);
        FloatVector kr = kn.fma(LN2_HI, kxc);
        kr = kn.fma(LN2_LO, kr);
        FloatVector kp = expPolynomial(kr);
        FloatVector scale = kt.reinterpretAsInts().add(EXP_BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return kp.mul(kr).mul(kr).add(kr).add(ONE).mul(scale);
    }

    /** The Cephes polynomial p(r) with e^r = 1 + r + r^2 p(r), |r| <= ln2/2. */
    private static FloatVector expPolynomial(FloatVector kr) {
        FloatVector kp = kr.fma(EXP_P0, EXP_P1);
        kp = kp.fma(kr, EXP_P2);
        kp = kp.fma(kr, EXP_P3);
        kp = kp.fma(kr, EXP_P4);
        return kp.fma(kr, EXP_P5);
    }

    /** 1 / (1 + e^-x), within 3 ulp; 0 below x = -88, where the true value is subnormal. */
    public static FloatVector sigmoid(FloatVector v) {
        // e^-x with -x clamped to [-20, 88]: sigmoid is 1 from x = 20 either way
        FloatVector u = v.neg();
        FloatVector e = expInRange(u.blend(MINUS_TWENTY, u.compare(VectorOperators.LT, MINUS_TWENTY)).blend(IN_RANGE_MAX, u.compare(VectorOperators.GT, IN_RANGE_MAX)));
        return ONE.div(e.add(ONE)).blend(ZERO, v.compare(VectorOperators.LT, -88f));
    }

    /** The error function, within 2.6 ulp. */
    public static FloatVector erf(FloatVector v) {
        // erf: a Taylor series below 0.5; else 1 - t exp(poly(t) - x^2), Numerical Recipes' erfc fit, t = 1 / (1 + |x|/2)
        FloatVector ax = v.abs(), x2 = v.mul(v);
        FloatVector t = ONE.div(ax.mul(HALF).add(ONE));
        // the exponent is below 0.01; from -87 down e^x is subnormal and 1 - t e^x rounds to 1 either way,
        // so the clamp gives exp's bits and the in-range exp does (a third fewer operations than exp)
        FloatVector arg = erfcPolynomial(t).sub(x2);
        FloatVector ee = expInRange(arg.blend(MINUS_EIGHTY_SEVEN, arg.compare(VectorOperators.LT, MINUS_EIGHTY_SEVEN)));
        FloatVector tail = ONE.sub(t.mul(ee));
        return erfSeries(x2).mul(v).mul(TWO_OVER_SQRT_PI)
                .blend(tail.reinterpretAsInts().and(0x7fffffff).or(v.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats(), ax.compare(VectorOperators.GE, HALF));
    }

    // The pieces below are split out so that every hot method stays under C2's 325-bytecode limit
    // for inlining (FreqInlineSize): a call that is not inlined boxes its vectors in a generated loop.

    // log: the Cephes polynomial in m - 1 (without its m^3 factor)
    private static FloatVector logPolynomial(FloatVector m) {
        FloatVector p = m.fma(LOG_P[0], LOG_P[1]);
        p = p.fma(m, LOG_P[2]);
        p = p.fma(m, LOG_P[3]);
        p = p.fma(m, LOG_P[4]);
        p = p.fma(m, LOG_P[5]);
        p = p.fma(m, LOG_P[6]);
        p = p.fma(m, LOG_P[7]);
        return p.fma(m, LOG_P[8]);
    }

    // erf: Numerical Recipes' erfc exponent polynomial in t
    private static FloatVector erfcPolynomial(FloatVector t) {
        FloatVector poly = t.fma(ERFC_P[0], ERFC_P[1]);
        poly = poly.fma(t, ERFC_P[2]);
        poly = poly.fma(t, ERFC_P[3]);
        poly = poly.fma(t, ERFC_P[4]);
        poly = poly.fma(t, ERFC_P[5]);
        poly = poly.fma(t, ERFC_P[6]);
        poly = poly.fma(t, ERFC_P[7]);
        poly = poly.fma(t, ERFC_P[8]);
        return poly.fma(t, ERFC_P[9]);
    }

    // erf: the Taylor series below 0.5, in x^2 (without its 2x/sqrt(pi) factor)
    private static FloatVector erfSeries(FloatVector x2) {
        FloatVector series = x2.fma(ERF_SERIES[0], ERF_SERIES[1]);
        series = series.fma(x2, ERF_SERIES[2]);
        series = series.fma(x2, ERF_SERIES[3]);
        series = series.fma(x2, ERF_SERIES[4]);
        series = series.fma(x2, ERF_SERIES[5]);
        return series.fma(x2, ERF_SERIES[6]);
    }

    /** The sum of the lanes in a fixed pairwise order (the same in every JIT tier). */
    public static float sumLanes(FloatVector v) {
        return VectorMath.sumLanes(v);
    }
}
