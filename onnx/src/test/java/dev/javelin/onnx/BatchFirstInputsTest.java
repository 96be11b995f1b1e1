package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.onnx.proto.OnnxProto.GraphProto;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code toModel()} refuses an input that holds another input's batch on a later axis (an exported
 * recurrent network's initial state [layers, batch, hidden]), naming it: it was taken as a batch of its
 * first axis, and the conversion failed with a hint about sequence lengths, or gave a model whose
 * inputs' rows do not pair up (found by the checker's fifth pass on an {@code nn.GRU} exported with an
 * {@code h0} input). The file itself still runs.
 */
class BatchFirstInputsTest {
    @Test
    void anInputWithTheBatchOnALaterAxisIsRefusedByName() throws Exception {
        GraphProto g = Protos.graph("states")
                .addInput(Protos.floats("x", -1, 3)).addInput(Protos.floats("h0", 2, -1))
                .addNode(Protos.node("t", "Transpose", List.of("h0"), List.of("ht")))
                .addNode(Protos.node("c", "Concat", List.of("x", "ht"), List.of("y"), Protos.intAttr("axis", 1)))
                .addOutput(Protos.floats("y", -1, 5)).build();
        OnnxModel model = OnnxModel.load(Protos.model(17, g).toByteArray(), "states.onnx");
        Tensor y = model.call(Tensors.ones(4, 3), Tensors.zeros(2, 4))[0];
        assertTrue(y.shape().equals(dev.javelin.tensor.Shape.of(4, 5)), y.shape().toString());
        var e = assertThrows(IllegalArgumentException.class, model::toModel);
        assertTrue(e.getMessage().startsWith("states.onnx: toModel: input h0 [2, batch_size] float32 holds the batch 'batch_size' (the first"
                + " axis of input 'x') at axis 1; expected the batch on the first axis of every input"), e.getMessage());
    }
}
