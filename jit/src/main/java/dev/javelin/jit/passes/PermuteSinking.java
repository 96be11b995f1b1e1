package dev.javelin.jit.passes;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves axis permutations below elementwise ops and cancels them against each other, so a graph
 * written channels-first around channels-last convolutions (an ONNX model: every Conv permutes its
 * input NCHW to NHWC and its result back) keeps its activations in one layout: {@code relu(permute(x,
 * p))} becomes {@code permute(relu(x), p)}, an elementwise op over operands permuted alike (or
 * broadcasts, permuted to match) becomes the permuted op, and {@code permute(permute(x, p), q)} one
 * permute or x itself. Then a bias, ReLU or residual add after a convolution reads it densely and
 * runs as its epilogue, and the next convolution reads its input without a strided gather.
 * A product by one shared weight matrix takes its operand's permute below it too
 * ({@link #sharedWeightProduct}). Permutes are views, so nothing is computed twice; values and bits
 * are unchanged.
 */
public final class PermuteSinking implements Pass {
    @Override public String name() { return "permute-sinking"; }

    @Override
    public boolean run(Graph graph) {
        boolean changed = false;
        for (Node n : new ArrayList<>(graph.nodes())) {
            if (!n.isOp() || !graph.nodes().contains(n)) continue;
            List<Node> created = new ArrayList<>();
            Node r = rewrite(graph, n, created);
            if (r == null) continue;
            graph.replaceAllUses(n, r);
            // the new nodes r reads must come before r, which now stands at n's place
            List<Node> nodes = graph.nodes();
            for (Node c : created) {
                if (c == r) continue;
                nodes.remove(c);
                nodes.add(nodes.indexOf(r), c);
            }
            changed = true;
        }
        if (changed) new DeadCode().run(graph);
        return changed;
    }

    private static Node rewrite(Graph g, Node n, List<Node> created) {
        if (n.isOp(Op.PERMUTE) && n.input(0).isOp(Op.PERMUTE)) {
            int[] p = order(n.input(0)), q = order(n);
            int[] r = new int[q.length];
            for (int i = 0; i < q.length; i++) r[i] = p[q[i]];
            Node x = n.input(0).input(0);
            return identity(r) ? x : add(created, g.op(Op.PERMUTE, List.of(x), new OpAttrs.Permute(r), n.shape(), n.dtype(), n.device()));
        }
        if (n.isOp(Op.MATMUL)) return sharedWeightProduct(g, n, created);
        Op.Kind kind = n.op().kind();
        if (kind != Op.Kind.UNARY && kind != Op.Kind.BINARY && kind != Op.Kind.TERNARY) return null;
        int[] p = null;
        boolean computed = false; // at least one permuted operand is a computed value, not a broadcast constant
        for (Node in : n.inputs()) {
            if (!in.shape().equals(n.shape())) return null;
            if (in.isOp(Op.PERMUTE)) {
                if (p != null && !java.util.Arrays.equals(p, order(in))) return null;
                p = order(in);
                computed |= !isBroadcast(in.input(0));
            } else if (!isBroadcast(in)) {
                return null;
            }
        }
        if (p == null || !computed) return null;
        int[] inverse = new int[p.length];
        for (int i = 0; i < p.length; i++) inverse[p[i]] = i;
        List<Node> inputs = new ArrayList<>();
        dev.javelin.tensor.Shape inner = null;
        for (Node in : n.inputs()) {
            if (in.isOp(Op.PERMUTE)) {
                inputs.add(in.input(0));
                inner = in.input(0).shape();
            } else {
                inputs.add(null); // filled below, once the inner shape is known
            }
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) != null) continue;
            Node b = n.input(i);
            inputs.set(i, add(created, g.op(Op.PERMUTE, List.of(b), new OpAttrs.Permute(inverse), inner, b.dtype(), b.device())));
        }
        Node op = add(created, g.op(n.op(), inputs, n.attrs(), inner, n.dtype(), n.device()));
        return add(created, g.op(Op.PERMUTE, List.of(op), new OpAttrs.Permute(p), n.shape(), n.dtype(), n.device()));
    }

    /**
     * {@code matmul(permute(x, p), W)} with p keeping the last axis and W one matrix for every batch
     * index (an expand of [1.., K, N]) is {@code permute(matmul(x, W), p)}: each row of the result is
     * its row of x times W, wherever the row sits. The product over x as it is stored folds into one
     * GEMM whose bias and activation run as its epilogue (an exported Linear over a transposed
     * sequence: {@code [T, B, E] @ W}), where the permuted one is a GEMM per batch index.
     */
    private static Node sharedWeightProduct(Graph g, Node n, List<Node> created) {
        Node a = n.input(0), w = n.input(1);
        int rank = n.rank();
        if (rank < 3 || !a.isOp(Op.PERMUTE) || order(a)[rank - 1] != rank - 1 || !w.isOp(Op.EXPAND)) return null;
        Node matrix = w.input(0);
        for (int d = 0; d < rank - 2; d++) if (matrix.shape().dim(d) != 1) return null;
        Node x = a.input(0);
        int[] dims = x.shape().toArray();
        dims[rank - 1] = w.shape().dim(rank - 1);
        int[] weightDims = dims.clone();
        weightDims[rank - 2] = w.shape().dim(rank - 2);
        Node weight = add(created, g.op(Op.EXPAND, List.of(matrix), w.attrs(), dev.javelin.tensor.Shape.of(weightDims), w.dtype(), w.device()));
        Node product = add(created, g.op(Op.MATMUL, List.of(x, weight), n.attrs(), dev.javelin.tensor.Shape.of(dims), n.dtype(), n.device()));
        return add(created, g.op(Op.PERMUTE, List.of(product), new OpAttrs.Permute(order(a)), n.shape(), n.dtype(), n.device()));
    }

    /** A broadcast constant or scalar: the same values whichever way its axes are read. */
    private static boolean isBroadcast(Node n) {
        Node c = n;
        while (c.isOp(Op.EXPAND) || c.isOp(Op.RESHAPE) || c.isOp(Op.PERMUTE)) c = c.input(0);
        return c.isConstant() || c.kind() == Node.Kind.VARIABLE || n.isOp(Op.EXPAND);
    }

    private static int[] order(Node permute) {
        return permute.attrs(OpAttrs.Permute.class).order();
    }

    private static boolean identity(int[] order) {
        for (int i = 0; i < order.length; i++) if (order[i] != i) return false;
        return true;
    }

    private static Node add(List<Node> created, Node n) {
        created.add(n);
        return n;
    }
}
