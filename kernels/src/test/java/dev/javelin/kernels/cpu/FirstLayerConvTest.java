package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.Dispatch;
import org.junit.jupiter.api.Test;

/**
 * First layers' forward (short patch rows: few input channels, K = KH·KW·Cin of 32 or more, through
 * {@link ColumnTiles}) against the reference backend: kernels 3x3 to 7x7 over 1 to 7 channels, strides 1 to 3, symmetric
 * and asymmetric padding, output widths that leave a partial 8-pixel tile, channel counts that leave a
 * partial 32-wide strip (1, 17, 40), channels-first inputs seen as NHWC, batch 1 to 3; its epilogue
 * blocks; the same bits at 1 and 2 threads.
 */
class FirstLayerConvTest {
    private final KernelHarness h = new KernelHarness();

    @Test
    void matchesTheReferenceOverRandomGeometry() {
        int[] couts = {1, 17, 40, 64, 70};
        try (var s = Dispatch.use(h)) {
            for (int trial = 0; trial < 12; trial++) {
                int k = 3 + 2 * h.rng.nextInt(3), cin = Math.max(1, (32 + k * k - 1) / (k * k)) + h.rng.nextInt(3);
                int stride = 1 + h.rng.nextInt(3), pt = h.rng.nextInt(k), pb = h.rng.nextInt(k), pl = h.rng.nextInt(k), pr = h.rng.nextInt(k);
                int height = k + h.rng.nextInt(14), width = k + h.rng.nextInt(20);
                Tensor x = h.random(DType.FLOAT32, Shape.of(1 + h.rng.nextInt(3), height, width, cin), h.anyLayout(), -1, 1);
                Tensor f = h.random(DType.FLOAT32, Shape.of(k, k, cin, couts[h.rng.nextInt(couts.length)]), h.anyLayout(), -1, 1);
                assertTrue(k * k * cin >= Conv2d.SHORT_K);
                Ops.conv2d(x, f, new OpAttrs.Conv(stride, stride, pt, pb, pl, pr, 1, 1, 1));
            }
            // ResNet-18's first layer, its input channels-first (an imported model's NCHW tensor seen as NHWC)
            Tensor nchw = h.random(DType.FLOAT32, Shape.of(1, 3, 64, 48), KernelHarness.Layout.DENSE, -1, 1);
            Ops.conv2d(nchw.permute(0, 2, 3, 1), h.random(DType.FLOAT32, Shape.of(7, 7, 3, 64), KernelHarness.Layout.DENSE, -1, 1),
                    new OpAttrs.Conv(2, 2, 3, 3, 3, 3, 1, 1, 1));
        }
        assertTrue(h.compared >= 13);
    }

    @Test
    void epilogueSeesEachFinishedBlockOnce() {
        var cpu = Backends.all().stream().filter(b -> b instanceof CpuBackend).findFirst().orElseThrow();
        ContractWithEpilogueTest.check(cpu, ContractWithEpilogueTest.conv(h.random(DType.FLOAT32, Shape.of(2, 19, 13, 3),
                KernelHarness.Layout.DENSE, -1, 1), h.random(DType.FLOAT32, Shape.of(5, 5, 3, 70), KernelHarness.Layout.DENSE, -1, 1),
                new OpAttrs.Conv(2, 2, 2, 2, 2, 2, 1, 1, 1), Shape.of(2, 10, 7, 70)));
    }

    @Test
    void sameBitsAtOneAndTwoThreads() {
        Tensor x = h.random(DType.FLOAT32, Shape.of(2, 41, 37, 3), KernelHarness.Layout.DENSE, -1, 1);
        Tensor f = h.random(DType.FLOAT32, Shape.of(7, 7, 3, 40), KernelHarness.Layout.DENSE, -1, 1);
        OpAttrs.Conv c = new OpAttrs.Conv(2, 2, 3, 3, 3, 3, 1, 1, 1);
        KernelHarness.assertSameBitsAtOneAndTwoThreads(() -> Ops.conv2d(x, f, c), "first-layer results");
    }
}
