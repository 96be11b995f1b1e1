package dev.javelin.onnx;

import static dev.javelin.onnx.ElementwiseOperators.one;

import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Reductions: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2,
 * ReduceSumSquare, ReduceLogSumExp, ArgMax, ArgMin. The axes come from the second input (ReduceSum
 * from opset 13, all of them from opset 18) or from the {@code axes} attribute (the others before
 * 18); either form is read, whichever the node uses. {@code keepdims} defaults to 1; with no axes
 * every axis is reduced, unless {@code noop_with_empty_axes} makes the node an identity.
 */
final class ReduceOperators {
    private ReduceOperators() {}

    /** One reduction given the normalized axes and keepdims. */
    private interface Reduction {
        Tensor apply(Tensor x, int[] axes, boolean keep);
    }

    static void register(Map<String, OnnxOperator> t) {
        reduce(t, "ReduceSum", (x, a, k) -> Ops.reduce(Op.REDUCE_SUM, x, a, k));
        reduce(t, "ReduceMean", MathOps::mean);
        reduce(t, "ReduceMax", (x, a, k) -> Ops.reduce(Op.REDUCE_MAX, x, a, k));
        reduce(t, "ReduceMin", (x, a, k) -> Ops.reduce(Op.REDUCE_MIN, x, a, k));
        reduce(t, "ReduceProd", MathOps::prod);
        reduce(t, "ReduceL1", (x, a, k) -> Ops.reduce(Op.REDUCE_SUM, x.abs(), a, k));
        reduce(t, "ReduceL2", (x, a, k) -> Ops.reduce(Op.REDUCE_SUM, x.mul(x), a, k).sqrt());
        reduce(t, "ReduceSumSquare", (x, a, k) -> Ops.reduce(Op.REDUCE_SUM, x.mul(x), a, k));
        reduce(t, "ReduceLogSumExp", MathOps::logsumexp);
        arg(t, "ArgMax", Op.ARGMAX);
        arg(t, "ArgMin", Op.ARGMIN);
    }

    private static void reduce(Map<String, OnnxOperator> t, String name, Reduction r) {
        t.put(name, ctx -> {
            Tensor x = ctx.input(0);
            boolean keep = ctx.attrInt("keepdims", 1) != 0;
            long[] axes = ShapeOperators.axesOf(ctx, 1);
            int[] a;
            if (axes == null || axes.length == 0) {
                if (ctx.attrInt("noop_with_empty_axes", 0) != 0) return one(x);
                a = new int[x.rank()];
                for (int i = 0; i < a.length; i++) a[i] = i;
            } else {
                a = ctx.axes(axes, x.rank(), "axes");
            }
            if (a.length == 0) return one(x); // a scalar reduced over all (no) axes
            return one(r.apply(x, a, keep));
        });
    }

    private static void arg(Map<String, OnnxOperator> t, String name, Op op) {
        t.put(name, ctx -> {
            Tensor x = ctx.input(0);
            int axis = ctx.axis(ctx.attrInt("axis", 0), x.rank(), "axis");
            boolean keep = ctx.attrInt("keepdims", 1) != 0;
            if (ctx.attrInt("select_last_index", 0) != 0) {
                // The last extreme is the first one of the reversed axis, counted back from the end.
                int n = x.dim(axis);
                long[] idx = new long[n];
                for (int i = 0; i < n; i++) idx[i] = n - 1 - i;
                Tensor reversed = dev.javelin.tensor.ArrayOps.indexSelect(x, axis, dev.javelin.tensor.Tensors.of(idx));
                Tensor first = Ops.reduce(op, reversed, new int[] {axis}, keep);
                return one(first.neg().add((double) (n - 1)));
            }
            return one(Ops.reduce(op, x, new int[] {axis}, keep));
        });
    }
}
