package dev.javelin.kernels.cpu;

/**
 * The column matrix of a convolution and its adjoint. Row r of the columns is one output pixel
 * (image, oy, ox); its K = KH*KW*Cg entries are the input patch in (ky, kx, c) order, which is the
 * row order of an HWIO filter, so columns · filter is the convolution. Padding reads as zero.
 */
final class Im2col {
    private Im2col() {}

    /**
     * Fills {@code col} [rows, K] with rows {@code [row0, row0+rows)} of the whole column matrix (row r is
     * image r / (OH*OW), pixel r % (OH*OW)), so a tile may start and end inside an image.
     */
    static void gatherRows(float[] x, int xOff, int[] xs, Conv2d.Geometry g, int row0, int rows, int grp, float[] col) {
        int pixels = g.oh * g.ow;
        int grain = Math.max(1, StridedLoop.CHUNK / Math.max(1, g.k));
        // A patch row (one ky) is one contiguous run of KW*Cg floats when kx steps one pixel and channels are dense.
        boolean runs = g.dw == 1 && xs[3] == 1 && xs[2] == g.cg;
        int run = g.kw * g.cg;
        CpuThreads.parallelFor(rows, grain, (from, to) -> {
            for (int r = from; r < to; r++) {
                int n = (row0 + r) / pixels, p = (row0 + r) % pixels, oy = p / g.ow, ox = p % g.ow;
                int dst = r * g.k;
                int base = xOff + n * xs[0] + grp * g.cg * xs[3];
                int ix0 = ox * g.sw - g.padLeft;
                boolean rowInside = runs && ix0 >= 0 && ix0 + (g.kw - 1) * g.dw < g.w;
                for (int ky = 0; ky < g.kh; ky++) {
                    int iy = oy * g.sh - g.padTop + ky * g.dh;
                    if (rowInside && iy >= 0 && iy < g.h) {
                        int src = base + iy * xs[1] + ix0 * xs[2];
                        if (run < 16) {
                            for (int i = 0; i < run; i++) col[dst + i] = x[src + i];
                        } else {
                            System.arraycopy(x, src, col, dst, run);
                        }
                        dst += run;
                        continue;
                    }
                    for (int kx = 0; kx < g.kw; kx++, dst += g.cg) {
                        int ix = ix0 + kx * g.dw;
                        if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) {
                            java.util.Arrays.fill(col, dst, dst + g.cg, 0f);
                            continue;
                        }
                        int src = base + iy * xs[1] + ix * xs[2];
                        if (g.cg == 1) {
                            col[dst] = x[src];
                        } else if (xs[3] == 1) {
                            System.arraycopy(x, src, col, dst, g.cg);
                        } else {
                            for (int c = 0; c < g.cg; c++) col[dst + c] = x[src + c * xs[3]];
                        }
                    }
                }
            }
        });
    }

    /** x (any strides, channels not adjacent) copied into a dense NHWC array, parallel over image rows. */
    static float[] channelsLast(float[] x, int xOff, int[] xs, Conv2d.Geometry g) {
        float[] out = new float[g.n * g.h * g.w * g.cin];
        CpuThreads.parallelFor(g.n * g.h, Math.max(1, StridedLoop.CHUNK / Math.max(1, g.w * g.cin)), (from, to) -> {
            for (int row = from; row < to; row++) {
                int n = row / g.h, y = row % g.h, dst = row * g.w * g.cin;
                for (int c = 0; c < g.cin; c++) {
                    int src = xOff + n * xs[0] + y * xs[1] + c * xs[3];
                    for (int w = 0, d = dst + c; w < g.w; w++, d += g.cin) out[d] = x[src + w * xs[2]];
                }
            }
        });
        return out;
    }

    /** Adds {@code col} back into dense dx [N,H,W,C] (the adjoint of {@link #gatherRows} over whole images); one task per image. */
    static void scatterAdd(float[] col, Conv2d.Geometry g, int n0, int imgs, int grp, float[] dx) {
        int pixels = g.oh * g.ow;
        int grain = Math.max(1, StridedLoop.CHUNK / Math.max(1, pixels * g.k));
        // As in gather: a patch row inside the image adds back as one contiguous run of KW*Cg floats.
        boolean runs = g.dw == 1 && g.cg == g.cin;
        int run = g.kw * g.cg;
        CpuThreads.parallelFor(imgs, grain, (from, to) -> {
            for (int i = from; i < to; i++) {
                int n = n0 + i;
                for (int p = 0; p < pixels; p++) {
                    int oy = p / g.ow, ox = p % g.ow;
                    int src = (i * pixels + p) * g.k;
                    int ix0 = ox * g.sw - g.padLeft;
                    boolean rowInside = runs && ix0 >= 0 && ix0 + g.kw - 1 < g.w;
                    for (int ky = 0; ky < g.kh; ky++) {
                        int iy = oy * g.sh - g.padTop + ky * g.dh;
                        if (rowInside && iy >= 0 && iy < g.h) {
                            int dst = ((n * g.h + iy) * g.w + ix0) * g.cin;
                            for (int c = 0; c < run; c++) dx[dst + c] += col[src + c];
                            src += run;
                            continue;
                        }
                        for (int kx = 0; kx < g.kw; kx++, src += g.cg) {
                            int ix = ox * g.sw - g.padLeft + kx * g.dw;
                            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                            int dst = ((n * g.h + iy) * g.w + ix) * g.cin + grp * g.cg;
                            for (int c = 0; c < g.cg; c++) dx[dst + c] += col[src + c];
                        }
                    }
                }
            }
        });
    }
}
