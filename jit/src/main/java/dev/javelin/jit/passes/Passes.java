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
        return List.of(new DeadCode(), new AlgebraicSimplification(), new PermuteSinking(), new ConstantFolding(), new CommonSubexpressions());
    }

    /**
     * Runs {@link #standard()} until nothing changes; returns the names of the passes that changed
     * something. At {@code JAVELIN_DEBUG=1} prints each pass's time summed over the rounds.
     */
    public static List<String> optimize(Graph graph) {
        java.util.LinkedHashSet<String> applied = new java.util.LinkedHashSet<>();
        boolean timed = dev.javelin.tensor.spi.Debug.level() >= 1;
        java.util.Map<String, Long> nanos = new java.util.LinkedHashMap<>();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            boolean changed = false;
            for (Pass p : standard()) {
                long start = timed ? System.nanoTime() : 0;
                boolean ran = p.run(graph);
                if (timed) nanos.merge(p.name(), System.nanoTime() - start, Long::sum);
                if (ran) {
                    applied.add(p.name());
                    changed = true;
                }
            }
            if (!changed) break;
        }
        if (timed) {
            StringBuilder sb = new StringBuilder("[javelin-jit] optimize:");
            nanos.forEach((name, ns) -> sb.append(String.format(" %s %.1f ms", name, ns / 1e6)));
            System.err.println(sb);
        }
        return List.copyOf(applied);
    }
}
