package dev.javelin.kernels.cpu;


import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Reductions, matmul, both conv paths, fold and the recurrent loops give the same bits with 1 and with 2 threads. */
class ThreadDeterminismTest {
    private final KernelHarness h = new KernelHarness();

    @Test
    void reductionsAreBitIdenticalAtOneAndTwoThreads() {
        Tensor flat = h.random(DType.FLOAT32, Shape.of(300_007), KernelHarness.Layout.DENSE, -1, 1);
        Tensor tall = h.random(DType.FLOAT32, Shape.of(40_001, 5), KernelHarness.Layout.DENSE, -1, 1);
        Tensor wide = h.random(DType.FLOAT32, Shape.of(129, 2051), KernelHarness.Layout.TRANSPOSED, -1, 1);
        Tensor image = h.random(DType.FLOAT32, Shape.of(16, 26, 26, 32), KernelHarness.Layout.DENSE, -1, 1);
        Tensor windows = Ops.unfold(image, new OpAttrs.Window(2, 2, 2, 2, 1, 1));
        sameAtOneAndTwo(() -> Ops.reduce(Op.REDUCE_SUM, flat, new int[] {0}, false));
        sameAtOneAndTwo(() -> Ops.reduce(Op.REDUCE_SUM, tall, new int[] {0}, false));
        sameAtOneAndTwo(() -> Ops.reduce(Op.REDUCE_SUM, wide, new int[] {0}, false));
        sameAtOneAndTwo(() -> Ops.reduce(Op.REDUCE_SUM, wide, new int[] {1}, false));
        sameAtOneAndTwo(() -> Ops.reduce(Op.REDUCE_SUM, image, new int[] {0, 1, 2}, false));
        sameAtOneAndTwo(() -> Ops.reduce(Op.REDUCE_MAX, windows, new int[] {3, 4}, false));
        sameAtOneAndTwo(() -> Ops.reduce(Op.REDUCE_SUM, windows, new int[] {3, 4}, false));
        sameAtOneAndTwo(() -> Ops.fold(windows, new OpAttrs.Window(2, 2, 2, 2, 1, 1), image.shape()));
    }

    /** The convolution's forward and both gradients on random dense operands of these shapes. */
    private void convAtOneAndTwo(Shape xShape, Shape fShape, OpAttrs.Conv c) {
        Tensor x = h.random(DType.FLOAT32, xShape, KernelHarness.Layout.DENSE, -1, 1);
        Tensor f = h.random(DType.FLOAT32, fShape, KernelHarness.Layout.DENSE, -1, 1);
        Tensor dy = h.random(DType.FLOAT32, Ops.conv2d(x, f, c).shape(), KernelHarness.Layout.DENSE, -1, 1);
        sameAtOneAndTwo(() -> Ops.conv2d(x, f, c));
        sameAtOneAndTwo(() -> Ops.conv2dBackwardInput(dy, f, x.shape(), c));
        sameAtOneAndTwo(() -> Ops.conv2dBackwardFilter(x, dy, f.shape(), c));
    }

    @Test
    void matmulAndConvAreBitIdenticalAtOneAndTwoThreads() {
        Tensor a = h.random(DType.FLOAT32, Shape.of(128, 784), KernelHarness.Layout.DENSE, -1, 1);
        Tensor b = h.random(DType.FLOAT32, Shape.of(784, 130), KernelHarness.Layout.TRANSPOSED, -1, 1);
        sameAtOneAndTwo(() -> Ops.matmul(a, b));
        OpAttrs.Conv valid = new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1);
        convAtOneAndTwo(Shape.of(16, 13, 13, 32), Shape.of(3, 3, 32, 64), valid);
        // A first layer (K = 9) takes the short-K kernels, whose filter gradient sums fixed row blocks.
        convAtOneAndTwo(Shape.of(16, 28, 28, 1), Shape.of(3, 3, 1, 32), valid);
        // A short K (25) whose 6 output channels fill no whole vector: column tiles forward, row products for dx.
        convAtOneAndTwo(Shape.of(16, 28, 28, 1), Shape.of(5, 5, 1, 6), valid);
    }

    @Test
    void recurrentLoopsAreBitIdenticalAtOneAndTwoThreads() {
        for (OpAttrs.Recurrence.Cell cell : OpAttrs.Recurrence.Cell.values()) {
            for (boolean dropout : new boolean[] {false, true}) { // Keras 3's recurrent dropout: a multiplier per gate
                int n = 37, steps = 9, u = 33, width = cell.gates() * u;
                // x read in place with its batch and time strides swapped when dropout is on
                Tensor x = dropout ? Ops.permute(h.random(DType.FLOAT32, Shape.of(steps, n, width), KernelHarness.Layout.DENSE, -1, 1), 1, 0, 2)
                        : h.random(DType.FLOAT32, Shape.of(n, steps, width), KernelHarness.Layout.DENSE, -1, 1);
                Tensor w = h.random(DType.FLOAT32, Shape.of(u, width), KernelHarness.Layout.DENSE, -0.5, 0.5);
                java.util.List<Tensor> operands = new java.util.ArrayList<>();
                for (int p = 0; p < cell.parameters(); p++) operands.add(h.random(DType.FLOAT32, Shape.of(width), KernelHarness.Layout.DENSE, -1, 1));
                for (int p = 0; p < cell.states(); p++) operands.add(h.random(DType.FLOAT32, Shape.of(n, u), KernelHarness.Layout.DENSE, -1, 1));
                if (dropout) operands.add(h.random(DType.FLOAT32, Shape.of(n, width), KernelHarness.Layout.DENSE, 0, 2));
                Tensor mask = h.random(DType.BOOL, Shape.of(n, steps), KernelHarness.Layout.DENSE, 0, 1);
                var attrs = new OpAttrs.Recurrence(cell, true, false, OpAttrs.Recurrence.Activation.TANH, OpAttrs.Recurrence.Activation.SIGMOID, dropout);
                Tensor out = SequenceOps.recurrence(x, w, operands, mask, attrs);
                Tensor g = h.random(DType.FLOAT32, out.shape(), KernelHarness.Layout.DENSE, -1, 1);
                sameAtOneAndTwo(() -> SequenceOps.recurrence(x, w, operands, mask, attrs));
                sameAtOneAndTwo(() -> SequenceOps.recurrenceBackward(w, operands, mask, out, g, attrs));
            }
        }
    }

    private void sameAtOneAndTwo(Supplier<Tensor> op) {
        KernelHarness.assertSameBitsAtOneAndTwoThreads(op, "results");
    }
}
