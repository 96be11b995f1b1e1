package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.SymbolicEngine;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every composite runs on symbolic tensors (shape and dtype only), as Keras-style functional models need. */
class SymbolicShapesTest {
    private static Tensor sym(DType dt, int... dims) {
        return Tensor.symbolic(Shape.of(dims), dt, Device.CPU, null);
    }

    @Test
    void readingASymbolicTensorSaysWhyThereIsNoData() {
        // the message used to stop at "is symbolic (it has no data)", which does not tell a user of Jit.compile what to do
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> sym(DType.FLOAT32, 2, 3).toFloatArray());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("float32[2, 3] is symbolic")
                && e.getMessage().contains("Jit.compile") && e.getMessage().contains("return the tensor"), e.getMessage());
    }

    @Test
    void compositesPropagateShapesWithoutData() {
        try (var s = Dispatch.use(new SymbolicEngine())) {
            Tensor x = sym(DType.FLOAT32, 8, 28, 28, 3);
            Tensor y = NN.conv2d(x, sym(DType.FLOAT32, 3, 3, 3, 16), new int[] {2, 2}, "same", null, 1);
            assertEquals(Shape.of(8, 14, 14, 16), y.shape());
            assertEquals(Shape.of(8, 7, 7, 16), NN.maxPool2d(y, new int[] {2, 2}, null, "valid").shape());
            assertEquals(Shape.of(8, 7, 7, 16), NN.avgPool2d(y, new int[] {3, 3}, new int[] {2, 2}, "same").shape());
            Tensor logits = sym(DType.FLOAT32, 8, 10);
            assertEquals(Shape.of(8), NN.sparseCategoricalCrossEntropy(logits, sym(DType.INT64, 8), true).shape());
            assertEquals(Shape.of(8, 10), NN.layerNorm(logits, new int[] {-1}, null, null, 1e-5).shape());
            assertEquals(Shape.of(8, 20), ArrayOps.concat(List.of(logits, logits), 1).shape());
            assertEquals(Shape.of(8, 1), logits.var(new int[] {1}, 1, true).shape());
            assertTrue(logits.softmax(-1).isSymbolic());
        }
    }
}
