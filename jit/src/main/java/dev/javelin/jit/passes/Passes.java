package dev.javelin.jit.passes;

import dev.javelin.jit.graph.Graph;
import java.util.List;

/**
 * The optimization pipeline, run to a fixed point: simplify, fold constants, merge common
 * subexpressions, drop dead code. Fusion is not a graph rewrite here; it is the grouping that
 * {@code dev.javelin.jit.plan.Fusion} does on the optimized graph.
 */
public final class Passes {
    private static final int MAX_ROUNDS = 8;

    private Passes() {}

    /** The passes in the order each round runs them. */
    public static List<Pass> standard() {
        return List.of(new DeadCode(), new AlgebraicSimplification(), new ConstantFolding(), new CommonSubexpressions());
    }

    /** Runs {@link #standard()} until nothing changes; returns the names of the passes that changed something. */
    public static List<String> optimize(Graph graph) {
        java.util.LinkedHashSet<String> applied = new java.util.LinkedHashSet<>();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            boolean changed = false;
            for (Pass p : standard()) {
                if (p.run(graph)) {
                    applied.add(p.name());
                    changed = true;
                }
            }
            if (!changed) break;
        }
        return List.copyOf(applied);
    }
}
