package dev.javelin.jit.passes;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/** Removes op and constant nodes that no output or variable write depends on. Inputs stay: they are the signature. */
public final class DeadCode implements Pass {
    @Override public String name() { return "dead-code"; }

    @Override
    public boolean run(Graph graph) {
        Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Node> work = new ArrayDeque<>(graph.roots());
        while (!work.isEmpty()) {
            Node n = work.pop();
            if (live.add(n)) work.addAll(n.inputs());
        }
        return graph.nodes().removeIf(n -> (n.isOp() || n.isConstant()) && !live.contains(n));
    }
}
