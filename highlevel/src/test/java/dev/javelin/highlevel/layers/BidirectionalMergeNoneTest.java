package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.LayerRegistry;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras's {@code Bidirectional(..., merge_mode=None)}: the forward and backward outputs apart (they
 * were refused: "merge_mode must be concat, sum, mul or ave"). They are the two halves of the
 * concatenated output of the same weights; a layer call, which returns one tensor, refuses it by name.
 */
class BidirectionalMergeNoneTest {
    @Test
    void theTwoOutputsAreTheHalvesOfTheConcatenation() {
        for (boolean backwardsFirst : new boolean[] {false, true}) {
            RecurrentOptions o = RecurrentOptions.defaults().returnSequences(true).returnState(true).goBackwards(backwardsFirst);
            Bidirectional concat = new Bidirectional(new LSTM(3, o));
            Bidirectional apart = new Bidirectional(new LSTM(3, o), null);
            Tensor x = Tensors.normal(Shape.of(2, 5, 4), 7);
            List<Tensor> joined = concat.callWithStates(x, null, null, false);
            apart.callWithStates(x, null, null, false); // builds
            List<Tensor> w = concat.weights().stream().map(v -> v.value()).toList();
            for (int i = 0; i < w.size(); i++) apart.weights().get(i).assign(w.get(i));
            List<Tensor> two = apart.callWithStates(x, null, null, false);
            assertEquals(joined.size() + 1, two.size()); // [forward, backward, h_f, c_f, h_b, c_b]
            assertArrayEquals(joined.get(0).slice(2, 0, 3).contiguous().toFloatArray(), two.get(0).toFloatArray());
            assertArrayEquals(joined.get(0).slice(2, 3, 6).contiguous().toFloatArray(), two.get(1).toFloatArray());
            for (int s = 1; s < joined.size(); s++) assertArrayEquals(joined.get(s).toFloatArray(), two.get(s + 1).toFloatArray());
        }
    }

    @Test
    void aLayerCallRefusesItNamingTheWayThatWorks() {
        Bidirectional apart = new Bidirectional(new GRU(3, RecurrentOptions.defaults().returnSequences(true)), "none");
        assertNull(apart.mergeMode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> apart.apply(Tensors.zeros(1, 4, 2)));
        assertTrue(e.getMessage().contains("(Bidirectional): merge_mode=None gives two outputs") && e.getMessage().contains("callWithStates"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new GRU(3), "max"));
    }

    @Test
    void aConfigKeepsNoneApartFromTheDefault() {
        Bidirectional apart = new Bidirectional(new LSTM(2), null);
        Map<String, Object> entry = Bidirectional.entry(apart);
        assertTrue(apart.getConfig().containsKey("merge_mode"));
        assertNull(((Bidirectional) LayerRegistry.fromEntry(entry)).mergeMode());
        Map<String, Object> noKey = new java.util.LinkedHashMap<>(apart.getConfig());
        noKey.remove("merge_mode"); // absent: Keras's default
        assertEquals("concat", Bidirectional.fromConfig(noKey).mergeMode());
    }
}
