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
 * The Winograd F(2x2, 3x3) gradients ({@link WinogradConv#inputGradient}, {@link WinogradConv#filterGradient})
 * against the reference backend: odd and even image sizes (tiles overhanging the edges), 1x1 and 2x2 images, padding 0 to 3 on each
 * side (3 above or left falls back to im2col), channel counts that leave a scalar tail, batch 1 to
 * 3, upstream gradients and filters in every layout; the same bits at 1 and 2 threads.
 */
class WinogradGradientsTest {
    private final KernelHarness h = new KernelHarness();

    @Test
    void matchesTheReferenceOverRandomGeometry() {
        int[] channels = {16, 17, 33, 64, 70};
        try (var s = Dispatch.use(h)) {
            for (int trial = 0; trial < 14; trial++) {
                int cin = channels[h.rng.nextInt(channels.length)], cout = channels[h.rng.nextInt(channels.length)];
                int pt = h.rng.nextInt(trial % 7 == 6 ? 4 : 3), pb = h.rng.nextInt(4), pl = h.rng.nextInt(3), pr = h.rng.nextInt(3);
                int height = Math.max(1 + h.rng.nextInt(12), 3 - pt - pb), width = Math.max(1 + h.rng.nextInt(12), 3 - pl - pr);
                Shape xs = Shape.of(1 + h.rng.nextInt(3), height, width, cin);
                Tensor x = h.random(DType.FLOAT32, xs, trial % 5 == 4 ? KernelHarness.Layout.TRANSPOSED : KernelHarness.Layout.DENSE, -1, 1);
                gradients(x, h.random(DType.FLOAT32, Shape.of(3, 3, cin, cout), h.anyLayout(), -1, 1),
                        new OpAttrs.Conv(1, 1, pt, pb, pl, pr, 1, 1, 1));
            }
            OpAttrs.Conv same = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1), valid = new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1);
            // a single pixel, a 2x2 image (one tile), and MNIST's second layer at a small batch
            gradients(h.random(DType.FLOAT32, Shape.of(2, 1, 1, 20), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 20, 18), KernelHarness.Layout.DENSE, -1, 1), same);
            gradients(h.random(DType.FLOAT32, Shape.of(1, 2, 2, 48), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 48, 96), KernelHarness.Layout.DENSE, -1, 1), same);
            gradients(h.random(DType.FLOAT32, Shape.of(5, 13, 13, 32), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 32, 64), KernelHarness.Layout.DENSE, -1, 1), valid);
        }
        assertTrue(h.compared >= 3 * 17);
    }

    @Test
    void sameBitsAtOneAndTwoThreads() {
        Tensor x = h.random(DType.FLOAT32, Shape.of(6, 13, 13, 32), KernelHarness.Layout.DENSE, -1, 1);
        Tensor f = h.random(DType.FLOAT32, Shape.of(3, 3, 32, 64), KernelHarness.Layout.DENSE, -1, 1);
        Tensor dy = h.random(DType.FLOAT32, Shape.of(6, 11, 11, 64), KernelHarness.Layout.DENSE, -1, 1);
        OpAttrs.Conv valid = new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1);
        KernelHarness.assertSameBitsAtOneAndTwoThreads(() -> Ops.conv2dBackwardInput(dy, f, x.shape(), valid), "input gradients");
        KernelHarness.assertSameBitsAtOneAndTwoThreads(() -> Ops.conv2dBackwardFilter(x, dy, f.shape(), valid), "filter gradients");
    }

    private void gradients(Tensor x, Tensor f, OpAttrs.Conv c) {
        Tensor y = Ops.conv2d(x, f, c);
        Tensor dy = h.random(DType.FLOAT32, y.shape(), h.anyLayout(), -1, 1);
        Ops.conv2dBackwardInput(dy, f, x.shape(), c);
        Ops.conv2dBackwardFilter(x, dy, f.shape(), c);
    }
}
