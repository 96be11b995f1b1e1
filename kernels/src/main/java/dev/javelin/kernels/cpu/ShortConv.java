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
    /** Rows per partial sum of the filter gradient: fixed, so the sum does not depend on threads. */
    private static final int ROWS_PER_PARTIAL = 2048;

    private final FloatLoops loops;

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

    /** df (group columns, df[dfOff..]) (+)= colᵀ · dy rows, summed over fixed blocks of rows combined in order. */
    void filterGradient(float[] col, float[] dy, int dyRow0, int rows, Conv2d.Geometry g, int grp, float[] df, int dfOff,
                        boolean accumulate) {
        int blocks = (rows + ROWS_PER_PARTIAL - 1) / ROWS_PER_PARTIAL;
        int size = g.k * g.coutg;
        float[] partial = new float[Math.max(1, blocks) * size];
        int grain = Math.max(1, StridedLoop.CHUNK / Math.max(1, ROWS_PER_PARTIAL * size / 16));
        CpuThreads.parallelFor(blocks, grain, (from, to) -> {
            for (int b = from; b < to; b++) {
                int p = b * size;
                for (int r = b * ROWS_PER_PARTIAL, end = Math.min(rows, r + ROWS_PER_PARTIAL); r < end; r++) {
                    int dyOff = (dyRow0 + r) * g.cout + grp * g.coutg;
                    for (int t = 0; t < g.k; t++) loops.axpy(col[r * g.k + t], dy, dyOff, partial, p + t * g.coutg, g.coutg);
                }
            }
        });
        for (int t = 0; t < g.k; t++) {
            for (int co = 0; co < g.coutg; co++) {
                int d = dfOff + t * g.cout + grp * g.coutg + co;
                float s = accumulate ? df[d] : 0f;
                for (int b = 0; b < blocks; b++) s += partial[b * size + t * g.coutg + co];
                df[d] = s;
            }
        }
    }
}
