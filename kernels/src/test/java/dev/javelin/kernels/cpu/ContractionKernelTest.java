package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import org.junit.jupiter.api.Test;

/**
 * MATMUL and the three convolution ops against the reference: random sizes (odd, 1, 0), transposed
 * and broadcast operands, batch dims, strides, padding, dilation and groups, float32 and float64.
 * Tolerance: 1e-5 relative + 8e-6 * sqrt(K) absolute in float32, where K is the length of each dot
 * product (the reference accumulates in double).
 */
class ContractionKernelTest {
    private final KernelHarness h = new KernelHarness();

    @Test
    void matmulOverShapesLayoutsAndBatches() {
        try (var s = Dispatch.use(h)) {
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (int trial = 0; trial < 12; trial++) {
                    int m = size(), n = size(), k = size();
                    Shape batch = trial % 3 == 0 ? Shape.of(1 + h.rng.nextInt(3)) : Shape.scalar();
                    Tensor a = h.random(dt, join(batch, m, k), h.anyLayout(), -1, 1);
                    Tensor b = h.random(dt, join(batch, k, n), h.anyLayout(), -1, 1);
                    Ops.matmul(a, b);
                }
            }
            // Broadcast batch (stride 0 after EXPAND) and a matrix-vector product.
            Ops.matmul(h.random(DType.FLOAT32, Shape.of(3, 1, 5, 7), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(4, 7, 6), KernelHarness.Layout.TRANSPOSED, -1, 1));
            Ops.matmul(h.random(DType.FLOAT32, Shape.of(65, 130), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(130), KernelHarness.Layout.DENSE, -1, 1));
            // One weight for every batch (a Linear layer over [B, T, K]): the batch folds into the rows.
            Ops.matmul(h.random(DType.FLOAT32, Shape.of(3, 37, 70), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(70, 45), KernelHarness.Layout.DENSE, -1, 1));
            Ops.matmul(h.random(DType.FLOAT32, Shape.of(2, 3, 9, 20), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(20, 33), KernelHarness.Layout.TRANSPOSED, -1, 1));
            Ops.matmul(h.random(DType.FLOAT32, Shape.of(4, 20, 9), KernelHarness.Layout.TRANSPOSED, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(9, 17), KernelHarness.Layout.DENSE, -1, 1));
            Ops.matmul(h.random(DType.FLOAT32, Shape.of(64, 200), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(200, 97), KernelHarness.Layout.TRANSPOSED, -1, 1));
        }
        assertTrue(h.compared >= 27);
    }

    @Test
    void convolutionsAndTheirGradientsOverRandomGeometry() {
        try (var s = Dispatch.use(h)) {
            for (int trial = 0; trial < 14; trial++) {
                DType dt = trial % 4 == 3 ? DType.FLOAT64 : DType.FLOAT32;
                int groups = trial % 5 == 4 ? 2 : 1;
                int cin = groups * (1 + h.rng.nextInt(4)), cout = groups * (1 + h.rng.nextInt(5));
                int kh = 1 + h.rng.nextInt(3), kw = 1 + h.rng.nextInt(3);
                OpAttrs.Conv c = new OpAttrs.Conv(1 + h.rng.nextInt(2), 1 + h.rng.nextInt(2), h.rng.nextInt(2), h.rng.nextInt(2),
                        h.rng.nextInt(2), h.rng.nextInt(2), 1 + h.rng.nextInt(2), 1 + h.rng.nextInt(2), groups);
                // at least 5 pixels: a 3-wide kernel with dilation 2 spans 5 (a wider window is an error)
                Tensor x = h.random(dt, Shape.of(1 + h.rng.nextInt(3), 5 + h.rng.nextInt(5), 5 + h.rng.nextInt(5), cin), h.anyLayout(), -1, 1);
                Tensor f = h.random(dt, Shape.of(kh, kw, cin / groups, cout), h.anyLayout(), -1, 1);
                convAll(x, f, c);
            }
            // A 1x1 convolution takes the no-im2col path.
            convAll(h.random(DType.FLOAT32, Shape.of(2, 5, 6, 7), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(1, 1, 7, 3), KernelHarness.Layout.DENSE, -1, 1),
                    new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1));
        }
        assertTrue(h.compared >= 45);
    }

    @Test
    void anEmptyOutputHasNoTilesAndAWindowWiderThanTheImageIsRefused() {
        // an empty batch: no output rows; k = 72 takes the tiled path (ColumnTiles once divided by zero here)
        try (var s = Dispatch.use(h)) {
            convAll(h.random(DType.FLOAT32, Shape.of(0, 6, 6, 8), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 8, 5), KernelHarness.Layout.DENSE, -1, 1),
                    new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 2, 2, 1));
        }
        // dilation 2 makes the 3x3 kernel span 5 > 4 pixels: an error, as in PyTorch (it was an empty output)
        Tensor x = h.random(DType.FLOAT32, Shape.of(2, 4, 4, 8), KernelHarness.Layout.DENSE, -1, 1);
        Tensor f = h.random(DType.FLOAT32, Shape.of(3, 3, 8, 5), KernelHarness.Layout.DENSE, -1, 1);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Ops.conv2d(x, f, new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 2, 2, 1)));
        assertTrue(e.getMessage().startsWith("conv2d: the window along H (kernel 3, dilation 2: 5 wide)"), e.getMessage());
    }

    @Test
    void mnistConvnetLayers() {
        OpAttrs.Conv valid = new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1);
        try (var s = Dispatch.use(h)) {
            convAll(h.random(DType.FLOAT32, Shape.of(3, 28, 28, 1), KernelHarness.Layout.DENSE, 0, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 1, 32), KernelHarness.Layout.DENSE, -0.3, 0.3), valid);
            convAll(h.random(DType.FLOAT32, Shape.of(2, 13, 13, 32), KernelHarness.Layout.DENSE, 0, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 32, 64), KernelHarness.Layout.DENSE, -0.1, 0.1), valid);
            // 19 images: several image tiles, the last one short, and the filter gradient's partials summed.
            convAll(h.random(DType.FLOAT32, Shape.of(19, 13, 13, 32), KernelHarness.Layout.DENSE, 0, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 32, 64), KernelHarness.Layout.DENSE, -0.1, 0.1), valid);
        }
        assertTrue(h.compared >= 9);
    }

    /**
     * A short reduction with whole vectors of output channels per group ({@link ShortConvVector}'s direct
     * filter gradient; the forward's column tiles and the input gradient's row products at a short K):
     * random strides, padding on each side, dilation, groups, odd and unit sizes, an empty batch, and
     * strided inputs and upstream gradients, all three ops against the reference.
     */
    @Test
    void shortReductionDirectKernelsOverRandomGeometry() {
        try (var s = Dispatch.use(h)) {
            for (int trial = 0; trial < 12; trial++) {
                int groups = trial % 4 == 3 ? 2 : 1;
                int cg = 1 + h.rng.nextInt(3), coutg = 16 * (1 + h.rng.nextInt(3));
                int kh = 1 + h.rng.nextInt(3), kw = 1 + h.rng.nextInt(3);
                OpAttrs.Conv c = new OpAttrs.Conv(1 + h.rng.nextInt(2), 1 + h.rng.nextInt(3), h.rng.nextInt(3), h.rng.nextInt(2),
                        h.rng.nextInt(2), h.rng.nextInt(3), 1 + h.rng.nextInt(2), 1 + h.rng.nextInt(2), groups);
                int n = trial == 5 ? 0 : trial % 3 == 0 ? 1 : 1 + h.rng.nextInt(4);
                Tensor x = h.random(DType.FLOAT32, Shape.of(n, 1 + h.rng.nextInt(11), 5 + h.rng.nextInt(9), groups * cg),
                        h.anyLayout(), -1, 1);
                // a window wider than the padded image is an error (as in PyTorch): a one-pixel kernel there instead
                if (x.dim(1) + c.padTop() + c.padBottom() < c.dilationH() * (kh - 1) + 1) kh = 1;
                if (x.dim(2) + c.padLeft() + c.padRight() < c.dilationW() * (kw - 1) + 1) kw = 1;
                convAll(x, h.random(DType.FLOAT32, Shape.of(kh, kw, cg, groups * coutg), h.anyLayout(), -1, 1), c);
            }
        }
        assertTrue(h.compared >= 33);
    }

    /**
     * The forward pass's row tiles (ColumnTiles) on wider layers than the random geometry above: K
     * past one k block (3x3x64 = 576), output channels that are no multiple of the 32-wide strip, odd
     * images whose tiles start inside an image, batch 1, strides, padding, dilation and groups.
     */
    @Test
    void convolutionForwardOverWideLayers() {
        try (var s = Dispatch.use(h)) {
            for (int trial = 0; trial < 8; trial++) {
                int groups = trial % 4 == 3 ? 2 : 1;
                int cin = groups * (16 + h.rng.nextInt(56)), cout = groups * (1 + h.rng.nextInt(90));
                int k = 1 + 2 * h.rng.nextInt(2), stride = 1 + h.rng.nextInt(2), dil = trial % 3 == 2 ? 2 : 1, pad = h.rng.nextInt(2);
                OpAttrs.Conv c = new OpAttrs.Conv(stride, stride, pad, k / 2, k / 2, pad, dil, dil, groups);
                Tensor x = h.random(DType.FLOAT32, Shape.of(trial < 4 ? 1 : 1 + h.rng.nextInt(3), 7 + h.rng.nextInt(11),
                        7 + h.rng.nextInt(11), cin), trial == 5 ? KernelHarness.Layout.TRANSPOSED : KernelHarness.Layout.DENSE, -1, 1);
                Ops.conv2d(x, h.random(DType.FLOAT32, Shape.of(k, k, cin / groups, cout), h.anyLayout(), -1, 1), c);
            }
            // ResNet-18's last stage at batch 1: 7x7 pixels, K = 4608 (nine k blocks), 512 channels.
            Ops.conv2d(h.random(DType.FLOAT32, Shape.of(1, 7, 7, 512), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 512, 512), KernelHarness.Layout.DENSE, -0.05, 0.05),
                    new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1));
        }
        assertTrue(h.compared >= 9);
    }

    private void convAll(Tensor x, Tensor f, OpAttrs.Conv c) {
        Tensor y = Ops.conv2d(x, f, c);
        Tensor dy = h.random(x.dtype(), y.shape(), h.anyLayout(), -1, 1);
        Ops.conv2dBackwardInput(dy, f, x.shape(), c);
        Ops.conv2dBackwardFilter(x, dy, f.shape(), c);
    }

    private int size() {
        int pick = h.rng.nextInt(10);
        return pick == 0 ? 0 : pick == 1 ? 1 : 1 + h.rng.nextInt(70);
    }

    private static Shape join(Shape batch, int r, int c) {
        int[] d = java.util.Arrays.copyOf(batch.toArray(), batch.rank() + 2);
        d[batch.rank()] = r;
        d[batch.rank() + 1] = c;
        return Shape.of(d);
    }
}
