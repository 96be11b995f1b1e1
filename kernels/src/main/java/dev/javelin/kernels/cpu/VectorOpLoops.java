package dev.javelin.kernels.cpu;

import static jdk.incubator.vector.VectorOperators.COS;
import static jdk.incubator.vector.VectorOperators.POW;
import static jdk.incubator.vector.VectorOperators.SIN;
import static jdk.incubator.vector.VectorOperators.SQRT;

import dev.javelin.tensor.Op;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The main loop of each float32 elementwise op over whole vectors, one lambda per op, indexed by
 * {@link Op#ordinal()}. Each lambda body is its own method and compiles on its own: one method
 * holding the loops of many ops grows past C2's inlining budget, which then leaves vector
 * operations as calls that box every vector (measured: 20-50x slower). For the same reason exp,
 * log, tanh, sigmoid and erf are written out inside their loops rather than called: a helper that
 * C2 compiled on its own (it sees an abstract FloatVector there and keeps the Java fallback) is
 * "already compiled into a big method" and is then never inlined into a loop again.
 *
 * <p>Those five are the Cephes single-precision polynomials (erf: Numerical Recipes' erfc fit),
 * within about 2.6 ulp, from lanewise arithmetic only. The API's EXP/LOG/TANH operators call SVML
 * when compiled but {@link Math} when interpreted, and the two differ in the last bit, so results
 * would depend on JIT timing; these give the same bits in every tier. Callers handle the tail by
 * running the same loop on a padded copy.
 */
final class VectorOpLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorOpLoops() {}

    /** A main loop over the whole vectors of a dense row; returns where it stopped. */
    @FunctionalInterface
    interface UnaryLoop {
        int run(float[] x, int xo, float[] out, int oo, int n);
    }

    /** A main loop where each operand is dense (stride 1) or the broadcast constant (stride 0), not both constant. */
    @FunctionalInterface
    interface BinaryLoop {
        int run(float[] a, int ao, int as, FloatVector ca, float[] b, int bo, int bs, FloatVector cb, float[] out, int oo, int n);
    }

    @FunctionalInterface
    interface CompareLoop {
        int run(float[] a, int ao, int as, FloatVector ca, float[] b, int bo, int bs, FloatVector cb, boolean[] out, int oo, int n);
    }

    // One lambda per op: each body is its own method, compiled on its own (see the class comment).
    static final UnaryLoop[] UNARY = new UnaryLoop[Op.values().length];
    static final BinaryLoop[] BINARY = new BinaryLoop[Op.values().length];
    static final CompareLoop[] COMPARE = new CompareLoop[Op.values().length];

    static {
        UNARY[Op.NEG.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, xo + i).neg().intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.ABS.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, xo + i).abs().intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.EXP.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xo + i);
                // exp: x = n ln2 + r, |r| <= ln2/2; e^r by the Cephes polynomial; 2^n in two exact halves
                // the range clamps as compare-and-blend: Java's max/min (NaN and signed-zero rules) cost six instructions each
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
                FloatVector r = kp.mul(kr).mul(kr).add(kr).add(1f).mul(ks1).mul(ks2).blend(Float.POSITIVE_INFINITY, over).blend(0f, under);
                r.intoArray(out, oo + i);
            }
            return i;
        };
        UNARY[Op.LOG.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xo + i);
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
                FloatVector p = m.fma(7.0376836292e-2f, -1.1514610310e-1f);
                p = p.fma(m, FloatVector.broadcast(S, 1.1676998740e-1f));
                p = p.fma(m, FloatVector.broadcast(S, -1.2420140846e-1f));
                p = p.fma(m, FloatVector.broadcast(S, 1.4249322787e-1f));
                p = p.fma(m, FloatVector.broadcast(S, -1.6668057665e-1f));
                p = p.fma(m, FloatVector.broadcast(S, 2.0000714765e-1f));
                p = p.fma(m, FloatVector.broadcast(S, -2.4999993993e-1f));
                p = p.fma(m, FloatVector.broadcast(S, 3.3333331174e-1f));
                FloatVector y = e.fma(FloatVector.broadcast(S, -2.12194440e-4f), p.mul(m).mul(z));
                y = z.fma(FloatVector.broadcast(S, -0.5f), y);
                FloatVector r = e.fma(FloatVector.broadcast(S, 0.693359375f), m.add(y))
                        .blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0f))
                        .blend(Float.NaN, v.compare(VectorOperators.LT, 0f))
                        .blend(v, v.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY).or(v.test(VectorOperators.IS_NAN)));
                r.intoArray(out, oo + i);
            }
            return i;
        };
        UNARY[Op.SQRT.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, xo + i).lanewise(SQRT).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.SIN.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, xo + i).lanewise(SIN).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.COS.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, xo + i).lanewise(COS).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.TANH.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xo + i);
                // tanh = expm1(2x) / (expm1(2x) + 2), 2x clamped to [-20, 20]; expm1(y) = 2^n expm1(r) + (2^n - 1)
                FloatVector y = v.add(v);
                y = y.blend(VectorFunctions.TWENTY, y.compare(VectorOperators.GT, VectorFunctions.TWENTY))
                        .blend(VectorFunctions.MINUS_TWENTY, y.compare(VectorOperators.LT, VectorFunctions.MINUS_TWENTY));
                FloatVector kt = y.mul(1.44269504088896341f).add(12582912f);
                FloatVector kn = kt.sub(12582912f);
                FloatVector kr = kn.fma(FloatVector.broadcast(S, -0.693359375f), y);
                kr = kn.fma(FloatVector.broadcast(S, 2.12194440e-4f), kr);
                FloatVector kp = kr.fma(1.9875691500e-4f, 1.3981999507e-3f);
                kp = kp.fma(kr, FloatVector.broadcast(S, 8.3334519073e-3f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 4.1665795894e-2f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 1.6666665459e-1f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 5.0000001201e-1f));
                FloatVector em1r = kp.mul(kr).fma(kr, kr);
                FloatVector scale = kt.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector em1 = scale.fma(em1r, scale.sub(1f));
                FloatVector r = em1.div(em1.add(2f)).reinterpretAsInts().or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
                r.intoArray(out, oo + i);
            }
            return i;
        };
        UNARY[Op.SIGMOID.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xo + i);
                // e^-x as exp below, -x clamped to [-20, 88] (sigmoid is 1 from x = 20; below x = -88 its
                // true value is subnormal and 0 is returned): no overflow, no subnormal, one 2^n scale
                FloatVector u = v.neg();
                FloatVector kxc = u.blend(-20f, u.compare(VectorOperators.LT, -20f)).blend(88f, u.compare(VectorOperators.GT, 88f));
                FloatVector kt = kxc.mul(1.44269504088896341f).add(12582912f);
                FloatVector kn = kt.sub(12582912f);
                FloatVector kr = kn.fma(FloatVector.broadcast(S, -0.693359375f), kxc);
                kr = kn.fma(FloatVector.broadcast(S, 2.12194440e-4f), kr);
                FloatVector kp = kr.fma(1.9875691500e-4f, 1.3981999507e-3f);
                kp = kp.fma(kr, FloatVector.broadcast(S, 8.3334519073e-3f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 4.1665795894e-2f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 1.6666665459e-1f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 5.0000001201e-1f));
                FloatVector scale = kt.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector e = kp.mul(kr).mul(kr).add(kr).add(1f).mul(scale);
                FloatVector r = FloatVector.broadcast(S, 1f).div(e.add(1f)).blend(0f, v.compare(VectorOperators.LT, -88f));
                r.intoArray(out, oo + i);
            }
            return i;
        };
        UNARY[Op.RELU.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, xo + i).max(0f).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.RECIPROCAL.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) VectorMath.reciprocal(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.SIGN.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) VectorMath.sign(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.FLOOR.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) VectorMath.floor(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.CEIL.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) VectorMath.ceil(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.ROUND.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) VectorMath.rint(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.ERF.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xo + i);
                // erf: a Taylor series below 0.5; else 1 - t exp(poly(t) - x^2), Numerical Recipes' erfc fit, t = 1 / (1 + |x|/2)
                FloatVector ax = v.abs(), x2 = v.mul(v);
                FloatVector t = FloatVector.broadcast(S, 1f).div(ax.mul(0.5f).add(1f));
                FloatVector poly = t.fma(0.17087277f, -0.82215223f);
                poly = poly.fma(t, FloatVector.broadcast(S, 1.48851587f));
                poly = poly.fma(t, FloatVector.broadcast(S, -1.13520398f));
                poly = poly.fma(t, FloatVector.broadcast(S, 0.27886807f));
                poly = poly.fma(t, FloatVector.broadcast(S, -0.18628806f));
                poly = poly.fma(t, FloatVector.broadcast(S, 0.09678418f));
                poly = poly.fma(t, FloatVector.broadcast(S, 0.37409196f));
                poly = poly.fma(t, FloatVector.broadcast(S, 1.00002368f));
                poly = poly.fma(t, FloatVector.broadcast(S, -1.26551223f));
                // exp: x = n ln2 + r, |r| <= ln2/2; e^r by the Cephes polynomial; 2^n in two exact halves
                FloatVector ex = poly.sub(x2);
                VectorMask<Float> over = ex.compare(VectorOperators.GT, 88.72283905206835f), under = ex.compare(VectorOperators.LT, -103.972077083991796f);
                FloatVector kxc = ex.blend(88.72283905206835f, over).blend(-103.972077083991796f, under);
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
                FloatVector ee = kp.mul(kr).mul(kr).add(kr).add(1f).mul(ks1).mul(ks2).blend(Float.POSITIVE_INFINITY, over).blend(0f, under);
                FloatVector series = x2.fma(1f / 9360, -1f / 1320);
                series = series.fma(x2, FloatVector.broadcast(S, 1f / 216));
                series = series.fma(x2, FloatVector.broadcast(S, -1f / 42));
                series = series.fma(x2, FloatVector.broadcast(S, 1f / 10));
                series = series.fma(x2, FloatVector.broadcast(S, -1f / 3));
                series = series.fma(x2, FloatVector.broadcast(S, 1f));
                FloatVector tail = FloatVector.broadcast(S, 1f).sub(t.mul(ee));
                FloatVector r = series.mul(v).mul(1.1283791670955126f)
                        .blend(tail.reinterpretAsInts().and(0x7fffffff).or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats(), ax.compare(VectorOperators.GE, 0.5f));
                r.intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.ADD.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).add(cb).intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.SUB.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).sub(cb).intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.MUL.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).mul(cb).intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.DIV.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).div(cb).intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.POW.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).lanewise(POW, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.lanewise(POW, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).lanewise(POW, cb).intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.MAX.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).max(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.max(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).max(cb).intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.MIN.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).min(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.min(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).min(cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.EQ.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.EQ, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.EQ, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.EQ, cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.NE.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.NE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.NE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.NE, cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.LT.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.LT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LT, cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.LE.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.LE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LE, cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.GT.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.GT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GT, cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.GE.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.GE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GE, cb).intoArray(out, oo + i);
            }
            return i;
        };
    }
}
