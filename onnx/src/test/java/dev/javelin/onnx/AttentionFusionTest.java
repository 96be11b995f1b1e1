package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.jit.Jit;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attention import pass: exported attention (two layers in each transformer fixture) becomes one
 * fused node per layer, whose results equal the file's unfused nodes' within the fixture bar, op by
 * op and compiled; runs that do not fit are left alone or run unfused.
 */
class AttentionFusionTest {
    @ParameterizedTest
    @ValueSource(strings = {"encoder", "torch_encoder", "decoder"})
    void exportedAttentionIsFusedWithTheUnfusedResults(String name) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        OnnxModel model = OnnxModel.load(c.model());
        FusedGraph fused = FusedGraph.of(model.graph());
        assertEquals(2, fused.originals().size(), "one fused attention per layer");
        for (List<OnnxNode> run : fused.originals().values()) {
            List<String> types = run.stream().map(OnnxNode::opType).toList();
            assertEquals("Div", types.get(0), types.toString());            // q / sqrt(D), folded into the scale
            assertEquals(List.of("Softmax", "MatMul"), types.subList(types.size() - 2, types.size()));
        }
        assertEquals(model.graph().nodes().size() - fused.originals().values().stream().mapToInt(r -> r.size() - 1).sum(),
                fused.graph().nodes().size());

        Tensor[] unfused = new GraphEvaluator(FusedGraph.unfused(model.graph())).run(c.inputArray());
        Tensor[] eager = new GraphEvaluator(fused).run(c.inputArray());
        Tensor[] compiled = model.call(c.inputArray());
        List<Tensor> expected = new ArrayList<>(c.outputs().values());
        for (int i = 0; i < unfused.length; i++) {
            TensorAssert.assertClose(unfused[i], eager[i], 1e-4, 1e-5);
            TensorAssert.assertClose(unfused[i], compiled[i], 1e-4, 1e-5);
            TensorAssert.assertClose(expected.get(i), compiled[i], 1e-4, 1e-5);
        }
        String plan = Jit.explain(model::apply, c.inputArray());
        assertTrue(plan.contains("attention"), "the compiled program runs the fused attention op");
        assertFalse(plan.contains("softmax") && plan.contains("R_max"), "no composed softmax is left");
        assertEquals(name.equals("decoder"), plan.contains("causal=true"), "the decoder's triu(-inf) mask is the causal flag:\n" + plan);
    }

    @Test
    void aScaleThatIsNotAScalarDeclinesAndTheFileNodesRun() {
        Tensor q = Tensors.normal(Shape.of(2, 3, 4), 1), kt = Tensors.normal(Shape.of(2, 4, 5), 2), v = Tensors.normal(Shape.of(2, 5, 4), 3);
        Tensor perFeature = Tensors.normal(Shape.of(4), 4); // a Div by a vector is not an attention scale
        OnnxGraph g = attentionGraph(Map.of("scale", perFeature), List.of("out"));
        FusedGraph fused = FusedGraph.of(g);
        assertEquals(1, fused.originals().size(), "the pattern is recognised by its shape in the graph");
        Tensor[] want = new GraphEvaluator(FusedGraph.unfused(g)).run(new Tensor[] {q, kt, v});
        Tensor[] got = new GraphEvaluator(fused).run(new Tensor[] {q, kt, v});
        TensorAssert.assertClose(want[0], got[0], 0, 0); // declined: the same nodes ran, the same bits
    }

    @Test
    void aScalarScaleIsFoldedIntoTheFusedOp() {
        Tensor q = Tensors.normal(Shape.of(2, 3, 4), 1), kt = Tensors.normal(Shape.of(2, 4, 5), 2), v = Tensors.normal(Shape.of(2, 5, 4), 3);
        OnnxGraph g = attentionGraph(Map.of("scale", Tensors.scalar(2.0)), List.of("out"));
        Tensor[] want = new GraphEvaluator(FusedGraph.unfused(g)).run(new Tensor[] {q, kt, v});
        Tensor[] got = new GraphEvaluator(FusedGraph.of(g)).run(new Tensor[] {q, kt, v});
        TensorAssert.assertClose(want[0], got[0], 1e-5, 1e-6);
    }

    @Test
    void weightsReadElsewhereAreNotFused() {
        OnnxGraph g = attentionGraph(Map.of("scale", Tensors.scalar(2.0)), List.of("out", "probs"));
        assertTrue(FusedGraph.of(g).originals().isEmpty(), "the softmax output is a graph output: it must be stored");
    }

    /** out = softmax((q / scale) @ kt) @ v, with {@code outputs} as the graph's outputs. */
    private static OnnxGraph attentionGraph(Map<String, Tensor> initializers, List<String> outputs) {
        List<OnnxNode> nodes = List.of(
                node("div", "Div", List.of("q", "scale"), "qs"),
                node("scores", "MatMul", List.of("qs", "kt"), "s"),
                node("softmax", "Softmax", List.of("s"), "probs"),
                node("weighted", "MatMul", List.of("probs", "v"), "out"));
        List<ValueInfo> in = List.of(info("q", 2, 3, 4), info("kt", 2, 4, 5), info("v", 2, 5, 4));
        List<ValueInfo> out = outputs.stream().map(n -> info(n, 2, 3, n.equals("out") ? 4 : 5)).toList();
        return new OnnxGraph(17, in, out, initializers, nodes);
    }

    private static OnnxNode node(String name, String type, List<String> inputs, String output) {
        return new OnnxNode(name, type, inputs, List.of(output), Map.of());
    }

    private static ValueInfo info(String name, int... dims) {
        return new ValueInfo(name, DType.FLOAT32, dims, new String[dims.length]);
    }
}
