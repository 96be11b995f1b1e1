package dev.javelin.jit.runtime;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.jit.plan.PlanStep;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each value of a {@link Program} lives in a call's array of values: the graph's nodes numbered
 * once, when the program is built, so a call finds a step's node and inputs, a kernel's leaves, the
 * arguments, variables, constants, outputs and variable writes by index. A decode step runs ~50 steps
 * over ~400 nodes per token; looking each value up in a map per call was a tenth of its time
 * (perf/NOTES.md, "Generation's per-token overhead (decode4)").
 */
final class ValueSlots {
    /** A node's slot, for what runs once (building the program, the CUDA executor). */
    final Map<Node, Integer> index = new IdentityHashMap<>();
    /** Per step: its node's slot. */
    final int[] step;
    /** Per step: its node's inputs' slots. */
    final int[][] inputs;
    /** Per step: a kernel's leaves' slots (its input slots in order); null for other steps. */
    final int[][] leaves;
    /** Argument nodes: slot and position in the call's arguments. */
    final int[] argumentSlots, argumentIndex;
    /** Variable nodes: slot and index into the graph's variables. */
    final int[] variableSlots, variableIndex;
    /** Variable nodes, as traced (their shape, dtype and device). */
    final Node[] variableNodes;
    /** Constant nodes' slots. */
    final int[] constantSlots;
    /** The graph's outputs' slots, in order. */
    final int[] outputs;
    /** Variable writes: the variable's index and the slot of the value written. */
    final int[] writtenVariables, writtenSlots;
    /**
     * Per variable node, the last shape instance seen to equal the traced one: a variable whose value
     * kept its shape object is checked by identity (a benign race: a stale entry only costs an equals).
     */
    private final Shape[] lastMatchingShape;

    ValueSlots(Graph graph, List<PlanStep> steps) {
        List<Node> nodes = graph.nodes();
        for (Node n : nodes) index.put(n, index.size());
        step = new int[steps.size()];
        inputs = new int[steps.size()][];
        leaves = new int[steps.size()][];
        for (int t = 0; t < steps.size(); t++) {
            PlanStep s = steps.get(t);
            step[t] = index.get(s.node());
            inputs[t] = slots(s.node().inputs());
            if (s instanceof PlanStep.Kernel k) leaves[t] = slots(k.leaves());
        }
        List<int[]> arguments = new ArrayList<>(), variables = new ArrayList<>();
        List<Node> variableNodeList = new ArrayList<>();
        List<Integer> constants = new ArrayList<>();
        for (Node n : nodes) {
            switch (n.kind()) {
                case ARGUMENT -> arguments.add(new int[] {index.get(n), n.inputIndex()});
                case VARIABLE -> {
                    variables.add(new int[] {index.get(n), n.inputIndex()});
                    variableNodeList.add(n);
                }
                case CONSTANT -> constants.add(index.get(n));
                default -> { }
            }
        }
        argumentSlots = column(arguments, 0);
        argumentIndex = column(arguments, 1);
        variableSlots = column(variables, 0);
        variableIndex = column(variables, 1);
        variableNodes = variableNodeList.toArray(Node[]::new);
        lastMatchingShape = new Shape[variableNodes.length];
        constantSlots = constants.stream().mapToInt(Integer::intValue).toArray();
        outputs = slots(graph.outputs());
        List<int[]> writes = new ArrayList<>();
        graph.variableWrites().forEach((v, node) -> writes.add(new int[] {v, index.get(node)}));
        writtenVariables = column(writes, 0);
        writtenSlots = column(writes, 1);
    }

    /** Number of values (the graph's nodes). */
    int size() {
        return index.size();
    }

    /** True when every variable still has the shape, dtype and device it was traced with. */
    boolean variablesMatch(List<Variable> variables) {
        for (int i = 0; i < variableNodes.length; i++) {
            Node n = variableNodes[i];
            Variable now = variables.get(variableIndex[i]);
            Shape shape = now.shape();
            if (shape != lastMatchingShape[i]) {
                if (!shape.equals(n.shape())) return false;
                lastMatchingShape[i] = shape;
            }
            if (now.dtype() != n.dtype() || !now.device().equals(n.device())) return false;
        }
        return true;
    }

    private int[] slots(List<Node> nodes) {
        int[] s = new int[nodes.size()];
        for (int i = 0; i < s.length; i++) s[i] = index.get(nodes.get(i));
        return s;
    }

    private static int[] column(List<int[]> rows, int c) {
        int[] out = new int[rows.size()];
        for (int i = 0; i < out.length; i++) out[i] = rows.get(i)[c];
        return out;
    }
}
