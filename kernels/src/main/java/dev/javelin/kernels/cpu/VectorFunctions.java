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

    private VectorFunctions() {}

    /** e^x, within 1 ulp. */
    public static FloatVector exp(FloatVector v) {
        // exp: x = n ln2 + r, |r| <= ln2/2; e^r by the Cephes polynomial; 2^n in two exact halves
        FloatVector kxc = v.max(-103.972077083991796f).min(88.72283905206835f);
        FloatVector kn = kxc.mul(1.44269504088896341f).add(12582912f).sub(12582912f);
        FloatVector kr = kn.fma(FloatVector.broadcast(S, -0.693359375f), kxc);
        kr = kn.fma(FloatVector.broadcast(S, 2.12194440e-4f), kr);
        FloatVector kp = kr.fma(1.9875691500e-4f, 1.3981999507e-3f);
        kp = kp.fma(kr, FloatVector.broadcast(S, 8.3334519073e-3f));
        kp = kp.fma(kr, FloatVector.broadcast(S, 4.1665795894e-2f));
        kp = kp.fma(kr, FloatVector.broadcast(S, 1.6666665459e-1f));
        kp = kp.fma(kr, FloatVector.broadcast(S, 5.0000001201e-1f));
        IntVector kni = (IntVector) kn.convert(VectorOperators.F2I, 0);
        IntVector kn1 = kni.lanewise(VectorOperators.ASHR, 1);
        FloatVector ks1 = kn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector ks2 = kni.sub(kn1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector r = kp.mul(kr).mul(kr).add(kr).add(1f).mul(ks1).mul(ks2)
                .blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.GT, 88.72283905206835f))
                .blend(0f, v.compare(VectorOperators.LT, -103.972077083991796f));
        return r;
    }

    /** The natural logarithm, within 1 ulp; NaN below 0, -inf at 0. */
    public static FloatVector log(FloatVector v) {
        // log: x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m by the Cephes polynomial in m - 1
        VectorMask<Float> tiny = v.compare(VectorOperators.LT, Float.MIN_NORMAL);
        IntVector bits = v.blend(v.mul(8388608f), tiny).reinterpretAsInts(); // subnormals scaled by 2^23
        FloatVector e = ((FloatVector) bits.lanewise(VectorOperators.LSHR, 23).and(0xff).sub(126)
                .convert(VectorOperators.I2F, 0)).sub(23f, tiny);
        FloatVector m = bits.and(0x807fffff).or(0x3f000000).reinterpretAsFloats();
        VectorMask<Float> low = m.compare(VectorOperators.LT, 0.707106781186547524f);
        e = e.sub(1f, low);
        m = m.add(m.blend(0f, low.not())).sub(1f);
        FloatVector z = m.mul(m);
        FloatVector p = logPolynomial(m);
        FloatVector y = e.fma(FloatVector.broadcast(S, -2.12194440e-4f), p.mul(m).mul(z));
        y = z.fma(FloatVector.broadcast(S, -0.5f), y);
        FloatVector r = e.fma(FloatVector.broadcast(S, 0.693359375f), m.add(y))
                .blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0f))
                .blend(Float.NaN, v.compare(VectorOperators.LT, 0f))
                .blend(v, v.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY).or(v.test(VectorOperators.IS_NAN)));
        return r;
    }

    /** tanh, within 1.3 ulp. */
    public static FloatVector tanh(FloatVector v) {
        FloatVector e2 = expOfSmall(v.abs().mul(2f));
        // tanh: an odd polynomial below 0.625, else 1 - 2 / (e^(2|x|) + 1) with the sign of x
        FloatVector z = v.mul(v);
        FloatVector q = z.fma(-5.70498872745e-3f, 2.06390887954e-2f);
        q = q.fma(z, FloatVector.broadcast(S, -5.37397155531e-2f));
        q = q.fma(z, FloatVector.broadcast(S, 1.33314422036e-1f));
        q = q.fma(z, FloatVector.broadcast(S, -3.33332819422e-1f));
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e2.add(1f)));
        FloatVector r = q.mul(z).mul(v).add(v)
                .blend(big.reinterpretAsInts().and(0x7fffffff).or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats(), v.abs().compare(VectorOperators.GE, 0.625f));
        return r;
    }

    /**
     * {@link #exp} for 0 <= y (or NaN), clamped at 20, bit for bit: above 20, tanh's
     * 1 - 2 / (e^y + 1) rounds to 1 either way.
     */
    private static FloatVector expOfSmall(FloatVector y) {
        return expInRange(y.min(20f));
    }

    /**
     * {@link #exp} for -88 <= x <= 88 (or NaN), bit for bit: nothing overflows and no result is
     * subnormal there, so one exact 2^n scale replaces exp's two halves and its range blends (a
     * third fewer vector operations).
     */
    private static FloatVector expInRange(FloatVector kxc) {
        FloatVector kn = kxc.mul(1.44269504088896341f).add(12582912f).sub(12582912f);
        FloatVector kr = kn.fma(FloatVector.broadcast(S, -0.693359375f), kxc);
        kr = kn.fma(FloatVector.broadcast(S, 2.12194440e-4f), kr);
        FloatVector kp = kr.fma(1.9875691500e-4f, 1.3981999507e-3f);
        kp = kp.fma(kr, FloatVector.broadcast(S, 8.3334519073e-3f));
        kp = kp.fma(kr, FloatVector.broadcast(S, 4.1665795894e-2f));
        kp = kp.fma(kr, FloatVector.broadcast(S, 1.6666665459e-1f));
        kp = kp.fma(kr, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector scale = ((IntVector) kn.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return kp.mul(kr).mul(kr).add(kr).add(1f).mul(scale);
    }

    /** 1 / (1 + e^-x), within 3 ulp; 0 below x = -88, where the true value is subnormal. */
    public static FloatVector sigmoid(FloatVector v) {
        // e^-x with -x clamped to [-20, 88]: sigmoid is 1 from x = 20 either way
        FloatVector e = expInRange(v.neg().max(-20f).min(88f));
        FloatVector r = FloatVector.broadcast(S, 1f).div(e.add(1f)).blend(0f, v.compare(VectorOperators.LT, -88f));
        return r;
    }

    /** The error function, within 2.6 ulp. */
    public static FloatVector erf(FloatVector v) {
        // erf: a Taylor series below 0.5; else 1 - t exp(poly(t) - x^2), Numerical Recipes' erfc fit, t = 1 / (1 + |x|/2)
        FloatVector ax = v.abs(), x2 = v.mul(v);
        FloatVector t = FloatVector.broadcast(S, 1f).div(ax.mul(0.5f).add(1f));
        FloatVector poly = erfcPolynomial(t);
        FloatVector ee = exp(poly.sub(x2));
        FloatVector series = erfSeries(x2);
        FloatVector tail = FloatVector.broadcast(S, 1f).sub(t.mul(ee));
        FloatVector r = series.mul(v).mul(1.1283791670955126f)
                .blend(tail.reinterpretAsInts().and(0x7fffffff).or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats(), ax.compare(VectorOperators.GE, 0.5f));
        return r;
    }

    // The pieces below are split out so that every hot method stays under C2's 325-bytecode limit
    // for inlining (FreqInlineSize): a call that is not inlined boxes its vectors in a generated loop.

    // log: the Cephes polynomial in m - 1 (without its m^3 factor)
    private static FloatVector logPolynomial(FloatVector m) {
        FloatVector p = m.fma(7.0376836292e-2f, -1.1514610310e-1f);
        p = p.fma(m, FloatVector.broadcast(S, 1.1676998740e-1f));
        p = p.fma(m, FloatVector.broadcast(S, -1.2420140846e-1f));
        p = p.fma(m, FloatVector.broadcast(S, 1.4249322787e-1f));
        p = p.fma(m, FloatVector.broadcast(S, -1.6668057665e-1f));
        p = p.fma(m, FloatVector.broadcast(S, 2.0000714765e-1f));
        p = p.fma(m, FloatVector.broadcast(S, -2.4999993993e-1f));
        p = p.fma(m, FloatVector.broadcast(S, 3.3333331174e-1f));
        return p;
    }

    // erf: Numerical Recipes' erfc exponent polynomial in t
    private static FloatVector erfcPolynomial(FloatVector t) {
        FloatVector poly = t.fma(0.17087277f, -0.82215223f);
        poly = poly.fma(t, FloatVector.broadcast(S, 1.48851587f));
        poly = poly.fma(t, FloatVector.broadcast(S, -1.13520398f));
        poly = poly.fma(t, FloatVector.broadcast(S, 0.27886807f));
        poly = poly.fma(t, FloatVector.broadcast(S, -0.18628806f));
        poly = poly.fma(t, FloatVector.broadcast(S, 0.09678418f));
        poly = poly.fma(t, FloatVector.broadcast(S, 0.37409196f));
        poly = poly.fma(t, FloatVector.broadcast(S, 1.00002368f));
        poly = poly.fma(t, FloatVector.broadcast(S, -1.26551223f));
        return poly;
    }

    // erf: the Taylor series below 0.5, in x^2 (without its 2x/sqrt(pi) factor)
    private static FloatVector erfSeries(FloatVector x2) {
        FloatVector series = x2.fma(1f / 9360, -1f / 1320);
        series = series.fma(x2, FloatVector.broadcast(S, 1f / 216));
        series = series.fma(x2, FloatVector.broadcast(S, -1f / 42));
        series = series.fma(x2, FloatVector.broadcast(S, 1f / 10));
        series = series.fma(x2, FloatVector.broadcast(S, -1f / 3));
        series = series.fma(x2, FloatVector.broadcast(S, 1f));
        return series;
    }

    /** The sum of the lanes in a fixed pairwise order (the same in every JIT tier). */
    public static float sumLanes(FloatVector v) {
        return VectorMath.sumLanes(v);
    }
}
