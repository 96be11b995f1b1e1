package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.GemmEpilogue;
import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.kernels.cpu.WinogradTransforms.Tile;
import dev.javelin.kernels.cpu.gemm.SgemmRowMajorTile;

/**
 * The float32 forward of a 3x3, stride-1, undilated, ungrouped convolution by Winograd's F(2x2, 3x3)
 * (Lavin and Gray, 2015): each 2x2 block of output pixels ("tile") is 16 products per channel pair
 * instead of 36, so the layer is 16 GEMMs of [tiles × Cin]·[Cin × Cout], one per point of the 4x4
 * transformed tile, 2.25x fewer multiply-adds than im2col (1.7x on a 7x7 image, whose tiles overhang).
 * The transforms are additions (and exact halvings in the output transform) along the channel axis,
 * which NHWC keeps contiguous, so they are vector loops ({@link WinogradTransforms}) over the tiles
 * ({@link WinogradTiles}).
 *
 * <p>Work items are (a band of whole tile rows) × (a block of output channels), run as one parallel
 * loop: an item transforms its band's input patches and its channels' filter slice into its thread's
 * buffers (kept for the next item with the same band or block), runs the 16 products, transforms the
 * 2x2 results into the output and applies the epilogue to them while they are in cache: a band's
 * output pixels are a contiguous range of rows of the [N·OH·OW, Cout] matrix. The filter is
 * transformed per call (a trained filter may change between calls), about 16/9 of the filter's size
 * once per block of channels. Results differ from the im2col path in the last bits (other sums), by
 * far less than the 1e-4 relative of the ONNX fixtures; they do not depend on the thread count.
 */
final class WinogradConv extends WinogradTiles {
    /** The transformed input of a band ([16][tiles][Cin]) stays within this many floats (1 MB, a core's L2). */
    private static final int BAND_FLOATS = 1 << 18;
    /** Output channels per item: two 32-wide strips of the micro-kernel (on AVX-512). */
    private static final int COLS = 64;

    /** Tile rows per band; bands; channel blocks. */
    private final int rowsPerBand, bands, colBlocks;
    /** Whether chunks of work are whole channel blocks (every band) rather than single items. */
    private final boolean byBlock;

    /**
     * Whether this convolution can take this path (float32 with the Vector API, checked by the caller):
     * 3x3, stride 1, dilation 1, one group, enough channels to fill vectors, and a non-empty output; the
     * input's channels must be adjacent in memory. {@code -Djavelin.conv.winograd=false} turns the path
     * (and the gradients') off, to compare it with im2col.
     */
    static boolean applies(Conv2d.Geometry g) {
        return Sgemm.vectorized() && g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.groups == 1
                && g.cin >= 16 && g.cout >= 16 && g.n > 0 && g.oh > 0 && g.ow > 0 && !"false".equals(System.getProperty("javelin.conv.winograd"));
    }

    WinogradConv(Conv2d.Geometry g) {
        super(g);
        colBlocks = (g.cout + COLS - 1) / COLS;
        int byBudget = Math.max(1, BAND_FLOATS / (16 * g.cin * tilesAcross));
        // enough items for every thread several times over (the last ones balance the threads)
        int wanted = Math.max(1, (4 * CpuThreads.threads() + colBlocks - 1) / colBlocks);
        int count = Math.min(tileRows, Math.max(Math.ceilDiv(tileRows, byBudget), wanted));
        rowsPerBand = evenRows(tileRows, Math.ceilDiv(tileRows, count), colBlocks, CpuThreads.threads());
        bands = Math.ceilDiv(tileRows, rowsPerBand);
        // Which transform to do once per call: a block's filter slice (16·Cin·COLS floats) or a band's
        // input (16·tiles·Cin). Items taken one at a time by two threads redo both about once per
        // item (the threads interleave); whole blocks as chunks redo only the band's input, which is
        // the cheaper when a band has fewer tiles than a block has channels (deep layers: 14x14 at
        // batch 1 transformed each filter slice twice, 7x7 at batch 8 four times).
        byBlock = bands > 1 && rowsPerBand * tilesAcross < COLS && colBlocks >= 2 * CpuThreads.threads();
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
        float[] u = new float[colBlocks * blockFloats()];
        CpuThreads.parallelFor(colBlocks, 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                int cols = Math.min(COLS, g.cout - b * COLS);
                WinogradFilters.filter(f, g.cin, g.cout, b * COLS, cols, u, b * blockFloats(), g.cin * cols + 16);
            }
        });
        return u;
    }

    /**
     * out = conv(x, f) (x NHWC with unit channel stride, f dense HWIO), then {@code epilogue} when not
     * null; {@code u}, when not null, is f's {@link #transformedFilter}, read instead of transforming f.
     */
    void run(float[] x, int xOff, int[] xs, float[] f, float[] u, float[] out, GemmEpilogue epilogue) {
        Object call = new Object(); // tells a thread's buffers of an earlier call from this one's
        // byBlock: a chunk is one block of channels over every band, its filter slice transformed once
        CpuThreads.parallelFor(bands * colBlocks, byBlock ? bands : 1, (from, to) -> {
            Conv2d.Scratch s = Conv2d.SCRATCH.get();
            for (int item = from; item < to; item++) {
                int band = byBlock ? item % bands : item / colBlocks, block = byBlock ? item / bands : item % colBlocks;
                runItem(band, block, call, s, x, xOff, xs, f, u, out, epilogue);
            }
        });
    }

    private void runItem(int band, int block, Object call, Conv2d.Scratch s, float[] x, int xOff, int[] xs, float[] f, float[] uAll,
                         float[] out, GemmEpilogue epilogue) {
        int tr0 = band * rowsPerBand, trs = Math.min(rowsPerBand, tileRows - tr0), tiles = trs * tilesAcross;
        int col0 = block * COLS, cols = Math.min(COLS, g.cout - col0);
        // planes one cache line longer than their data: a plane of 4 KB multiples (7x7 tiles x 512
        // channels, 112 x 64) put all 16 planes of a tile in one L1 set, and the transforms, which
        // touch all 16 at once, missed L1 on every access
        int vPlane = tiles * g.cin + 16, uPlane = g.cin * cols + 16, mPlane = tiles * cols + 16;
        float[] v = s.v(16 * vPlane), m = s.m(16 * mPlane);
        if (s.vCall != call || s.vKey != band) {
            WinogradTransforms.planes(s.planes, vPlane);
            for (int t = 0; t < tiles; t++) {
                WinogradTransforms.apply(Tile.INPUT, x, 0, patch(s.pixels, tr0, t, xOff, xs[0], xs[1], xs[2]),
                        v, t * g.cin, s.planes, g.cin, s.temp);
            }
            s.vCall = call;
            s.vKey = band;
        }
        float[] u = uAll != null ? uAll : s.u(blockFloats());
        int uOff = uAll != null ? block * blockFloats() : 0;
        if (uAll == null && (s.uCall != call || s.uKey != block)) {
            WinogradFilters.filter(f, g.cin, g.cout, col0, cols, u, 0, uPlane);
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
}
