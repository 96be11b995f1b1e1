package dev.javelin.tensor;

import java.util.List;

/**
 * The indexing primitives, beside {@link Ops}: {@link Op#GATHER}, {@link Op#SCATTER_ADD} and
 * {@link Op#ARGSORT}. Composites built on them (take, sort, top-k, one-hot) are in {@link ArrayOps}.
 *
 * <pre>{@code
 * Tensor picked = IndexingOps.gather(logits, -1, labels.unsqueeze(-1));    // torch.gather
 * Tensor order = IndexingOps.argsort(scores, -1, true);
 * }</pre>
 */
public final class IndexingOps {
    private IndexingOps() {}

    // ---- indexing ----------------------------------------------------------------------------

    /** torch.gather: {@code out[..i..] = x[..idx[..i..]..]} along {@code axis}; out has idx's shape. */
    public static Tensor gather(Tensor x, int axis, Tensor idx) {
        Ops.sameDevice(Op.GATHER, x, idx);
        int a = checkIndex("gather", x, axis, idx, idx.shape());
        return Ops.apply(Op.GATHER, List.of(x, idx), new OpAttrs.Axis(a), idx.shape(), x.dtype());
    }

    /** torch.scatter_add, out of place: {@code base} with {@code src} added at {@code idx} along {@code axis}. */
    public static Tensor scatterAdd(Tensor base, int axis, Tensor idx, Tensor src) {
        Ops.sameDevice(Op.SCATTER_ADD, base, idx);
        Ops.sameDevice(Op.SCATTER_ADD, base, src);
        if (!idx.shape().equals(src.shape())) {
            throw new IllegalArgumentException("scatter_add: index " + idx.shape() + " and src " + src.shape() + " must have one shape");
        }
        int a = checkIndex("scatter_add", base, axis, idx, src.shape());
        return Ops.apply(Op.SCATTER_ADD, List.of(base, idx, Ops.cast(src, base.dtype())), new OpAttrs.Axis(a), base.shape(), base.dtype());
    }

    /**
     * The stable sort order of {@code x} along {@code axis}: int64 indices such that gathering
     * {@code x} with them sorts it (see {@link Op#ARGSORT} for NaN and ties).
     */
    public static Tensor argsort(Tensor x, int axis, boolean descending) {
        if (x.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("argsort: expected a numeric tensor, got bool" + x.shape() + "; cast it first");
        }
        if (x.rank() == 0) throw new IllegalArgumentException("argsort: expected at least one axis, got a scalar");
        int a = Shape.normalizeAxis(axis, x.rank(), "argsort");
        return Ops.apply(Op.ARGSORT, List.of(x), new OpAttrs.Sort(a, descending), x.shape(), DType.INT64);
    }

    private static int checkIndex(String op, Tensor x, int axis, Tensor idx, Shape out) {
        if (!idx.dtype().isInteger()) {
            throw new IllegalArgumentException(op + ": index must be int32 or int64, got " + idx.dtype() + idx.shape());
        }
        if (idx.rank() != x.rank()) {
            throw new IllegalArgumentException(op + ": index " + idx.shape() + " must have the rank of " + x.shape());
        }
        int a = Shape.normalizeAxis(axis, x.rank(), op);
        for (int d = 0; d < x.rank(); d++) {
            if (d != a && out.dim(d) > x.dim(d)) {
                throw new IllegalArgumentException(op + ": index " + idx.shape() + " is larger than " + x.shape() + " in dimension " + d);
            }
        }
        return a;
    }
}
