package dev.javelin.jit.passes;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.EagerEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates, once at compile time, small ops whose inputs are all constants (scalar arithmetic the
 * user wrote, like {@code 1 - beta1}). Results larger than {@link #LIMIT} elements are left to run
 * at each call, and broadcasts are never folded: a kernel reads a broadcast scalar for free, a folded
 * one would be a constant buffer.
 */
public final class ConstantFolding implements Pass {
    /** Largest folded result, in elements. */
    static final long LIMIT = 1024;

    @Override public String name() { return "constant-folding"; }

    @Override
    public boolean run(Graph graph) {
        boolean changed = false;
        for (Node n : new ArrayList<>(graph.nodes())) {
            if (!n.isOp() || n.isOp(Op.EXPAND) || n.size() > LIMIT || !n.device().equals(Device.CPU) || n.inputs().isEmpty()) continue;
            if (!n.inputs().stream().allMatch(Node::isConstant)) continue;
            List<Tensor> in = new ArrayList<>();
            for (Node i : n.inputs()) in.add(i.constant());
            Tensor value;
            try {
                value = EagerEngine.INSTANCE.execute(n.call(in));
                if (!value.isContiguous() || value.offset() != 0 || value.storage().length() != value.size()) {
                    value = EagerEngine.INSTANCE.execute(new dev.javelin.tensor.OpCall(Op.CONTIGUOUS, List.of(value), OpAttrs.NONE,
                            value.shape(), value.dtype(), value.device()));
                }
            } catch (RuntimeException e) {
                continue; // the backend cannot run it now; it will at each call, or report the error there
            }
            graph.replaceAllUses(n, graph.constant(value));
            changed = true;
        }
        if (changed) new DeadCode().run(graph);
        return changed;
    }
}
