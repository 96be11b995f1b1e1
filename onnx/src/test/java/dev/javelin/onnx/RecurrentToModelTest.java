package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code toModel()} of exported recurrent networks: the LSTM, GRU and RNN nodes become the Keras-like
 * {@code LSTM} / {@code GRU} / {@code SimpleRNN} layers ({@code Bidirectional} for two directions)
 * with PyTorch's outputs, the export's layout nodes taken in; nodes that do not fit a layer run as
 * {@link OnnxOpLayer}s and still give the reference outputs; a converted LSTM classifier fine-tunes
 * and saves.
 */
class RecurrentToModelTest {
    private static final Set<String> RECURRENT = Set.of("LSTM", "GRU", "RNN");

    /**
     * Each model as layers, its length left free, at the fixture's batch and length and (two of them)
     * at another; the summary shows the recurrent layers, no OnnxOpLayer runs a recurrent node or
     * a layout Transpose, and the trainable parameters are PyTorch's less the second bias vector that
     * Keras's LSTM and SimpleRNN fold into one (GRU keeps both, as {@code reset_after}).
     */
    @ParameterizedTest
    @CsvSource({"lstm_bi2, Bidirectional, 1527", "lstm_seq_first, LSTM, 621", "gru, Bidirectional, 507", "gru_state, GRU, 507",
            "rnn_tanh, SimpleRNN, 93", "rnn_relu, Bidirectional, 183"})
    void recurrentNodesBecomeKerasLayers(String name, String layer, long parameters) throws IOException {
        OnnxModel onnx = OnnxModel.load(OnnxFixtures.load("models", name).model());
        Model model = onnx.toModel();
        List<String> data = switch (name) {
            case "lstm_bi2" -> List.of(name, "lstm_bi2.len2");
            case "lstm_seq_first" -> List.of(name, "lstm_seq_first.len4");
            default -> List.of(name);
        };
        for (String d : data) {
            OnnxFixtures.Case c = OnnxFixtures.load("models", name, d);
            TensorAssert.assertClose(c.outputs().get("y"), ToModelTest.predict(model, c), 1e-4, 1e-5);
        }
        String summary = model.summaryText();
        assertTrue(summary.contains(layer), layer + " missing from\n" + summary);
        for (Layer l : model.layers()) {
            if (l instanceof OnnxOpLayer op) assertTrue(!RECURRENT.contains(op.opType()), op.opType() + " left as an op layer:\n" + summary);
        }
        long trainable = model.trainableWeights().stream().mapToLong(v -> v.shape().size()).sum();
        assertEquals(parameters, trainable, summary);
    }

    /**
     * Nodes no Keras layer fits (non-zero initial states, sequence_lens, a used Y_c, Y of a lone reverse
     * direction, layout 1) still convert, as op layers or with layout layers around the recurrent
     * one, and give the reference outputs. (Not GRU_bidirectional_linear_before_reset: its initial_h
     * input [2, 3, 3] has a first axis that is not a batch, which toModel frees as one.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"LSTM_forward_defaults", "LSTM_bidirectional_layout1_states_lens", "LSTM_reverse_relu_no_bias_only_Y_c",
            "GRU_reset_before_lens_layout1", "GRU_reverse_no_bias_only_Y_h",
            "RNN_relu_reverse_states", "RNN_bidirectional_layout1_lens"})
    void singleNodesConvertAndGiveTheReference(String name) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("ops", name);
        Model model = OnnxModel.load(c.model()).toModel();
        List<Tensor> got = model.callOutputs(List.of(c.inputArray()), false); // the inputs' first axes differ (time, directions)
        List<Tensor> expected = List.copyOf(c.outputs().values());
        for (int i = 0; i < expected.size(); i++) TensorAssert.assertClose(expected.get(i), got.get(i), 1e-5, 1e-5);
    }

    /** The reverse GRU whose only output is Y_h maps onto a GRU with go_backwards (its final state). */
    @Test
    void aReverseFinalStateMapsOntoGoBackwards() throws IOException {
        Model model = OnnxModel.load(OnnxFixtures.load("ops", "GRU_reverse_no_bias_only_Y_h").model()).toModel();
        assertTrue(model.summaryText().contains("GRU"), model.summaryText());
    }

    /**
     * The file's weights of a recurrent node left as an OnnxOpLayer are trainable: gradients reach them (none is laid out once and
     * detached). Both of the node's outputs are read, so its op layers share W, R and B (MultiOutputWeightsTest): they are the model's.
     */
    @Test
    void gradientsReachTheWeightsOfARecurrentOpLayer() throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("ops", "RNN_relu_reverse_states");
        Model model = OnnxModel.load(c.model()).toModel();
        assertTrue(model.layers().stream().anyMatch(l -> l instanceof OnnxOpLayer op && op.opType().equals("RNN")), model.summaryText());
        List<Variable> weights = model.trainableWeights();
        assertEquals(3, weights.size(), "W, R and B");
        try (GradientTape tape = GradientTape.record()) {
            Tensor loss = model.callOutputs(List.of(c.inputArray()), true).get(0).sum();
            for (Tensor g : tape.gradient(loss, weights)) {
                assertTrue(java.util.Arrays.stream(g.toDoubleArray()).anyMatch(v -> v != 0), "a zero gradient for " + weights);
            }
        }
    }

    @Test
    void aConvertedLstmClassifierFineTunesAndSaves(@TempDir Path dir) throws IOException {
        Model model = OnnxModel.load(OnnxFixtures.load("models", "lstm_bi2").model()).toModel();
        Tensor x = Tensors.normal(Shape.of(16, 5, 5), 11);
        Tensor y = Tensors.normal(Shape.of(16, 3), 12);
        model.compile("adam", "mse");
        List<Double> loss = model.fit(x, y, 8, 6).history().get("loss");
        for (int i = 1; i < loss.size(); i++) assertTrue(loss.get(i) < loss.get(i - 1), "loss per epoch: " + loss);
        Path file = dir.resolve("lstm.safetensors");
        model.save(file);
        OnnxModel.registerLayers();
        Model loaded = Model.load(file);
        assertArrayEquals(model.predict(x).toFloatArray(), loaded.predict(x).toFloatArray());
    }
}
