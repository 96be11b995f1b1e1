package dev.javelin.jit.graph;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph IR a traced function becomes: nodes in topological order (every node after its
 * inputs), the function's outputs, and the variables it reads and writes. A variable read is a
 * program input; a variable write is an extra program output stored back after each call.
 *
 * <pre>{@code
 * Graph g = new Graph();
 * Node x = g.argument(0, Shape.of(4), DType.FLOAT32, Device.CPU);
 * g.outputs().add(g.op(Op.RELU, List.of(x), OpAttrs.NONE, x.shape(), x.dtype()));
 * System.out.println(g);
 * }</pre>
 */
public final class Graph {
    private final List<Node> nodes = new ArrayList<>();
    private final List<Node> outputs = new ArrayList<>();
    private final List<Variable> variables = new ArrayList<>();
    /** Variable position to the node whose value is stored into it after a call. */
    private final Map<Integer, Node> variableWrites = new HashMap<>();
    private final java.util.Set<Node> created = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private int nextId;

    public Node argument(int index, Shape shape, DType dtype, Device device) {
        return add(new Node(nextId++, Node.Kind.ARGUMENT, null, null, shape, dtype, device, List.of(), null, index));
    }

    /** A program input read from {@code v} at each call. */
    public Node variable(Variable v, Device device) {
        variables.add(v);
        return add(new Node(nextId++, Node.Kind.VARIABLE, null, null, v.shape(), v.dtype(), device, List.of(), null,
                variables.size() - 1));
    }

    public Node constant(Tensor value) {
        if (value.isSymbolic()) throw new IllegalArgumentException("Graph.constant: value " + value.shape() + " is symbolic");
        return add(new Node(nextId++, Node.Kind.CONSTANT, null, null, value.shape(), value.dtype(), value.device(), List.of(),
                value, -1));
    }

    public Node op(Op op, List<Node> inputs, OpAttrs attrs, Shape shape, DType dtype) {
        Device device = inputs.isEmpty() ? Device.CPU : inputs.get(0).device();
        return op(op, inputs, attrs, shape, dtype, device);
    }

    public Node op(Op op, List<Node> inputs, OpAttrs attrs, Shape shape, DType dtype, Device device) {
        return add(new Node(nextId++, Node.Kind.OP, op, attrs, shape, dtype, device, inputs, null, -1));
    }

    private Node add(Node n) {
        nodes.add(n);
        created.add(n);
        return n;
    }

    /** True when {@code n} was made by this graph. */
    public boolean owns(Node n) { return created.contains(n); }

    /** Nodes in topological order. Passes may remove nodes but keep the order. */
    public List<Node> nodes() { return nodes; }

    /** The function's results, in order. */
    public List<Node> outputs() { return outputs; }

    public List<Variable> variables() { return variables; }

    /** Variable position to the node stored into that variable after each call. */
    public Map<Integer, Node> variableWrites() { return variableWrites; }

    /** Every node whose value leaves the program: outputs and variable writes. */
    public List<Node> roots() {
        List<Node> r = new ArrayList<>(outputs);
        variableWrites.keySet().stream().sorted().forEach(k -> r.add(variableWrites.get(k)));
        return r;
    }

    /** Makes every use of {@code old} (inputs, outputs, variable writes) use {@code replacement}. */
    public void replaceAllUses(Node old, Node replacement) {
        if (old == replacement) return;
        for (Node n : nodes) {
            for (int i = 0; i < n.inputs().size(); i++) if (n.input(i) == old) n.setInput(i, replacement);
        }
        outputs.replaceAll(n -> n == old ? replacement : n);
        variableWrites.replaceAll((k, n) -> n == old ? replacement : n);
        // a replacement created after old must still come before old's users: move it to old's place
        int oi = nodes.indexOf(old), ri = nodes.indexOf(replacement);
        if (ri > oi && oi >= 0) {
            nodes.remove(ri);
            nodes.add(oi, replacement);
        }
    }

    /** For each node, the nodes that use it as an input (one entry per use), in node order. */
    public Map<Node, List<Node>> users() {
        Map<Node, List<Node>> users = new IdentityHashMap<>();
        for (Node n : nodes) users.put(n, new ArrayList<>());
        for (Node n : nodes) for (Node in : n.inputs()) users.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        return users;
    }

    /** Number of uses of each node, counting outputs and variable writes as uses. */
    public Map<Node, Integer> useCounts() {
        Map<Node, Integer> c = new IdentityHashMap<>();
        for (Node n : nodes) for (Node in : n.inputs()) c.merge(in, 1, Integer::sum);
        for (Node r : roots()) c.merge(r, 1, Integer::sum);
        return c;
    }

    /** One line per node, then the outputs and variable writes. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) sb.append("  ").append(n.describe()).append('\n');
        sb.append("  return");
        for (int i = 0; i < outputs.size(); i++) sb.append(i > 0 ? ", %" : " %").append(outputs.get(i).id());
        sb.append('\n');
        variableWrites.keySet().stream().sorted().forEach(k -> sb.append("  ").append(variables.get(k).name())
                .append(" := %").append(variableWrites.get(k).id()).append('\n'));
        return sb.toString();
    }
}
