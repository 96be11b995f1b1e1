package dev.javelin.onnx;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.EagerEngine;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs an {@link OnnxGraph}'s nodes in order on the thread's engine: eagerly, symbolically (the
 * load-time check), or traced inside {@code Jit.compile}. A node whose inputs are all constant and
 * small (shape arithmetic, masks built from shapes) runs eagerly even while tracing, so its result is
 * a constant the next node can read as numbers: this is how Shape → Gather → Concat → Reshape folds
 * to a fixed shape for the input shapes of the trace. A fused node of the import passes
 * ({@link FusedGraph}) runs its fused operator, or, where that declines, the nodes it replaced.
 */
final class GraphEvaluator {
    /** Constant inputs at most this large make a node run now, while tracing (larger ones are traced as usual). */
    static final long FOLD_INPUT_ELEMENTS = 1 << 16;

    private final OnnxGraph graph;
    private final Map<OnnxNode, List<OnnxNode>> originals;
    /** Sees each node's context after it ran (null: none); {@code toModel()} learns from it which constants are read as numbers. */
    private final Consumer<NodeContext> observer;
    /**
     * Whether the graph's initializers are fixed weights that operators may lay out once
     * ({@link NodeContext#isInitializer}): true for a model file, false for an {@link OnnxOpLayer}, whose
     * initializers are trainable weights that gradients must reach.
     */
    private final boolean fixedInitializers;

    GraphEvaluator(FusedGraph fused) {
        this(fused, null, true);
    }

    GraphEvaluator(FusedGraph fused, Consumer<NodeContext> observer, boolean fixedInitializers) {
        this.graph = fused.graph();
        this.originals = fused.originals();
        this.observer = observer;
        this.fixedInitializers = fixedInitializers;
    }

    /** The graph's outputs for {@code inputs} (in the graph's input order), on the current engine. */
    Tensor[] run(Tensor[] inputs) {
        return run(inputs, -1);
    }

    /**
     * As {@link #run(Tensor[])}; with {@code maxElements >= 0}, a value larger than that is an error
     * naming its node (the load-time check of a file's shapes).
     */
    Tensor[] run(Tensor[] inputs, long maxElements) {
        Map<String, Tensor> values = new HashMap<>(graph.initializers());
        List<ValueInfo> declared = graph.inputs();
        for (int i = 0; i < declared.size(); i++) values.put(declared.get(i).name(), inputs[i]);
        for (OnnxNode node : graph.nodes()) run(node, values, maxElements);
        Tensor[] results = new Tensor[graph.outputs().size()];
        for (int i = 0; i < results.length; i++) results[i] = values.get(graph.outputs().get(i).name());
        return results;
    }

    /** Runs one node on {@code values}, adding its outputs there. */
    private void run(OnnxNode node, Map<String, Tensor> values, long maxElements) {
        Tensor[] in = new Tensor[node.inputs().size()];
        boolean[] initializer = new boolean[in.length];
        boolean foldable = true;
        for (int i = 0; i < in.length; i++) {
            String name = node.inputs().get(i);
            if (name.isEmpty()) continue;
            in[i] = values.get(name);
            initializer[i] = fixedInitializers && in[i] == graph.initializers().get(name);
            foldable &= !in[i].isSymbolic() && in[i].size() <= FOLD_INPUT_ELEMENTS;
        }
        NodeContext ctx = new NodeContext(node, graph.opset(), in, initializer);
        Tensor[] out;
        List<OnnxNode> replaced = originals.get(node);
        if (replaced != null) {
            out = apply(FusedGraph.operator(node.opType()), ctx, foldable);
            if (out == null) {
                for (OnnxNode n : replaced) run(n, values, maxElements);
                return;
            }
        } else {
            out = apply(Operators.find(node.opType()), ctx, foldable);
        }
        if (observer != null) observer.accept(ctx);
        if (out.length < countRequired(node)) {
            throw ctx.error("made " + out.length + " outputs, the node names " + node.outputs().size());
        }
        for (int o = 0; o < node.outputs().size() && o < out.length; o++) {
            String name = node.outputs().get(o);
            if (name.isEmpty()) continue;
            if (maxElements >= 0 && out[o].size() > maxElements) {
                throw ctx.error("output '" + name + "' would have shape " + out[o].shape() + " (" + out[o].size()
                        + " elements), over the limit of " + maxElements);
            }
            values.put(name, out[o]);
        }
    }

    private static int countRequired(OnnxNode node) {
        int n = node.outputs().size();
        while (n > 0 && node.outputs().get(n - 1).isEmpty()) n--;
        return n;
    }

    private static Tensor[] apply(OnnxOperator op, NodeContext ctx, boolean foldNow) {
        try {
            if (!foldNow) return op.apply(ctx);
            try (Dispatch.Scope s = Dispatch.use(EagerEngine.INSTANCE)) {
                return op.apply(ctx);
            }
        } catch (NodeError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NodeError(ctx.prefix() + e.getMessage(), e);
        }
    }
}
