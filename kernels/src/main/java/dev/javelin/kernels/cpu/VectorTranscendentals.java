package dev.javelin.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * exp, log and tanh in float from lanewise arithmetic only (the Cephes single-precision
 * polynomials, about 1 ulp). The Vector API's EXP/LOG/TANH operators call SVML when compiled and
 * {@link Math} when interpreted, and the two disagree in the last bit, so results would depend on
 * JIT timing; these give the same bits in every tier, which keeps runs reproducible.
 */
final class VectorTranscendentals {
    private VectorTranscendentals() {}

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float EXP_HI = 88.72283905206835f, EXP_LO = -103.972077083991796f;
    private static final float SQRT_HALF = 0.707106781186547524f;

    /** e^x: x = n ln2 + r with |r| <= ln2/2, e^r by a degree-7 polynomial, then two exact power-of-two scalings. */
    static FloatVector exp(FloatVector x) {
        FloatVector n = VectorMath.rint(x.mul(LOG2E));
        FloatVector r = fmaC(n, -LN2_HI, x);
        r = fmaC(n, -LN2_LO, r);
        FloatVector p = mad(mad(mad(mad(mad(r.mul(1.9875691500e-4f).add(1.3981999507e-3f), r, 8.3334519073e-3f), r, 4.1665795894e-2f),
                r, 1.6666665459e-1f), r, 5.0000001201e-1f), r, 0f);
        FloatVector er = p.mul(r).add(r).add(1f);
        // 2^n in two halves, so n down to -150 (subnormal results) and up to 128 stays exact.
        IntVector ni = (IntVector) n.max(-160f).min(160f).convert(VectorOperators.F2I, 0);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector y = er.mul(s1).mul(s2);
        y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI));
        return y.blend(0f, x.compare(VectorOperators.LT, EXP_LO));
    }

    /** ln x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m by a polynomial in m - 1. */
    static FloatVector log(FloatVector x) {
        VectorMask<Float> tiny = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(8388608f), tiny); // subnormals: scale by 2^23 first
        IntVector bits = xs.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).and(0xff).sub(126);
        FloatVector m = bits.and(0x807fffff).or(0x3f000000).reinterpretAsFloats(); // [0.5, 1)
        FloatVector ef = ((FloatVector) e.convert(VectorOperators.I2F, 0)).sub(23f, tiny);
        VectorMask<Float> low = m.compare(VectorOperators.LT, SQRT_HALF);
        ef = ef.sub(1f, low);
        m = m.add(m.blend(0f, low.not())).sub(1f); // m < sqrt(1/2): 2m - 1, else m - 1
        FloatVector z = m.mul(m);
        FloatVector p = mad(mad(mad(mad(mad(mad(mad(mad(m.mul(7.0376836292e-2f).add(-1.1514610310e-1f), m, 1.1676998740e-1f),
                m, -1.2420140846e-1f), m, 1.4249322787e-1f), m, -1.6668057665e-1f), m, 2.0000714765e-1f), m, -2.4999993993e-1f),
                m, 3.3333331174e-1f), m, 0f);
        FloatVector y = p.mul(z);
        y = fmaC(ef, LN2_LO, y);
        y = fmaC(z, -0.5f, y);
        FloatVector r = m.add(y);
        r = fmaC(ef, LN2_HI, r);
        r = r.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        r = r.blend(Float.NaN, x.compare(VectorOperators.LT, 0f));
        return r.blend(x, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY).or(x.test(VectorOperators.IS_NAN)));
    }

    /** tanh: an odd polynomial below 0.625, else 1 - 2 / (e^(2|x|) + 1) with the sign of x. */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = x.mul(x);
        FloatVector small = mad(mad(mad(mad(z.mul(-5.70498872745e-3f).add(2.06390887954e-2f), z, -5.37397155531e-2f),
                z, 1.33314422036e-1f), z, -3.33332819422e-1f), z, 0f).mul(x).add(x);
        FloatVector big = FloatVector.broadcast(x.species(), 1f).sub(FloatVector.broadcast(x.species(), 2f).div(exp(a.add(a)).add(1f)));
        big = VectorMath.copySign(big, x);
        return small.blend(big, a.compare(VectorOperators.GE, 0.625f));
    }

    /** a * c + b for a constant c. */
    private static FloatVector fmaC(FloatVector a, float c, FloatVector b) {
        return a.fma(FloatVector.broadcast(a.species(), c), b);
    }

    /** p * x + c. */
    private static FloatVector mad(FloatVector p, FloatVector x, float c) {
        return p.fma(x, FloatVector.broadcast(p.species(), c));
    }
}
