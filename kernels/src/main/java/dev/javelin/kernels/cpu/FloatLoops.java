package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;

/**
 * The float32 row loops that the attention and recurrence kernels take as a parameter: one call handles
 * one row of {@code n} elements whose operands advance by their own stride (1 dense, 0 broadcast).
 * Elementwise ops and reductions are the kernel IR's ({@link GeneratedLoops}, which the eager backend
 * calls directly); the implementations ({@link VectorSupport#loops()} picks one per JVM) differ only in
 * the two small products a convolution's input gradient and attention use.
 */
interface FloatLoops {
    /** {@code out[i] = op(a[i], b[i])} for the arithmetic binary ops. */
    default void binary(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        GeneratedLoops.binary(op, a, ao, as, b, bo, bs, out, oo, os, n);
    }

    /** {@code out[j] = sum over t < k of x[t] * w[t * ldw + j]} for {@code j < n}: one row of a product with a short K. */
    void rowTimesMatrix(float[] x, int xo, int k, float[] w, int wo, int ldw, float[] out, int oo, int n);

    /** {@code y[i] += s * x[i]} over dense runs. */
    void axpy(float s, float[] x, int xo, float[] y, int yo, int n);
}
