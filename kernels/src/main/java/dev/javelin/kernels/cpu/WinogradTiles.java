package dev.javelin.kernels.cpu;

import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.ir.WinogradKernels;
import dev.javelin.kernels.ir.WinogradKernels.Operand;
import dev.javelin.kernels.ir.WinogradKernels.Transform;
import java.util.List;

/**
 * Runs a tile transform of Winograd's F(2x2, 3x3) ({@link WinogradKernels}: generated kernels over a
 * channel axis) along one tile row of an image: each tile's block of the image (a 4x4 input patch or a
 * 2x2 output block, tiles two pixels apart) and its 16 planes. Every slot's offset steps by the same
 * amount from one tile to the next, so a run of tiles is one {@link FusedKernel#runRows} call whose
 * loop over the tiles is generated with the kernel, and the image points and the planes are two
 * {@link dev.javelin.kernels.ir.KernelIR#withSlotGroups slot groups}: two offsets step per tile. A point
 * outside the image (padding, or a pixel past the output's edge) reads a buffer of zeros or writes a
 * scratch sink, stepping along it with the others; the tiles where that changes (the first and last of
 * a row) start a new run.
 *
 * <pre>{@code
 * // the input patches of one tile row, into planes [16][tiles][cin]
 * WinogradTiles.INPUT.run(new WinogradTiles.Image(x, img, rowStride, pixStride, iy0, -padLeft, h, w),
 *         v, t0 * cin, vPlane, cin, tilesAcross, cin);
 * }</pre>
 */
enum WinogradTiles {
    /** Input patches to planes (the forward, the filter gradient). */
    INPUT(WinogradKernels.INPUT),
    /** Planes to 2x2 output blocks (the forward). */
    OUTPUT(WinogradKernels.OUTPUT);

    private static final int SLOTS = 32;
    private static final int[][] NO_MAPS = new int[SLOTS][];
    private static final ThreadLocal<Launch> LAUNCH = ThreadLocal.withInitial(Launch::new);

    private final FusedKernel kernel;
    /** The side of the image block; the kernel's input slots; per slot, its plane (-1: an image point) and its point's row and column. */
    private final int size, inputs;
    private final int[] plane, row, column;

    WinogradTiles(Transform transform) {
        this.kernel = GeneratedLoops.compile(transform.ir());
        List<Operand> slots = transform.slots();
        size = transform.size();
        inputs = transform.ir().inputSlots();
        plane = new int[slots.size()];
        row = new int[slots.size()];
        column = new int[slots.size()];
        for (int s = 0; s < slots.size(); s++) {
            Operand o = slots.get(s);
            plane[s] = o.plane() ? o.index() : -1;
            row[s] = o.index() / size;
            column[s] = o.index() % size;
        }
    }

    /**
     * The image side of a transform: tile b's point (r, c) is pixel {@code (y0 + r, x0 + 2·b + c)}, channel j
     * of it at {@code data[base + y·rowStride + x·pixStride + j]}, inside the image when {@code 0 <= y < h}
     * and {@code 0 <= x < w}.
     */
    record Image(float[] data, int base, int rowStride, int pixStride, int y0, int x0, int h, int w) {
        /** Bit c set where column c of tile b's block is inside the image. */
        int columns(int b, int size) {
            int mask = 0;
            for (int c = 0, x = x0 + 2 * b; c < size; c++, x++) if (x >= 0 && x < w) mask |= 1 << c;
            return mask;
        }
    }

    /**
     * Runs the transform over {@code tiles} tiles, channels {@code [0, n)} each: the image side as {@code image}
     * says, plane p of tile b at {@code planes[planeOff + p·planeStride + b·planeStep + j]}.
     */
    void run(Image image, float[] planes, int planeOff, int planeStride, int planeStep, int tiles, int n) {
        int imageStep = 2 * image.pixStride;
        Launch l = LAUNCH.get().fit((tiles - 1) * imageStep + n);
        int rows = 0;
        for (int r = 0; r < size; r++) if (image.y0 + r >= 0 && image.y0 + r < image.h) rows |= 1 << r;
        for (int b = 0; b < tiles; ) {
            int columns = image.columns(b, size), end = b + 1;
            while (end < tiles && image.columns(end, size) == columns) end++;
            int planeAt = planeOff + b * planeStep, imageAt = image.base + image.y0 * image.rowStride + (image.x0 + 2 * b) * image.pixStride;
            for (int s = 0; s < plane.length; s++) {
                if (plane[s] >= 0) {
                    l.set(s, planes, planeAt + plane[s] * planeStride, planeStep);
                } else if ((rows >> row[s] & columns >> column[s] & 1) != 0) {
                    l.set(s, image.data, imageAt + row[s] * image.rowStride + column[s] * image.pixStride, imageStep);
                } else { // outside: zeros read, or a sink written, stepping as the image's points do
                    l.set(s, s < inputs ? l.zero : l.sink, 0, imageStep);
                }
            }
            kernel.runRows(l.arrays, l.offsets, NO_MAPS, n, l.strides, end - b);
            b = end;
        }
    }

    /** A thread's slot arrays, offsets and row strides, and its buffer of zeros and its sink (as long as a run's steps). */
    private static final class Launch {
        final Object[] arrays = new Object[SLOTS];
        final int[] offsets = new int[SLOTS], strides = new int[SLOTS];
        float[] zero = new float[0], sink = new float[0];

        Launch fit(int floats) {
            if (zero.length < floats) {
                zero = new float[floats];
                sink = new float[floats];
            }
            return this;
        }

        void set(int s, float[] data, int offset, int stride) {
            arrays[s] = data;
            offsets[s] = offset;
            strides[s] = stride;
        }
    }
}
