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
                // e^(2|x|) as exp below, clamped at 20 (tanh is 1 from there): no overflow, no subnormal, one 2^n scale
                FloatVector kxc = v.abs().mul(2f).min(20f);
                FloatVector kn = kxc.mul(1.44269504088896341f).add(12582912f).sub(12582912f);
                FloatVector kr = kn.fma(FloatVector.broadcast(S, -0.693359375f), kxc);
                kr = kn.fma(FloatVector.broadcast(S, 2.12194440e-4f), kr);
                FloatVector kp = kr.fma(1.9875691500e-4f, 1.3981999507e-3f);
                kp = kp.fma(kr, FloatVector.broadcast(S, 8.3334519073e-3f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 4.1665795894e-2f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 1.6666665459e-1f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 5.0000001201e-1f));
                FloatVector scale = ((IntVector) kn.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector e2 = kp.mul(kr).mul(kr).add(kr).add(1f).mul(scale);
                // tanh: an odd polynomial below 0.625, else 1 - 2 / (e^(2|x|) + 1) with the sign of x
                FloatVector z = v.mul(v);
                FloatVector q = z.fma(-5.70498872745e-3f, 2.06390887954e-2f);
                q = q.fma(z, FloatVector.broadcast(S, -5.37397155531e-2f));
                q = q.fma(z, FloatVector.broadcast(S, 1.33314422036e-1f));
                q = q.fma(z, FloatVector.broadcast(S, -3.33332819422e-1f));
                FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e2.add(1f)));
                FloatVector r = q.mul(z).mul(v).add(v)
                        .blend(big.reinterpretAsInts().and(0x7fffffff).or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats(), v.abs().compare(VectorOperators.GE, 0.625f));
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
                FloatVector kxc = v.neg().max(-20f).min(88f);
                FloatVector kn = kxc.mul(1.44269504088896341f).add(12582912f).sub(12582912f);
                FloatVector kr = kn.fma(FloatVector.broadcast(S, -0.693359375f), kxc);
                kr = kn.fma(FloatVector.broadcast(S, 2.12194440e-4f), kr);
                FloatVector kp = kr.fma(1.9875691500e-4f, 1.3981999507e-3f);
                kp = kp.fma(kr, FloatVector.broadcast(S, 8.3334519073e-3f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 4.1665795894e-2f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 1.6666665459e-1f));
                kp = kp.fma(kr, FloatVector.broadcast(S, 5.0000001201e-1f));
                FloatVector scale = ((IntVector) kn.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
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
                FloatVector kxc = poly.sub(x2).max(-103.972077083991796f).min(88.72283905206835f);
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
                FloatVector ee = kp.mul(kr).mul(kr).add(kr).add(1f).mul(ks1).mul(ks2)
                        .blend(Float.POSITIVE_INFINITY, poly.sub(x2).compare(VectorOperators.GT, 88.72283905206835f))
                        .blend(0f, poly.sub(x2).compare(VectorOperators.LT, -103.972077083991796f));
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
