package dev.javelin.kernels.cpu;

import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.ir.WinogradKernels;
import dev.javelin.kernels.ir.WinogradKernels.Operand;
import dev.javelin.kernels.ir.WinogradKernels.Transform;
import java.util.List;

/**
 * Runs one of the Winograd transforms ({@link WinogradKernels}, generated kernels over a channel
 * axis) over a row of blocks: the tiles along one tile row of an image (a 4x4 input patch or a 2x2
 * output block each, two pixels apart), or a filter's input channels (its 3x3 taps). Each slot's
 * offset steps by the same amount from one block to the next, so a run of blocks is one
 * {@link FusedKernel#runRows} call, its loop over the blocks generated with the kernel. A point
 * outside the image (padding, or a tile overhanging the output's edge) reads a zero buffer or writes a
 * scratch sink instead; the blocks where that changes (the first and last tiles of a row) start a new run.
 *
 * <pre>{@code
 * // the input patches of one tile row, into planes [16][tiles][cin]
 * WinogradLaunch.INPUT.run(new WinogradLaunch.Image(x, img, rowStride, pixStride, iy0, -padLeft, h, w, 2, 0),
 *         v, t0 * cin, vPlane, cin, tilesAcross, cin);
 * }</pre>
 */
enum WinogradLaunch {
    INPUT(WinogradKernels.INPUT), FILTER(WinogradKernels.FILTER), OUTPUT(WinogradKernels.OUTPUT),
    OUTPUT_GRADIENT(WinogradKernels.OUTPUT_GRADIENT), INPUT_PATCH(WinogradKernels.INPUT_PATCH),
    FILTER_GRADIENT(WinogradKernels.FILTER_GRADIENT);

    private static final int[][] NO_MAPS = new int[48][];
    private static final ThreadLocal<Launch> LAUNCH = ThreadLocal.withInitial(Launch::new);

    private final Transform transform;
    private final FusedKernel kernel;

    WinogradLaunch(Transform transform) {
        this.transform = transform;
        this.kernel = GeneratedLoops.compile(transform.ir());
    }

    /**
     * The image side of a transform: block b's point (r, c) is pixel {@code (y0 + r, x0 + columnStep·b + c)}
     * at {@code data[base + y·rowStride + x·pixStride + b·blockStep + channel]}, inside the image when
     * {@code 0 <= y < h} and {@code 0 <= x < w}. Tiles step two columns ({@code columnStep} 2,
     * {@code blockStep} 0); a filter's input channels step {@code blockStep} floats.
     */
    record Image(float[] data, int base, int rowStride, int pixStride, int y0, int x0, int h, int w, int columnStep, int blockStep) {
        /** Bit c set where column c of block b's points is inside the image. */
        int columns(int b, int size) {
            int mask = 0;
            for (int c = 0, x = x0 + columnStep * b; c < size; c++, x++) if (x >= 0 && x < w) mask |= 1 << c;
            return mask;
        }
    }

    /**
     * Runs the transform over {@code blocks} blocks, channels {@code [0, n)} each: the image side as
     * {@code image} says, plane p of block b at {@code planes[planeOff + p·planeStride + b·planeStep + channel]}.
     */
    void run(Image image, float[] planes, int planeOff, int planeStride, int planeStep, int blocks, int n) {
        List<Operand> slots = transform.slots();
        int size = transform.size(), inputs = transform.ir().inputSlots();
        Launch l = LAUNCH.get().fit(n);
        int rows = 0;
        for (int r = 0; r < size; r++) if (image.y0 + r >= 0 && image.y0 + r < image.h) rows |= 1 << r;
        int imageStep = image.columnStep * image.pixStride + image.blockStep;
        for (int b = 0; b < blocks; ) {
            int columns = image.columns(b, size), end = b + 1;
            while (end < blocks && image.columns(end, size) == columns) end++;
            for (int s = 0; s < slots.size(); s++) {
                Operand o = slots.get(s);
                int r = o.index() / size, c = o.index() % size;
                if (o.plane()) {
                    l.set(s, planes, planeOff + o.index() * planeStride + b * planeStep, planeStep);
                } else if ((rows >> r & columns >> c & 1) != 0) {
                    int y = image.y0 + r, x = image.x0 + image.columnStep * b + c;
                    l.set(s, image.data, image.base + y * image.rowStride + x * image.pixStride + b * image.blockStep, imageStep);
                } else {
                    l.set(s, s < inputs ? l.zero : l.sink, 0, 0);
                }
            }
            kernel.runRows(l.arrays, l.offsets, NO_MAPS, n, l.strides, end - b);
            b = end;
        }
    }

    /** A thread's slot arrays, offsets and row strides, and its zero buffer and sink (at least n floats). */
    private static final class Launch {
        final Object[] arrays = new Object[48];
        final int[] offsets = new int[48], strides = new int[48];
        float[] zero = new float[0], sink = new float[0];

        Launch fit(int n) {
            if (zero.length < n) {
                zero = new float[n];
                sink = new float[n];
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
