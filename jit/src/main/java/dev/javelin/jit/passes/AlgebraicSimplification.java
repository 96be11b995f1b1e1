package dev.javelin.jit.passes;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.List;

/**
 * Local identities: {@code x*1}, {@code x+0}, {@code x-0}, {@code x/1}, {@code x^1} become x;
 * {@code x^2} becomes {@code x*x}; double negation cancels; a traced {@code contiguous} (a copy that
 * only matters for an eager layout), a reshape to the same shape and a reshape of a reshape
 * disappear; a slice of a pad that takes back exactly the padded tensor is that tensor, and one that
 * takes only padding is the pad value broadcast (so a gradient padded for a consumer that reads the
 * two parts apart, as the fused attention's backward does, is never stored padded). Each rule keeps shape and dtype (the checks in {@code Ops} made both operands the
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
            case SLICE -> {
                if (n.input(0).isOp(Op.PAD)) return sliceOfPad(g, n);
            }
            default -> {
                return null;
            }
        }
        return null;
    }

    /** SLICE(PAD(x)): x when the slice is exactly x's place, the pad value when it lies wholly in the padding; else null. */
    private static Node sliceOfPad(Graph g, Node n) {
        Node pad = n.input(0), x = pad.input(0);
        OpAttrs.Slice s = n.attrs(OpAttrs.Slice.class);
        OpAttrs.Pad p = pad.attrs(OpAttrs.Pad.class);
        boolean exact = true, onlyPadding = false;
        for (int i = 0; i < x.shape().rank(); i++) {
            if (p.interior()[i] != 0 || s.step()[i] != 1) return null;
            int start = s.start()[i], stop = start + n.shape().dim(i), low = p.low()[i], size = x.shape().dim(i);
            exact &= start == low && stop == low + size;
            onlyPadding |= stop <= low || start >= low + size;
        }
        if (exact) return sameType(n, x);
        if (!onlyPadding || n.shape().size() == 0 || n.device() != Device.CPU) return null;
        HeapStorage value = HeapStorage.allocate(n.dtype(), 1);
        value.setDouble(0, p.value());
        int[] ones = new int[n.shape().rank()];
        java.util.Arrays.fill(ones, 1);
        Node c = g.constant(Tensor.wrap(value, Shape.of(ones)));
        g.nodes().remove(c); // before every user (replaceAllUses moves only the returned node up to n's place)
        g.nodes().add(0, c);
        return c.shape().equals(n.shape()) ? c : g.op(Op.EXPAND, List.of(c), OpAttrs.NONE, n.shape(), n.dtype(), n.device());
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
