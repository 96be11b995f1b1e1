package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.KerasTensors;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.Node;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph of a functional model: the nodes between its inputs and outputs in an order where each
 * node comes after the nodes that feed it. Running it maps each Keras tensor to a real one.
 */
final class FunctionalGraph {
    final List<Tensor> inputs;
    final List<Tensor> outputs;
    final List<Node> nodes;

    FunctionalGraph(List<Tensor> inputs, List<Tensor> outputs) {
        if (inputs.isEmpty() || outputs.isEmpty()) throw new IllegalArgumentException("Model: expected at least one input and one output");
        for (Tensor t : inputs) {
            Node n = KerasTensors.nodeOf(t);
            if (n == null || !(n.layer() instanceof InputLayer)) {
                throw new IllegalArgumentException("Model: every input must come from Input.of(...), got " + t.dtype() + t.shape());
            }
        }
        if (identitySet(inputs).size() != inputs.size()) {
            throw new IllegalArgumentException("Model: the same input appears twice among the " + inputs.size() + " inputs");
        }
        for (Tensor t : outputs) {
            if (!KerasTensors.isKeras(t)) {
                throw new IllegalArgumentException("Model: outputs must be Keras tensors (layers called on Input.of(...)), got "
                        + t.dtype() + t.shape());
            }
        }
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.nodes = order();
    }

    private List<Node> order() {
        Set<Tensor> inputSet = identitySet(inputs);
        List<Node> out = new ArrayList<>();
        Set<Tensor> done = identitySet(List.of());
        for (Tensor t : outputs) visit(t, inputSet, done, out, identitySet(List.of()));
        return out;
    }

    private void visit(Tensor t, Set<Tensor> inputSet, Set<Tensor> done, List<Node> out, Set<Tensor> onPath) {
        if (done.contains(t) || inputSet.contains(t)) return;
        Node n = KerasTensors.nodeOf(t);
        if (n.layer() instanceof InputLayer) {
            throw new IllegalArgumentException("Model: output depends on input '" + n.layer().name()
                    + "', which is not among the model's inputs");
        }
        if (!onPath.add(t)) throw new IllegalArgumentException("Model: the layer graph has a cycle at " + n.layer().name());
        for (Tensor in : n.inputs()) visit(in, inputSet, done, out, onPath);
        onPath.remove(t);
        done.add(t);
        out.add(n);
    }

    /** Every layer in the graph once, input layers first, then in node order. */
    List<Layer> layers() {
        Set<Layer> seen = new LinkedHashSet<>();
        for (Tensor t : inputs) seen.add(KerasTensors.nodeOf(t).layer());
        for (Node n : nodes) seen.add(n.layer());
        return List.copyOf(seen);
    }

    /** Runs the graph on real tensors, one per model input, in the order of {@link #inputs}. */
    List<Tensor> run(List<Tensor> values, boolean training) {
        if (values.size() != inputs.size()) {
            throw new IllegalArgumentException("Model: expected " + inputs.size() + " inputs, got " + values.size());
        }
        Map<Tensor, Tensor> env = new IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor in = values.get(i);
            Layer inputLayer = KerasTensors.nodeOf(inputs.get(i)).layer();
            env.put(inputs.get(i), inputLayer.apply(List.of(in), training));
        }
        for (Node n : nodes) {
            List<Tensor> args = new ArrayList<>(n.inputs().size());
            for (Tensor t : n.inputs()) args.add(env.get(t));
            env.put(n.output(), n.layer().apply(args, training));
        }
        List<Tensor> out = new ArrayList<>(outputs.size());
        for (Tensor t : outputs) out.add(env.get(t));
        return out;
    }

    private static Set<Tensor> identitySet(List<Tensor> ts) {
        Set<Tensor> s = Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(ts);
        return s;
    }
}
