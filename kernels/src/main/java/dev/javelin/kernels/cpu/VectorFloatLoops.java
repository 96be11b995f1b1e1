package dev.javelin.kernels.cpu;


import dev.javelin.tensor.Op;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 loops on the Vector API: the widest species (16 lanes with AVX-512), masked tails,
 * transcendentals from kernels generated from the kernel IR ({@link GeneratedLoops}: the JIT's own
 * decompositions, so eager and compiled results have the same bits; pow too), and {@link VectorMath}
 * where the API has no operator (rounding). Only loaded when
 * {@code jdk.incubator.vector} is resolved (see {@link VectorSupport}).
 *
 * <p>Every elementwise op has its own main loop in {@link VectorOpLoops}, compiled as its own
 * method; binary tails and broadcast scalars, once per row, go through the shared {@link #apply}
 * switch, unary ones through the op's loop on a padded copy.
 */
final class VectorFloatLoops implements FloatLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private final ScalarFloatLoops scalar = new ScalarFloatLoops();

    @Override
    public void unary(Op op, float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        if (GeneratedLoops.UNARY.contains(op)) {
            GeneratedLoops.unary(op, x, xo, xs, out, oo, os, n);
            return;
        }
        if (xs == 0) { // a broadcast input: one value, computed by the same loop as dense rows
            float[] one = new float[L];
            java.util.Arrays.fill(one, x[xo]);
            VectorOpLoops.UNARY[op.ordinal()].run(one, 0, one, 0, L);
            fill(out, oo, os, n, one[0]);
            return;
        }
        if (xs != 1 || os != 1) {
            scalar.unary(op, x, xo, xs, out, oo, os, n);
            return;
        }
        int i = VectorOpLoops.UNARY[op.ordinal()].run(x, xo, out, oo, n);
        if (i < n) { // the tail through the same loop on a padded copy: the same bits as a full vector
            float[] tail = new float[L];
            System.arraycopy(x, xo + i, tail, 0, n - i);
            VectorOpLoops.UNARY[op.ordinal()].run(tail, 0, tail, 0, L);
            System.arraycopy(tail, 0, out, oo + i, n - i);
        }
    }

    @Override
    public void binary(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        if (GeneratedLoops.BINARY.contains(op)) {
            GeneratedLoops.binary(op, a, ao, as, b, bo, bs, out, oo, os, n);
            return;
        }
        if (os != 1 || as > 1 || bs > 1 || as < 0 || bs < 0) {
            scalar.binary(op, a, ao, as, b, bo, bs, out, oo, os, n);
            return;
        }
        FloatVector ca = FloatVector.broadcast(S, a[ao]);
        FloatVector cb = FloatVector.broadcast(S, b[bo]);
        if (as == 0 && bs == 0) {
            fill(out, oo, 1, n, apply(op, ca, cb).lane(0));
            return;
        }
        // Each op's loop comes in three stride patterns: both dense, a broadcast a, a broadcast b.
        int i = VectorOpLoops.BINARY[op.ordinal()].run(a, ao, as, ca, b, bo, bs, cb, out, oo, n);
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i, m);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i, m);
            apply(op, va, vb).intoArray(out, oo + i, m);
        }
    }

    @Override
    public void compare(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int os, int n) {
        // Both operands broadcast (stride 0): the vector loops below read one of them as a full vector.
        if (os != 1 || as > 1 || bs > 1 || as < 0 || bs < 0 || (as == 0 && bs == 0)) {
            scalar.compare(op, a, ao, as, b, bo, bs, out, oo, os, n);
            return;
        }
        FloatVector ca = FloatVector.broadcast(S, a[ao]);
        FloatVector cb = FloatVector.broadcast(S, b[bo]);
        int i = VectorOpLoops.COMPARE[op.ordinal()].run(a, ao, as, ca, b, bo, bs, cb, out, oo, n);
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
        if (op != Op.REDUCE_SUM && op != Op.REDUCE_MAX && op != Op.REDUCE_MIN) {
            throw new IllegalArgumentException("cpu-vector: " + op + " is not a float reduction");
        }
        return GeneratedLoops.reduce(op, x, xo, xs, n, acc);
    }

    @Override
    public void accumulate(Op op, float[] x, int xo, int xs, float[] acc, int ao, int n) {
        if (xs != 1) {
            scalar.accumulate(op, x, xo, xs, acc, ao, n);
            return;
        }
        switch (op) { // one method per op, so each compiles on its own
            case REDUCE_SUM -> accumulateSum(x, xo, acc, ao, n);
            case REDUCE_MAX -> accumulateMax(x, xo, acc, ao, n);
            case REDUCE_MIN -> accumulateMin(x, xo, acc, ao, n);
            default -> throw new IllegalArgumentException("cpu-vector: " + op + " is not a float reduction");
        }
    }

    private static void accumulateSum(float[] x, int xo, float[] acc, int ao, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, acc, ao + i).add(FloatVector.fromArray(S, x, xo + i)).intoArray(acc, ao + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, acc, ao + i, m).add(FloatVector.fromArray(S, x, xo + i, m)).intoArray(acc, ao + i, m);
        }
    }

    private static void accumulateMax(float[] x, int xo, float[] acc, int ao, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, acc, ao + i).max(FloatVector.fromArray(S, x, xo + i)).intoArray(acc, ao + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, acc, ao + i, m).max(FloatVector.fromArray(S, x, xo + i, m)).intoArray(acc, ao + i, m);
        }
    }

    private static void accumulateMin(float[] x, int xo, float[] acc, int ao, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, acc, ao + i).min(FloatVector.fromArray(S, x, xo + i)).intoArray(acc, ao + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, acc, ao + i, m).min(FloatVector.fromArray(S, x, xo + i, m)).intoArray(acc, ao + i, m);
        }
    }

    @Override
    public void rowTimesMatrix(float[] x, int xo, int k, float[] w, int wo, int ldw, float[] out, int oo, int n) {
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int t = 0; t < k; t++) acc = FloatVector.fromArray(S, w, wo + t * ldw + j).fma(FloatVector.broadcast(S, x[xo + t]), acc);
            acc.intoArray(out, oo + j);
        }
        if (j < n) rowTimesMatrixTail(x, xo, k, w, wo + j, ldw, out, oo + j, n - j);
    }

    /** The last partial vector of {@link #rowTimesMatrix}: its own method, so the full loop compiles without masks. */
    private static void rowTimesMatrixTail(float[] x, int xo, int k, float[] w, int wo, int ldw, float[] out, int oo, int n) {
        VectorMask<Float> m = S.indexInRange(0, n);
        FloatVector acc = FloatVector.zero(S);
        for (int t = 0; t < k; t++) acc = FloatVector.fromArray(S, w, wo + t * ldw, m).fma(FloatVector.broadcast(S, x[xo + t]), acc);
        acc.intoArray(out, oo, m);
    }

    @Override
    public void axpy(float s, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector vs = FloatVector.broadcast(S, s);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).fma(vs, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, x, xo + i, m).fma(vs, FloatVector.fromArray(S, y, yo + i, m)).intoArray(y, yo + i, m);
        }
    }

    /** One binary op (or reduction step) on two vectors: for tails, once per row. */
    private static FloatVector apply(Op op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD, REDUCE_SUM -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX, REDUCE_MAX -> a.max(b);
            case MIN, REDUCE_MIN -> a.min(b);
            default -> throw new IllegalArgumentException("cpu-vector: " + op + " is not a float32 binary op");
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
