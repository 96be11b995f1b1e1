package dev.javelin.kernels.cpu;

/**
 * The float32 loops without the Vector API: the elementwise ops and reductions are {@link FloatLoops}'
 * kernels (evaluated in plain Java, bit for bit the vector path's); the two products are plain loops.
 */
final class ScalarFloatLoops implements FloatLoops {
    @Override
    public void rowTimesMatrix(float[] x, int xo, int k, float[] w, int wo, int ldw, float[] out, int oo, int n) {
        java.util.Arrays.fill(out, oo, oo + n, 0f);
        for (int t = 0; t < k; t++) axpy(x[xo + t], w, wo + t * ldw, out, oo, n);
    }

    @Override
    public void axpy(float s, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = Math.fma(s, x[xo + i], y[yo + i]);
    }
}
