package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.GemmEpilogue;
import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.kernels.cpu.gemm.SgemmMicroKernel;

import static dev.javelin.kernels.cpu.gemm.SgemmMicroKernel.MR;
import static dev.javelin.kernels.cpu.gemm.SgemmMicroKernel.NR;

/**
 * The float32 forward of an undilated, ungrouped convolution whose patch rows are short (KW·Cin
 * at most {@link #MAX_ROW}: a first layer on an RGB image, 7x7x3), without im2col. The input is
 * copied once into a zero-padded NHWC array; then output pixel (oy, ox)'s patch row ky is the run
 * of KW·Cin floats at padded pixel (oy·sh + ky, ox·sw), so a register tile of 8 pixels × 32 output
 * channels reads its A operand straight from the image (rows sw·Cin floats apart) and its B operand
 * from the HWIO filter, whose rows are in the same (ky, kx, c) order. Im2col copied each patch run
 * (21 floats) into a column buffer first: 88,000 small copies for ResNet-18's first layer, and the
 * buffer (0.9 MB per tile) left L1 before the GEMM read it.
 *
 * <p>Each output element is one FMA chain over k = (ky, kx, c) in order, the chain of the im2col
 * GEMM, so the bits are the same. Work items are (image, band of output rows) × block of channels,
 * one parallel loop, the epilogue on each item's rows.
 */
final class PaddedInputConv {
    /** Longest patch row (KW·Cin floats) this path takes: longer rows amortise im2col's copies. */
    static final int MAX_ROW = 64;
    /** Output rows per item at most, and channels per item (whole strips). */
    private static final int BAND = 8, COLS = 4 * NR;

    private final Conv2d.Geometry g;
    private final int hp, wp, row, bands, colBlocks;

    /** Whether this convolution takes this path (float32 with the Vector API, checked by the caller). */
    static boolean applies(Conv2d.Geometry g) {
        return Sgemm.vectorized() && g.groups == 1 && g.dh == 1 && g.dw == 1 && g.kw * g.cin <= MAX_ROW
                && g.k >= Conv2d.SHORT_K && g.n > 0 && g.oh > 0 && g.ow > 0 && g.cout > 0;
    }

    PaddedInputConv(Conv2d.Geometry g) {
        this.g = g;
        hp = (g.oh - 1) * g.sh + g.kh;
        wp = (g.ow - 1) * g.sw + g.kw;
        row = g.kw * g.cin;
        bands = g.n * ((g.oh + BAND - 1) / BAND);
        colBlocks = (g.cout + COLS - 1) / COLS;
    }

    /** out = conv(x, f) (x any strides, f dense HWIO), then {@code epilogue} on each item's rows when not null. */
    void run(float[] x, int xOff, int[] xs, float[] f, float[] out, GemmEpilogue epilogue) {
        // padded image, plus one tile's reach past its end (an edge tile's phantom pixels read there)
        float[] xp = new float[g.n * hp * wp * g.cin + MR * g.sw * g.cin + row];
        CpuThreads.parallelFor(g.n * hp, Math.max(1, 8192 / Math.max(1, wp * g.cin)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int n = r / hp, y = r % hp - g.padTop;
                if (y < 0 || y >= g.h) continue;
                int dst = (r * wp + Math.max(0, g.padLeft)) * g.cin;
                for (int xx = Math.max(0, -g.padLeft); xx < g.w && xx + g.padLeft < wp; xx++, dst += g.cin) {
                    int src = xOff + n * xs[0] + y * xs[1] + xx * xs[2];
                    for (int c = 0; c < g.cin; c++) xp[dst + c] = x[src + c * xs[3]];
                }
            }
        });
        float[] edge = g.cout % NR == 0 ? null : edgeStrip(f, g.cout / NR * NR);
        int bandsPerImage = (g.oh + BAND - 1) / BAND;
        CpuThreads.parallelFor(bands * colBlocks, 1, (from, to) -> {
            float[] scratch = new float[MR * NR];
            for (int item = from; item < to; item++) {
                int band = item / colBlocks, block = item % colBlocks;
                int n = band / bandsPerImage, oy0 = (band % bandsPerImage) * BAND, oys = Math.min(BAND, g.oh - oy0);
                int col0 = block * COLS, cols = Math.min(COLS, g.cout - col0);
                for (int oy = oy0; oy < oy0 + oys; oy++) {
                    int aRow = (n * hp + oy * g.sh) * wp * g.cin, cRow = ((n * g.oh + oy) * g.ow) * g.cout;
                    for (int ox = 0; ox < g.ow; ox += MR) {
                        int rows = Math.min(MR, g.ow - ox), ai = aRow + ox * g.sw * g.cin;
                        for (int j = col0; j < col0 + cols; j += NR) {
                            int width = Math.min(NR, col0 + cols - j);
                            if (rows == MR && width == NR) {
                                tile(xp, ai, g.sw * g.cin, wp * g.cin, f, edge, j, out, cRow + ox * g.cout + j, g.cout);
                            } else {
                                tile(xp, ai, g.sw * g.cin, wp * g.cin, f, edge, j, scratch, 0, NR);
                                for (int r = 0; r < rows; r++) {
                                    for (int c = 0; c < width; c++) out[cRow + (ox + r) * g.cout + j + c] = scratch[r * NR + c];
                                }
                            }
                        }
                    }
                }
                if (epilogue != null) epilogue.apply((n * g.oh + oy0) * g.ow, oys * g.ow, col0, cols);
            }
        });
    }

    /**
     * An 8-pixel × {@code NR}-channel tile: row r's patch row ky is {@code a[ai + r·lda + ky·rowStride + p]}
     * for p < KW·Cin, filter row {@code ky·KW·Cin + p} at {@code f[(ky·KW·Cin + p)·Cout + j]}, into {@code c}
     * at {@code ci} (row stride ldc); a strip past Cout reads {@code edge}, the filter's last strip zero-padded.
     * One in-place micro-kernel call, a run of steps per patch row.
     */
    private void tile(float[] a, int ai, int lda, int rowStride, float[] f, float[] edge, int j, float[] c, int ci, int ldc) {
        boolean fullWidth = j + NR <= g.cout;
        float[] b = fullWidth ? f : edge;
        int ldb = fullWidth ? g.cout : NR, bj = fullWidth ? j : 0;
        SgemmMicroKernel.tileRows(g.kh, rowStride, row * ldb, row, a, ai, lda, b, bj, ldb, c, ci, ldc, false);
    }

    /** The filter's last, partial strip of channels from {@code j}, zero-padded to NR wide ([K][NR]). */
    private float[] edgeStrip(float[] f, int j) {
        float[] e = new float[g.k * NR];
        for (int k = 0; k < g.k; k++) System.arraycopy(f, k * g.cout + j, e, k * NR, g.cout - j);
        return e;
    }
}
