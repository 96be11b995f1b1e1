package dev.javelin.jit.runtime;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.jit.plan.BufferPlan;
import dev.javelin.jit.plan.Plan;
import dev.javelin.jit.plan.PlanStep;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.BufferLease;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.tensor.spi.HostBuffers;
import java.util.Arrays;
import java.util.List;

/**
 * The memory of the variable values a CPU program writes: each call pins the values it reads, and
 * stores each new value with a {@link BufferLease} when the program alone holds its memory (a
 * kernel or GEMM wrote it into memory taken for it, and no output or other variable shares it).
 * The value it replaces goes back to {@link HostBuffers} when its lease says nobody else can read
 * it: no executor pins it and nobody took it out of the variable. So in a train step the weights
 * and optimizer state alternate between two sets of arrays, and a value a caller holds (read with
 * {@code Variable.value()}, returned by the program, kept in a checkpoint) is never overwritten.
 */
final class VariableLeases {
    private final List<Variable> variables;
    /** Per variable: whether the program's write of it comes from a kernel or GEMM into memory taken for it. */
    private final boolean[] ownWrite;

    VariableLeases(Graph graph, List<PlanStep> steps, Plan.Buffers buffers) {
        variables = graph.variables();
        ownWrite = new boolean[variables.size()];
        graph.variableWrites().forEach((v, node) -> {
            for (int t = 0; t < steps.size(); t++) {
                PlanStep s = steps.get(t);
                if (s.node() == node && BufferPlan.planned(s) && buffers.slotOfStep()[t] < 0 && !graph.outputs().contains(node)) {
                    ownWrite[v] = true;
                }
            }
        });
    }

    /** Pins every variable's current value for one call. */
    Variable.Stored[] pin() {
        Variable.Stored[] pinned = new Variable.Stored[variables.size()];
        for (int v = 0; v < pinned.length; v++) pinned[v] = variables.get(v).pin();
        return pinned;
    }

    /** Ends {@link #pin()}; after {@link #store} when the call got that far. */
    void unpin(Variable.Stored[] pinned) {
        for (Variable.Stored p : pinned) if (p != null) p.unpin();
    }

    /**
     * Stores the call's variable writes ({@code written[v]}, null where not written) and takes back
     * the memory of the values they replace where nobody else can read it. Values read this call
     * whose memory leaves it (returned in {@code outputs}, or now held by another variable) escape
     * first.
     */
    void store(Tensor[] written, Tensor[] outputs, Variable.Stored[] pinned) {
        Object[] leaving = new Object[outputs.length + written.length];
        int count = 0;
        for (Tensor o : outputs) leaving[count++] = arrayOf(o);
        for (Tensor w : written) if (w != null) leaving[count++] = arrayOf(w);
        Object[] escaping = Arrays.copyOf(leaving, count);
        for (Variable.Stored p : pinned) {
            if (p.lease() != null && contains(escaping, arrayOf(p.value()), 1)) p.lease().escape();
        }
        Variable.Stored[] replaced = new Variable.Stored[written.length];
        for (int v = 0; v < written.length; v++) {
            if (written[v] == null) continue;
            Object array = arrayOf(written[v]);
            // the write itself is in escaping once; a second time means an output or another variable shares it
            boolean programOnly = ownWrite[v] && array != null && !contains(escaping, array, 2);
            BufferLease lease = programOnly ? new BufferLease() : null;
            replaced[v] = variables.get(v).replace(written[v], lease);
        }
        unpin(pinned);
        Arrays.fill(pinned, null);
        for (Variable.Stored old : replaced) {
            if (old != null && old.lease() != null && old.lease().reclaim()) HostBuffers.give(arrayOf(old.value()));
        }
    }

    private static Object arrayOf(Tensor t) {
        return t.storage() instanceof HeapStorage h ? h.array() : null;
    }

    /** Whether {@code array} occurs at least {@code times} times in {@code arrays} (by identity). */
    private static boolean contains(Object[] arrays, Object array, int times) {
        if (array == null) return false;
        int n = 0;
        for (Object a : arrays) if (a == array) n++;
        return n >= times;
    }
}
