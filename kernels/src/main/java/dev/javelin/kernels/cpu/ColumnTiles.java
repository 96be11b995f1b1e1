package dev.javelin.kernels.cpu;

import dev.javelin.tensor.spi.BlockEpilogue;
import dev.javelin.kernels.cpu.gemm.SgemmRowMajorTile;

/**
 * The float32 convolution forward as independent work items: a tile of output rows (pixels) ×
 * a group × a block of output channels. An item gathers its tile's columns (im2col, runs of
 * KW·Cg floats copied at memory speed) into its thread's buffer, small enough to stay in L2, and
 * multiplies them in place by the filter, also read in place ({@link SgemmRowMajorTile}): nothing
 * is packed element by element, and a batch of one still has enough items for every thread (the
 * earlier per-image tiles made one 7 MB column matrix for a 56x56x64 layer, then packed it again).
 * Items run in parallel; each output element is one FMA chain over k, so the bits do not depend
 * on the tiling or the thread count.
 */
final class ColumnTiles {
    /** Output channels per item at most; halved (down to {@link #MIN_COLS}) while there are too few items. */
    private static final int MAX_COLS = 256, MIN_COLS = 64;
    /**
     * The filter block an item streams per k block (k steps × its channels) stays within this many
     * floats (384 KB), so it stays in L2 while every 8-row panel of the tile walks it.
     */
    private static final int FILTER_BLOCK_FLOATS = 3 << 15;

    private final Conv2d.Geometry g;
    private final int rowsPerTile, tiles, colsPerItem, colBlocks;

    ColumnTiles(Conv2d.Geometry g) {
        this.g = g;
        int total = g.rows(g.n);
        int fit = Math.max(8, (Conv2d.TILE_FLOATS / Math.max(1, g.k)) / 8 * 8);
        // several tiles per thread when there are rows enough (the last items balance the threads);
        // fewer rows than that are split by output channels instead, below
        int maxRows = Math.min(fit, Math.max(64, roundUp8(Math.ceilDiv(total, 4 * CpuThreads.threads()))));
        // equal tiles, not a short last one; an empty output (kernel larger than the padded image) has none
        rowsPerTile = total == 0 ? 8 : roundUp8(Math.ceilDiv(total, Math.ceilDiv(total, maxRows)));
        tiles = Math.ceilDiv(total, rowsPerTile);
        int kStep = SgemmRowMajorTile.kStep(g.k);
        int cols = Math.min(MAX_COLS, g.coutg);
        while (cols > 32 && (long) kStep * cols > FILTER_BLOCK_FLOATS) cols = half(cols);
        while (cols > MIN_COLS && (long) tiles * g.groups * ((g.coutg + cols - 1) / cols) < 4L * CpuThreads.threads()) cols = half(cols);
        colsPerItem = cols;
        colBlocks = (g.coutg + cols - 1) / cols;
    }

    private static int roundUp8(int a) {
        return (a + 7) / 8 * 8;
    }

    /** Half as many channels, rounded up to whole 32-wide strips (the micro-kernel's width on AVX-512). */
    private static int half(int cols) {
        return (cols / 2 + 31) / 32 * 32;
    }

    /** out rows = conv(x, f) over every item, {@code epilogue} (when not null) on each item's finished block. */
    void run(float[] x, int xOff, int[] xs, float[] f, float[] out, BlockEpilogue epilogue) {
        int total = g.rows(g.n), perTile = g.groups * colBlocks;
        Object call = new Object(); // tells a thread's buffer of an earlier call from this one's
        CpuThreads.parallelFor(tiles * perTile, 1, (from, to) -> {
            Conv2d.Scratch s = Conv2d.SCRATCH.get();
            float[] col = s.v(rowsPerTile * g.k);
            for (int item = from; item < to; item++) {
                int tile = item / perTile, grp = (item % perTile) / colBlocks, block = item % colBlocks;
                int row0 = tile * rowsPerTile, rows = Math.min(rowsPerTile, total - row0);
                if (s.vCall != call || s.vKey != tile * g.groups + grp) { // the same tile and group: columns already there
                    Im2col.gatherRows(x, xOff, xs, g, row0, rows, grp, col);
                    s.vCall = call;
                    s.vKey = tile * g.groups + grp;
                }
                int col0 = grp * g.coutg + block * colsPerItem, cols = Math.min(colsPerItem, g.coutg - block * colsPerItem);
                SgemmRowMajorTile.multiply(rows, cols, g.k, col, 0, g.k, f, col0, g.cout, out, row0 * g.cout + col0, g.cout);
                if (epilogue != null) epilogue.apply(row0, rows, col0, cols);
            }
        });
    }
}
