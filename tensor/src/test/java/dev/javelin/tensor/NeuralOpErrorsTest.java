package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Misuse of {@link NN}'s functions is reported by the function the user called, with the shapes and
 * what was expected: these named the op inside them ({@code reduce_max}, {@code mul}) instead.
 */
class NeuralOpErrorsTest {
    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void softmaxAndLogSoftmaxNameThemselvesForAnAxisOffTheInput() {
        Tensor x = Tensors.ones(2, 3);
        assertEquals("softmax: axis 2 is out of range for rank 2 (expected -2 <= axis < 2)", message(() -> NN.softmax(x, 2)));
        assertEquals("logSoftmax: axis -3 is out of range for rank 2 (expected -2 <= axis < 2)", message(() -> NN.logSoftmax(x, -3)));
    }

    @Test
    void binaryCrossEntropyNamesItselfForTargetsOfAnotherShape() {
        String m = message(() -> NN.binaryCrossEntropy(Tensors.ones(2, 3), Tensors.ones(4), true));
        assertEquals("binaryCrossEntropy (scores and targets): shapes [2, 3] and [4] do not broadcast (dimension 1 of the result: 3 vs 4)", m);
        assertEquals(Shape.of(2, 3), NN.binaryCrossEntropy(Tensors.ones(2, 3), Tensors.ones(3), false).shape()); // broadcasting still goes
    }

    @Test
    void layerNormNamesAGammaOrBetaThatDoesNotFit() {
        Tensor x = Tensors.ones(2, 3);
        assertEquals("layerNorm: gamma float32[4] does not broadcast to x float32[2, 3]; expected the normalized axes' sizes, e.g. [3] "
                + "for the last axis", message(() -> NN.layerNorm(x, new int[] {-1}, Tensors.ones(4), null, 1e-5)));
        assertEquals("layerNorm: beta float32[2, 2] does not broadcast to x float32[2, 3]; expected the normalized axes' sizes, e.g. [3] "
                + "for the last axis", message(() -> NN.layerNorm(x, new int[] {-1}, Tensors.ones(3), Tensors.ones(2, 2), 1e-5)));
        assertEquals(Shape.of(2, 3), NN.layerNorm(x, new int[] {-1}, Tensors.ones(3), Tensors.zeros(3), 1e-5).shape());
    }
}
