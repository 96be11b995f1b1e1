package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.autodiff.GradCheck;
import dev.javelin.onnx.proto.OnnxProto.AttributeProto;
import dev.javelin.onnx.proto.OnnxProto.ModelProto;
import dev.javelin.onnx.proto.OnnxProto.NodeProto;
import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX's LSTM, GRU and RNN through {@code OnnxModel.load}: models exported from PyTorch match its
 * outputs (compiled and op by op, at a second batch and length where the fixture has one), the
 * operators' gradients match finite differences, and attributes Javelin does not support, or shapes
 * that do not fit, are refused at load naming the node, op type and opset. The single-node cases
 * (layout 1, sequence_lens, initial states, reverse, linear_before_reset 0, output subsets) run in
 * {@link OperatorCasesTest}.
 */
class RecurrentImportTest {
    @ParameterizedTest
    @ValueSource(strings = {"lstm_bi2", "lstm_seq_first", "gru", "gru_state", "rnn_tanh", "rnn_relu"})
    void exportedModelsMatchPyTorch(String name) throws IOException {
        OnnxModel model = OnnxModel.load(OnnxFixtures.load("models", name).model());
        List<String> data = new ArrayList<>(List.of(name));
        if (name.equals("lstm_bi2")) data.add("lstm_bi2.len2");
        if (name.equals("lstm_seq_first")) data.add("lstm_seq_first.len4");
        for (String d : data) {
            OnnxFixtures.Case c = OnnxFixtures.load("models", name, d);
            Map<String, Tensor> compiled = model.run(c.inputs());
            Tensor[] eager = model.apply(c.inputArray());
            Tensor expected = c.outputs().get("y");
            TensorAssert.assertClose(expected, compiled.get("y"), 1e-4, 1e-5);
            TensorAssert.assertClose(expected, eager[0], 1e-4, 1e-5);
        }
    }

    /** Gradients of every floating input (X, W, R, B, initial states) of four nodes against finite differences in float64. */
    @ParameterizedTest
    @ValueSource(strings = {"LSTM_bidirectional_layout1_states_lens", "GRU_bidirectional_linear_before_reset",
            "GRU_reset_before_lens_layout1", "RNN_relu_reverse_states"})
    void gradientsMatchFiniteDifferences(String name) throws IOException {
        OnnxModel m = OnnxModel.load(OnnxFixtures.load("ops", name).model());
        OnnxNode node = m.graph().nodes().get(0);
        List<String> names = node.inputs();
        Map<String, Tensor> feeds = OnnxFixtures.load("ops", name).inputs();
        List<Integer> differentiated = new ArrayList<>();
        Tensor[] given = new Tensor[names.size()];
        for (int i = 0; i < given.length; i++) {
            String n = names.get(i);
            if (n.isEmpty()) continue;
            given[i] = m.graph().initializers().containsKey(n) ? m.graph().initializers().get(n) : feeds.get(n);
            if (given[i].dtype().isFloating()) differentiated.add(i);
        }
        Tensor[] wrt = differentiated.stream().map(i -> given[i]).toArray(Tensor[]::new);
        GradCheck.check(xs -> {
            Tensor[] in = given.clone();
            for (int k = 0; k < xs.length; k++) in[differentiated.get(k)] = xs[k];
            Tensor[] out = Operators.find(node.opType()).apply(new NodeContext(node, m.graph().opset(), in));
            List<Tensor> flat = new ArrayList<>();
            for (Tensor t : out) flat.add(t.reshape((int) t.size()));
            return ArrayOps.concat(flat, 0);
        }, wrt).assertWithin(1e-5);
    }

    @Test
    void unsupportedAttributesAndMisfitShapesAreRefusedNamingTheNode() throws IOException {
        String where = "node 'LSTM_forward_defaults' (LSTM), opset 13";
        refused(n -> n.addAttribute(floatAttr("clip", 3f)), where, "'clip'");
        refused(n -> n.addAttribute(stringsAttr("activations", "Sigmoid", "Tanh", "Softsign")), where, "activation 'Softsign'");
        refused(n -> n.addAttribute(stringsAttr("activations", "Sigmoid", "Tanh", "Relu")), where, "must be the same function");
        refused(n -> n.addAttribute(stringsAttr("activations", "Sigmoid", "Tanh")), where, "3 function(s) per direction");
        refused(n -> n.addAttribute(stringAttr("direction", "sideways")), where, "direction must be forward, reverse or bidirectional");
        refused(n -> n.addAttribute(stringAttr("direction", "bidirectional")), where, "W must be a floating tensor [2, 16, 3]");
        refused(n -> n.addAttribute(Protos.intAttr("layout", 2)), where, "layout must be 0");
        refused(n -> n.addAttribute(Protos.intAttr("input_forget", 1)), where, "input_forget");
        refused(n -> n.setAttribute(0, Protos.intAttr("hidden_size", 5)), where, "W must be a floating tensor [1, 20, 3]");
        refused(n -> n.clearAttribute(), where, "attribute 'hidden_size' is required");
        refused(n -> n.addInput("").addInput("").addInput("").addInput("w"), where, "peepholes");
    }

    private static void refused(UnaryOperator<NodeProto.Builder> edit, String where, String what) throws IOException {
        ModelProto file = ModelProto.parseFrom(Files.readAllBytes(OnnxFixtures.load("ops", "LSTM_forward_defaults").model()));
        NodeProto node = edit.apply(file.getGraph().getNode(0).toBuilder()).build();
        byte[] bytes = file.toBuilder().setGraph(file.getGraph().toBuilder().setNode(0, node)).build().toByteArray();
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(bytes, "m"));
        assertTrue(e.getMessage().contains(where) && e.getMessage().contains(what), "expected '" + where + "' and '" + what + "' in: "
                + e.getMessage());
    }

    private static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static AttributeProto stringAttr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

    private static AttributeProto stringsAttr(String name, String... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
        for (String s : v) b.addStrings(com.google.protobuf.ByteString.copyFromUtf8(s));
        return b.build();
    }
}
