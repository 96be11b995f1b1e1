package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.initializers.Initializers;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PyTorch modules made with {@code bias=False} and layers built without a bias: a recurrent state without
 * {@code bias_ih}/{@code bias_hh} loaded into a layer with a bias was a NullPointerException, and PyTorch's
 * biases (or a Conv1d's) loaded into a layer without one were dropped silently, so the layer computed other
 * outputs than the module. A GRU with {@code reset_after=false} and no bias loaded although its candidate
 * differs from PyTorch's. Found by the oracle10 misuse programs.
 */
class TorchWeightsBiasTest {
    private static final int IN = 3;
    private static final int UNITS = 4;

    private static Map<String, Tensor> state(int gates, boolean withBias) {
        Map<String, Tensor> s = new HashMap<>();
        s.put("weight_ih_l0", Tensors.normal(Shape.of(gates * UNITS, IN), 1));
        s.put("weight_hh_l0", Tensors.normal(Shape.of(gates * UNITS, UNITS), 2));
        if (withBias) {
            s.put("bias_ih_l0", Tensors.normal(Shape.of(gates * UNITS), 3));
            s.put("bias_hh_l0", Tensors.normal(Shape.of(gates * UNITS), 4));
        }
        return s;
    }

    private static <L extends RecurrentLayer> L built(L layer) {
        layer.ensureBuilt(List.of(Shape.of(2, 5, IN)));
        return layer;
    }

    @Test
    void aStateWithoutBiasesIntoALayerWithOneIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchWeights.load(built(new LSTM(UNITS)), state(4, false), "_l0"));
        assertTrue(e.getMessage().contains("bias_ih_l0") && e.getMessage().contains("bias=False"), e.getMessage());
    }

    @Test
    void biasesALayerLacksAreRefusedNotDropped() {
        RecurrentOptions noBias = RecurrentOptions.defaults().useBias(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchWeights.load(built(new SimpleRNN(UNITS, noBias)), state(1, true), "_l0"));
        assertTrue(e.getMessage().contains("bias_ih_l0"), e.getMessage());
        Conv1D conv = new Conv1D(UNITS, 3, 1, "valid", 1, 1, "linear", false, Initializers.get("glorot_uniform"), Initializers.get("zeros"), null, null, null);
        conv.ensureBuilt(List.of(Shape.of(1, 6, IN)));
        assertThrows(IllegalArgumentException.class,
                () -> TorchWeights.load(conv, Tensors.normal(Shape.of(UNITS, IN, 3), 5), Tensors.normal(Shape.of(UNITS), 6)));
    }

    @Test
    void aModuleWithoutBiasesLoadsIntoALayerWithoutOne() {
        // bias=False computes as zero biases: the bias-less layer gives a biased layer's outputs with zeros loaded
        Tensor x = Tensors.normal(Shape.of(2, 5, IN), 7);
        Map<String, Tensor> zeros = state(3, false);
        zeros.put("bias_ih_l0", Tensors.zeros(3 * UNITS));
        zeros.put("bias_hh_l0", Tensors.zeros(3 * UNITS));
        GRU plain = built(new GRU(UNITS, RecurrentOptions.defaults().useBias(false)));
        GRU biased = built(new GRU(UNITS));
        TorchWeights.load(plain, state(3, false), "_l0");
        TorchWeights.load(biased, zeros, "_l0");
        TensorAssert.assertClose(biased.apply(x), plain.apply(x), 1e-6, 1e-7);
    }

    @Test
    void aResetBeforeGruIsRefusedWithOrWithoutABias() {
        GRU resetBefore = built(new GRU(UNITS, RecurrentOptions.defaults().useBias(false), false, "gru_rb"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchWeights.load(resetBefore, state(3, false), "_l0"));
        assertTrue(e.getMessage().contains("reset_after"), e.getMessage());
    }
}
