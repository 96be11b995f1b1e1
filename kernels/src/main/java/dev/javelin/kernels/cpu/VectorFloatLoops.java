package dev.javelin.kernels.cpu;

import static jdk.incubator.vector.VectorOperators.COS;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.LOG;
import static jdk.incubator.vector.VectorOperators.POW;
import static jdk.incubator.vector.VectorOperators.SIN;
import static jdk.incubator.vector.VectorOperators.SQRT;
import static jdk.incubator.vector.VectorOperators.TANH;

import dev.javelin.tensor.Op;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 loops on the Vector API: the widest species (16 lanes with AVX-512), masked tails,
 * transcendentals through lanewise operations ({@code EXP}, {@code LOG}, {@code TANH}, ...), and
 * {@link VectorMath} where the API has no operator (erf, rounding). Only loaded when
 * {@code jdk.incubator.vector} is resolved (see {@link VectorSupport}).
 */
final class VectorFloatLoops implements FloatLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private final ScalarFloatLoops scalar = new ScalarFloatLoops();

    @Override
    public void unary(Op op, float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        if (xs == 1 && os == 1) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                apply(op, FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
            }
            if (i < n) {
                VectorMask<Float> m = S.indexInRange(i, n);
                apply(op, FloatVector.fromArray(S, x, xo + i, m)).intoArray(out, oo + i, m);
            }
        } else if (xs == 0) { // a broadcast input: one value, computed the way the dense loop does
            fill(out, oo, os, n, apply(op, FloatVector.broadcast(S, x[xo])).lane(0));
        } else {
            scalar.unary(op, x, xo, xs, out, oo, os, n);
        }
    }

    @Override
    public void binary(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        if (os != 1 || as > 1 || bs > 1 || as < 0 || bs < 0) {
            scalar.binary(op, a, ao, as, b, bo, bs, out, oo, os, n);
            return;
        }
        if (as == 0 && bs == 0) {
            fill(out, oo, 1, n, apply(op, FloatVector.broadcast(S, a[ao]), FloatVector.broadcast(S, b[bo])).lane(0));
            return;
        }
        FloatVector ca = FloatVector.broadcast(S, a[ao]);
        FloatVector cb = FloatVector.broadcast(S, b[bo]);
        int i = 0;
        // The stride tests are loop-invariant, so the JIT unswitches them out of the loop.
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            apply(op, va, vb).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i, m);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i, m);
            apply(op, va, vb).intoArray(out, oo + i, m);
        }
    }

    @Override
    public void compare(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int os, int n) {
        if (os != 1 || as > 1 || bs > 1 || as < 0 || bs < 0) {
            scalar.compare(op, a, ao, as, b, bo, bs, out, oo, os, n);
            return;
        }
        FloatVector ca = FloatVector.broadcast(S, a[ao]);
        FloatVector cb = FloatVector.broadcast(S, b[bo]);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            compare(op, va, vb).intoArray(out, oo + i);
        }
        scalar.compare(op, a, ao + i * as, as, b, bo + i * bs, bs, out, oo + i, 1, n - i);
    }

    @Override
    public void where(boolean[] c, int co, int cs, float[] a, int ao, int as, float[] b, int bo, int bs,
                      float[] out, int oo, int os, int n) {
        if (os != 1 || cs != 1 || as > 1 || bs > 1 || as < 0 || bs < 0) {
            scalar.where(c, co, cs, a, ao, as, b, bo, bs, out, oo, os, n);
            return;
        }
        FloatVector ca = FloatVector.broadcast(S, a[ao]);
        FloatVector cb = FloatVector.broadcast(S, b[bo]);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            vb.blend(va, VectorMask.fromArray(S, c, co + i)).intoArray(out, oo + i);
        }
        scalar.where(c, co + i, 1, a, ao + i * as, as, b, bo + i * bs, bs, out, oo + i, 1, n - i);
    }

    @Override
    public void copy(float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        if (xs == 0 && os == 1) {
            fill(out, oo, 1, n, x[xo]);
        } else {
            scalar.copy(x, xo, xs, out, oo, os, n);
        }
    }

    @Override
    public float reduce(Op op, float[] x, int xo, int xs, int n, float acc) {
        if (xs != 1 || n < L) return scalar.reduce(op, x, xo, xs, n, acc);
        // Four independent accumulators hide the add latency; how they combine depends only on n.
        FloatVector v0 = FloatVector.fromArray(S, x, xo), v1 = v0, v2 = v0, v3 = v0;
        if (op == Op.REDUCE_SUM) {
            v1 = FloatVector.zero(S);
            v2 = v1;
            v3 = v1;
        }
        int i = L;
        for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
            v0 = apply(op, v0, FloatVector.fromArray(S, x, xo + i));
            v1 = apply(op, v1, FloatVector.fromArray(S, x, xo + i + L));
            v2 = apply(op, v2, FloatVector.fromArray(S, x, xo + i + 2 * L));
            v3 = apply(op, v3, FloatVector.fromArray(S, x, xo + i + 3 * L));
        }
        for (int bound = S.loopBound(n); i < bound; i += L) v0 = apply(op, v0, FloatVector.fromArray(S, x, xo + i));
        FloatVector v = apply(op, apply(op, v0, v1), apply(op, v2, v3));
        float r = op == Op.REDUCE_SUM ? v.reduceLanes(VectorOperators.ADD)
                : op == Op.REDUCE_MAX ? v.reduceLanes(VectorOperators.MAX) : v.reduceLanes(VectorOperators.MIN);
        if (i < n) r = scalar.reduce(op, x, xo + i, 1, n - i, r);
        return op == Op.REDUCE_SUM ? acc + r : op == Op.REDUCE_MAX ? Math.max(acc, r) : Math.min(acc, r);
    }

    @Override
    public void accumulate(Op op, float[] x, int xo, int xs, float[] acc, int ao, int n) {
        if (xs != 1) {
            scalar.accumulate(op, x, xo, xs, acc, ao, n);
            return;
        }
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            apply(op, FloatVector.fromArray(S, acc, ao + i), FloatVector.fromArray(S, x, xo + i)).intoArray(acc, ao + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            apply(op, FloatVector.fromArray(S, acc, ao + i, m), FloatVector.fromArray(S, x, xo + i, m)).intoArray(acc, ao + i, m);
        }
    }

    // Small enough to be inlined into every loop above, where op is loop-invariant.
    private static FloatVector apply(Op op, FloatVector v) {
        return switch (op) {
            case NEG -> v.neg();
            case ABS -> v.abs();
            case EXP -> v.lanewise(EXP);
            case LOG -> v.lanewise(LOG);
            case SQRT -> v.lanewise(SQRT);
            case SIN -> v.lanewise(SIN);
            case COS -> v.lanewise(COS);
            case TANH -> v.lanewise(TANH);
            case SIGMOID -> VectorMath.sigmoid(v);
            case RELU -> v.max(0f);
            case RECIPROCAL -> FloatVector.broadcast(S, 1f).div(v);
            case SIGN -> VectorMath.sign(v);
            case FLOOR -> VectorMath.floor(v);
            case CEIL -> VectorMath.ceil(v);
            case ROUND -> VectorMath.rint(v);
            case ERF -> VectorMath.erf(v);
            default -> throw new IllegalArgumentException("cpu-vector: " + op + " is not a float32 unary op");
        };
    }

    private static FloatVector apply(Op op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD, REDUCE_SUM -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case POW -> a.lanewise(POW, b);
            case MAX, REDUCE_MAX -> a.max(b);
            case MIN, REDUCE_MIN -> a.min(b);
            default -> throw new IllegalArgumentException("cpu-vector: " + op + " is not a float32 binary op");
        };
    }

    private static VectorMask<Float> compare(Op op, FloatVector a, FloatVector b) {
        return switch (op) {
            case EQ -> a.compare(VectorOperators.EQ, b);
            case NE -> a.compare(VectorOperators.NE, b);
            case LT -> a.compare(VectorOperators.LT, b);
            case LE -> a.compare(VectorOperators.LE, b);
            case GT -> a.compare(VectorOperators.GT, b);
            case GE -> a.compare(VectorOperators.GE, b);
            default -> throw new IllegalArgumentException("cpu-vector: " + op + " is not a comparison");
        };
    }

    private static void fill(float[] out, int oo, int os, int n, float v) {
        if (os == 1) {
            java.util.Arrays.fill(out, oo, oo + n, v);
        } else {
            for (int i = 0; i < n; i++) out[oo + i * os] = v;
        }
    }
}
