package dev.javelin.jit.passes;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import java.util.ArrayList;
import java.util.List;

/**
 * Local identities: {@code x*1}, {@code x+0}, {@code x-0}, {@code x/1}, {@code x^1} become x;
 * {@code x^2} becomes {@code x*x}; double negation cancels; a traced {@code contiguous} (a copy that
 * only matters for an eager layout), a reshape to the same shape and a reshape of a reshape
 * disappear. Each rule keeps shape and dtype (the checks in {@code Ops} made both operands the
 * output's shape), and none changes NaN or infinity results ({@code x*0} is not rewritten).
 */
public final class AlgebraicSimplification implements Pass {
    @Override public String name() { return "algebraic-simplification"; }

    @Override
    public boolean run(Graph graph) {
        boolean changed = false;
        for (Node n : new ArrayList<>(graph.nodes())) {
            if (!n.isOp() || !graph.nodes().contains(n)) continue;
            Node r = simplify(graph, n);
            if (r != null && r != n) {
                graph.replaceAllUses(n, r);
                changed = true;
            }
        }
        if (changed) new DeadCode().run(graph);
        return changed;
    }

    private static Node simplify(Graph g, Node n) {
        switch (n.op()) {
            case MUL -> {
                if (isValue(n.input(1), 1)) return sameType(n, n.input(0));
                if (isValue(n.input(0), 1)) return sameType(n, n.input(1));
            }
            case ADD -> {
                if (isValue(n.input(1), 0)) return sameType(n, n.input(0));
                if (isValue(n.input(0), 0)) return sameType(n, n.input(1));
            }
            case SUB -> {
                if (isValue(n.input(1), 0)) return sameType(n, n.input(0));
            }
            case DIV -> {
                if (isValue(n.input(1), 1)) return sameType(n, n.input(0));
            }
            case POW -> {
                if (isValue(n.input(1), 1)) return sameType(n, n.input(0));
                if (isValue(n.input(1), 2)) {
                    return g.op(Op.MUL, List.of(n.input(0), n.input(0)), OpAttrs.NONE, n.shape(), n.dtype(), n.device());
                }
            }
            case NEG -> {
                if (n.input(0).isOp(Op.NEG)) return n.input(0).input(0);
            }
            case CONTIGUOUS -> {
                return n.input(0);
            }
            case CAST -> {
                if (n.input(0).dtype() == n.dtype()) return n.input(0);
            }
            case RESHAPE -> {
                if (n.input(0).shape().equals(n.shape())) return n.input(0);
                if (n.input(0).isOp(Op.RESHAPE)) {
                    return g.op(Op.RESHAPE, List.of(n.input(0).input(0)), OpAttrs.NONE, n.shape(), n.dtype(), n.device());
                }
            }
            case EXPAND -> {
                if (n.input(0).shape().equals(n.shape())) return n.input(0);
            }
            default -> {
                return null;
            }
        }
        return null;
    }

    private static Node sameType(Node n, Node candidate) {
        return candidate.shape().equals(n.shape()) && candidate.dtype() == n.dtype() ? candidate : null;
    }

    /**
     * True when every element of {@code n} is {@code v}: a constant seen through the reshapes and
     * broadcasts that {@code Ops} wraps scalars in.
     */
    static boolean isValue(Node n, double v) {
        Node c = n;
        while (c.isOp(Op.EXPAND) || c.isOp(Op.RESHAPE)) c = c.input(0);
        if (!c.isConstant() || c.constant().size() > CommonSubexpressions.CONSTANT_COMPARE_LIMIT) return false;
        for (double d : c.constant().toDoubleArray()) if (d != v) return false;
        return c.constant().size() > 0;
    }
}
