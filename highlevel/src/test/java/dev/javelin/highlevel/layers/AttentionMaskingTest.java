package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.RandomTensors;
import dev.javelin.testing.TensorAssert;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attention honours padding masks as Keras does: a padded batch gives the real tokens the outputs and
 * gradients they get when each sequence runs alone, unpadded; padding gets no gradient; the mask
 * travels from {@code Embedding(maskZero)} through the layers.
 */
class AttentionMaskingTest {
    private static final int T = 6, REAL = 4, DIM = 6;

    @Test
    void paddedBatchMatchesTheSequencesAlone() {
        MultiHeadAttention mha = new MultiHeadAttention(2, 3);
        TransformerDecoder block = new TransformerDecoder(8, 2, 0.0, "gelu", 1e-5, true, null);
        for (Layer layer : List.<Layer>of(mha, block)) {
            Tensor x = new RandomTensors(1).normal(Shape.of(2, T, DIM));
            Tensor mask = Tensors.of(new boolean[] {true, true, true, true, true, true, true, true, true, true, false, false}).reshape(2, T);
            Tensor w = new RandomTensors(2).normal(Shape.of(2, T, DIM));
            Tensor real = mask.cast(x.dtype()).unsqueeze(-1);
            Tensor y, gx;
            try (GradientTape tape = GradientTape.record()) {
                tape.watch(x);
                y = layer.apply(x, mask, false);
                gx = tape.gradient(y.mul(w).mul(real).sum(), x)[0];
            }
            Tensor x1 = x.slice(0, 1, 2).slice(1, 0, REAL), w1 = w.slice(0, 1, 2).slice(1, 0, REAL);
            try (GradientTape tape = GradientTape.record()) {
                tape.watch(x1);
                Tensor y1 = layer.apply(x1, false);
                TensorAssert.assertClose(y1, y.slice(0, 1, 2).slice(1, 0, REAL), 1e-5, 1e-6);
                TensorAssert.assertClose(tape.gradient(y1.mul(w1).sum(), x1)[0], gx.slice(0, 1, 2).slice(1, 0, REAL), 1e-5, 1e-6);
            }
            TensorAssert.assertClose(Tensors.zeros(1, T - REAL, DIM), gx.slice(0, 1, 2).slice(1, REAL, T), 0, 0);
        }
    }

    @Test
    void theMaskFlowsFromAnEmbeddingAndOut() {
        Embedding embedding = new Embedding(10, DIM, true);
        MultiHeadAttention mha = new MultiHeadAttention(1, 4);
        Tensor ids = Tensors.of(new int[] {3, 1, 4, 0, 0, 2, 7, 1, 8, 0}).reshape(2, 5);
        Tensor h = embedding.apply(ids);
        Tensor y = mha.apply(h);
        assertSame(Masks.of(h), Masks.of(y));
        // the padded keys of row 0 (positions 3, 4) are hidden: the real rows equal the unpadded sequence's
        Tensor alone = mha.apply(embedding.apply(Tensors.of(new int[] {3, 1, 4}).reshape(1, 3)));
        TensorAssert.assertClose(alone, y.slice(0, 0, 1).slice(1, 0, 3), 1e-5, 1e-6);
    }

    @Test
    void aPaddingMaskOfTheWrongShapeNamesTheLayer() {
        MultiHeadAttention mha = new MultiHeadAttention(1, 4, null, 0.0, true, null, new dev.javelin.highlevel.initializers.GlorotUniform(),
                new dev.javelin.highlevel.initializers.Zeros(), null, "masked_attention");
        Tensor x = Tensors.ones(2, 5, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mha.apply(x, Tensors.ones(2, 4), false));
        assertTrue(e.getMessage().contains("masked_attention") && e.getMessage().contains("[2, 4]"), e.getMessage());
        assertEquals(3, x.rank());
    }
}
