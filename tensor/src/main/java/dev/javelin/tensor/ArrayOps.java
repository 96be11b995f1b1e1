package dev.javelin.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Array manipulation built only from {@link Ops} primitives: joining (concat, stack), splitting,
 * selecting by index, one-hot encoding, padding. Each gets its gradient from its primitives.
 *
 * <pre>{@code
 * Tensor a = Tensors.ones(2, 3), b = Tensors.zeros(2, 1);
 * Tensor c = ArrayOps.concat(List.of(a, b), 1);             // [2, 4]
 * List<Tensor> parts = ArrayOps.split(c, new int[] {3, 1}, 1);
 * Tensor h = ArrayOps.oneHot(Tensors.of(new int[] {0, 2}), 3);
 * }</pre>
 */
public final class ArrayOps {
    private ArrayOps() {}

    /**
     * Joins tensors along {@code axis}; all other dimensions must agree, dtypes promote. Parts are
     * padded with zeros and added (or or-ed, for bool) pairwise in a balanced tree, so the gradient of
     * each part is a slice.
     */
    public static Tensor concat(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) throw new IllegalArgumentException("concat: expected at least one tensor");
        Tensor first = parts.get(0);
        int a = Shape.normalizeAxis(axis, first.rank(), "concat");
        DType dt = first.dtype();
        long total = 0;
        for (Tensor t : parts) {
            if (t.rank() != first.rank()) {
                throw new IllegalArgumentException("concat: ranks differ: " + shapes(parts) + " along axis " + axis);
            }
            for (int d = 0; d < t.rank(); d++) {
                if (d != a && t.dim(d) != first.dim(d)) {
                    throw new IllegalArgumentException("concat: shapes " + shapes(parts) + " differ outside axis " + axis
                            + " (dimension " + d + ")");
                }
            }
            dt = DType.promote(dt, t.dtype());
            total += t.dim(a);
        }
        Shape.dimension("concat", total, "concatenating " + shapes(parts) + " along axis " + axis);
        return joined(parts, a, dt);
    }

    /**
     * Pads and adds as a balanced tree: each half is joined first, then the two halves. Every level
     * writes the whole result once, so n parts cost O(log n) passes, not the O(n) of padding each
     * part to the full size (what a recurrent layer's n time steps would pay, forward and backward).
     */
    private static Tensor joined(List<Tensor> parts, int a, DType dt) {
        if (parts.size() == 1) return parts.get(0).cast(dt);
        int half = parts.size() / 2;
        Tensor left = joined(parts.subList(0, half), a, dt);
        Tensor right = joined(parts.subList(half, parts.size()), a, dt);
        int rank = left.rank();
        int[] lowL = new int[rank], highL = new int[rank], lowR = new int[rank], highR = new int[rank];
        highL[a] = right.dim(a);
        lowR[a] = left.dim(a);
        Tensor l = Ops.pad(left, lowL, highL, new int[rank], 0);
        Tensor r = Ops.pad(right, lowR, highR, new int[rank], 0);
        return Ops.binary(dt == DType.BOOL ? Op.MAX : Op.ADD, l, r);
    }

    /** Joins tensors of one shape along a new axis {@code axis} (in the result's numbering). */
    public static Tensor stack(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) throw new IllegalArgumentException("stack: expected at least one tensor");
        Shape s = parts.get(0).shape();
        List<Tensor> lifted = new ArrayList<>();
        for (Tensor t : parts) {
            if (!t.shape().equals(s)) throw new IllegalArgumentException("stack: shapes differ: " + shapes(parts));
            lifted.add(t.unsqueeze(axis));
        }
        return concat(lifted, Shape.normalizeAxis(axis, s.rank() + 1, "stack"));
    }

    /** Splits along {@code axis} into pieces of the given sizes, which must add up to the axis' size. Views. */
    public static List<Tensor> split(Tensor x, int[] sizes, int axis) {
        int a = Shape.normalizeAxis(axis, x.rank(), "split");
        int sum = 0;
        for (int s : sizes) {
            if (s < 0) throw new IllegalArgumentException("split: negative size in " + Arrays.toString(sizes));
            sum += s;
        }
        if (sum != x.dim(a)) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum + ", but axis "
                    + axis + " of " + x.shape() + " has " + x.dim(a));
        }
        List<Tensor> out = new ArrayList<>();
        int start = 0;
        for (int s : sizes) {
            out.add(x.slice(a, start, start + s));
            start += s;
        }
        return out;
    }

    /** Splits along {@code axis} into {@code sections} equal pieces; the axis' size must divide evenly. */
    public static List<Tensor> split(Tensor x, int sections, int axis) {
        int a = Shape.normalizeAxis(axis, x.rank(), "split");
        if (sections < 1 || x.dim(a) % sections != 0) {
            throw new IllegalArgumentException("split: axis " + axis + " of " + x.shape() + " does not split into " + sections
                    + " equal sections");
        }
        int[] sizes = new int[sections];
        Arrays.fill(sizes, x.dim(a) / sections);
        return split(x, sizes, a);
    }

    /**
     * torch.index_select: the entries of {@code x} at the 1-D int32/int64 {@code index} along
     * {@code axis}; the result has {@code index.dim(0)} there. A GATHER with the index broadcast.
     */
    public static Tensor indexSelect(Tensor x, int axis, Tensor index) {
        if (index.rank() != 1 || !index.dtype().isInteger()) {
            throw new IllegalArgumentException("indexSelect: index must be a 1-D int32/int64 tensor, got " + index.dtype()
                    + index.shape());
        }
        int a = Shape.normalizeAxis(axis, x.rank(), "indexSelect");
        int[] lifted = new int[x.rank()];
        Arrays.fill(lifted, 1);
        lifted[a] = index.dim(0);
        Tensor idx = index.reshape(lifted).broadcastTo(x.shape().with(a, index.dim(0)));
        return IndexingOps.gather(x, a, idx);
    }

    /**
     * float32 one-hot encoding: a new last axis of size {@code depth} with 1 at each label's position.
     * As in TensorFlow, a label outside {@code [0, depth)} gives a row of zeros.
     */
    public static Tensor oneHot(Tensor labels, int depth) {
        if (!labels.dtype().isInteger()) {
            throw new IllegalArgumentException("oneHot: labels must be int32 or int64, got " + labels.dtype() + labels.shape());
        }
        if (depth < 0) throw new IllegalArgumentException("oneHot: depth must be >= 0, got " + depth);
        return labels.unsqueeze(-1).eq(Tensors.arange(depth)).cast(DType.FLOAT32);
    }

    /** Pads with {@code value}: {@code padding[d] = {before, after}} for every axis d (NumPy's pad_width). */
    public static Tensor pad(Tensor x, int[][] padding, double value) {
        if (padding.length != x.rank()) {
            throw new IllegalArgumentException("pad: expected " + x.rank() + " {before, after} pairs for " + x.shape() + ", got "
                    + padding.length);
        }
        int[] low = new int[x.rank()], high = new int[x.rank()];
        for (int d = 0; d < x.rank(); d++) {
            if (padding[d].length != 2) throw new IllegalArgumentException("pad: axis " + d + " needs {before, after}, got "
                    + Arrays.toString(padding[d]));
            low[d] = padding[d][0];
            high[d] = padding[d][1];
        }
        return Ops.pad(x, low, high, new int[x.rank()], value);
    }

    /** Repeats {@code x} {@code reps[d]} times along each axis (NumPy's tile for equal ranks): expand, then reshape. */
    public static Tensor tile(Tensor x, int... reps) {
        if (reps.length != x.rank()) {
            throw new IllegalArgumentException("tile: expected " + x.rank() + " repetitions for " + x.shape() + ", got "
                    + Arrays.toString(reps));
        }
        int r = x.rank();
        int[] lifted = new int[2 * r], expanded = new int[2 * r], out = new int[r];
        for (int d = 0; d < r; d++) {
            if (reps[d] < 0) throw new IllegalArgumentException("tile: negative repetition in " + Arrays.toString(reps));
            lifted[2 * d] = 1;
            lifted[2 * d + 1] = x.dim(d);
            expanded[2 * d] = reps[d];
            expanded[2 * d + 1] = x.dim(d);
            out[d] = reps[d] * x.dim(d);
        }
        return x.reshape(lifted).expand(expanded).reshape(out);
    }

    // ---- sorting -----------------------------------------------------------------------------

    /** The stable sort order along {@code axis} (int64); see {@link Op#ARGSORT} for NaN and ties. */
    public static Tensor argsort(Tensor x, int axis, boolean descending) {
        return IndexingOps.argsort(x, axis, descending);
    }

    /**
     * Sorts along {@code axis}, stably: the order from {@link Op#ARGSORT}, then a gather, so the values'
     * gradient flows back to the positions they came from.
     */
    public static Sorted sort(Tensor x, int axis, boolean descending) {
        Tensor idx = IndexingOps.argsort(x, axis, descending);
        return new Sorted(IndexingOps.gather(x, axis, idx), idx);
    }

    /**
     * The {@code k} largest (or smallest) entries along {@code axis}, in sorted order, with their
     * positions (PyTorch's topk, sorted=True; ties keep their input order, NaN counts as the largest).
     */
    public static Sorted topk(Tensor x, int k, int axis, boolean largest) {
        int a = Shape.normalizeAxis(axis, Math.max(x.rank(), 1), "topk");
        if (x.rank() == 0 || k < 0 || k > x.dim(a)) {
            throw new IllegalArgumentException("topk: k=" + k + " is out of range for axis " + axis + " of " + x.shape()
                    + " (expected 0 <= k <= " + (x.rank() == 0 ? 0 : x.dim(a)) + ")");
        }
        Tensor idx = IndexingOps.argsort(x, a, largest).slice(a, 0, k);
        return new Sorted(IndexingOps.gather(x, a, idx), idx);
    }

    // ---- triangles ---------------------------------------------------------------------------

    /** The lower triangle of the last two axes: entries with {@code col - row <= diagonal} kept, others 0 (torch.tril). */
    public static Tensor tril(Tensor x, int diagonal) {
        return triangle("tril", x, diagonal, true);
    }

    /** The upper triangle of the last two axes: entries with {@code col - row >= diagonal} kept, others 0 (torch.triu). */
    public static Tensor triu(Tensor x, int diagonal) {
        return triangle("triu", x, diagonal, false);
    }

    private static Tensor triangle(String op, Tensor x, int diagonal, boolean lower) {
        if (x.rank() < 2) throw new IllegalArgumentException(op + ": expected at least 2 dimensions, got " + x.shape());
        int rows = x.dim(-2), cols = x.dim(-1);
        Tensor offset = Tensors.arange(cols).reshape(1, cols).sub(Tensors.arange(rows).reshape(rows, 1));
        Tensor keep = (lower ? offset.le(Tensors.scalar(diagonal, offset.dtype())) : offset.ge(Tensors.scalar(diagonal, offset.dtype())))
                .to(x.device());
        return Ops.where(keep, x, Ops.cast(Ops.scalarLike(x, 0), x.dtype()));
    }

    private static String shapes(List<Tensor> parts) {
        return parts.stream().map(t -> t.shape().toString()).toList().toString();
    }
}
