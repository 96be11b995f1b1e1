package dev.javelin.onnx;

import static dev.javelin.onnx.ElementwiseOperators.one;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.IndexingOps;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Arrays;
import java.util.Map;

/**
 * Operators that pick or place elements by position: Gather, GatherElements, Slice (negative steps
 * included), Pad (constant, reflect, edge), Trilu, CumSum, ScatterND, ScatterElements, TopK, OneHot. Slices are views; picks by index
 * tensors are Javelin's gather, placements its scatter-add.
 */
final class IndexingOperators {
    private IndexingOperators() {}

    static void register(Map<String, OnnxOperator> t) {
        t.put("Gather", IndexingOperators::gather);
        t.put("GatherElements", ctx -> {
            Tensor x = ctx.input(0);
            int axis = ctx.axis(ctx.attrInt("axis", 0), x.rank(), "axis");
            return one(IndexingOps.gather(x, axis, wrapNegative(ctx, ctx.input(1), x.dim(axis))));
        });
        t.put("Slice", IndexingOperators::slice);
        t.put("ScatterND", IndexingOperators::scatterND);
        t.put("Pad", IndexingOperators::pad);
        t.put("Trilu", ctx -> {
            Tensor x = ctx.input(0);
            long k = ctx.has(1) ? (long) ctx.scalar(1, "k") : 0;
            int diagonal = (int) Math.clamp(k, -(long) Integer.MAX_VALUE / 2, Integer.MAX_VALUE / 2);
            if (x.rank() < 2) throw ctx.error("expects at least 2 dimensions, got " + x.shape());
            return one(ctx.attrInt("upper", 1) != 0 ? ArrayOps.triu(x, diagonal) : ArrayOps.tril(x, diagonal));
        });
        t.put("TopK", IndexingOperators::topK);
        t.put("ScatterElements", IndexingOperators::scatterElements);
        t.put("OneHot", IndexingOperators::oneHot);
        t.put("CumSum", ctx -> {
            Tensor x = ctx.input(0);
            int axis = ctx.axis((long) ctx.scalar(1, "axis"), x.rank(), "axis");
            boolean reverse = ctx.attrInt("reverse", 0) != 0, exclusive = ctx.attrInt("exclusive", 0) != 0;
            Tensor in = reverse ? flip(x, axis) : x;
            Tensor sum = MathOps.cumsum(in, axis).cast(x.dtype());
            if (exclusive) sum = sum.sub(in);
            return one(reverse ? flip(sum, axis) : sum);
        });
    }

    /**
     * The K largest (or smallest) values along an axis and their int64 positions, sorted (an unsorted result
     * may be in any order, so sorted is one); ties keep the lower index first, as ONNX specifies.
     */
    private static Tensor[] topK(NodeContext ctx) {
        Tensor x = ctx.input(0);
        int axis = ctx.axis(ctx.attrInt("axis", -1), x.rank(), "axis");
        double k = ctx.scalar(1, "K");
        if (!(k >= 0 && k <= x.dim(axis))) throw ctx.error("K = " + k + " is out of range for axis " + axis + " of " + x.shape()
                + " (expected 0 <= K <= " + x.dim(axis) + ")");
        dev.javelin.tensor.Sorted top = ArrayOps.topk(x, (int) k, axis, ctx.attrInt("largest", 1) != 0);
        return new Tensor[] {top.values(), top.indices()};
    }

    /**
     * torch.scatter / scatter_add as exported: {@code updates} placed (reduction none) or added (add) into
     * {@code data} at {@code indices} along {@code axis}, negative indices from the end. A placement is the
     * scatter-add of the updates where a scatter-add of ones marks a position, the data elsewhere.
     */
    private static Tensor[] scatterElements(NodeContext ctx) {
        Tensor data = ctx.input(0), indices = ctx.input(1), updates = ctx.input(2);
        String reduction = ctx.attrString("reduction", "none");
        if (!reduction.equals("none") && !reduction.equals("add")) throw ctx.error("reduction \"" + reduction + "\" is not supported (none, add)");
        int axis = ctx.axis(ctx.attrInt("axis", 0), data.rank(), "axis");
        if (indices.rank() != data.rank() || !indices.shape().equals(updates.shape())) {
            throw ctx.error("indices " + indices.shape() + " and updates " + updates.shape() + " must have one shape, of data's rank "
                    + data.rank() + " (data " + data.shape() + ")");
        }
        Tensor idx = wrapNegative(ctx, indices, data.dim(axis));
        try {
            if (reduction.equals("add")) return one(IndexingOps.scatterAdd(data, axis, idx, updates.cast(data.dtype())));
            Tensor zeros = Ops.expand(Ops.scalarLike(data, 0), data.shape());
            Tensor placed = IndexingOps.scatterAdd(zeros, axis, idx, updates.cast(data.dtype()));
            Tensor marked = IndexingOps.scatterAdd(zeros, axis, idx, Ops.expand(Ops.scalarLike(data, 1), updates.shape())).gt(0.0);
            return one(Ops.where(marked, placed, data));
        } catch (IllegalArgumentException e) {
            throw ctx.error(e.getMessage());
        }
    }

    /**
     * F.one_hot as exported: a new axis of size depth at {@code axis} holding values[1] at each index and
     * values[0] elsewhere; a negative index counts from the end, one outside [-depth, depth) gives a row of
     * values[0], as ONNX specifies.
     */
    private static Tensor[] oneHot(NodeContext ctx) {
        Tensor indices = ctx.input(0), values = ctx.input(2);
        double depthValue = ctx.scalar(1, "depth");
        if (!(depthValue >= 0 && depthValue <= Integer.MAX_VALUE - 8)) throw ctx.error("depth " + depthValue + " is not a size");
        int depth = (int) depthValue;
        if (values.size() != 2) throw ctx.error("values must hold [off, on], got shape " + values.shape());
        int axis = ctx.axis(ctx.attrInt("axis", -1), indices.rank() + 1, "axis");
        if ((double) depth * Math.max(indices.size(), 1) > NodeContext.MAX_GENERATED_ELEMENTS) { // a hostile depth: refused before anything of its size is made
            throw ctx.error("depth " + depth + " over indices " + indices.shape() + " would generate more than " + NodeContext.MAX_GENERATED_ELEMENTS + " elements");
        }
        Tensor idx = indices.dtype().isInteger() ? indices.cast(DType.INT64) : indices.cast(DType.FLOAT64).floor().cast(DType.INT64);
        idx = Ops.where(idx.lt(0.0), idx.add((double) depth), idx).unsqueeze(axis);
        int[] along = new int[indices.rank() + 1];
        Arrays.fill(along, 1);
        along[axis] = depth;
        Tensor hit = idx.eq(Tensors.arange(depth).reshape(along));
        Tensor flat = values.reshape(2);
        return one(Ops.where(hit, flat.slice(0, 1, 2).reshape(), flat.slice(0, 0, 1).reshape()));
    }

    /** An index tensor with negative entries counted from the end of an axis of size {@code n}. */
    private static Tensor wrapNegative(NodeContext ctx, Tensor idx, int n) {
        if (!idx.dtype().isInteger()) throw ctx.error("indices must be int32 or int64, got " + idx.dtype());
        if (!idx.isSymbolic()) {
            long[] v = idx.toLongArray();
            boolean negative = false;
            for (int i = 0; i < v.length; i++) {
                if (v[i] < -n || v[i] >= n) throw ctx.error("index " + v[i] + " is out of range for a dimension of " + n);
                if (v[i] < 0) {
                    v[i] += n;
                    negative = true;
                }
            }
            return negative ? Tensors.of(v, idx.shape().toArray()).cast(idx.dtype()) : idx;
        }
        return Ops.where(idx.lt(0.0), idx.add((double) n), idx);
    }

    private static Tensor[] gather(NodeContext ctx) {
        Tensor x = ctx.input(0);
        int axis = ctx.axis(ctx.attrInt("axis", 0), x.rank(), "axis");
        Tensor idx = wrapNegative(ctx, ctx.input(1), x.dim(axis));
        int[] out = new int[x.rank() - 1 + idx.rank()];
        int k = 0;
        for (int i = 0; i < axis; i++) out[k++] = x.dim(i);
        for (int i = 0; i < idx.rank(); i++) out[k++] = idx.dim(i);
        for (int i = axis + 1; i < x.rank(); i++) out[k++] = x.dim(i);
        if (idx.rank() == 0 && !idx.isSymbolic()) { // a scalar index: a slice of one element, then drop the axis (a view)
            int at = (int) idx.toLongArray()[0];
            return one(x.slice(axis, at, at + 1).reshape(out));
        }
        return one(ArrayOps.indexSelect(x, axis, idx.reshape((int) idx.size())).reshape(out));
    }

    /** Positions {@code n-1, ..., 0} along {@code axis}. */
    private static Tensor flip(Tensor x, int axis) {
        int n = x.dim(axis);
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) idx[i] = n - 1 - i;
        return ArrayOps.indexSelect(x, axis, Tensors.of(idx));
    }

    private static Tensor[] slice(NodeContext ctx) {
        Tensor x = ctx.input(0);
        long[] starts = ctx.ints(1, "starts"), ends = ctx.ints(2, "ends");
        long[] axes = ctx.has(3) ? ctx.ints(3, "axes") : null;
        long[] steps = ctx.has(4) ? ctx.ints(4, "steps") : null;
        int n = starts.length;
        if (ends.length != n || axes != null && axes.length != n || steps != null && steps.length != n) {
            throw ctx.error("starts, ends, axes and steps must have one length, got " + Arrays.toString(starts) + ", " + Arrays.toString(ends)
                    + ", " + Arrays.toString(axes) + ", " + Arrays.toString(steps));
        }
        int[] a = axes == null ? null : ctx.axes(axes, x.rank(), "axes");
        Tensor y = x;
        for (int i = 0; i < n; i++) {
            int axis = a == null ? i : a[i];
            if (axis >= x.rank()) throw ctx.error("starts " + Arrays.toString(starts) + " are longer than the rank of " + x.shape());
            long step = steps == null ? 1 : steps[i];
            if (step == 0) throw ctx.error("step must not be 0");
            long dim = x.dim(axis);
            long s = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (step > 0) {
                s = Math.clamp(s, 0, dim);
                e = Math.clamp(e, 0, dim);
                int st = (int) Math.min(step, Integer.MAX_VALUE);
                y = y.slice(axis, (int) s, (int) Math.max(e, s), st);
            } else {
                s = Math.clamp(s, -1, dim - 1);
                e = Math.clamp(e, -1, dim - 1);
                long count = s > e ? (s - e + (-step) - 1) / (-step) : 0;
                long[] idx = new long[(int) count];
                for (int j = 0; j < count; j++) idx[j] = s + j * step;
                y = ArrayOps.indexSelect(y, axis, Tensors.of(idx));
            }
        }
        return one(y);
    }

    private static Tensor[] pad(NodeContext ctx) {
        Tensor x = ctx.input(0);
        long[] pads = ctx.ints(1, "pads");
        String mode = ctx.attrString("mode", "constant");
        int rank = x.rank();
        int[] axes;
        if (ctx.has(3)) {
            axes = ctx.axes(ctx.ints(3, "axes"), rank, "axes");
        } else {
            axes = new int[rank];
            for (int i = 0; i < rank; i++) axes[i] = i;
        }
        if (pads.length != 2 * axes.length) throw ctx.error("pads " + Arrays.toString(pads) + " must hold 2 values per padded axis (" + axes.length + ")");
        double value = ctx.has(2) ? ctx.scalar(2, "constant_value") : 0;
        Tensor y = x;
        int[] low = new int[rank], high = new int[rank];
        for (int i = 0; i < axes.length; i++) {
            int axis = axes[i];
            long before = pads[i], after = pads[i + axes.length];
            // Negative pads crop.
            int dim = y.dim(axis);
            long from = Math.max(0, -before), to = dim - Math.max(0, -after);
            if (from > to) throw ctx.error("pads " + Arrays.toString(pads) + " crop more than axis " + axis + " of " + x.shape() + " holds");
            if (from > 0 || to < dim) y = y.slice(axis, (int) from, (int) to);
            low[axis] = ctx.dim(Math.max(0, before), "pad");
            high[axis] = ctx.dim(Math.max(0, after), "pad");
        }
        long total = 1;
        for (int d = 0; d < rank; d++) total *= (long) y.dim(d) + low[d] + high[d];
        if (total > NodeContext.MAX_GENERATED_ELEMENTS * 4L) throw ctx.error("padding " + x.shape() + " by " + Arrays.toString(pads) + " is too large");
        switch (mode) {
            case "constant" -> {
                if (!y.dtype().isFloating() && value != Math.rint(value)) throw ctx.error("constant_value " + value + " does not fit " + y.dtype());
                return one(Ops.pad(y, low, high, new int[rank], value));
            }
            case "reflect", "edge" -> {
                for (int d = 0; d < rank; d++) {
                    if (low[d] == 0 && high[d] == 0) continue;
                    y = ArrayOps.indexSelect(y, d, Tensors.of(padIndex(ctx, y.dim(d), low[d], high[d], mode.equals("reflect"))));
                }
                return one(y);
            }
            default -> throw ctx.error("mode \"" + mode + "\" is not supported (constant, reflect, edge)");
        }
    }

    /** Source positions of a reflect- or edge-padded axis. */
    private static long[] padIndex(NodeContext ctx, int n, int low, int high, boolean reflect) {
        if (n == 0) throw ctx.error("cannot pad an empty axis in reflect or edge mode");
        if (reflect && (low >= n || high >= n)) throw ctx.error("reflect padding of " + low + "/" + high + " needs an axis longer than that, got " + n);
        long[] idx = new long[low + n + high];
        for (int i = 0; i < idx.length; i++) {
            long p = i - low;
            if (p < 0) p = reflect ? -p : 0;
            else if (p >= n) p = reflect ? 2L * (n - 1) - p : n - 1;
            idx[i] = p;
        }
        return idx;
    }

    /**
     * ScatterND ({@code torch.onnx.export} writes an in-place slice assignment, {@code x[..., i] = v}, as
     * it): {@code data} with the slices at {@code indices[..., :k]} replaced by {@code updates}
     * (reduction none) or increased by them (add). The first k axes are flattened into rows, so it is
     * a scatter-add of the update rows and a second one of ones that marks the rows written. Duplicate
     * indices are undefined in ONNX with none; here their updates add up.
     */
    private static Tensor[] scatterND(NodeContext ctx) {
        Tensor data = ctx.input(0), indices = ctx.input(1), updates = ctx.input(2);
        String reduction = ctx.attrString("reduction", "none");
        if (!reduction.equals("none") && !reduction.equals("add")) {
            throw ctx.error("reduction \"" + reduction + "\" is not supported (none, add)");
        }
        if (!indices.dtype().isInteger()) throw ctx.error("indices must be int32 or int64, got " + indices.dtype());
        if (indices.rank() < 1 || indices.dim(-1) > data.rank()) {
            throw ctx.error("indices " + indices.shape() + " must end in an axis of at most data's rank " + data.rank() + " (data " + data.shape() + ")");
        }
        int k = indices.dim(-1);
        int[] expected = new int[indices.rank() - 1 + data.rank() - k];
        int e = 0;
        long m = 1, rows = 1, cols = 1;
        for (int i = 0; i < indices.rank() - 1; i++) m *= expected[e++] = indices.dim(i);
        for (int i = 0; i < k; i++) rows *= data.dim(i);
        for (int i = k; i < data.rank(); i++) cols *= expected[e++] = data.dim(i);
        if (!Arrays.equals(expected, updates.shape().toArray())) {
            throw ctx.error("updates " + updates.shape() + " must have shape " + Arrays.toString(expected) + " for indices "
                    + indices.shape() + " into data " + data.shape());
        }
        int mi = ctx.dim(m, "index count"), r = ctx.dim(rows, "rows"), c = ctx.dim(cols, "row length");
        Tensor idx = indices.cast(DType.INT64).reshape(mi, k);
        Tensor row = Ops.expand(Ops.scalarLike(idx, 0), Shape.of(mi, 1));
        for (int j = 0; j < k; j++) {
            Tensor col = wrapNegative(ctx, idx.slice(1, j, j + 1), data.dim(j));
            // a column out of its range (only indices computed in the graph get here) makes the row -1, which the scatter
            // refuses, instead of a row of the flattened data that the index does not name
            Tensor outside = MathOps.logicalOr(MathOps.logicalOr(col.lt(0.0), col.gt(data.dim(j) - 1.0)), row.lt(0.0));
            row = Ops.where(outside, Ops.scalarLike(row, -1), row.mul((double) data.dim(j)).add(col));
        }
        Tensor target = Ops.expand(row, Shape.of(mi, c)).contiguous();
        Tensor flat = data.reshape(r, c);
        Tensor zeros = Ops.expand(Ops.scalarLike(flat, 0), flat.shape()).contiguous();
        Tensor added = IndexingOps.scatterAdd(zeros, 0, target, updates.reshape(mi, c));
        if (reduction.equals("add")) return one(flat.add(added).reshape(data.shape().toArray()));
        Tensor written = IndexingOps.scatterAdd(zeros, 0, target, Ops.expand(Ops.scalarLike(flat, 1), Shape.of(mi, c)).contiguous()).gt(0.0);
        return one(Ops.where(written, added, flat).reshape(data.shape().toArray()));
    }
}
