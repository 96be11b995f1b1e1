package dev.javelin.tensor;

/**
 * {@code softmax(q·kᵀ·scale + mask)·v} two ways: {@link #fused} through the {@link Op#ATTENTION}
 * primitive (a backend runs it as a tiled kernel that never stores the Tq×Tk scores), and
 * {@link #composed} from matmul, softmax and matmul: the reference the fused path is tested against,
 * and the path for callers that need the attention weights or dropout on them. Both treat a query row
 * whose every key is masked the same way: its output is zeros (not the NaN of a softmax over -inf).
 * The public entry points are on {@link NN}.
 */
final class ScaledDotProductAttention {
    private ScaledDotProductAttention() {}

    /** The checked arguments of one call: the scale resolved, the mask made additive. */
    record Args(Tensor q, Tensor k, Tensor v, Tensor bias, OpAttrs.Attention attrs) {}

    static Tensor fused(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        Args a = check("scaledDotProductAttention", q, k, v, mask, causal, scale);
        // with a heads axis the results are time-major: the caller's head merge of the output, and the
        // gradients' merges for the projections, are then views instead of copies
        OpAttrs.Attention attrs = new OpAttrs.Attention(a.attrs.scale(), causal, a.q.rank() >= 3);
        Tensor packed = SequenceOps.attention(a.q, a.k, a.v, a.bias, attrs);
        return AttentionLayout.of(a.q.shape(), a.k.shape(), a.v.shape(), attrs.timeMajor()).output(packed);
    }

    static Tensor composed(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        Args a = check("scaledDotProductAttentionComposed", q, k, v, mask, causal, scale);
        return weights(a).matmul(a.v);
    }

    /** The attention weights {@code softmax(q·kᵀ·scale + mask)} [B...,Tq,Tk]; fully masked rows are zero. */
    static Tensor weights(Tensor q, Tensor k, Tensor mask, boolean causal, double scale) {
        return weights(check("attentionWeights", q, k, k, mask, causal, scale));
    }

    private static Tensor weights(Args a) {
        Tensor s = a.q.matmul(a.k.mT()).mul(a.attrs.scale());
        if (a.bias != null) s = s.add(a.bias);
        if (a.attrs.causal()) s = s.add(causalBias(a.q.dim(-2), a.k.dim(-2), s.dtype(), s.device()));
        int[] last = {-1};
        Tensor m = s.max(last, true);
        Tensor zero = Ops.scalarLike(m, 0.0);
        m = Ops.where(m.eq(Double.NEGATIVE_INFINITY), zero, m); // a fully masked row: exp(-inf - 0) = 0, not NaN
        Tensor e = s.sub(m).exp();
        Tensor l = e.sum(last, true);
        return e.div(Ops.where(l.eq(0.0), Ops.scalarLike(l, 1.0), l));
    }

    /** 0 where key j may be seen by query i (j <= i), -inf above the diagonal. */
    private static Tensor causalBias(int tq, int tk, DType dtype, Device device) {
        double[] b = new double[tq * tk];
        for (int i = 0; i < tq; i++) {
            for (int j = i + 1; j < tk; j++) b[i * tk + j] = Double.NEGATIVE_INFINITY;
        }
        return Tensors.of(b, tq, tk).cast(dtype).to(device);
    }

    /**
     * Checks shapes and dtypes (naming {@code op}, the shapes and what was expected), resolves a NaN
     * scale to {@code 1/sqrt(D)}, and turns a bool mask (true = may attend, as PyTorch's) into an
     * additive one (0 or -inf).
     */
    static Args check(String op, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        if (q.rank() < 2 || k.rank() != q.rank() || v.rank() != q.rank()) {
            throw new IllegalArgumentException(op + ": expected q [B...,Tq,D], k [B...,Tk,D], v [B...,Tk,Dv] of one rank >= 2, got q "
                    + q.shape() + ", k " + k.shape() + ", v " + v.shape());
        }
        Shape batch = q.shape().sub(0, q.rank() - 2);
        if (!k.shape().sub(0, k.rank() - 2).equals(batch) || !v.shape().sub(0, v.rank() - 2).equals(batch)) {
            throw new IllegalArgumentException(op + ": q " + q.shape() + ", k " + k.shape() + " and v " + v.shape()
                    + " must share the batch dimensions " + batch);
        }
        if (k.dim(-1) != q.dim(-1)) {
            throw new IllegalArgumentException(op + ": q " + q.shape() + " and k " + k.shape() + " must have one head size D (last axis)");
        }
        if (v.dim(-2) != k.dim(-2)) {
            throw new IllegalArgumentException(op + ": k " + k.shape() + " and v " + v.shape() + " must have one key count Tk (axis -2)");
        }
        DType dt = DType.promote(DType.promote(q.dtype(), k.dtype()), v.dtype());
        if (!dt.isFloating()) {
            throw new IllegalArgumentException(op + ": expected floating q, k, v, got " + q.dtype() + q.shape() + ", " + k.dtype()
                    + k.shape() + ", " + v.dtype() + v.shape());
        }
        double s = Double.isNaN(scale) ? 1 / Math.sqrt(Math.max(1, q.dim(-1))) : scale;
        if (Double.isInfinite(s)) throw new IllegalArgumentException(op + ": scale must be finite, got " + scale);
        Tensor bias = null;
        if (mask != null) {
            int[] scores = batch.toArray();
            scores = java.util.Arrays.copyOf(scores, scores.length + 2);
            scores[scores.length - 2] = q.dim(-2);
            scores[scores.length - 1] = k.dim(-2);
            Shape target = Shape.of(scores);
            if (!mask.shape().broadcastsTo(target)) {
                throw new IllegalArgumentException(op + ": mask " + mask.dtype() + mask.shape() + " does not broadcast to the scores "
                        + target + " (expected [..., Tq, Tk] = [..., " + q.dim(-2) + ", " + k.dim(-2) + "] for q " + q.shape()
                        + " and k " + k.shape() + ")");
            }
            bias = mask.dtype() == DType.BOOL
                    ? Ops.where(mask, Ops.scalarLike(q.cast(dt), 0.0), Ops.scalarLike(q.cast(dt), Double.NEGATIVE_INFINITY))
                    : mask.cast(mask.dtype().isFloating() ? mask.dtype() : dt);
        }
        return new Args(q.cast(dt), k.cast(dt), v.cast(dt), bias, new OpAttrs.Attention(s, causal));
    }
}
