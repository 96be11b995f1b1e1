package dev.javelin.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels of a convolution with a short reduction (a first layer: K = KH·KW·Cg below
 * {@link Conv2d#SHORT_K}). The filter gradient, when the channels per group fill whole vectors, reads
 * the input and the upstream gradient where they lie, with no column matrix: at K = 9 the columns cost
 * as much to gather as the arithmetic itself (MNIST's 28x28x1 to 26x26x32 layer: 0.6-0.7 ms against
 * 1.2-4 ms through im2col and the GEMM). It walks lines per tap with accumulators in registers, sums
 * pixels in order within a tile of images and the tiles in order afterwards, so it does not depend on
 * the thread count. Also here: the row product of the column path's input gradient for short
 * reductions (K-wide rows, which a GEMM would run as edge tiles).
 *
 * <p>The forward and the input gradient once had direct kernels here too; the column tiles and the
 * column path measured as fast for the forward (same bits) and within 10-20% for the input gradient,
 * which no training step runs for a first layer (perf/NOTES.md, conv9).
 */
final class ShortConvVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Upstream-gradient floats per block of lines in the filter gradient (32 KB): the block stays in L1 across the taps. */
    private static final int BLOCK_FLOATS = 1 << 13;

    private ShortConvVector() {}

    /**
     * {@code out[oo + j] = sum over t < k of x[xo + t]·w[t·n + j]} for {@code j < n}, one FMA chain per element from
     * zero in t order: a row of the column path's input gradient when the channels fill no whole vectors.
     */
    static void rowTimesMatrix(float[] x, int xo, int k, float[] w, int n, float[] out, int oo) {
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int t = 0; t < k; t++) acc = FloatVector.fromArray(S, w, t * n + j).fma(FloatVector.broadcast(S, x[xo + t]), acc);
            acc.intoArray(out, oo + j);
        }
        if (j < n) rowTimesMatrixTail(x, xo, k, w, n, j, out, oo);
    }

    /** The last partial vector of {@link #rowTimesMatrix}: its own method, so the full loop compiles without masks. */
    private static void rowTimesMatrixTail(float[] x, int xo, int k, float[] w, int n, int j, float[] out, int oo) {
        VectorMask<Float> m = S.indexInRange(j, n);
        FloatVector acc = FloatVector.zero(S);
        for (int t = 0; t < k; t++) acc = FloatVector.fromArray(S, w, t * n + j, m).fma(FloatVector.broadcast(S, x[xo + t]), acc);
        acc.intoArray(out, oo + j, m);
    }

    /** True when these kernels take a convolution: whole vectors of output channels per group. */
    static boolean fits(Conv2d.Geometry g) {
        return g.coutg % L == 0 && g.coutg > 0;
    }

    /**
     * Adds df[KH,KW,Cg,Cout] of images {@code [n0, n0 + imgs)} into {@code acc[accOff..]} (x any strides, dy dense),
     * pixels in order, a block of lines at a time, tap by tap ({@link Conv2d} sums the tiles' partials in order).
     */
    static void filterTile(float[] x, int xOff, int[] xs, float[] dy, Conv2d.Geometry g, int n0, int imgs, float[] acc, int accOff) {
        int line0 = n0 * g.oh, lines = imgs * g.oh, step = Math.max(1, BLOCK_FLOATS / Math.max(1, g.ow * g.cout));
        for (int l = 0; l < lines; l += step) {
            for (int q = 0; q < g.groups * g.k; q++) { // tap t = (ky·KW + kx)·Cg + c of group q / K: df's row order
                int grp = q / g.k, t = q % g.k, ky = t / (g.kw * g.cg), kx = t / g.cg % g.kw, c = t % g.cg;
                for (int j = 0; j < g.coutg; j += 2 * L) {
                    filterVectors(x, xOff + (grp * g.cg + c) * xs[3], xs, dy, grp * g.coutg + j, j + 2 * L <= g.coutg, g, ky, kx,
                            line0 + l, Math.min(line0 + lines, line0 + l + step), acc, accOff + t * g.cout + grp * g.coutg + j);
                }
            }
        }
    }

    /**
     * acc[a..a+L) += the sum over the pixels of output lines {@code [line0, line1)} of x[pixel's tap] · dy[pixel, y0..y0+L),
     * pixels in order; with {@code two}, acc[a+L..a+2L) likewise from the next vector of channels (two chains to overlap
     * their latency). Only the output columns {@code [ox0, ox1)}, whose tap kx lands inside the input row, are read.
     */
    private static void filterVectors(float[] x, int xc, int[] xs, float[] dy, int y0, boolean two, Conv2d.Geometry g,
                                      int ky, int kx, int line0, int line1, float[] acc, int a) {
        FloatVector a0 = FloatVector.fromArray(S, acc, a), a1 = two ? FloatVector.fromArray(S, acc, a + L) : a0;
        int left = g.padLeft - kx * g.dw, right = g.w - 1 + left; // ox·sw >= left, ox·sw <= right
        int ox0 = left <= 0 ? 0 : Math.min(g.ow, Math.ceilDiv(left, g.sw)), ox1 = right < 0 ? 0 : Math.min(g.ow, right / g.sw + 1);
        int xstep = g.sw * xs[2];
        for (int line = line0; line < line1; line++) {
            int n = line / g.oh, iy = (line % g.oh) * g.sh - g.padTop + ky * g.dh;
            if (iy < 0 || iy >= g.h) continue;
            int xp = xc + n * xs[0] + iy * xs[1] + (ox0 * g.sw - g.padLeft + kx * g.dw) * xs[2];
            for (int ox = ox0, yi = (line * g.ow + ox0) * g.cout + y0; ox < ox1; ox++, yi += g.cout, xp += xstep) {
                FloatVector v = FloatVector.broadcast(S, x[xp]);
                a0 = FloatVector.fromArray(S, dy, yi).fma(v, a0);
                if (two) a1 = FloatVector.fromArray(S, dy, yi + L).fma(v, a1);
            }
        }
        a0.intoArray(acc, a);
        if (two) a1.intoArray(acc, a + L);
    }
}
