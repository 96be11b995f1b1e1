package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bidirectional merges as Keras does: the forward layer's sequence output in its own order with the
 * backward layer's flipped in time ({@code y_rev = flip(y_rev, 1)}). For the usual pair both are in
 * time order; when the wrapped layer itself goes backwards (tf.keras makes the backward copy go
 * forwards) Keras's sequence is in reversed time, which Javelin merged in time order (found by the
 * checker's fifth pass). Keras refuses a backward_layer of the same direction, and so does Javelin.
 */
class BidirectionalDirectionTest {
    private static final Tensor X = Tensors.normal(Shape.of(2, 5, 3), 1);

    private static Tensor flipped(Tensor y) {
        return ArrayOps.indexSelect(y, 1, Tensors.of(new long[] {4, 3, 2, 1, 0}));
    }

    private static void assertKerasMerge(Bidirectional bi) {
        Tensor y = bi.apply(X);
        Tensor expected = ArrayOps.concat(List.of(bi.forwardLayer().apply(X), flipped(bi.backwardLayer().apply(X))), -1);
        assertArrayEquals(expected.toFloatArray(), y.toFloatArray(), 0f);
    }

    @Test
    void theBackwardLayersSequenceIsFlippedAndTheForwardOneKeptInItsOwnOrder() {
        RecurrentOptions sequences = RecurrentOptions.defaults().returnSequences(true);
        assertKerasMerge(new Bidirectional(new GRU(4, sequences)));
        Bidirectional swapped = new Bidirectional(new LSTM(4, sequences.goBackwards(true)));
        assertTrue(!swapped.backwardLayer().options().goBackwards(), "the backward copy goes forwards");
        assertKerasMerge(swapped);
        assertKerasMerge(new Bidirectional(new SimpleRNN(4, sequences.goBackwards(true)), "concat",
                new SimpleRNN(4, sequences), null));
    }

    @Test
    void aBackwardLayerOfTheSameDirectionIsRefused() {
        RecurrentOptions sequences = RecurrentOptions.defaults().returnSequences(true);
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Bidirectional(new GRU(4, sequences), "concat", new GRU(4, sequences, true, "b"), "bi"));
        assertTrue(e.getMessage().startsWith("bi (Bidirectional): backward_layer b has go_backwards=false as the forward layer"), e.getMessage());
    }
}
