package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.highlevel.Model;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code toModel()} of a node whose several outputs are read (a recurrent node with non-zero initial
 * states or sequence lengths, converted as one {@link OnnxOpLayer} per output): the layers share the
 * file's weights. Each layer once held its own copy, so the model had two or three times the file's
 * parameters and fine-tuning trained diverging copies (found by the checker's fifth pass, exporting an
 * {@code nn.LSTM} with {@code (h0, c0)} inputs).
 */
class MultiOutputWeightsTest {
    @ParameterizedTest
    @ValueSource(strings = {"LSTM_forward_defaults", "LSTM_bidirectional_layout1_states_lens", "RNN_relu_reverse_states",
            "GRU_reset_before_lens_layout1"})
    void theLayersOfOneNodesOutputsShareItsWeights(String name) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("ops", name);
        OnnxModel onnx = OnnxModel.load(c.model());
        Model model = onnx.toModel();
        long fileParameters = onnx.graph().initializers().values().stream().filter(t -> t.dtype().isFloating()).mapToLong(Tensor::size).sum();
        List<Variable> weights = model.trainableWeights();
        assertEquals(fileParameters, weights.stream().mapToLong(v -> v.shape().size()).sum(), model.summaryText());
        List<Tensor> inputs = List.of(c.inputArray());
        List<Tensor> expected = List.copyOf(c.outputs().values());
        try (GradientTape tape = GradientTape.recordPersistent()) {
            List<Tensor> got = model.callOutputs(inputs, false); // the inputs' first axes differ (time, directions)
            for (int i = 0; i < expected.size(); i++) {
                TensorAssert.assertClose(expected.get(i), got.get(i), 1e-5, 1e-5);
                // every output reaches the one recurrent kernel (the file's W, the first weight)
                Tensor dw = tape.gradient(got.get(i).square().sum(), List.of(weights.get(0))).get(0);
                assertTrue(dw.abs().sum().item() > 0, "output " + i + " does not reach " + weights.get(0).name());
            }
        }
    }
}
