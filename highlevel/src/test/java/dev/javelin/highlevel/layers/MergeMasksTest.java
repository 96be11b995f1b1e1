package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.javelin.highlevel.Input;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Seeds;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import org.junit.jupiter.api.Test;

/**
 * Layers of several inputs pass a padding mask on as Keras's do ({@link MaskMerging}): the merge layers
 * keep a step where every masked input does, Concatenate joins masks along time and combines them along
 * the features. Before, the mask stopped at them, so token + position embeddings joined by {@code Add}
 * (a new user's text model, found by the checker's fifth pass) let attention and pooling read the padding.
 */
class MergeMasksTest {
    private static float[] bits(Tensor t) {
        return t.cast(DType.FLOAT32).toFloatArray();
    }

    @Test
    void paddingAfterTokenAndPositionEmbeddingsJoinedByAddStaysHidden() {
        Seeds.setGlobal(3);
        Tensor in = Input.of(new int[] {InputLayer.ANY}, DType.INT64, null);
        Tensor e = new Embedding(20, 8, true).apply(in);
        Tensor h = new Add().apply(e, new PositionEmbedding(10).apply(e));
        Tensor out = new GlobalAveragePooling1D().apply(new MultiHeadAttention(2, 4).apply(h));
        Model model = new Model(in, out);
        Tensor six = Tensors.of(new long[] {5, 7, 9, 0, 0, 0}, 1, 6), eight = Tensors.of(new long[] {5, 7, 9, 0, 0, 0, 0, 0}, 1, 8);
        assertArrayEquals(bits(model.apply(six)), bits(model.apply(eight)), 0f, "eager");
        assertArrayEquals(bits(model.predict(six)), bits(model.predict(eight)), 0f, "compiled");
    }

    @Test
    void mergeLayersAndConcatenateCombineMasksAsKeras() {
        Embedding embedding = new Embedding(10, 3, true);
        Tensor a = embedding.apply(Tensors.of(new long[] {1, 2, 0, 0}, 1, 4));
        Tensor b = embedding.apply(Tensors.of(new long[] {0, 4, 0, 6}, 1, 4));
        Tensor c = embedding.apply(Tensors.of(new long[] {3, 0, 0}, 1, 3));
        assertArrayEquals(new float[] {0, 1, 0, 0}, bits(Masks.of(new Add().apply(a, b))), 0f);
        assertArrayEquals(new float[] {0, 1, 0, 0}, bits(Masks.of(new Multiply().apply(a, b))), 0f);
        assertArrayEquals(new float[] {1, 1, 0, 0}, bits(Masks.of(new Average().apply(a, Tensors.zeros(1, 4, 3)))), 0f, "an unmasked input adds no condition");
        assertArrayEquals(new float[] {1, 1, 0, 0, 1, 0, 0}, bits(Masks.of(new Concatenate(1, null).apply(a, c))), 0f, "joined in time");
        assertArrayEquals(new float[] {1, 1, 0, 1}, bits(Masks.of(new Concatenate().apply(a, b))), 0f, "any input's step along the features");
        assertArrayEquals(new float[] {1, 1, 1, 1}, bits(Masks.of(new Concatenate().apply(a, Tensors.zeros(1, 4, 2)))), 0f);
        assertNull(Masks.of(new Add().apply(Tensors.zeros(1, 4, 3), Tensors.ones(1, 4, 3))), "no input mask, no output mask");
    }

    /** Cross-attention's output carries the query's mask, as self-attention's did (and Keras's: the first input's). */
    @Test
    void crossAttentionKeepsTheQuerysMask() {
        Embedding embedding = new Embedding(10, 4, true);
        Tensor query = embedding.apply(Tensors.of(new long[] {1, 2, 0, 0}, 1, 4)), value = embedding.apply(Tensors.of(new long[] {3, 0, 0}, 1, 3));
        MultiHeadAttention attention = new MultiHeadAttention(2, 2);
        assertArrayEquals(new float[] {1, 1, 0, 0}, bits(Masks.of(attention.apply(query))), 0f);
        assertArrayEquals(new float[] {1, 1, 0, 0}, bits(Masks.of(attention.apply(query, value))), 0f);
    }
}
