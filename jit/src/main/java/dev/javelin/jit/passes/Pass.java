package dev.javelin.jit.passes;

import dev.javelin.jit.graph.Graph;

/**
 * One rewrite of the graph IR. A pass keeps the graph's meaning (same outputs for the same inputs,
 * within float tolerance), its nodes in topological order, and returns whether it changed anything.
 */
public interface Pass {
    /** A short name for {@code Jit.explain} and logs. */
    String name();

    /** Rewrites {@code graph} in place; true when something changed. */
    boolean run(Graph graph);
}
