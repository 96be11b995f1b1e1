package dev.javelin.kernels.cpu;

/**
 * The float32 convolution kernels for a short reduction (K = KH*KW*Cin/groups below
 * {@link #MAX_K}, like a first layer on a grey or RGB image). A GEMM there has one tiny dimension
 * and spends its time on edge tiles; row-by-row kernels over the column matrix, vectorized along
 * the output channels, do better (measured on MNIST's 28x28x1 to 26x26x32 layer).
 */
final class ShortConv {
    /** Convolutions with K below this take these kernels. */
    static final int MAX_K = 32;

    private final FloatLoops loops;

    /**
     * True when {@link ShortConvVector}'s direct kernels take this convolution: a short reduction, the
     * Vector API on, and whole vectors of output channels per group. The row kernels below (over a
     * gathered column matrix) take the rest, and every convolution when the Vector API is off.
     */
    static boolean direct(Conv2d.Geometry g) {
        return g.k < MAX_K && VectorSupport.enabled() && ShortConvVector.fits(g);
    }

    ShortConv(FloatLoops loops) {
        this.loops = loops;
    }

    /** out rows [rows] of group {@code grp} = col [rows, K] times the group's filter columns. */
    void forward(float[] col, int rows, Conv2d.Geometry g, int grp, float[] f, float[] out, int outRow0) {
        int grain = Math.max(1, StridedLoop.CHUNK / Math.max(1, g.k * g.coutg));
        CpuThreads.parallelFor(rows, grain, (from, to) -> {
            for (int r = from; r < to; r++) {
                loops.rowTimesMatrix(col, r * g.k, g.k, f, grp * g.coutg, g.cout, out, (outRow0 + r) * g.cout + grp * g.coutg, g.coutg);
            }
        });
    }

    /** dcol [rows, K] = dy rows of group {@code grp} times the group's filter, transposed. */
    void columnsOfInputGradient(float[] dy, int dyRow0, int rows, Conv2d.Geometry g, int grp, float[] f, float[] col) {
        // The group's filter as [Coutg, K], so each dcol row is one short row-times-matrix product.
        float[] ft = new float[g.coutg * g.k];
        for (int t = 0; t < g.k; t++) {
            for (int co = 0; co < g.coutg; co++) ft[co * g.k + t] = f[t * g.cout + grp * g.coutg + co];
        }
        int grain = Math.max(1, StridedLoop.CHUNK / Math.max(1, g.k * g.coutg));
        CpuThreads.parallelFor(rows, grain, (from, to) -> {
            for (int r = from; r < to; r++) {
                loops.rowTimesMatrix(dy, (dyRow0 + r) * g.cout + grp * g.coutg, g.coutg, ft, 0, g.k, col, r * g.k, g.k);
            }
        });
    }
}
