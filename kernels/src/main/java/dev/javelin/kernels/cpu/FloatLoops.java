package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;

/**
 * The float32 inner loops: one call handles one row of {@code n} elements whose operands advance by
 * their own stride (1 for dense, 0 for a broadcast operand, anything else for a strided view). Every
 * elementwise op and reduction runs a kernel made from the kernel IR ({@link GeneratedLoops}: generated
 * Vector API code, or the same body evaluated in plain Java without the Vector API, with the same
 * bits); the implementations ({@link VectorSupport#loops()} picks one per JVM) differ only in the two
 * small products a convolution's input gradient and attention use.
 */
interface FloatLoops {
    /** {@code out[i] = op(x[i])}. */
    default void unary(Op op, float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        GeneratedLoops.unary(op, x, xo, xs, out, oo, os, n);
    }

    /** {@code out[i] = op(a[i], b[i])} for the arithmetic binary ops. */
    default void binary(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        GeneratedLoops.binary(op, a, ao, as, b, bo, bs, out, oo, os, n);
    }

    /** {@code out[i] = a[i] op b[i]} for the comparisons. */
    default void compare(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int os, int n) {
        GeneratedLoops.compare(op, a, ao, as, b, bo, bs, out, oo, os, n);
    }

    /** {@code out[i] = c[i] ? a[i] : b[i]}. */
    default void where(boolean[] c, int co, int cs, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        GeneratedLoops.where(c, co, cs, a, ao, as, b, bo, bs, out, oo, os, n);
    }

    /**
     * Folds a row into {@code acc} with REDUCE_SUM, REDUCE_MAX or REDUCE_MIN. The row is combined
     * in a fixed order that depends only on {@code n}, so the result never depends on threads.
     */
    default float reduce(Op op, float[] x, int xo, int xs, int n, float acc) {
        return GeneratedLoops.reduce(op, x, xo, xs, n, acc);
    }

    /** {@code out[j] = sum over t < k of x[t] * w[t * ldw + j]} for {@code j < n}: one row of a product with a short K. */
    void rowTimesMatrix(float[] x, int xo, int k, float[] w, int wo, int ldw, float[] out, int oo, int n);

    /** {@code y[i] += s * x[i]} over dense runs. */
    void axpy(float s, float[] x, int xo, float[] y, int yo, int n);
}
