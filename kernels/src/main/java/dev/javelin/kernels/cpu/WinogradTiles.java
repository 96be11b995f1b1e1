package dev.javelin.kernels.cpu;

/**
 * A convolution's output cut into the 2x2 tiles of Winograd's F(2x2, 3x3), as its forward
 * ({@link WinogradConv}) and gradients ({@link WinogradGradients}) walk them: tile rows numbered over
 * all images (tile row tr in image tr / tilesDown), work in runs of whole tile rows, tile t of a run
 * the t-th from its first row's left end. Gives where a tile's 4x4 input patch and 2x2 output block
 * lie, as point tables of {@link WinogradTransforms}.
 */
abstract class WinogradTiles {
    final Conv2d.Geometry g;
    /** Tiles per output row and column (the last ones overhang an odd size); tile rows over all images. */
    final int tilesAcross, tilesDown, tileRows;

    WinogradTiles(Conv2d.Geometry g) {
        this.g = g;
        tilesAcross = (g.ow + 1) / 2;
        tilesDown = (g.oh + 1) / 2;
        tileRows = g.n * tilesDown;
    }

    /**
     * Tile t of the run from tile row tr0: its input patch's pixel (r, q) at {@code at[4r + q]}, that is
     * {@code base + image·imageStride + y·rowStride + x·pixStride} for the pixel's row y and column x, -1 for padding.
     */
    int[] patch(int[] at, int tr0, int t, int base, int imageStride, int rowStride, int pixStride) {
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
     * Tile t of the run from tile row tr0: its 2x2 block of output pixels in the dense [N, OH, OW,
     * channels] (top left, right, below, below right), -1 past the output's edge.
     */
    int[] block(int[] at, int tr0, int t, int channels) {
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
