package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 loops on the Vector API. Every elementwise op and reduction runs a kernel generated
 * from the kernel IR ({@link GeneratedLoops}: the JIT's decompositions and code generator, so eager
 * and compiled results have the same bits by construction); what stays written here are copies and
 * the two small products the convolutions use. Only loaded when {@code jdk.incubator.vector} is
 * resolved (see {@link VectorSupport}).
 */
final class VectorFloatLoops implements FloatLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** For an op the IR has no loop for (none today among float32 ops): plain Java. */
    private final ScalarFloatLoops scalar = new ScalarFloatLoops();

    @Override
    public void unary(Op op, float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        if (GeneratedLoops.UNARY.contains(op)) GeneratedLoops.unary(op, x, xo, xs, out, oo, os, n);
        else scalar.unary(op, x, xo, xs, out, oo, os, n);
    }

    @Override
    public void binary(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        if (GeneratedLoops.BINARY.contains(op)) GeneratedLoops.binary(op, a, ao, as, b, bo, bs, out, oo, os, n);
        else scalar.binary(op, a, ao, as, b, bo, bs, out, oo, os, n);
    }

    @Override
    public void compare(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int os, int n) {
        if (!op.isComparison()) throw new IllegalArgumentException("cpu-vector: " + op + " is not a comparison");
        GeneratedLoops.compare(op, a, ao, as, b, bo, bs, out, oo, os, n);
    }

    @Override
    public void where(boolean[] c, int co, int cs, float[] a, int ao, int as, float[] b, int bo, int bs,
                      float[] out, int oo, int os, int n) {
        GeneratedLoops.where(c, co, cs, a, ao, as, b, bo, bs, out, oo, os, n);
    }

    @Override
    public void copy(float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        if (xs == 1 && os == 1) {
            System.arraycopy(x, xo, out, oo, n);
        } else if (xs == 0 && os == 1) {
            java.util.Arrays.fill(out, oo, oo + n, x[xo]);
        } else {
            for (int i = 0; i < n; i++) out[oo + i * os] = x[xo + i * xs];
        }
    }

    @Override
    public float reduce(Op op, float[] x, int xo, int xs, int n, float acc) {
        checkReduction(op);
        return GeneratedLoops.reduce(op, x, xo, xs, n, acc);
    }

    @Override
    public void accumulate(Op op, float[] x, int xo, int xs, float[] acc, int ao, int n) {
        checkReduction(op);
        GeneratedLoops.accumulate(op, x, xo, xs, acc, ao, n);
    }

    private static void checkReduction(Op op) {
        if (op != Op.REDUCE_SUM && op != Op.REDUCE_MAX && op != Op.REDUCE_MIN) {
            throw new IllegalArgumentException("cpu-vector: " + op + " is not a float reduction");
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
}
