package dev.javelin.jit;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.tensor.OpAttrs;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Whether a traced program treats the rows of its batch independently: row {@code i} of every
 * batch-sized result depends only on row {@code i} of the batched arguments. Such a program gives
 * the same rows on a batch padded with extra rows, which is what lets {@link CompiledFunction} serve
 * every batch size from a few padded sizes. A program that mixes rows (a mean loss over the batch,
 * batch statistics, a contraction over the batch) or writes variables is not, and keeps exact
 * programs per size.
 *
 * <p>The analysis is a forward pass over the graph with three states per value, conservative for
 * every op it does not know to keep rows apart.
 */
final class RowIndependence {
    /** What a value's rows depend on. */
    private enum Rows {
        /** Nothing from the batched arguments (variables, constants, and what is computed from them). */
        FREE,
        /** Axis 0 is the batch; row i depends only on row i of the batched arguments. */
        ROW,
        /** Anything else. */
        MIXED
    }

    private RowIndependence() {}

    /**
     * True when {@code g}, traced with batch size {@code batch} and arguments {@code batched} (true
     * for those carrying the batch on axis 0), keeps rows apart, every output is batch-aligned, and
     * no variable is written.
     */
    static boolean holds(Graph g, int batch, boolean[] batched) {
        if (!g.variableWrites().isEmpty()) return false;
        Map<Node, Rows> state = new IdentityHashMap<>();
        for (Node out : g.outputs()) {
            if (evaluate(out, batch, batched, state) != Rows.ROW) return false;
        }
        return true;
    }

    /** Post-order over the inputs with an explicit stack: traced graphs can be thousands of nodes deep. */
    private static Rows evaluate(Node root, int batch, boolean[] batched, Map<Node, Rows> state) {
        Deque<Node> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Node n = stack.peek();
            if (state.containsKey(n)) {
                stack.pop();
                continue;
            }
            boolean ready = true;
            for (Node in : n.inputs()) {
                if (!state.containsKey(in)) {
                    stack.push(in);
                    ready = false;
                }
            }
            if (!ready) continue;
            stack.pop();
            state.put(n, rule(n, batch, batched, state));
        }
        return state.get(root);
    }

    private static Rows rule(Node n, int batch, boolean[] batched, Map<Node, Rows> state) {
        switch (n.kind()) {
            case ARGUMENT:
                return batched[n.inputIndex()] ? Rows.ROW : Rows.FREE;
            case VARIABLE:
            case CONSTANT:
                return Rows.FREE;
            default:
                break;
        }
        boolean anyRow = false;
        for (Node in : n.inputs()) {
            Rows r = state.get(in);
            if (r == Rows.MIXED) return Rows.MIXED;
            anyRow |= r == Rows.ROW;
        }
        if (!anyRow) return n.op() == dev.javelin.tensor.Op.RANDOM_UNIFORM || n.op() == dev.javelin.tensor.Op.RANDOM_NORMAL
                ? Rows.MIXED // numbers drawn by flat position: a padded batch moves no row, but be safe about generators
                : Rows.FREE;
        // from here on at least one input carries the batch on axis 0
        if (n.rank() == 0 || n.shape().dim(0) != batch) return Rows.MIXED;
        boolean kept = switch (n.op().kind()) {
            case UNARY, BINARY, TERNARY -> true; // operands share one shape (broadcasts are EXPAND views)
            case REDUCE -> !reduces(n, 0);
            case MOVEMENT -> switch (n.op()) {
                case RESHAPE -> n.input(0).shape().dim(0) == batch; // row-major: same leading size keeps each row's elements
                case PERMUTE -> n.attrs(OpAttrs.Permute.class).order()[0] == 0;
                case EXPAND -> n.input(0).shape().dim(0) == batch;
                case SLICE -> {
                    OpAttrs.Slice s = n.attrs(OpAttrs.Slice.class);
                    yield s.start()[0] == 0 && s.step()[0] == 1 && s.stop()[0] >= batch;
                }
                case UNFOLD -> true; // NHWC windows over H and W
                default -> false;
            };
            case DATA -> switch (n.op()) {
                case PAD -> {
                    OpAttrs.Pad p = n.attrs(OpAttrs.Pad.class);
                    yield p.low()[0] == 0 && p.high()[0] == 0 && p.interior()[0] == 0;
                }
                case FOLD, CONTIGUOUS, CAST -> true;
                default -> false;
            };
            case CONTRACTION -> switch (n.op()) {
                // rank 2: [batch, K] @ [K, N] keeps rows; a batched right operand contracts over the batch
                case MATMUL -> n.rank() > 2 ? true : state.get(n.input(1)) == Rows.FREE;
                case CONV2D, CONV2D_BACKWARD_INPUT -> state.get(n.input(1)) == Rows.FREE; // image (or dy) batched, filter not
                default -> false; // CONV2D_BACKWARD_FILTER sums over the batch
            };
            case INDEX -> {
                int axis = n.attrs(OpAttrs.Axis.class).axis();
                if (n.op() == dev.javelin.tensor.Op.GATHER) {
                    // axis 0: out[i] = x[idx[i]], an embedding lookup, keeps rows only when x is not batched
                    yield axis != 0 ? sameBatch(n, batch) : state.get(n.input(0)) == Rows.FREE;
                }
                yield axis != 0 && sameBatch(n, batch);
            }
            default -> false;
        };
        return kept ? Rows.ROW : Rows.MIXED;
    }

    private static boolean sameBatch(Node n, int batch) {
        for (Node in : n.inputs()) if (in.rank() == 0 || in.shape().dim(0) != batch) return false;
        return true;
    }

    private static boolean reduces(Node n, int axis) {
        OpAttrs.Reduce r = n.attrs(OpAttrs.Reduce.class);
        int[] axes = r.axes();
        if (axes == null || axes.length == 0) return true;
        int rank = n.input(0).rank();
        for (int a : axes) if ((a < 0 ? a + rank : a) == axis) return true;
        return false;
    }
}
