package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.ConstantOperand;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.Dispatch;
import org.junit.jupiter.api.Test;

/**
 * The Winograd F(2x2, 3x3) forward ({@link WinogradConv}) against the reference backend: odd and
 * even image sizes (tiles that overhang the image's right and bottom edges), 1x1 and 2x2 images,
 * padding 0 to 2 and asymmetric, channel counts that leave a scalar tail (17, 33, 70), batch 1 to
 * 3, non-dense inputs and filters; its epilogue blocks; the same bits at 1 and 2 threads.
 */
class WinogradConvTest {
    private final KernelHarness h = new KernelHarness();

    @Test
    void matchesTheReferenceOverRandomGeometry() {
        int[] channels = {16, 17, 33, 64, 70};
        try (var s = Dispatch.use(h)) {
            for (int trial = 0; trial < 14; trial++) {
                int cin = channels[h.rng.nextInt(channels.length)], cout = channels[h.rng.nextInt(channels.length)];
                int pt = h.rng.nextInt(3), pb = h.rng.nextInt(3), pl = h.rng.nextInt(3), pr = h.rng.nextInt(3);
                int height = Math.max(1 + h.rng.nextInt(12), 3 - pt - pb), width = Math.max(1 + h.rng.nextInt(12), 3 - pl - pr);
                Shape xs = Shape.of(1 + h.rng.nextInt(3), height, width, cin);
                Tensor x = h.random(DType.FLOAT32, xs, trial % 5 == 4 ? KernelHarness.Layout.TRANSPOSED : KernelHarness.Layout.DENSE, -1, 1);
                Tensor f = h.random(DType.FLOAT32, Shape.of(3, 3, cin, cout), h.anyLayout(), -1, 1);
                Ops.conv2d(x, f, new OpAttrs.Conv(1, 1, pt, pb, pl, pr, 1, 1, 1));
            }
            OpAttrs.Conv same = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1);
            // a single pixel (every tap but the centre is padding) and a 2x2 image (one tile)
            Ops.conv2d(h.random(DType.FLOAT32, Shape.of(2, 1, 1, 20), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 20, 18), KernelHarness.Layout.DENSE, -1, 1), same);
            Ops.conv2d(h.random(DType.FLOAT32, Shape.of(1, 2, 2, 48), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 48, 96), KernelHarness.Layout.DENSE, -1, 1), same);
            // ResNet-18's 14x14 stage at batch 2: several bands of tile rows, each spanning images
            Ops.conv2d(h.random(DType.FLOAT32, Shape.of(2, 14, 14, 256), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 256, 256), KernelHarness.Layout.DENSE, -0.05, 0.05), same);
        }
        assertTrue(h.compared >= 17);
    }

    @Test
    void epilogueSeesEachFinishedBlockOnce() {
        OpAttrs.Conv same = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1), valid = new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1);
        var cpu = Backends.all().stream().filter(b -> b instanceof CpuBackend).findFirst().orElseThrow();
        ContractWithEpilogueTest.check(cpu, ContractWithEpilogueTest.conv(h.random(DType.FLOAT32, Shape.of(3, 9, 7, 20),
                KernelHarness.Layout.DENSE, -1, 1), h.random(DType.FLOAT32, Shape.of(3, 3, 20, 70), KernelHarness.Layout.DENSE, -1, 1),
                same, Shape.of(3, 9, 7, 70)));
        ContractWithEpilogueTest.check(cpu, ContractWithEpilogueTest.conv(h.random(DType.FLOAT32, Shape.of(2, 8, 11, 32),
                KernelHarness.Layout.DENSE, -1, 1), h.random(DType.FLOAT32, Shape.of(3, 3, 32, 17), KernelHarness.Layout.DENSE, -1, 1),
                valid, Shape.of(2, 6, 9, 17)));
    }

    @Test
    void sameBitsAtOneAndTwoThreads() {
        // 14x14 images, 256 channels: at 2 threads two bands and four channel blocks, taken a whole
        // block per chunk; at 1 thread one band
        Tensor x = h.random(DType.FLOAT32, Shape.of(2, 14, 14, 40), KernelHarness.Layout.DENSE, -1, 1);
        Tensor f = h.random(DType.FLOAT32, Shape.of(3, 3, 40, 256), KernelHarness.Layout.DENSE, -1, 1);
        OpAttrs.Conv same = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1);
        KernelHarness.assertSameBitsAtOneAndTwoThreads(() -> Ops.conv2d(x, f, same), "Winograd results");
    }

    @Test
    void constantFilterKeepsItsTransformAcrossCallsWithTheSameBits() {
        CpuBackend cpu = new CpuBackend();
        OpAttrs.Conv same = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1);
        // 7x7 with 70 output channels (a partial last block of channels), and a transposed (non-dense) filter view
        for (KernelHarness.Layout layout : new KernelHarness.Layout[] {KernelHarness.Layout.DENSE, KernelHarness.Layout.TRANSPOSED}) {
            Tensor x = h.random(DType.FLOAT32, Shape.of(1, 7, 7, 33), KernelHarness.Layout.DENSE, -1, 1);
            Tensor f = h.random(DType.FLOAT32, Shape.of(3, 3, 33, 70), layout, -1, 1);
            Tensor g = h.random(DType.FLOAT32, Shape.of(3, 3, 33, 70), layout, -1, 1);
            OpCall withF = ContractWithEpilogueTest.conv(x, f, same, Shape.of(1, 7, 7, 70));
            OpCall withG = ContractWithEpilogueTest.conv(x, g, same, Shape.of(1, 7, 7, 70));
            ConstantOperand filter = new ConstantOperand(1);
            for (int call = 0; call < 2; call++) { // the first call derives the transform, the second reads it
                assertArrayEquals(contract(cpu, withF, null), contract(cpu, withF, filter), "call " + call + ", " + layout);
            }
            // another filter through the same holder (a changed weight): transformed again, never the stale one
            assertArrayEquals(contract(cpu, withG, null), contract(cpu, withG, filter), layout + ": after the filter changed");
            float[] cached = contract(cpu, withG, filter);
            h.assertClose(withG, KernelHarness.run(h.reference, withG), Tensor.wrap(HeapStorage.wrap(cached), withG.shape()));
        }
    }

    @Test
    void constantFilterIsTransformedOnce() {
        assumeTrue(Sgemm.vectorized(), "Winograd runs with the Vector API only (this execution runs the scalar loops)");
        CpuBackend cpu = new CpuBackend();
        OpAttrs.Conv same = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1);
        Tensor x = h.random(DType.FLOAT32, Shape.of(1, 5, 6, 32), KernelHarness.Layout.DENSE, -1, 1);
        float[] weights = h.random(DType.FLOAT32, Shape.of(3, 3, 32, 16), KernelHarness.Layout.DENSE, -1, 1).toFloatArray();
        Tensor f = Tensor.wrap(HeapStorage.wrap(weights), Shape.of(3, 3, 32, 16));
        OpCall call = ContractWithEpilogueTest.conv(x, f, same, Shape.of(1, 5, 6, 16));
        ConstantOperand filter = new ConstantOperand(1);
        float[] first = contract(cpu, call, filter);
        // writing a constant's memory is what a program never does: here it shows the second call
        // multiplies by the transform kept from the first, not by a transform of the memory now
        java.util.Arrays.fill(weights, 0f);
        assertArrayEquals(first, contract(cpu, call, filter));
    }

    private static float[] contract(CpuBackend cpu, OpCall call, ConstantOperand constant) {
        Tensor out = Tensor.wrap(HeapStorage.allocate(call.dtype(), call.shape().sizeAsInt()), call.shape());
        cpu.contract(call, out, null, constant);
        return out.toFloatArray();
    }
}
