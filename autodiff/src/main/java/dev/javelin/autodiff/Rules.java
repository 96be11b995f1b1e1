package dev.javelin.autodiff;

import dev.javelin.tensor.AttentionLayout;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.IndexingOps;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.function.Supplier;

/**
 * The vector-Jacobian products of the primitive ops: one short rule per {@link Op}, read as a table.
 *
 * <p>Each rule gets the recorded call, its result {@code y} and the gradient {@code g} of the target
 * with respect to {@code y}, and returns one gradient per input (null where an input gets none).
 * Rules are written only with {@link Ops} and {@link Tensor} methods, never backend calls, so a
 * backward pass is itself a sequence of ordinary ops: an outer tape records it (higher-order
 * gradients) and the JIT's tracing engine traces it. Binary ops need no broadcasting logic: their
 * operands were expanded by {@link Op#EXPAND} views, whose rule sums the gradient back.
 */
final class Rules {
    private Rules() {}

    /**
     * The gradients of {@code call}'s inputs.
     *
     * @param needs which inputs need a gradient; a rule skips the others (the exponent of x^3, say,
     *              whose gradient would need log of a negative base)
     */
    static Tensor[] vjp(OpCall call, Tensor y, Tensor g, boolean[] needs) {
        Tensor x = call.input(0);
        Tensor b = call.inputs().size() > 1 ? call.input(1) : null;
        return switch (call.op()) {
            // ---- unary: d/dx f(x) times g
            case NEG -> one(g.neg());
            case ABS -> one(g.mul(x.sign()));
            case EXP -> one(g.mul(y));
            case LOG -> one(g.div(x));
            case SQRT -> one(g.div(y.mul(2.0)));
            case SIN -> one(g.mul(x.cos()));
            case COS -> one(g.mul(x.sin()).neg());
            case TANH -> one(g.mul(y.mul(y).neg().add(1.0)));
            case SIGMOID -> one(g.mul(y.mul(y.neg().add(1.0))));
            case RELU -> one(x.gt(0.0).where(g, zero(g)));
            case RECIPROCAL -> one(g.mul(y.mul(y)).neg());
            case ERF -> one(g.mul(x.mul(x).neg().exp().mul(2.0 / Math.sqrt(Math.PI))));
            case SIGN, FLOOR, CEIL, ROUND, LOGICAL_NOT -> new Tensor[1]; // piecewise constant: zero almost everywhere

            // ---- binary: operands share one shape and dtype
            case ADD -> two(needs, () -> g, () -> g);
            case SUB -> two(needs, () -> g, g::neg);
            case MUL -> two(needs, () -> g.mul(b), () -> g.mul(x));
            case DIV -> two(needs, () -> g.div(b), () -> g.mul(y).div(b).neg());
            case POW -> two(needs,
                    () -> b.eq(0.0).where(zero(g), g.mul(b).mul(x.pow(b.sub(1.0)))),
                    () -> x.eq(0.0).where(zero(g), g.mul(y).mul(x.log())));
            case MAX, MIN -> {
                Tensor share = tieShare(call.op(), x, b); // 1 where x wins, 1/2 on ties, 0 where b wins
                yield two(needs, () -> g.mul(share), () -> g.mul(share.neg().add(1.0)));
            }
            case EQ, NE, LT, LE, GT, GE -> new Tensor[2];
            case WHERE -> new Tensor[] {null,
                    needs[1] ? x.where(g, zero(g)) : null,
                    needs[2] ? x.where(zero(g), g) : null};

            // ---- reductions: g comes back over the reduced axes
            case REDUCE_SUM -> one(spread(g, call));
            case REDUCE_MAX, REDUCE_MIN -> {
                Tensor hit = x.eq(keepDims(y, call)).cast(x.dtype()); // ties share the gradient equally
                yield one(spread(g, call).mul(hit).div(hit.sum(reduceAxes(call), true)));
            }
            case ARGMAX, ARGMIN -> new Tensor[1];

            // ---- movement: the adjoint view
            case RESHAPE -> one(g.reshape(x.shape().toArray()));
            case PERMUTE -> one(g.permute(inverse(call.attrs(OpAttrs.Permute.class).order())));
            case EXPAND -> one(sumExpanded(g, x.shape()));
            case SLICE -> one(unslice(g, x.shape(), call.attrs(OpAttrs.Slice.class)));
            case UNFOLD -> one(Ops.fold(g, call.attrs(OpAttrs.Window.class), x.shape()));

            // ---- data movement
            case PAD -> one(unpad(g, x.shape(), call.attrs(OpAttrs.Pad.class)));
            case FOLD -> one(Ops.unfold(g, call.attrs(OpAttrs.Window.class)));
            case CONTIGUOUS -> one(g);
            case CAST -> one(x.dtype().isFloating() ? g.cast(x.dtype()) : null);

            // ---- contractions: each is linear in every operand, so its adjoints are contractions too
            case MATMUL -> two(needs, () -> g.matmul(b.mT()), () -> x.mT().matmul(g));
            case CONV2D -> {
                OpAttrs.Conv c = call.attrs(OpAttrs.Conv.class);
                yield two(needs, () -> Ops.conv2dBackwardInput(g, b, x.shape(), c),
                        () -> Ops.conv2dBackwardFilter(x, g, b.shape(), c));
            }
            case CONV2D_BACKWARD_INPUT -> { // (dy, filter) -> dx
                OpAttrs.Conv c = call.attrs(OpAttrs.Conv.class);
                yield two(needs, () -> Ops.conv2d(g, b, c), () -> Ops.conv2dBackwardFilter(g, x, b.shape(), c));
            }
            case CONV2D_BACKWARD_FILTER -> { // (x, dy) -> dfilter
                OpAttrs.Conv c = call.attrs(OpAttrs.Conv.class);
                yield two(needs, () -> Ops.conv2dBackwardInput(b, g, x.shape(), c), () -> Ops.conv2d(x, g, c));
            }

            case ATTENTION -> attention(call, y, g);
            case ATTENTION_BACKWARD -> AttentionBackwardRule.gradients(call, g);

            case RECURRENCE -> recurrence(call, y, g);
            case RECURRENCE_BACKWARD -> RecurrenceBackwardRule.gradients(call, g);

            // ---- indexing: gather and scatter-add are each other's adjoints; indices get none
            case GATHER -> new Tensor[] {IndexingOps.scatterAdd(zerosLike(x), axis(call), b, g), null};
            case SCATTER_ADD -> new Tensor[] {needs[0] ? g : null, null,
                    needs[2] ? IndexingOps.gather(g, axis(call), b) : null};
            case ARGSORT -> new Tensor[1]; // an order: piecewise constant

            case RANDOM_UNIFORM, RANDOM_NORMAL -> new Tensor[1];
        };
    }

    /** dq, dk, dv from the one packed ATTENTION_BACKWARD result; the additive mask gets none. */
    private static Tensor[] attention(OpCall call, Tensor y, Tensor g) {
        Tensor q = call.input(0), k = call.input(1), v = call.input(2);
        Tensor mask = call.inputs().size() == 4 ? call.input(3) : null;
        Tensor packed = SequenceOps.attentionBackward(q, k, v, mask, y, g, call.attrs(OpAttrs.Attention.class));
        AttentionLayout layout = AttentionLayout.of(call);
        Tensor[] grads = new Tensor[call.inputs().size()];
        for (int part = 0; part < 3; part++) grads[part] = layout.gradient(packed, part);
        return grads;
    }

    /**
     * dx, dw and the cell's parameters' and states' gradients from the one flat RECURRENCE_BACKWARD
     * result; the recurrent dropout multiplier and the mask get none (both are constants of the step).
     */
    private static Tensor[] recurrence(OpCall call, Tensor y, Tensor g) {
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        Tensor w = call.input(1);
        int operands = a.cellOperands(), differentiable = a.cell().parameters() + a.cell().states();
        java.util.List<Tensor> cellOperands = call.inputs().subList(2, 2 + operands);
        Tensor mask = 2 + operands < call.inputs().size() ? call.input(2 + operands) : null;
        Tensor flat = SequenceOps.recurrenceBackward(w, cellOperands, mask, y, g, a);
        Tensor[] grads = new Tensor[call.inputs().size()];
        int at = 0;
        for (int i = 0; i < 2 + differentiable; i++) {
            Tensor in = call.input(i);
            int size = (int) in.size();
            grads[i] = flat.slice(0, at, at + size).reshape(in.shape().toArray());
            at += size;
        }
        return grads;
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static Tensor[] one(Tensor gx) {
        return new Tensor[] {gx};
    }

    private static Tensor[] two(boolean[] needs, Supplier<Tensor> ga, Supplier<Tensor> gb) {
        return new Tensor[] {needs[0] ? ga.get() : null, needs[1] ? gb.get() : null};
    }

    private static Tensor zero(Tensor like) {
        return Ops.scalarLike(like, 0.0);
    }

    /** Zeros of {@code like}'s shape and dtype (a broadcast view of one zero). */
    static Tensor zerosLike(Tensor like) {
        return Ops.expand(Ops.scalarLike(like, 0.0), like.shape());
    }

    /** For MAX/MIN: the share of the gradient that goes to the first operand. */
    private static Tensor tieShare(Op op, Tensor a, Tensor b) {
        DType dt = a.dtype();
        Tensor wins = (op == Op.MAX ? a.gt(b) : a.lt(b)).cast(dt);
        return wins.add(a.eq(b).cast(dt).mul(0.5));
    }

    private static int[] reduceAxes(OpCall call) {
        return call.attrs(OpAttrs.Reduce.class).axes();
    }

    /** A reduction's result with its reduced axes kept as size 1. */
    private static Tensor keepDims(Tensor reduced, OpCall call) {
        OpAttrs.Reduce r = call.attrs(OpAttrs.Reduce.class);
        if (r.keepDims()) return reduced;
        return reduced.reshape(Ops.reducedShape(call.input(0).shape(), r.axes(), true).toArray());
    }

    /** The gradient of a reduction's result, broadcast back over the input's shape. */
    private static Tensor spread(Tensor g, OpCall call) {
        return Ops.expand(keepDims(g, call), call.input(0).shape());
    }

    /** EXPAND's adjoint: sums over the axes that were stretched from size 1. */
    private static Tensor sumExpanded(Tensor g, Shape in) {
        int n = 0;
        int[] axes = new int[in.rank()];
        for (int i = 0; i < in.rank(); i++) {
            if (in.dim(i) == 1 && g.dim(i) != 1) axes[n++] = i;
        }
        if (n == 0) return g;
        return g.sum(java.util.Arrays.copyOf(axes, n), true);
    }

    /** SLICE's adjoint: the gradient placed back at the sliced positions, zeros elsewhere (PAD with interior step - 1). */
    private static Tensor unslice(Tensor g, Shape in, OpAttrs.Slice s) {
        int r = in.rank();
        int[] low = new int[r], high = new int[r], interior = new int[r];
        for (int i = 0; i < r; i++) {
            int n = in.dim(i), m = g.dim(i);
            if (m == 0) {
                low[i] = n; // nothing was taken: all zeros along this axis
                continue;
            }
            low[i] = s.start()[i];
            interior[i] = s.step()[i] - 1;
            high[i] = n - (low[i] + (m - 1) * s.step()[i] + 1);
        }
        return Ops.pad(g, low, high, interior, 0.0);
    }

    /** PAD's adjoint: the strided slice that picks the original elements back out. */
    private static Tensor unpad(Tensor g, Shape in, OpAttrs.Pad p) {
        int r = in.rank();
        int[] start = new int[r], stop = new int[r], step = new int[r];
        for (int i = 0; i < r; i++) {
            int n = in.dim(i);
            start[i] = p.low()[i];
            step[i] = p.interior()[i] + 1;
            stop[i] = n == 0 ? start[i] : start[i] + (n - 1) * step[i] + 1;
        }
        return Ops.slice(g, new OpAttrs.Slice(start, stop, step));
    }

    private static int[] inverse(int[] order) {
        int[] inv = new int[order.length];
        for (int i = 0; i < order.length; i++) inv[order[i]] = i;
        return inv;
    }

    private static int axis(OpCall call) {
        return call.attrs(OpAttrs.Axis.class).axis();
    }
}
