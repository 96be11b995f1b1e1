package dev.javelin.onnx;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;

/**
 * An {@link OnnxGraph} after the import passes: runs of the file's nodes that compute one composite
 * (attention as {@code torch.onnx.export} writes it: MatMul, scale, mask, Softmax, MatMul) replaced
 * by one fused node whose operator calls Javelin's fused op. Each fused node keeps the nodes it
 * replaced: when its operator finds at run time that the values do not fit the fused op (a scale
 * that is not a constant scalar, shapes that broadcast), {@link GraphEvaluator} runs those instead,
 * so a pass never changes what a graph computes, only how. {@code -Djavelin.onnx.fusion=false} turns
 * the passes off, for measuring. {@link OnnxModel#graph()} stays the file's graph; {@code toModel()}
 * converts that one.
 *
 * @param graph     the graph to run: the file's, with fused nodes in place of the runs they replace
 * @param originals per fused node (by identity), the file's nodes it replaced, in order
 */
record FusedGraph(OnnxGraph graph, Map<OnnxNode, List<OnnxNode>> originals) {
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("javelin.onnx.fusion", "true"));

    /** The file's graph as it is: no fused nodes. */
    static FusedGraph unfused(OnnxGraph graph) {
        return new FusedGraph(graph, Map.of());
    }

    /** Runs the import passes over {@code graph} (when {@link #ENABLED}). */
    static FusedGraph of(OnnxGraph graph) {
        if (!ENABLED) return unfused(graph);
        Map<OnnxNode, List<OnnxNode>> originals = new IdentityHashMap<>();
        List<OnnxNode> nodes = AttentionFusion.apply(graph.nodes(), new Uses(graph), originals);
        if (originals.isEmpty()) return unfused(graph);
        return new FusedGraph(new OnnxGraph(graph.opset(), graph.inputs(), graph.outputs(), graph.initializers(), nodes), originals);
    }

    /**
     * The operator of a fused node's op type, or null when {@code opType} is not one the passes make.
     * A fused operator returns null (declines) when the node's values do not fit the fused op; the
     * replaced nodes then run instead.
     */
    static OnnxOperator operator(String opType) {
        return AttentionFusion.OP_TYPE.equals(opType) ? AttentionFusion::run : null;
    }

    /** Who reads each value of a graph: a pass fuses a value away only when the run it replaces is its only reader. */
    static final class Uses {
        private final Map<String, Integer> readers = new HashMap<>();
        private final Map<String, OnnxNode> producers = new HashMap<>();
        private final Map<String, OnnxNode> soleReaders = new HashMap<>();
        private final Set<String> graphOutputs = new HashSet<>();
        private final Set<String> initializers;

        Uses(OnnxGraph graph) {
            for (OnnxNode n : graph.nodes()) {
                for (String in : n.inputs()) {
                    if (!in.isEmpty() && readers.merge(in, 1, Integer::sum) == 1) soleReaders.put(in, n);
                }
                for (String out : n.outputs()) if (!out.isEmpty()) producers.put(out, n);
            }
            for (ValueInfo v : graph.outputs()) graphOutputs.add(v.name());
            initializers = graph.initializers().keySet();
        }

        /** The one node that reads {@code value} (once), when it is read once and is not a graph output; else null. */
        OnnxNode soleReader(String value) {
            if (!readOnce(value)) return null;
            OnnxNode r = soleReaders.get(value);
            return r != null && r.inputs().stream().filter(value::equals).count() == 1 ? r : null;
        }

        /** True for a constant of the file: an initializer, or a Constant node's output. */
        boolean isStatic(String value) {
            if (initializers.contains(value)) return true;
            OnnxNode p = producers.get(value);
            return p != null && p.opType().equals("Constant");
        }

        /** The node that makes {@code value}, if that node's result is read by exactly one node and is not a graph output. */
        OnnxNode soleProducer(String value) {
            if (graphOutputs.contains(value) || readers.getOrDefault(value, 0) != 1) return null;
            OnnxNode p = producers.get(value);
            return p != null && p.outputs().size() == 1 ? p : null;
        }

        /** True when {@code value} is read by exactly one node and is not a graph output. */
        boolean readOnce(String value) {
            return !graphOutputs.contains(value) && readers.getOrDefault(value, 0) == 1;
        }
    }
}
