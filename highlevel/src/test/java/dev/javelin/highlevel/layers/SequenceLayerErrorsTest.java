package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Input;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import org.junit.jupiter.api.Test;

/**
 * Bad input to the sequence layers found by a new user's programs (the checker's fifth pass): each
 * error names the layer, the shapes and what was expected.
 */
class SequenceLayerErrorsTest {
    @Test
    void unitsWhoseGateBlocksOverflowAnIntAreRefusedNamingTheLimit() {
        // 3 * 2^30 columns overflowed to a negative dimension: "Shape: negative dimension in [3, -1073741824]"
        var gru = assertThrows(LayerCallException.class, () -> new GRU(1 << 30, RecurrentOptions.defaults(), true, "big").apply(Tensors.zeros(1, 2, 3)));
        assertTrue(gru.getMessage().startsWith("big (GRU): units=1073741824 makes kernels 3·units = 3221225472 columns wide; "
                + "expected units <= 715827882"), gru.getMessage());
        var lstm = assertThrows(LayerCallException.class, () -> new LSTM(600_000_000).apply(Tensors.zeros(1, 2, 3)));
        assertTrue(lstm.getMessage().contains("(LSTM): units=600000000 makes kernels 4·units = 2400000000 columns wide; expected units <= 536870911"),
                lstm.getMessage());
    }

    @Test
    void attentionInputsOfOtherBatchSizesOrLengthsNameTheLayer() {
        MultiHeadAttention mha = new MultiHeadAttention(2, 4, null, 0.0, true, null, new dev.javelin.highlevel.initializers.GlorotUniform(),
                new dev.javelin.highlevel.initializers.Zeros(), null, "att");
        var batch = assertThrows(IllegalArgumentException.class,
                () -> mha.call(Tensors.zeros(2, 6, 8), Tensors.zeros(3, 5, 8), null, null, false, false));
        assertTrue(batch.getMessage().startsWith("att (MultiHeadAttention): query [2, 6, 8], value [3, 5, 8] and key [3, 5, 8] do not fit: "
                + "expected one batch size"), batch.getMessage());
        var length = assertThrows(IllegalArgumentException.class,
                () -> mha.call(Tensors.zeros(2, 6, 8), Tensors.zeros(2, 5, 8), Tensors.zeros(2, 4, 8), null, false, false));
        assertTrue(length.getMessage().contains("value [2, 5, 8] and key [2, 4, 8] do not fit"), length.getMessage());
    }

    @Test
    void aTensorOpOnAFunctionalModelsTensorsSaysToUseALayer() {
        // the PositionEmbedding Javadoc's tokens.add(positions), written in a functional model
        Tensor in = Input.of(4, 3);
        var e = assertThrows(IllegalStateException.class, () -> in.add(in));
        assertTrue(e.getMessage().startsWith("add: a symbolic tensor [1, 4, 3] reached the eager engine")
                && e.getMessage().contains("combine its symbolic tensors with layers (Add, Multiply, Concatenate, Lambda)"), e.getMessage());
    }
}
