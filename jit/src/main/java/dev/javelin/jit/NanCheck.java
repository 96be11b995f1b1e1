package dev.javelin.jit;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.EagerEngine;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The NaN check: finds non-finite values in results, and reruns a graph op by op (eagerly, on the
 * same inputs) to name the first op that produced one.
 */
final class NanCheck {
    private NanCheck() {}

    /** True when a floating tensor holds a NaN or an infinity. */
    static boolean hasNonFinite(Tensor t) {
        if (!t.dtype().isFloating()) return false;
        for (double d : t.toDoubleArray()) if (!Double.isFinite(d)) return true;
        return false;
    }

    /** Reruns {@code graph} op by op; the description of the first op whose result is not finite, or null. */
    static String firstNonFinite(Graph graph, Tensor[] args, Tensor[] variables) {
        Map<Node, Tensor> env = new IdentityHashMap<>();
        for (Node n : graph.nodes()) {
            Tensor v = switch (n.kind()) {
                case ARGUMENT -> args[n.inputIndex()];
                case VARIABLE -> variables[n.inputIndex()];
                case CONSTANT -> n.constant();
                case OP -> {
                    List<Tensor> in = new ArrayList<>();
                    for (Node i : n.inputs()) in.add(env.get(i));
                    yield EagerEngine.INSTANCE.execute(n.call(in));
                }
            };
            env.put(n, v);
            if (n.isOp() && hasNonFinite(v)) {
                StringBuilder inputs = new StringBuilder();
                for (Node i : n.inputs()) inputs.append(hasNonFinite(env.get(i)) ? " (input %" + i.id() + " is already non-finite)" : "");
                return n.describe() + inputs;
            }
        }
        return null;
    }
}
