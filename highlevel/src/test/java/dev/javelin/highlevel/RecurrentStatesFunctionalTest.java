package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.layers.Bidirectional;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.highlevel.layers.RecurrentOptions;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keras's seq2seq habit, {@code _, h, c = LSTM(8, return_state=True)(x)} then
 * {@code LSTM(8)(y, initial_state=[h, c])}, written with {@code callWithStates} on Keras tensors: it
 * failed deep in the eager engine ("a symbolic tensor reached the eager engine"), naming no layer and
 * no way out. Now it is refused naming the layer and the subclassed model that does it, which works.
 */
class RecurrentStatesFunctionalTest {
    /** The seq2seq as a subclassed model: the way the refusal points to. */
    static final class Seq2Seq extends Model {
        final LSTM encoder = new LSTM(8, RecurrentOptions.defaults().returnState(true));
        final LSTM decoder = new LSTM(8, RecurrentOptions.defaults().returnSequences(true));
        final Dense head = new Dense(5, "softmax");

        @Override
        public Tensor call(List<Tensor> inputs, boolean training) {
            List<Tensor> states = encoder.callWithStates(inputs.get(0), null, null, training);
            return head.apply(decoder.callWithStates(inputs.get(1), states.subList(1, 3), null, training).get(0), training);
        }

        @Override
        public Tensor call(Tensor inputs, boolean training) {
            throw new IllegalArgumentException("Seq2Seq takes two inputs");
        }
    }

    @Test
    void statesOfKerasTensorsAreRefusedNamingTheLayerAndTheWayThatWorks() {
        Tensor x = Input.of(6, 3);
        LSTM encoder = new LSTM(8, RecurrentOptions.defaults().returnState(true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> encoder.callWithStates(x, null, null, false));
        assertTrue(e.getMessage().startsWith(encoder.name() + " (LSTM): callWithStates was given Keras tensors"), e.getMessage());
        assertTrue(e.getMessage().contains("subclass of Model"), e.getMessage());
        Bidirectional both = new Bidirectional(new LSTM(4, RecurrentOptions.defaults().returnState(true)));
        IllegalArgumentException bi = assertThrows(IllegalArgumentException.class, () -> both.callWithStates(x, null, null, false));
        assertTrue(bi.getMessage().contains("(Bidirectional): callWithStates was given Keras tensors"), bi.getMessage());
        Tensor h = Tensors.zeros(2, 8);
        IllegalArgumentException states = assertThrows(IllegalArgumentException.class,
                () -> new LSTM(8).callWithStates(Tensors.zeros(2, 4, 3), List.of(h, Input.of(8)), null, false));
        assertTrue(states.getMessage().contains("callWithStates was given Keras tensors"), states.getMessage());
        // apply on Keras tensors (the recurrent layer's own call runs callWithStates symbolically) still builds
        assertEquals(Shape.of(1, 8), encoder.apply(x).shape());
    }

    @Test
    void theSubclassedSeq2SeqTrainsAndIsUsableAsALayer() {
        Seq2Seq model = new Seq2Seq();
        model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
        Tensor source = Tensors.normal(Shape.of(16, 6, 3), 1);
        Tensor target = Tensors.normal(Shape.of(16, 4, 5), 2);
        Tensor labels = Tensors.randint(Shape.of(16, 4), 0, 5, 3);
        History h = model.fit(List.of(source, target), List.of(labels), FitOptions.builder().epochs(2).batchSize(8).build());
        assertEquals(2, h.history().get("loss").size());
        // inside a functional model the states pass symbolically
        Tensor a = Input.of(6, 3);
        Tensor b = Input.of(4, 5);
        Model outer = new Model(List.of(a, b), List.of(model.apply(List.of(a, b), false)), null);
        assertEquals(Shape.of(16, 4, 5), outer.predictOutputs(List.of(source, target), 8).get(0).shape());
    }
}
