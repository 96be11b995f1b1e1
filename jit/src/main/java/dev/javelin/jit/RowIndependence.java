package dev.javelin.jit;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.tensor.Op;
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
 * <p>The analysis is a forward pass over the graph. A value's rows are free of the batch, mixed, or
 * a digit of one axis: that axis has {@code outer * batch * inner} entries and entry
 * {@code (o * batch + r) * inner + j} belongs to row {@code r}. Tracking the axis and digit (not only
 * axis 0) follows the batch through the transposes and reshapes of attention as exported
 * transformers write them ({@code [B, T, E] -> [T, B, E] -> [T * B, E]}, {@code [T, B * H, D]}).
 * Every op it does not know to keep rows apart mixes them.
 */
final class RowIndependence {
    /**
     * What a value's rows depend on: nothing from the batch (axis -1), anything (axis -2), or a digit of one axis.
     * Axis {@link #ATTENTION_PARTS} marks a time-major attention result: two flat parts, the output and the logsumexp,
     * each holding the row digit with {@code outer} before it and {@code inner} (times Dv in the output) after it;
     * only a slice that takes one part whole reads it as rows.
     */
    private record Rows(int axis, long outer, long inner) {
        static final Rows FREE = new Rows(-1, 0, 0);
        static final Rows MIXED = new Rows(-2, 0, 0);
        static final int ATTENTION_PARTS = -3;

        Rows moved(int to) {
            return new Rows(to, outer, inner);
        }

        boolean isRow() {
            return axis >= 0;
        }
    }

    private RowIndependence() {}

    /**
     * True when {@code g}, traced with batch size {@code batch} and arguments {@code batched} (true
     * for those carrying the batch on axis 0), keeps rows apart, every output is batch-aligned (axis 0
     * of size {@code batch}), and no variable is written.
     */
    static boolean holds(Graph g, int batch, boolean[] batched) {
        if (!g.variableWrites().isEmpty()) return false;
        Map<Node, Rows> state = new IdentityHashMap<>();
        for (Node out : g.outputs()) {
            Rows r = evaluate(out, batch, batched, state);
            if (!r.equals(new Rows(0, 1, 1))) return false;
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
                return batched[n.inputIndex()] && n.rank() > 0 && n.shape().dim(0) == batch ? new Rows(0, 1, 1) : Rows.FREE;
            case VARIABLE:
            case CONSTANT:
                return Rows.FREE;
            default:
                break;
        }
        Rows row = null; // the one row state among the inputs (two different ones mix)
        for (Node in : n.inputs()) {
            Rows r = state.get(in);
            if (r == Rows.MIXED) return Rows.MIXED;
            if (r.axis() == Rows.ATTENTION_PARTS) return n.isOp(Op.SLICE) ? attentionPart(n, r) : Rows.MIXED;
            if (r.isRow()) {
                if (row != null && !row.equals(r) && !n.op().equals(Op.MATMUL) && !n.op().equals(Op.GATHER)) return Rows.MIXED;
                if (row == null) row = r;
            }
        }
        if (row == null) {
            return n.op() == Op.RANDOM_UNIFORM || n.op() == Op.RANDOM_NORMAL
                    ? Rows.MIXED // numbers drawn by flat position: a padded batch moves no row, but be safe about generators
                    : Rows.FREE;
        }
        Rows out = switch (n.op().kind()) {
            case UNARY, BINARY, TERNARY -> row; // operands share one shape (broadcasts are EXPAND views)
            case REDUCE -> reduced(n, row);
            case MOVEMENT -> switch (n.op()) {
                case RESHAPE -> reshaped(n, row, batch);
                case PERMUTE -> {
                    int[] order = n.attrs(OpAttrs.Permute.class).order();
                    int to = -1;
                    for (int i = 0; i < order.length; i++) if (order[i] == row.axis()) to = i;
                    yield row.moved(to);
                }
                case EXPAND -> n.input(0).rank() == n.rank() && n.input(0).shape().dim(row.axis()) == n.shape().dim(row.axis()) ? row : Rows.MIXED;
                case SLICE -> {
                    OpAttrs.Slice s = n.attrs(OpAttrs.Slice.class);
                    int a = row.axis();
                    yield s.start()[a] == 0 && s.step()[a] == 1 && s.stop()[a] == n.input(0).shape().dim(a) ? row : Rows.MIXED;
                }
                case UNFOLD -> row.axis() == 0 ? row : row.axis() == 3 ? row.moved(5) : Rows.MIXED; // NHWC windows over H and W
                default -> Rows.MIXED;
            };
            case DATA -> switch (n.op()) {
                case PAD -> {
                    OpAttrs.Pad p = n.attrs(OpAttrs.Pad.class);
                    int a = row.axis();
                    yield p.low()[a] == 0 && p.high()[a] == 0 && p.interior()[a] == 0 ? row : Rows.MIXED;
                }
                case FOLD -> row.axis() == 0 ? row : row.axis() == 5 ? row.moved(3) : Rows.MIXED;
                case CONTIGUOUS, CAST -> row;
                default -> Rows.MIXED;
            };
            case CONTRACTION -> switch (n.op()) {
                case MATMUL -> matmul(n, state.get(n.input(0)), state.get(n.input(1)));
                // image (or dy) batched on N, filter free
                case CONV2D, CONV2D_BACKWARD_INPUT -> row.axis() == 0 && state.get(n.input(1)) == Rows.FREE ? row : Rows.MIXED;
                // q, k, v (and the mask) batched on one leading axis: each row attends within itself
                case ATTENTION -> n.attrs(OpAttrs.Attention.class).timeMajor() ? timeMajorAttention(n, row)
                        : row.axis() < n.rank() - 2 ? row : Rows.MIXED;
                // x, the states and the mask batched on axis 0 (the recurrent kernel and bias free): each example
                // runs its own loop. The backward is not: dw sums over the batch.
                case RECURRENCE -> row.axis() == 0 && weightsFree(n, state) ? row : Rows.MIXED;
                default -> Rows.MIXED; // CONV2D_BACKWARD_FILTER sums over the batch
            };
            case INDEX -> switch (n.op()) {
                case GATHER -> gathered(n, state.get(n.input(0)), state.get(n.input(1)));
                case ARGSORT -> n.attrs(OpAttrs.Sort.class).axis() != row.axis() ? row : Rows.MIXED;
                default -> Rows.MIXED;
            };
            default -> Rows.MIXED;
        };
        return out.isRow() && n.rank() > out.axis() || out.axis() == Rows.ATTENTION_PARTS ? out : Rows.MIXED;
    }

    /**
     * A time-major ATTENTION (results flat, [B...,T,H,Dv] then [B...,T,H], see {@code AttentionLayout}) whose q has
     * its rows on a batch axis: where the row digit sits in each flat part.
     */
    private static Rows timeMajorAttention(Node n, Rows q) {
        int[] d = n.input(0).shape().toArray();
        int heads = d.length - 3, t = d[d.length - 2];
        if (q.axis() > heads) return Rows.MIXED;
        long before = q.outer(), after = q.inner();
        if (q.axis() < heads) { // on a batch axis before the heads: T and H (and Dv) after it
            for (int i = 0; i < q.axis(); i++) before *= d[i];
            for (int i = q.axis() + 1; i < heads; i++) after *= d[i];
            after *= (long) t * d[heads];
        } else { // on the heads axis: T before it
            for (int i = 0; i < heads; i++) before *= d[i];
            before *= t;
        }
        return new Rows(Rows.ATTENTION_PARTS, before, after);
    }

    /** A slice of a time-major attention result: one part taken whole has its rows on axis 0; anything else mixes them. */
    private static Rows attentionPart(Node n, Rows parts) {
        Node attention = n.input(0);
        OpAttrs.Slice s = n.attrs(OpAttrs.Slice.class);
        long dv = attention.input(2).shape().dim(-1), total = attention.shape().dim(0), outputs = total / (dv + 1) * dv;
        if (s.step()[0] != 1) return Rows.MIXED;
        if (s.start()[0] == 0 && s.stop()[0] == outputs) return new Rows(0, parts.outer(), parts.inner() * dv);
        if (s.start()[0] == outputs && s.stop()[0] == total) return new Rows(0, parts.outer(), parts.inner());
        return Rows.MIXED;
    }

    /** RECURRENCE's w (input 1) and the cell's parameters after it: shared by every example. */
    private static boolean weightsFree(Node n, Map<Node, Rows> state) {
        int params = n.attrs(OpAttrs.Recurrence.class).cell().parameters();
        for (int i = 1; i <= 1 + params; i++) if (state.get(n.input(i)) != Rows.FREE) return false;
        return true;
    }

    private static Rows reduced(Node n, Rows row) {
        OpAttrs.Reduce r = n.attrs(OpAttrs.Reduce.class);
        int[] axes = r.axes();
        if (axes == null || axes.length == 0) return Rows.MIXED;
        int before = 0;
        for (int a : axes) {
            if (a == row.axis()) return Rows.MIXED;
            if (a < row.axis()) before++;
        }
        return r.keepDims() ? row : row.moved(row.axis() - before);
    }

    /**
     * A row-major reshape keeps the flat order, so the row digit keeps its place in the flat index:
     * {@code before} entries of everything outside it in front, {@code after} behind. The result's row
     * axis is the one that holds that digit whole.
     */
    private static Rows reshaped(Node n, Rows row, int batch) {
        int[] in = n.input(0).shape().toArray(), out = n.shape().toArray();
        long before = row.outer(), after = row.inner();
        for (int i = 0; i < row.axis(); i++) before *= in[i];
        for (int i = row.axis() + 1; i < in.length; i++) after *= in[i];
        long prefix = 1;
        for (int b = 0; b < out.length && prefix <= before; b++) {
            if (out[b] > 0 && before % prefix == 0) {
                long outer = before / prefix;
                if (out[b] % (outer * batch) == 0) {
                    long inner = out[b] / (outer * batch), suffix = 1;
                    for (int i = b + 1; i < out.length; i++) suffix *= out[i];
                    if (inner * suffix == after) return new Rows(b, outer, inner);
                }
            }
            prefix *= out[b];
        }
        return Rows.MIXED;
    }

    /** [..., M, K] @ [..., K, N] (equal ranks): rows on a batch axis of both, on M of the left, or on N of the right. */
    private static Rows matmul(Node n, Rows left, Rows right) {
        int r = n.rank();
        if (left.isRow() && right.isRow()) return left.equals(right) && left.axis() < r - 2 ? left : Rows.MIXED;
        if (left.isRow()) return left.axis() <= r - 2 ? left : Rows.MIXED; // not K
        return right.axis() < r - 2 || right.axis() == r - 1 ? right : Rows.MIXED;
    }

    /** out[..i..] = x[..idx[..i..]..] along the axis: rows follow the index, or x where the index does not pick along them. */
    private static Rows gathered(Node n, Rows x, Rows idx) {
        int axis = n.attrs(OpAttrs.Axis.class).axis();
        if (idx.isRow()) {
            if (x == Rows.FREE || x.equals(idx) && idx.axis() != axis) return idx;
            return Rows.MIXED;
        }
        return x.axis() != axis && n.shape().dim(x.axis()) == n.input(0).shape().dim(x.axis()) ? x : Rows.MIXED;
    }
}
