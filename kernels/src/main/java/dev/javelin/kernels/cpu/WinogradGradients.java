package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.WinogradTransforms.Tile;
import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.kernels.cpu.gemm.SgemmRowMajorTile;
import java.util.Arrays;

/**
 * The two gradients of a 3x3, stride-1, undilated, ungrouped convolution by Winograd's F(2x2, 3x3),
 * the adjoint of {@link WinogradConv}'s forward over the same tiles (2x2 output pixels each, the
 * last ones overhanging the output's edge), so both take about as many multiply-adds as the
 * forward: 16 per tile and channel pair instead of 36 (a train step's three products all 2.25x
 * fewer than through im2col, less the overhang).
 * <ul>
 *   <li>Input gradient: per tile the upstream gradient's 2x2 block becomes 16 points (A·dY·Aᵀ), 16
 *       GEMMs [tiles × Cout]·[Cout × Cin] multiply them by the transformed filter, and each tile's
 *       16 results become a 4x4 patch (B·X·Bᵀ) added into dx. Patches of neighbouring tiles overlap,
 *       so work items are whole images (× a block of input channels), tiles added in order.
 *   <li>Filter gradient: the input's 4x4 patches (Bᵀ·d·B, as the forward) and the upstream gradient's
 *       points meet in 16 GEMMs [Cin × tiles]·[tiles × Cout] summed over the tiles, and the 16 sums
 *       become the 3x3 gradient (Gᵀ·W·G). The tiles are cut into at most {@link #MAX_PARTIALS} equal
 *       ranges of tile rows by the shapes alone, each range's sum one partial, and the partials are
 *       added in order.
 * </ul>
 * Transforms in {@link WinogradTransforms} and {@link WinogradFilters}, tiles as {@link WinogradTiles}.
 * Results differ from the im2col path in the last bits (other sums); they do not depend on the thread count.
 */
final class WinogradGradients extends WinogradTiles {
    /** A chunk's transformed planes (16 × tiles × (Cout + a channel block)) stay within this many floats (1 MB, a core's L2). */
    private static final int CHUNK_FLOATS = 1 << 18;
    /** Input channels per item. */
    private static final int COLS = 64;
    /** Partial filter gradients (one per range of tile rows) at most, and floats of them at most (8 MB). */
    private static final int MAX_PARTIALS = 8, PARTIAL_FLOATS = 1 << 21;

    /** Tile rows per chunk; channel blocks. */
    private final int rowsPerChunk, colBlocks;

    /**
     * Whether these kernels take this convolution's gradients (float32, checked by the caller): those of
     * a convolution {@link WinogradConv} would run forward ({@link WinogradConv#applies(Conv2d.Geometry)});
     * the filter gradient also needs the input's channels adjacent in memory.
     * {@code -Djavelin.conv.winogradGradients=false} sends the gradients to im2col (to compare them).
     */
    static boolean applies(Conv2d.Geometry g) {
        return WinogradConv.applies(g) && !"false".equals(System.getProperty("javelin.conv.winogradGradients"));
    }

    WinogradGradients(Conv2d.Geometry g) {
        super(g);
        rowsPerChunk = Math.max(1, CHUNK_FLOATS / (16 * tilesAcross * (g.cout + COLS)));
        colBlocks = (g.cin + COLS - 1) / COLS;
    }

    /** dx [N,H,W,Cin] (dense, overwritten) from dense dy [N,OH,OW,Cout] and the dense HWIO filter f. */
    void inputGradient(float[] dy, float[] f, float[] dx) {
        float[] swapped = new float[9 * g.cin * g.cout]; // [3,3,Cout,Cin]: the filter transform then yields Cin-wide rows
        for (int tap = 0, size = g.cin * g.cout; tap < 9; tap++) {
            for (int ci = 0; ci < g.cin; ci++) {
                for (int co = 0; co < g.cout; co++) swapped[tap * size + co * g.cin + ci] = f[tap * size + ci * g.cout + co];
            }
        }
        int groups = Math.min(g.n, Math.ceilDiv(4 * CpuThreads.threads(), colBlocks)), perItem = Math.ceilDiv(g.n, groups);
        int items = Math.ceilDiv(g.n, perItem) * colBlocks;
        Object call = new Object(); // tells a thread's filter slice of an earlier call from this one's
        CpuThreads.parallelFor(items, 1, (from, to) -> {
            Conv2d.Scratch s = Conv2d.SCRATCH.get();
            for (int item = from; item < to; item++) {
                int n0 = (item / colBlocks) * perItem, n1 = Math.min(g.n, n0 + perItem);
                int col0 = (item % colBlocks) * COLS, cols = Math.min(COLS, g.cin - col0);
                int uPlane = g.cout * cols + 16;
                float[] u = s.u(16 * (g.cout * COLS + 16));
                if (s.uCall != call || s.uKey != col0) {
                    WinogradFilters.filter(swapped, g.cout, g.cin, col0, cols, u, 0, uPlane);
                    s.uCall = call;
                    s.uKey = col0;
                }
                for (int pixel = n0 * g.h * g.w; pixel < n1 * g.h * g.w; pixel++) {
                    Arrays.fill(dx, pixel * g.cin + col0, pixel * g.cin + col0 + cols, 0f);
                }
                for (int tr0 = n0 * tilesDown; tr0 < n1 * tilesDown; tr0 += rowsPerChunk) {
                    inputGradientChunk(tr0, Math.min(rowsPerChunk, n1 * tilesDown - tr0), col0, cols, dy, u, uPlane, dx, s);
                }
            }
        });
    }

    private void inputGradientChunk(int tr0, int trs, int col0, int cols, float[] dy, float[] u, int uPlane, float[] dx, Conv2d.Scratch s) {
        int tiles = trs * tilesAcross;
        // planes one cache line longer than their data, as in WinogradConv (4 KB multiples share L1 sets)
        int mPlane = tiles * g.cout + 16, xPlane = tiles * cols + 16;
        float[] m = s.m(16 * mPlane), x = s.v(16 * xPlane);
        transformUpstream(dy, tr0, tiles, m, mPlane, s);
        for (int p = 0; p < 16; p++) {
            SgemmRowMajorTile.multiply(tiles, cols, g.cout, m, p * mPlane, g.cout, u, p * uPlane, cols, x, p * xPlane, cols);
        }
        WinogradTransforms.planes(s.planes, xPlane);
        for (int t = 0; t < tiles; t++) {
            WinogradTransforms.apply(Tile.INPUT_ADJOINT, x, t * cols, s.planes, dx, col0,
                    patch(s.pixels, tr0, t, 0, g.h * g.w * g.cin, g.w * g.cin, g.cin), cols, s.temp);
        }
    }

    /** df [3,3,Cin,Cout] (dense, overwritten) from x [N,H,W,Cin] (unit channel stride) and dense dy [N,OH,OW,Cout]. */
    void filterGradient(float[] x, int xOff, int[] xs, float[] dy, float[] df) {
        int size = 16 * g.cin * g.cout;
        int wanted = Math.min(Math.min(MAX_PARTIALS, tileRows), Math.max(1, PARTIAL_FLOATS / size));
        int rowsPerPartial = Math.ceilDiv(tileRows, wanted), partials = Math.ceilDiv(tileRows, rowsPerPartial);
        float[] w = new float[partials * size]; // [partial][point][Cin][Cout]
        CpuThreads.parallelFor(partials * colBlocks, 1, (from, to) -> {
            Conv2d.Scratch s = Conv2d.SCRATCH.get();
            for (int item = from; item < to; item++) {
                int part = item / colBlocks, col0 = (item % colBlocks) * COLS, cols = Math.min(COLS, g.cin - col0);
                int first = part * rowsPerPartial, end = Math.min(tileRows, first + rowsPerPartial);
                for (int tr0 = first; tr0 < end; tr0 += rowsPerChunk) {
                    filterGradientChunk(tr0, Math.min(rowsPerChunk, end - tr0), col0, cols, x, xOff, xs, dy,
                            w, part * size + col0 * g.cout, tr0 > first, s);
                }
            }
        });
        for (int part = 1; part < partials; part++) { // in order, so the bits do not depend on the threads
            for (int i = 0, o = part * size; i < size; i++) w[i] += w[o + i];
        }
        CpuThreads.parallelFor(g.cin, Math.max(1, StridedLoop.CHUNK / (16 * g.cout)), (from, to) -> WinogradFilters.gradient(w, g.cin, g.cout, from, to, df));
    }

    private void filterGradientChunk(int tr0, int trs, int col0, int cols, float[] x, int xOff, int[] xs, float[] dy,
                                     float[] w, int wOff, boolean accumulate, Conv2d.Scratch s) {
        int tiles = trs * tilesAcross;
        int vPlane = tiles * cols + 16, mPlane = tiles * g.cout + 16, wPlane = g.cin * g.cout;
        float[] v = s.v(16 * vPlane), m = s.m(16 * mPlane);
        WinogradTransforms.planes(s.planes, vPlane);
        for (int t = 0; t < tiles; t++) {
            WinogradTransforms.apply(Tile.INPUT, x, 0, patch(s.pixels, tr0, t, xOff + col0, xs[0], xs[1], xs[2]),
                    v, t * cols, s.planes, cols, s.temp);
        }
        transformUpstream(dy, tr0, tiles, m, mPlane, s);
        for (int p = 0; p < 16; p++) { // W[p] (+)= V[p]ᵀ·M[p]: V is [tiles][cols], read transposed
            Sgemm.multiply(cols, g.cout, tiles, v, p * vPlane, 1, cols, m, p * mPlane, g.cout, 1,
                    w, wOff + p * wPlane, g.cout, accumulate);
        }
    }

    /** The chunk's tiles from tile row {@code tr0}: each one's 2x2 block of dy as 16 points, tile t's at {@code m[p·plane + t·Cout]}. */
    private void transformUpstream(float[] dy, int tr0, int tiles, float[] m, int plane, Conv2d.Scratch s) {
        WinogradTransforms.planes(s.planes, plane);
        for (int t = 0; t < tiles; t++) {
            WinogradTransforms.apply(Tile.OUTPUT_ADJOINT, dy, 0, block(s.pixels, tr0, t, g.cout), m, t * g.cout, s.planes, g.cout, s.temp);
        }
    }
}
