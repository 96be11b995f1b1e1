package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A refused {@code TorchWeights.load} leaves the layer as it was: the kernel was stored before a later weight (the
 * recurrent kernel of another size, a missing bias, the reverse direction of a one-direction state) was refused,
 * so the layer ran half PyTorch's weights and half its own initial ones. Found by the oracle11 misuse programs.
 */
class TorchWeightsAllOrNothingTest {
    private static final int IN = 3;
    private static final int UNITS = 4;

    private static Map<String, Tensor> lstmState(String suffix, int recurrentUnits) {
        Map<String, Tensor> s = new HashMap<>();
        s.put("weight_ih" + suffix, Tensors.normal(Shape.of(4 * UNITS, IN), 1));
        s.put("weight_hh" + suffix, Tensors.normal(Shape.of(4 * UNITS, recurrentUnits), 2));
        s.put("bias_ih" + suffix, Tensors.normal(Shape.of(4 * UNITS), 3));
        s.put("bias_hh" + suffix, Tensors.normal(Shape.of(4 * UNITS), 4));
        return s;
    }

    private static List<float[]> values(Layer layer) {
        List<float[]> out = new ArrayList<>();
        for (Variable v : layer.weights()) out.add(v.value().toFloatArray());
        return out;
    }

    private static void assertUnchanged(List<float[]> before, Layer layer) {
        List<float[]> after = values(layer);
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), after.get(i), layer.weights().get(i).name());
    }

    @Test
    void aRecurrentKernelOfAnotherSizeLeavesTheKernelAsItWas() {
        LSTM lstm = new LSTM(UNITS);
        lstm.ensureBuilt(List.of(Shape.of(2, 5, IN)));
        List<float[]> before = values(lstm);
        var e = assertThrows(IllegalArgumentException.class, () -> TorchWeights.load(lstm, lstmState("_l0", UNITS + 1), "_l0"));
        assertTrue(e.getMessage().contains("recurrent_kernel"), e.getMessage());
        assertUnchanged(before, lstm);
    }

    @Test
    void aOneDirectionStateIntoABidirectionalLeavesBothDirectionsAsTheyWere() {
        Bidirectional bi = new Bidirectional(new LSTM(UNITS));
        bi.ensureBuilt(List.of(Shape.of(2, 5, IN)));
        List<float[]> before = values(bi);
        var e = assertThrows(IllegalArgumentException.class, () -> TorchWeights.load(bi, lstmState("_l0", UNITS), 0));
        assertTrue(e.getMessage().contains("weight_ih_l0_reverse"), e.getMessage());
        assertUnchanged(before, bi);
        // the full state still loads both directions
        Map<String, Tensor> both = lstmState("_l0", UNITS);
        both.putAll(lstmState("_l0_reverse", UNITS));
        TorchWeights.load(bi, both, 0);
        assertFalse(Arrays.equals(before.get(0), values(bi).get(0)));
    }

    @Test
    void aConvolutionStateWithoutItsBiasLeavesTheKernelAsItWas() {
        Conv1D conv = new Conv1D(UNITS, 3);
        conv.ensureBuilt(List.of(Shape.of(1, 6, IN)));
        List<float[]> before = values(conv);
        assertThrows(IllegalArgumentException.class, () -> TorchWeights.load(conv, Tensors.normal(Shape.of(UNITS, IN, 3), 5), null));
        assertUnchanged(before, conv);
    }
}
