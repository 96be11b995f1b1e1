package dev.javelin.jit.passes;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges nodes that compute the same thing: the same op with the same attributes on the same
 * inputs, or small constants with equal values (each {@code x.mul(2.0)} captures its own scalar).
 * All ops are pure, random ones included (their values are a function of the seed input).
 */
public final class CommonSubexpressions implements Pass {
    /** Constants up to this many elements are compared by value. */
    static final int CONSTANT_COMPARE_LIMIT = 64;

    @Override public String name() { return "common-subexpressions"; }

    @Override
    public boolean run(Graph graph) {
        Map<Object, Node> seen = new HashMap<>();
        boolean changed = false;
        for (Node n : new ArrayList<>(graph.nodes())) {
            Object key = key(n);
            if (key == null) continue;
            Node first = seen.putIfAbsent(key, n);
            if (first != null) {
                graph.replaceAllUses(n, first);
                changed = true;
            }
        }
        if (changed) new DeadCode().run(graph);
        return changed;
    }

    private static Object key(Node n) {
        switch (n.kind()) {
            case OP -> {
                List<Integer> in = new ArrayList<>();
                for (Node i : n.inputs()) in.add(i.id());
                return List.of(n.op(), in, n.attrs(), n.shape(), n.dtype());
            }
            case CONSTANT -> {
                if (n.constant().size() > CONSTANT_COMPARE_LIMIT) return null;
                return List.of("const", n.shape(), n.dtype(), n.device(), Arrays.toString(n.constant().toDoubleArray()));
            }
            default -> {
                return null;
            }
        }
    }
}
