package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.tensor.spi.BlockEpilogue;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.ConstantOperand;
import java.util.Arrays;
import java.util.List;

/**
 * float32 CONV2D and its two gradients for NHWC input and HWIO filters, with strides, explicit padding,
 * dilation and groups. float32: 3x3 stride-1 layers by Winograd's F(2x2, 3x3), forward and both
 * gradients ({@link WinogradConv}); others through im2col + SGEMM in tiles of output rows ({@link ColumnTiles}: each tile's columns gathered into a cache-sized
 * buffer and multiplied in place). The other gradients go through im2col + SGEMM a tile of images
 * at a time so the column buffer stays bounded (row by row for a short K), except a short filter
 * gradient with whole vectors of output channels (a first layer: {@link ShortConvVector}, no column
 * matrix). Other dtypes run on the reference backend. Every result is a fixed sequence of GEMMs and
 * per-image scatters, so it does not depend on the thread count.
 */
final class Conv2d {
    /**
     * Column-buffer budget per tile, in floats (1 MB, a core's L2: measured 3-8% faster than 512 KB on MNIST's layers).
     * {@link ColumnTiles} streams its tile once per k block and item (each 8-row panel reused from L1 across
     * the item's channels), so there a shorter tile would only re-stream the filter more often.
     */
    static final int TILE_FLOATS = 1 << 18;

    /** A reduction K = KH·KW·Cg below this (a first layer) is short: no GEMM over K-wide edge tiles. */
    static final int SHORT_K = 32;

    /** out[N,OH,OW,Cout] = conv(x[N,H,W,C], f[KH,KW,C/g,Cout]). */
    void forward(Tensor x, Tensor f, OpAttrs.Conv c, Tensor out) {
        forward(x, f, c, out, null, null);
    }

    /**
     * As {@link #forward(Tensor, Tensor, OpAttrs.Conv, Tensor)}, then {@code epilogue} (when not null) on each
     * tile of finished output rows, rows of the [N·OH·OW, Cout] matrix, while the tile is in cache (tiles may
     * run on different threads); {@code constantFilter} (may be null) says the filter never changes between
     * calls and keeps what the kernel derives from it (Winograd's transformed filter) for the next call.
     */
    void forward(Tensor x, Tensor f, OpAttrs.Conv c, Tensor out, BlockEpilogue epilogue, ConstantOperand constantFilter) {
        Geometry g = new Geometry(x.shape().toArray(), f.shape().toArray(), out.shape().toArray(), c);
        float[] fd = Elementwise.denseFloats(f);
        float[] o = Elementwise.heap(out).floats();
        float[] xa = Elementwise.heap(x).floats();
        int[] xs = x.strides();
        int xOff = x.offset();
        if (xs[3] != 1 && g.cin > 1) {
            // channels-first data seen as NHWC (an imported model's input): one dense copy, so im2col
            // copies runs of channels instead of gathering each element through a stride
            xa = Im2col.channelsLast(xa, xOff, xs, g);
            xs = new int[] {g.h * g.w * g.cin, g.w * g.cin, g.cin, 1};
            xOff = 0;
        }
        if (g.pointwise() && xs[3] == 1 && xs[2] == g.cin && xs[1] == g.w * g.cin && xs[0] == g.h * g.w * g.cin) {
            // 1x1, stride 1, no padding, dense input: the input already is the column matrix
            Sgemm.multiply(g.rows(g.n), g.cout, g.cin, xa, xOff, g.cin, 1, fd, 0, g.cout, 1, o, 0, g.cout, false);
            if (epilogue != null) epilogue.apply(0, g.rows(g.n), 0, g.cout);
            return;
        }
        if (WinogradConv.applies(g, false)) { // channels now adjacent: it needs that
            WinogradConv w = new WinogradConv(g);
            // keyed by the filter's own memory and layout (fd may be a fresh dense copy of a view)
            float[] u = constantFilter == null ? null : constantFilter.derived(
                    List.of(Elementwise.heap(f).floats(), f.offset(), Arrays.toString(f.strides()), g.cin, g.cout), () -> w.transformedFilter(fd));
            w.run(xa, xOff, xs, fd, u, o, epilogue);
            return;
        }
        new ColumnTiles(g).run(xa, xOff, xs, fd, o, epilogue);
    }

    /** dx[N,H,W,C] from dy[N,OH,OW,Cout] and f: columns dy·fᵀ, scattered back into images. */
    void backwardInput(Tensor dy, Tensor f, OpAttrs.Conv c, Tensor dx) {
        Geometry g = new Geometry(dx.shape().toArray(), f.shape().toArray(), dy.shape().toArray(), c);
        float[] fd = Elementwise.denseFloats(f);
        float[] dyd = Elementwise.denseFloats(dy);
        float[] o = Elementwise.heap(dx).floats();
        if (g.pointwise()) {
            Sgemm.multiply(g.rows(g.n), g.cin, g.cout, dyd, 0, g.cout, 1, fd, 0, 1, g.cout, o, 0, g.cin, false);
            return;
        }
        if (WinogradConv.applies(g, true)) {
            new WinogradConv(g).inputGradient(dyd, fd, o);
            return;
        }
        forEachTile(g, (n0, imgs, col) -> {
            int rows = g.rows(imgs);
            for (int grp = 0; grp < g.groups; grp++) {
                if (g.k < SHORT_K && VectorSupport.enabled()) { // (checked first: ShortConvVector holds vector constants)
                    shortColumnsOfInputGradient(dyd, g.rows(n0), rows, g, grp, fd, col);
                } else { // fᵀ for this group: element (co, kidx) sits at kidx * Cout + grp * Coutg + co.
                    Sgemm.multiply(rows, g.k, g.coutg, dyd, g.rows(n0) * g.cout + grp * g.coutg, g.cout, 1,
                            fd, grp * g.coutg, 1, g.cout, col, 0, g.k, false);
                }
                Im2col.scatterAdd(col, g, n0, imgs, grp, o);
            }
        });
    }

    /**
     * dcol [rows, K] = dy rows of group {@code grp} times the group's filter, transposed, for a short K:
     * one row-times-matrix product per row, each element one FMA chain over the Coutg products in order from
     * zero ({@link ShortConvVector#rowTimesMatrix}, the Vector API on). A GEMM spends its time on the K-wide
     * edge tiles (2.8x slower at K = 9), and the generated FMA row loop, one masked tail per filter row,
     * 2-2.5x (perf/NOTES.md).
     */
    private void shortColumnsOfInputGradient(float[] dy, int dyRow0, int rows, Geometry g, int grp, float[] f, float[] col) {
        float[] ft = new float[g.coutg * g.k]; // the group's filter as [Coutg, K]
        for (int t = 0; t < g.k; t++) {
            for (int co = 0; co < g.coutg; co++) ft[co * g.k + t] = f[t * g.cout + grp * g.coutg + co];
        }
        CpuThreads.parallelFor(rows, Math.max(1, StridedLoop.CHUNK / Math.max(1, g.k * g.coutg)), (from, to) -> {
            for (int r = from; r < to; r++) {
                ShortConvVector.rowTimesMatrix(dy, (dyRow0 + r) * g.cout + grp * g.coutg, g.coutg, ft, g.k, col, r * g.k);
            }
        });
    }

    /** df[KH,KW,C/g,Cout] from x and dy: columnsᵀ·dy, accumulated over image tiles in order. */
    void backwardFilter(Tensor x, Tensor dy, OpAttrs.Conv c, Tensor df) {
        Geometry g = new Geometry(x.shape().toArray(), df.shape().toArray(), dy.shape().toArray(), c);
        float[] dyd = Elementwise.denseFloats(dy);
        float[] o = Elementwise.heap(df).floats();
        // The path is chosen by the geometry alone, never by x's layout: each sums over positions in its
        // own order, so a strided x taking another path than its dense copy would change the bits. A
        // path that cannot read x's strides gets a dense copy (the GEMM reads x as the column matrix,
        // Winograd needs unit channel stride).
        // the direct kernels: whole vectors of output channels per group, the Vector API on (checked first:
        // that class holds vector constants)
        boolean direct = g.k < SHORT_K && VectorSupport.enabled() && ShortConvVector.fits(g);
        boolean pointwise = g.pointwise(), winograd = !pointwise && !direct && WinogradConv.applies(g, true);
        boolean copy = pointwise ? !x.isContiguous() : winograd && x.strides()[3] != 1;
        float[] xa = copy ? Elementwise.denseFloats(x) : Elementwise.heap(x).floats();
        int xOff = copy ? 0 : x.offset();
        int[] xs = copy ? x.shape().contiguousStrides() : x.strides();
        if (pointwise) {
            Sgemm.multiply(g.cin, g.cout, g.rows(g.n), xa, xOff, 1, g.cin, dyd, 0, g.cout, 1, o, 0, g.cout, false);
            return;
        }
        if (winograd) {
            new WinogradConv(g).filterGradient(xa, xOff, xs, dyd, o);
            return;
        }
        // One partial df per tile (the direct kernel's or the columns' GEMM), summed in tile order afterwards:
        // the tiling depends only on the shapes, so the sum's order (and its bits) does not depend on the thread count.
        int per = g.imagesPerTile(), tiles = (g.n + per - 1) / per, size = g.k * g.cout;
        float[] partial = new float[tiles * size];
        forEachTile(g, (n0, imgs, col) -> {
            int rows = g.rows(imgs), p = (n0 / per) * size, dyOff = g.rows(n0) * g.cout;
            if (direct) ShortConvVector.filterTile(xa, xOff, xs, dyd, g, n0, imgs, partial, p);
            else for (int grp = 0; grp < g.groups; grp++) {
                Im2col.gatherRows(xa, xOff, xs, g, g.rows(n0), rows, grp, col);
                Sgemm.multiply(g.k, g.coutg, rows, col, 0, 1, g.k, dyd, dyOff + grp * g.coutg, g.cout, 1,
                        partial, p + grp * g.coutg, g.cout, false);
            }
        });
        Arrays.fill(o, 0, size, 0f);
        for (int t = 0; t < tiles; t++) {
            for (int i = 0, p = t * size; i < size; i++) o[i] += partial[p + i];
        }
    }

    /** A tile's images: {@code [n0, n0 + imgs)}, with a column buffer big enough for them. */
    @FunctionalInterface
    private interface TileTask {
        void run(int n0, int imgs, float[] col);
    }

    /**
     * Runs {@code task} on each tile of images, tiles in parallel, each on one thread with its own column
     * buffer small enough to stay in that core's L2 between the gather and the GEMM that reads it.
     */
    private static void forEachTile(Geometry g, TileTask task) {
        int per = g.imagesPerTile(), tiles = (g.n + per - 1) / per;
        int colFloats = per * g.oh * g.ow * g.k;
        int grain = Math.max(1, tiles / (4 * CpuThreads.threads()));
        CpuThreads.parallelFor(tiles, grain, (from, to) -> {
            float[] col = SCRATCH.get().m(colFloats);
            for (int t = from; t < to; t++) {
                int n0 = t * per;
                task.run(n0, Math.min(per, g.n - n0), col);
            }
        });
    }

    /** Sizes of one convolution, in the names the loops use. */
    static final class Geometry {
        final int n, h, w, cin, kh, kw, oh, ow, cout, groups, cg, coutg, k;
        final int sh, sw, padTop, padLeft, dh, dw;

        Geometry(int[] x, int[] f, int[] y, OpAttrs.Conv c) {
            n = x[0];
            h = x[1];
            w = x[2];
            cin = x[3];
            kh = f[0];
            kw = f[1];
            cout = f[3];
            oh = y[1];
            ow = y[2];
            groups = c.groups();
            cg = cin / groups;
            coutg = cout / groups;
            k = kh * kw * cg;
            sh = c.strideH();
            sw = c.strideW();
            padTop = c.padTop();
            padLeft = c.padLeft();
            dh = c.dilationH();
            dw = c.dilationW();
        }

        int rows(int images) {
            return images * oh * ow;
        }

        boolean pointwise() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && groups == 1 && oh == h && ow == w;
        }

        /** Images per tile: a column buffer within {@link #TILE_FLOATS}, and at least 8 tiles when there are 8 images. */
        int imagesPerTile() {
            long perImage = Math.max(1L, (long) oh * ow * k);
            return (int) Math.max(1, Math.min((n + 7) / 8, TILE_FLOATS / perImage));
        }
    }

    /**
     * Per-thread buffers of the convolution kernels; a call tells its buffers from an earlier call's by its own
     * call object (a new {@code Object} per call).
     */
    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * A thread's buffers: {@code v} (the column tiles' columns, Winograd's transformed input) and {@code u} (a
     * transformed filter slice), each with the call and the item key of what it holds (a tile and group, a band, a
     * block of channels); {@code m} (products, the gradients' columns), and Winograd's point tables and scratch.
     */
    static final class Scratch {
        Object vCall, uCall;
        int vKey, uKey;
        private float[] v = new float[0], u = new float[0], m = new float[0];
        /** Point tables: a tile's pixels and a run's planes. */
        final int[] pixels = new int[16], planes = new int[16];
        final float[] temp = new float[WinogradTransforms.TEMP_VECTORS * VectorSupport.lanes()];

        float[] v(int floats) {
            if (v.length < floats) {
                v = new float[floats];
                vCall = null;
            }
            return v;
        }

        float[] u(int floats) {
            if (u.length < floats) {
                u = new float[floats];
                uCall = null;
            }
            return u;
        }

        float[] m(int floats) {
            if (m.length < floats) m = new float[floats];
            return m;
        }
    }
}
