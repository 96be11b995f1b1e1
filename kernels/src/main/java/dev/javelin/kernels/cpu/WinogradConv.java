package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.WinogradTransforms.Tile;
import dev.javelin.tensor.spi.BlockEpilogue;
import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.kernels.cpu.gemm.SgemmRowMajorTile;
import java.util.Arrays;

/**
 * A float32 3x3, stride-1, undilated, ungrouped convolution and its two gradients by Winograd's F(2x2, 3x3)
 * (Lavin and Gray, 2015). The output is cut into 2x2 tiles (the last ones overhang an odd size), tile rows
 * numbered over all images (tile row tr in image tr / tilesDown); a tile is 16 products per channel pair
 * instead of 36, so each of a train step's three products is 16 GEMMs, one per point of the 4x4 transformed
 * tile: 2.25x fewer multiply-adds than im2col (1.7x on a 7x7 image, whose tiles overhang). The tile transforms
 * are additions (and exact halvings) along the channel axis, which NHWC keeps contiguous: vector loops
 * ({@link WinogradTransforms}) addressing a tile's 4x4 input patch and 2x2 output block through point tables.
 * <ul>
 *   <li>Forward: work items are (a band of whole tile rows) × (a block of output channels), run as one
 *       parallel loop: an item transforms its band's input patches (Bᵀ·d·B) and its channels' filter slice
 *       into its thread's buffers (kept for the next item with the same band or block), runs the 16
 *       products, transforms the 2x2 results into the output (Aᵀ·m·A) and applies the epilogue to them
 *       while they are in cache: a band's output pixels are a contiguous range of rows of the [N·OH·OW,
 *       Cout] matrix. The filter is transformed per call (a trained filter may change between calls),
 *       about 16/9 of the filter's size once per block of channels.
 *   <li>Input gradient: per tile the upstream gradient's 2x2 block becomes 16 points (A·dY·Aᵀ), 16 GEMMs
 *       [tiles × Cout]·[Cout × Cin] multiply them by the transformed filter, and each tile's 16 results
 *       become a 4x4 patch (B·X·Bᵀ) added into dx. Patches of neighbouring tiles overlap, so work items
 *       are whole images (× a block of input channels), tiles added in order.
 *   <li>Filter gradient: the input's 4x4 patches (as the forward) and the upstream gradient's points meet
 *       in 16 GEMMs [Cin × tiles]·[tiles × Cout] summed over the tiles, and the 16 sums become the 3x3
 *       gradient (Gᵀ·W·G). The tiles are cut into at most {@link #MAX_PARTIALS} equal ranges of tile rows
 *       by the shapes alone, each range's sum one partial, and the partials are added in order.
 * </ul>
 * Results differ from the im2col path in the last bits (other sums), by far less than the 1e-4 relative of
 * the ONNX fixtures; they do not depend on the thread count.
 */
final class WinogradConv {
    /** A band's or chunk's transformed planes stay within this many floats (1 MB, a core's L2). */
    private static final int PLANE_FLOATS = 1 << 18;
    /** Channels per item: two 32-wide strips of the micro-kernel (on AVX-512). */
    private static final int COLS = 64;
    /** Partial filter gradients (one per range of tile rows) at most, and floats of them at most (8 MB). */
    private static final int MAX_PARTIALS = 8, PARTIAL_FLOATS = 1 << 21;

    private final Conv2d.Geometry g;
    /** Tiles per output row and column; tile rows over all images. */
    private final int tilesAcross, tilesDown, tileRows;
    /** The forward's tile rows per band, bands and blocks of output channels; the gradients' blocks of input channels. */
    private final int rowsPerBand, bands, outBlocks, inBlocks;
    /** Whether the forward's chunks of work are whole channel blocks (every band) rather than single items. */
    private final boolean byBlock;

    /**
     * Whether this convolution can take this path (float32 with the Vector API, checked by the caller):
     * 3x3, stride 1, dilation 1, one group, enough channels to fill vectors, and a non-empty output; the
     * input's channels must be adjacent in memory (the filter gradient copies them there).
     * {@code -Djavelin.conv.winograd=false} turns the path off, to compare it with im2col;
     * {@code -Djavelin.conv.winogradGradients=false} only for the gradients.
     */
    static boolean applies(Conv2d.Geometry g, boolean gradient) {
        return Sgemm.vectorized() && g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.groups == 1
                && g.cin >= 16 && g.cout >= 16 && g.n > 0 && g.oh > 0 && g.ow > 0 && !"false".equals(System.getProperty("javelin.conv.winograd"))
                && !(gradient && "false".equals(System.getProperty("javelin.conv.winogradGradients")));
    }

    WinogradConv(Conv2d.Geometry g) {
        this.g = g;
        tilesAcross = (g.ow + 1) / 2;
        tilesDown = (g.oh + 1) / 2;
        tileRows = g.n * tilesDown;
        outBlocks = Math.ceilDiv(g.cout, COLS);
        inBlocks = Math.ceilDiv(g.cin, COLS);
        int byBudget = Math.max(1, PLANE_FLOATS / (16 * g.cin * tilesAcross));
        // enough items for every thread several times over (the last ones balance the threads)
        int wanted = Math.max(1, Math.ceilDiv(4 * CpuThreads.threads(), outBlocks));
        int count = Math.min(tileRows, Math.max(Math.ceilDiv(tileRows, byBudget), wanted));
        rowsPerBand = evenRows(tileRows, Math.ceilDiv(tileRows, count), outBlocks, CpuThreads.threads());
        bands = Math.ceilDiv(tileRows, rowsPerBand);
        // Which transform to do once per call: a block's filter slice (16·Cin·COLS floats) or a band's
        // input (16·tiles·Cin). Items taken one at a time by two threads redo both about once per
        // item (the threads interleave); whole blocks as chunks redo only the band's input, which is
        // the cheaper when a band has fewer tiles than a block has channels (deep layers: 14x14 at
        // batch 1 transformed each filter slice twice, 7x7 at batch 8 four times).
        byBlock = bands > 1 && rowsPerBand * tilesAcross < COLS && outBlocks >= 2 * CpuThreads.threads();
    }

    /**
     * Tile rows per band, at most {@code most} and at least half that: the size whose (band ×
     * block) items give the busiest thread the fewest rows, the larger on a tie. ResNet-18's 56x56
     * layers at batch 1 had 7 bands of 4 tile rows, 4 for one thread and 3 for the other; 14
     * bands of 2 split evenly.
     */
    static int evenRows(int tileRows, int most, int colBlocks, int threads) {
        int best = most;
        long bestSpan = Long.MAX_VALUE;
        for (int r = most; r >= Math.max(1, most / 2); r--) {
            long span = (long) Math.ceilDiv(Math.ceilDiv(tileRows, r) * colBlocks, threads) * r;
            if (span < bestSpan) {
                bestSpan = span;
                best = r;
            }
        }
        return best;
    }

    /** Floats of one block of channels in {@link #transformedFilter}: 16 planes of Cin x {@link #COLS}, a line apart. */
    private int blockFloats() {
        return 16 * (g.cin * COLS + 16);
    }

    /**
     * The whole filter transformed (f dense HWIO), block of output channels by block, each as the
     * 16 planes a work item multiplies by: for a filter that does not change between calls, so
     * that {@link #run} reads it instead of transforming its slices again (16/9 of the filter's size).
     */
    float[] transformedFilter(float[] f) {
        float[] u = new float[outBlocks * blockFloats()];
        CpuThreads.parallelFor(outBlocks, 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                int cols = Math.min(COLS, g.cout - b * COLS);
                WinogradTransforms.filter(f, g.cin, g.cout, b * COLS, cols, u, b * blockFloats(), g.cin * cols + 16);
            }
        });
        return u;
    }

    /**
     * out = conv(x, f) (x NHWC with unit channel stride, f dense HWIO), then {@code epilogue} when not
     * null; {@code u}, when not null, is f's {@link #transformedFilter}, read instead of transforming f.
     */
    void run(float[] x, int xOff, int[] xs, float[] f, float[] u, float[] out, BlockEpilogue epilogue) {
        Object call = new Object(); // tells a thread's buffers of an earlier call from this one's
        // byBlock: a chunk is one block of channels over every band, its filter slice transformed once
        CpuThreads.parallelFor(bands * outBlocks, byBlock ? bands : 1, (from, to) -> {
            Conv2d.Scratch s = Conv2d.SCRATCH.get();
            for (int item = from; item < to; item++) {
                int band = byBlock ? item % bands : item / outBlocks, block = byBlock ? item / bands : item % outBlocks;
                runItem(band, block, call, s, x, xOff, xs, f, u, out, epilogue);
            }
        });
    }

    private void runItem(int band, int block, Object call, Conv2d.Scratch s, float[] x, int xOff, int[] xs, float[] f, float[] uAll,
                         float[] out, BlockEpilogue epilogue) {
        int tr0 = band * rowsPerBand, trs = Math.min(rowsPerBand, tileRows - tr0), tiles = trs * tilesAcross;
        int col0 = block * COLS, cols = Math.min(COLS, g.cout - col0);
        // planes one cache line longer than their data: a plane of 4 KB multiples (7x7 tiles x 512
        // channels, 112 x 64) put all 16 planes of a tile in one L1 set, and the transforms, which
        // touch all 16 at once, missed L1 on every access
        int vPlane = tiles * g.cin + 16, uPlane = g.cin * cols + 16, mPlane = tiles * cols + 16;
        float[] v = s.v(16 * vPlane), m = s.m(16 * mPlane);
        if (s.vCall != call || s.vKey != band) {
            transformInput(x, xOff, xs, tr0, tiles, 0, g.cin, v, vPlane, s);
            s.vCall = call;
            s.vKey = band;
        }
        float[] u = uAll != null ? uAll : s.u(blockFloats());
        int uOff = uAll != null ? block * blockFloats() : 0;
        if (uAll == null && (s.uCall != call || s.uKey != block)) {
            WinogradTransforms.filter(f, g.cin, g.cout, col0, cols, u, 0, uPlane);
            s.uCall = call;
            s.uKey = block;
        }
        for (int p = 0; p < 16; p++) {
            SgemmRowMajorTile.multiply(tiles, cols, g.cin, v, p * vPlane, g.cin, u, uOff + p * uPlane, cols, m, p * mPlane, cols);
        }
        WinogradTransforms.planes(s.planes, mPlane);
        for (int t = 0; t < tiles; t++) {
            WinogradTransforms.apply(Tile.OUTPUT, m, t * cols, s.planes, out, col0, block(s.pixels, tr0, t, g.cout), cols, s.temp);
        }
        if (epilogue != null) {
            int firstRow = (tr0 / tilesDown) * g.oh + 2 * (tr0 % tilesDown);
            int lastTr = tr0 + trs - 1, lastRow = (lastTr / tilesDown) * g.oh + Math.min(g.oh, 2 * (lastTr % tilesDown) + 2);
            epilogue.apply(firstRow * g.ow, (lastRow - firstRow) * g.ow, col0, cols);
        }
    }

    /** dx [N,H,W,Cin] (dense, overwritten) from dense dy [N,OH,OW,Cout] and the dense HWIO filter f. */
    void inputGradient(float[] dy, float[] f, float[] dx) {
        float[] swapped = new float[9 * g.cin * g.cout]; // [3,3,Cout,Cin]: the filter transform then yields Cin-wide rows
        for (int tap = 0, size = g.cin * g.cout; tap < 9; tap++) {
            for (int ci = 0; ci < g.cin; ci++) {
                for (int co = 0; co < g.cout; co++) swapped[tap * size + co * g.cin + ci] = f[tap * size + ci * g.cout + co];
            }
        }
        int perItem = Math.ceilDiv(g.n, Math.min(g.n, Math.ceilDiv(4 * CpuThreads.threads(), inBlocks))); // images
        Object call = new Object(); // tells a thread's filter slice of an earlier call from this one's
        forEachChunk(perItem * tilesDown, (tr0, tiles, col0, cols, first, s) -> {
            int uPlane = g.cout * cols + 16, mPlane = tiles * g.cout + 16, xPlane = tiles * cols + 16;
            float[] u = s.u(16 * (g.cout * COLS + 16));
            if (s.uCall != call || s.uKey != col0) {
                WinogradTransforms.filter(swapped, g.cout, g.cin, col0, cols, u, 0, uPlane);
                s.uCall = call;
                s.uKey = col0;
            }
            if (first) { // the item's images, before their first tiles are added
                for (int pixel = tr0 / tilesDown * g.h * g.w, end = Math.min(g.n, tr0 / tilesDown + perItem) * g.h * g.w; pixel < end; pixel++) {
                    Arrays.fill(dx, pixel * g.cin + col0, pixel * g.cin + col0 + cols, 0f);
                }
            }
            // planes one cache line longer than their data, as in the forward (4 KB multiples share L1 sets)
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
        });
    }

    /** df [3,3,Cin,Cout] (dense, overwritten) from x [N,H,W,Cin] (unit channel stride) and dense dy [N,OH,OW,Cout]. */
    void filterGradient(float[] x, int xOff, int[] xs, float[] dy, float[] df) {
        int size = 16 * g.cin * g.cout;
        int wanted = Math.min(Math.min(MAX_PARTIALS, tileRows), Math.max(1, PARTIAL_FLOATS / size));
        int rowsPerPartial = Math.ceilDiv(tileRows, wanted), partials = Math.ceilDiv(tileRows, rowsPerPartial);
        float[] w = new float[partials * size]; // [partial][point][Cin][Cout]
        forEachChunk(rowsPerPartial, (tr0, tiles, col0, cols, first, s) -> {
            int vPlane = tiles * cols + 16, mPlane = tiles * g.cout + 16, wOff = tr0 / rowsPerPartial * size + col0 * g.cout;
            float[] v = s.v(16 * vPlane), m = s.m(16 * mPlane);
            transformInput(x, xOff, xs, tr0, tiles, col0, cols, v, vPlane, s);
            transformUpstream(dy, tr0, tiles, m, mPlane, s);
            for (int p = 0; p < 16; p++) { // W[p] (+)= V[p]ᵀ·M[p]: V is [tiles][cols], read transposed
                Sgemm.multiply(cols, g.cout, tiles, v, p * vPlane, 1, cols, m, p * mPlane, g.cout, 1,
                        w, wOff + p * g.cin * g.cout, g.cout, !first);
            }
        });
        for (int part = 1; part < partials; part++) { // in order, so the bits do not depend on the threads
            for (int i = 0, o = part * size; i < size; i++) w[i] += w[o + i];
        }
        CpuThreads.parallelFor(g.cin, Math.max(1, StridedLoop.CHUNK / (16 * g.cout)), (from, to) -> WinogradTransforms.filterGradient(w, g.cin, g.cout, from, to, df));
    }

    /** A chunk of a gradient's item: {@code tiles} tiles from tile row {@code tr0}, the first chunk of its item or not. */
    @FunctionalInterface
    private interface Chunk {
        void run(int tr0, int tiles, int col0, int cols, boolean first, Conv2d.Scratch s);
    }

    /**
     * The gradients' items, ranges of {@code rowsPerRange} tile rows × blocks of input channels, in parallel, each
     * in order in chunks of tile rows whose transformed planes (16 × tiles × (Cout + a channel block)) fit {@link #PLANE_FLOATS}.
     */
    private void forEachChunk(int rowsPerRange, Chunk chunk) {
        int rowsPerChunk = Math.max(1, PLANE_FLOATS / (16 * tilesAcross * (g.cout + COLS)));
        CpuThreads.parallelFor(Math.ceilDiv(tileRows, rowsPerRange) * inBlocks, 1, (from, to) -> {
            Conv2d.Scratch s = Conv2d.SCRATCH.get();
            for (int item = from; item < to; item++) {
                int first = item / inBlocks * rowsPerRange, end = Math.min(tileRows, first + rowsPerRange);
                int col0 = item % inBlocks * COLS, cols = Math.min(COLS, g.cin - col0);
                for (int tr0 = first; tr0 < end; tr0 += rowsPerChunk) {
                    chunk.run(tr0, Math.min(rowsPerChunk, end - tr0) * tilesAcross, col0, cols, tr0 == first, s);
                }
            }
        });
    }

    /** The tiles from tile row {@code tr0}: each one's input patch of channels {@code [col0, col0 + cols)} as 16 points, tile t's at {@code v[p·plane + t·cols]}. */
    private void transformInput(float[] x, int xOff, int[] xs, int tr0, int tiles, int col0, int cols, float[] v, int plane, Conv2d.Scratch s) {
        WinogradTransforms.planes(s.planes, plane);
        for (int t = 0; t < tiles; t++) {
            WinogradTransforms.apply(Tile.INPUT, x, 0, patch(s.pixels, tr0, t, xOff + col0, xs[0], xs[1], xs[2]), v, t * cols, s.planes, cols, s.temp);
        }
    }

    /** The tiles from tile row {@code tr0}: each one's 2x2 block of dy as 16 points, tile t's at {@code m[p·plane + t·Cout]}. */
    private void transformUpstream(float[] dy, int tr0, int tiles, float[] m, int plane, Conv2d.Scratch s) {
        WinogradTransforms.planes(s.planes, plane);
        for (int t = 0; t < tiles; t++) {
            WinogradTransforms.apply(Tile.OUTPUT_ADJOINT, dy, 0, block(s.pixels, tr0, t, g.cout), m, t * g.cout, s.planes, g.cout, s.temp);
        }
    }

    /**
     * Tile t from tile row tr0 (the t-th from that row's left end): its input patch's pixel (r, q) at {@code at[4r + q]},
     * that is {@code base + image·imageStride + y·rowStride + x·pixStride} for the pixel's row y and column x, -1 for padding.
     */
    private int[] patch(int[] at, int tr0, int t, int base, int imageStride, int rowStride, int pixStride) {
        int tr = tr0 + t / tilesAcross, img = base + tr / tilesDown * imageStride;
        int iy0 = 2 * (tr % tilesDown) - g.padTop, ix0 = 2 * (t % tilesAcross) - g.padLeft;
        for (int r = 0; r < 4; r++) {
            for (int q = 0; q < 4; q++) {
                int y = iy0 + r, x = ix0 + q;
                at[4 * r + q] = y >= 0 && y < g.h && x >= 0 && x < g.w ? img + y * rowStride + x * pixStride : -1;
            }
        }
        return at;
    }

    /**
     * Tile t from tile row tr0: its 2x2 block of output pixels in the dense [N, OH, OW, channels] (top left, right, below,
     * below right), -1 past the output's edge.
     */
    private int[] block(int[] at, int tr0, int t, int channels) {
        int tr = tr0 + t / tilesAcross, n = tr / tilesDown, oy = 2 * (tr % tilesDown), ox = 2 * (t % tilesAcross);
        int base = ((n * g.oh + oy) * g.ow + ox) * channels;
        boolean right = ox + 1 < g.ow, below = oy + 1 < g.oh;
        at[0] = base;
        at[1] = right ? base + channels : -1;
        at[2] = below ? base + g.ow * channels : -1;
        at[3] = right && below ? base + (g.ow + 1) * channels : -1;
        return at;
    }
}
