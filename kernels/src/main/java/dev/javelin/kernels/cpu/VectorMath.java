package dev.javelin.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Float32 functions the Vector API has no lanewise operator for, written from the ones it has.
 * Each matches its {@link ScalarMath} counterpart on NaN, infinities and signed zeros.
 */
final class VectorMath {
    private VectorMath() {}

    /** 2^23: from here on every float is an integer. */
    private static final float TWO_23 = 8388608f;
    /** 2 / sqrt(pi). */
    private static final float ERF_SCALE = 1.1283791670955126f;

    static FloatVector sigmoid(FloatVector v) {
        FloatVector one = FloatVector.broadcast(v.species(), 1f);
        return one.div(VectorTranscendentals.exp(v.neg()).add(1f));
    }

    /** Lane i + w takes lane i's place: the steps of {@link #sumLanes}' tree. */
    private static final VectorShuffle<Float>[] HALVES = halves();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        VectorShuffle<Float>[] h = new VectorShuffle[Integer.numberOfTrailingZeros(lanes)];
        for (int s = 0; s < h.length; s++) h[s] = VectorShuffle.iota(FloatVector.SPECIES_PREFERRED, lanes >> (s + 1), 1, true);
        return h;
    }

    /**
     * The sum of the lanes as a fixed pairwise tree. {@code reduceLanes(ADD)} leaves the order open,
     * and its compiled and interpreted forms do differ, so a sum could change with JIT timing.
     */
    static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> half : HALVES) v = v.add(v.rearrange(half));
        return v.lane(0);
    }

    static FloatVector reciprocal(FloatVector v) {
        return FloatVector.broadcast(v.species(), 1f).div(v);
    }

    /** -1, 0 or 1 with 0, -0 and NaN passed through, like {@link Math#signum(float)}. */
    static FloatVector sign(FloatVector v) {
        return v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f));
    }

    /** Round half to even: adding and removing 2^23 rounds in the FPU's default mode. */
    static FloatVector rint(FloatVector v) {
        FloatVector a = v.abs();
        FloatVector r = a.add(TWO_23).sub(TWO_23);
        return copySign(r, v).blend(v, a.compare(VectorOperators.GE, TWO_23).or(v.test(VectorOperators.IS_NAN)));
    }

    static FloatVector floor(FloatVector v) {
        FloatVector r = rint(v);
        return copySign(r.sub(1f, r.compare(VectorOperators.GT, v)), v);
    }

    static FloatVector ceil(FloatVector v) {
        FloatVector r = rint(v);
        return copySign(r.add(1f, r.compare(VectorOperators.LT, v)), v);
    }

    /** p * x + c, fused. */
    private static FloatVector mad(FloatVector p, FloatVector x, float c) {
        return p.fma(x, FloatVector.broadcast(p.species(), c));
    }

    /** The magnitude of {@code mag} with the sign of {@code sign}. */
    static FloatVector copySign(FloatVector mag, FloatVector sign) {
        IntVector m = mag.reinterpretAsInts().and(0x7fffffff);
        IntVector s = sign.reinterpretAsInts().and(0x80000000);
        return m.or(s).reinterpretAsFloats();
    }

    /**
     * erf in float: a Taylor series below 0.5 (small relative error near zero), else 1 - erfc from
     * the Chebyshev fit of Numerical Recipes (fractional error below 1.2e-7).
     */
    static FloatVector erf(FloatVector x) {
        FloatVector z = x.abs();
        FloatVector x2 = x.mul(x);
        FloatVector series = mad(mad(mad(mad(mad(mad(x2.mul(1f / 9360), x2, -1f / 1320), x2, 1f / 216), x2, -1f / 42),
                x2, 1f / 10), x2, -1f / 3), x2, 1f).mul(x).mul(ERF_SCALE);
        FloatVector t = FloatVector.broadcast(x.species(), 1f).div(z.mul(0.5f).add(1f));
        FloatVector poly = mad(mad(mad(mad(t.mul(0.17087277f).add(-0.82215223f), t, 1.48851587f), t, -1.13520398f),
                t, 0.27886807f), t, -0.18628806f);
        poly = mad(mad(mad(mad(poly, t, 0.09678418f), t, 0.37409196f), t, 1.00002368f), t, -1.26551223f);
        FloatVector erfc = t.mul(VectorTranscendentals.exp(poly.sub(x2)));
        FloatVector tail = copySign(FloatVector.broadcast(x.species(), 1f).sub(erfc), x);
        VectorMask<Float> small = z.compare(VectorOperators.LT, 0.5f);
        return tail.blend(series, small);
    }
}
