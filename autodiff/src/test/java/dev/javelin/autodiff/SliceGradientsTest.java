package dev.javelin.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.OpObserver;
import dev.javelin.testing.RandomTensors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Gradients through many slices of one tensor (gathered and joined by SliceGradients): correct
 * for pieces along one axis with gaps, repeated and overlapping pieces, strided and two-axis slices
 * (the pad-and-add fallback); and the gradient of a tensor cut into T steps writes O(log T) times
 * its size, not T times (the pieces are joined by one balanced concatenation).
 */
class SliceGradientsTest {
    private static Tensor x(long seed, int... dims) {
        return new RandomTensors(seed).normal(Shape.of(dims)).cast(DType.FLOAT64);
    }

    @Test
    void piecesAlongOneAxisWithGapsRepeatsAndOverlaps() {
        GradCheck.check(a -> a[0].narrow(1, 0, 2).tanh().sum().add(a[0].narrow(1, 3, 1).square().sum())
                .add(a[0].narrow(1, 3, 1).mul(2.0).sum()), x(1, 3, 6, 2)).assertWithin(1e-7);
        GradCheck.check(a -> a[0].narrow(0, 0, 3).sin().sum().add(a[0].narrow(0, 2, 2).square().sum()), x(2, 5, 3))
                .assertWithin(1e-7);
        GradCheck.check(a -> a[0].slice(1, 0, 6, 2).sin().sum().add(a[0].narrow(0, 1, 1).narrow(1, 1, 2).square().sum()),
                x(3, 3, 6)).assertWithin(1e-7);
    }

    @Test
    void aSequenceCutIntoStepsCostsLogarithmicPasses() {
        Tensor seq = x(4, 2, 16, 3);
        AtomicLong padded = new AtomicLong();
        OpObserver countPads = new OpObserver() {
            @Override
            public void onOp(OpCall call, Tensor result) {
                if (call.op() == Op.PAD) padded.addAndGet(result.size());
            }
        };
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(seq);
            Tensor h = null;
            for (int t = 0; t < 16; t++) {
                Tensor step = seq.narrow(1, t, 1).reshape(2, 3);
                h = h == null ? step.tanh() : h.mul(step).tanh();
            }
            Tensor loss = h.sum();
            try (Dispatch.Scope s = Dispatch.observe(countPads)) {
                Tensor g = tape.gradient(loss, seq)[0];
                assertEquals(seq.shape(), g.shape());
            }
        }
        // 16 steps: 4 levels of the tree, each padding both halves to the joined size: 2 x 4 x 96
        // elements (padding each step to the full size would be 16 x 96, and grows with T, not log T)
        assertEquals(2 * 4 * seq.size(), padded.get());
    }
}
