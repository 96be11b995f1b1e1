package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.GemmEpilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct float32 kernels for a convolution with a short reduction (a first layer: K = KH·KW·Cg
 * below {@link Conv2d#SHORT_K}) whose channels per group fill whole vectors. They read the input
 * and the upstream gradient where they lie, with no column matrix: at K = 9 the columns cost as
 * much to gather, and to scatter back, as the arithmetic itself (measured on MNIST's 28x28x1 to
 * 26x26x32 layer: the gather and a masked 9-wide product were 3/4 of the CPU samples).
 *
 * <p>Every loop is vectorized along output channels. Each forward output is one FMA chain over
 * the taps in filter-row order from 0 (the same bits as the column path); the input gradient sums
 * each tap's channel vector lanewise, then across lanes in a fixed order; the filter gradient sums pixels in order
 * within a tile of images and the tiles in order afterwards. None of it depends on the thread count.
 * Also here: the row product of the column path's input gradient for short reductions whose channels do not fit.
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

    /** out[N,OH,OW,Cout] = conv(x, f) for any input strides; {@code epilogue} on each finished block of output rows. */
    static void forward(float[] x, int xOff, int[] xs, Conv2d.Geometry g, float[] f, float[] out, GemmEpilogue epilogue) {
        int lines = g.n * g.oh;
        int grain = Math.max(1, StridedLoop.CHUNK / Math.max(1, g.ow * g.k * g.cout / L));
        CpuThreads.parallelFor(lines, grain, (from, to) -> {
            for (int line = from; line < to; line++) forwardLine(x, xOff, xs, g, f, out, line);
            if (epilogue != null) epilogue.apply(from * g.ow, (to - from) * g.ow, 0, g.cout);
        });
    }

    /**
     * One output line (image n, row oy): tap by tap in filter-row order, each tap one pass along the
     * line adding x·f[tap] into the line's outputs (in L1), so every output is the same FMA chain as
     * a dot product over its column row, with no per-pixel loop overhead (K is tiny).
     */
    private static void forwardLine(float[] x, int xOff, int[] xs, Conv2d.Geometry g, float[] f, float[] out, int line) {
        int n = line / g.oh, oy = line % g.oh, o0 = line * g.ow * g.cout;
        java.util.Arrays.fill(out, o0, o0 + g.ow * g.cout, 0f);
        for (int ky = 0; ky < g.kh; ky++) {
            int iy = oy * g.sh - g.padTop + ky * g.dh;
            if (iy < 0 || iy >= g.h) continue;
            for (int kx = 0; kx < g.kw; kx++) {
                int ox0 = firstInside(kx, g), ox1 = endInside(kx, g);
                for (int grp = 0; grp < g.groups; grp++) {
                    for (int c = 0; c < g.cg; c++) {
                        int xi = xOff + n * xs[0] + iy * xs[1] + (ox0 * g.sw - g.padLeft + kx * g.dw) * xs[2] + (grp * g.cg + c) * xs[3];
                        int fi = ((ky * g.kw + kx) * g.cg + c) * g.cout + grp * g.coutg;
                        for (int j = 0; j < g.coutg; j += L) {
                            FloatVector fv = FloatVector.fromArray(S, f, fi + j);
                            int xp = xi, xstep = g.sw * xs[2];
                            for (int ox = ox0, o = o0 + ox0 * g.cout + grp * g.coutg + j; ox < ox1; ox++, o += g.cout, xp += xstep) {
                                fv.fma(FloatVector.broadcast(S, x[xp]), FloatVector.fromArray(S, out, o)).intoArray(out, o);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The first output column whose tap {@code kx} lands inside the input row. */
    private static int firstInside(int kx, Conv2d.Geometry g) {
        int t = g.padLeft - kx * g.dw; // ox * sw >= t
        return t <= 0 ? 0 : Math.min(g.ow, (t + g.sw - 1) / g.sw);
    }

    /** One past the last output column whose tap {@code kx} lands inside the input row. */
    private static int endInside(int kx, Conv2d.Geometry g) {
        int t = g.w - 1 + g.padLeft - kx * g.dw; // ox * sw <= t
        return t < 0 ? 0 : Math.min(g.ow, t / g.sw + 1);
    }

    /**
     * dx[N,H,W,C] (dense, every element written) from dense dy and f. Per input line and channel,
     * each tap adds dy[pixel, channel vector]·f[tap, c, channel vector] lanewise into a line buffer
     * (one vector per input column), walking the output columns that reach it; then each column's
     * vector is summed across lanes into dx.
     */
    static void backwardInput(float[] dy, Conv2d.Geometry g, float[] f, float[] dx) {
        int lines = g.n * g.h;
        int grain = Math.max(1, StridedLoop.CHUNK / Math.max(1, g.w * g.k * g.cout / L));
        CpuThreads.parallelFor(lines, grain, (from, to) -> {
            float[] buf = new float[g.w * L];
            for (int line = from; line < to; line++) {
                for (int grp = 0; grp < g.groups; grp++) {
                    for (int c = 0; c < g.cg; c++) inputGradientLine(dy, g, f, dx, line, grp, c, buf);
                }
            }
        });
    }

    private static void inputGradientLine(float[] dy, Conv2d.Geometry g, float[] f, float[] dx, int line, int grp, int c, float[] buf) {
        int n = line / g.h, iy = line % g.h;
        java.util.Arrays.fill(buf, 0f);
        for (int ky = 0; ky < g.kh; ky++) {
            int oy = outputIndex(iy + g.padTop - ky * g.dh, g.sh, g.oh);
            if (oy < 0) continue;
            for (int kx = 0; kx < g.kw; kx++) {
                int ox0 = firstInside(kx, g), ox1 = endInside(kx, g);
                int fi = ((ky * g.kw + kx) * g.cg + c) * g.cout + grp * g.coutg;
                int ix0 = ox0 * g.sw - g.padLeft + kx * g.dw, bstep = g.sw * L;
                for (int j = 0; j < g.coutg; j += L) {
                    FloatVector fv = FloatVector.fromArray(S, f, fi + j);
                    int yi = ((n * g.oh + oy) * g.ow + ox0) * g.cout + grp * g.coutg + j;
                    for (int ox = ox0, b = ix0 * L; ox < ox1; ox++, b += bstep, yi += g.cout) {
                        FloatVector.fromArray(S, dy, yi).fma(fv, FloatVector.fromArray(S, buf, b)).intoArray(buf, b);
                    }
                }
            }
        }
        for (int ix = 0, d = line * g.w * g.cin + grp * g.cg + c; ix < g.w; ix++, d += g.cin) dx[d] = laneSum(buf, ix * L);
    }

    /**
     * The sum of the L floats at {@code b}, halves added pairwise in a fixed order. Not
     * {@code reduceLanes(ADD)}: its order is unspecified, and the interpreter's differs from C2's, so
     * the bits would depend on how warm the JVM is.
     */
    private static float laneSum(float[] buf, int b) {
        float s = 0f;
        for (int q = 0; q < L; q += 4) s += (buf[b + q] + buf[b + q + 1]) + (buf[b + q + 2] + buf[b + q + 3]);
        return s;
    }

    /** The output index whose window reaches {@code t} input steps past its start, or -1 when none does (no division at stride 1). */
    private static int outputIndex(int t, int stride, int outSize) {
        if (stride == 1) return t >= 0 && t < outSize ? t : -1;
        return t >= 0 && t % stride == 0 && t / stride < outSize ? t / stride : -1;
    }

    /**
     * df[KH,KW,Cg,Cout] from x (any strides) and dense dy: one partial per tile of images (pixels
     * in order inside it), the partials added in tile order.
     */
    static void backwardFilter(float[] x, int xOff, int[] xs, float[] dy, Conv2d.Geometry g, float[] df) {
        int per = g.imagesPerTile(), tiles = (g.n + per - 1) / per, size = g.k * g.cout;
        float[] partial = new float[tiles * size];
        CpuThreads.parallelFor(tiles, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int line0 = t * per * g.oh, lines = Math.min(per, g.n - t * per) * g.oh;
                int step = Math.max(1, BLOCK_FLOATS / Math.max(1, g.ow * g.cout));
                for (int l = 0; l < lines; l += step) {
                    filterBlock(x, xOff, xs, dy, g, (line0 + l) * g.ow, Math.min(step, lines - l) * g.ow, partial, t * size);
                }
            }
        });
        java.util.Arrays.fill(df, 0, size, 0f);
        for (int t = 0; t < tiles; t++) {
            for (int i = 0, p = t * size; i < size; i++) df[i] += partial[p + i];
        }
    }

    /** Adds pixels {@code [row0, row0+rows)} (rows of the [N·OH·OW] pixel order) into {@code acc[accOff..]}, tap by tap. */
    private static void filterBlock(float[] x, int xOff, int[] xs, float[] dy, Conv2d.Geometry g, int row0, int rows,
                                    float[] acc, int accOff) {
        for (int grp = 0; grp < g.groups; grp++) {
            for (int ky = 0; ky < g.kh; ky++) {
                for (int kx = 0; kx < g.kw; kx++) {
                    for (int c = 0; c < g.cg; c++) {
                        int a = accOff + ((ky * g.kw + kx) * g.cg + c) * g.cout + grp * g.coutg;
                        int xc = xOff + (grp * g.cg + c) * xs[3];
                        for (int j = 0; j < g.coutg; j += 2 * L) {
                            filterVectors(x, xc, xs, dy, grp * g.coutg + j, j + 2 * L <= g.coutg, g, ky, kx, row0, rows, acc, a + j);
                        }
                    }
                }
            }
        }
    }

    /**
     * acc[a..a+L) += the sum over the pixels of x[pixel's tap] · dy[pixel, y0..y0+L), pixels in order; with
     * {@code two}, acc[a+L..a+2L) likewise from the next vector of channels (two chains to overlap their latency).
     */
    private static void filterVectors(float[] x, int xc, int[] xs, float[] dy, int y0, boolean two, Conv2d.Geometry g,
                                      int ky, int kx, int row0, int rows, float[] acc, int a) {
        FloatVector a0 = FloatVector.fromArray(S, acc, a), a1 = two ? FloatVector.fromArray(S, acc, a + L) : a0;
        int ox0 = firstInside(kx, g), ox1 = endInside(kx, g), xstep = g.sw * xs[2];
        for (int line = row0 / g.ow, last = (row0 + rows) / g.ow; line < last; line++) {
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
