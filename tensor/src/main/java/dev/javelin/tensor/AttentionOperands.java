package dev.javelin.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks behind {@link SequenceOps#attention} and {@link SequenceOps#attentionBackward}: q [B...,Tq,D],
 * k [B...,Tk,D] and v [B...,Tk,Dv] with one batch shape on one device, promoted to one floating
 * dtype, and an additive mask that broadcasts to the scores [B...,Tq,Tk]. Each error names the op
 * and the shapes.
 */
final class AttentionOperands {
    private AttentionOperands() {}

    /** The one floating dtype q, k and v are computed in, after checking their shapes and devices. */
    static DType dtype(Tensor q, Tensor k, Tensor v) {
        Ops.sameDevice(Op.ATTENTION, q, k);
        Ops.sameDevice(Op.ATTENTION, q, v);
        if (q.rank() < 2 || k.rank() != q.rank() || v.rank() != q.rank()
                || !k.shape().sub(0, k.rank() - 2).equals(q.shape().sub(0, q.rank() - 2))
                || !v.shape().sub(0, v.rank() - 2).equals(q.shape().sub(0, q.rank() - 2))
                || k.dim(-1) != q.dim(-1) || v.dim(-2) != k.dim(-2)) {
            throw new IllegalArgumentException("attention: expected q [B...,Tq,D], k [B...,Tk,D], v [B...,Tk,Dv] with one batch"
                    + " shape, got q " + q.shape() + ", k " + k.shape() + ", v " + v.shape());
        }
        DType dt = DType.promote(DType.promote(q.dtype(), k.dtype()), v.dtype());
        if (!dt.isFloating()) {
            throw new IllegalArgumentException("attention: expected floating q, k, v, got " + q.dtype() + ", " + k.dtype() + ", " + v.dtype());
        }
        return dt;
    }

    /** q, k, v cast to {@code dt}, then the mask cast and expanded to the scores' shape, if any. */
    static List<Tensor> inputs(Tensor q, Tensor k, Tensor v, Tensor mask, DType dt) {
        List<Tensor> in = new ArrayList<>(List.of(Ops.cast(q, dt), Ops.cast(k, dt), Ops.cast(v, dt)));
        if (mask != null) {
            Shape scores = Ops.concat(q.shape().sub(0, q.rank() - 2), q.dim(-2), k.dim(-2));
            if (!mask.dtype().isFloating() || !mask.shape().broadcastsTo(scores)) {
                throw new IllegalArgumentException("attention: the additive mask " + mask.dtype() + mask.shape()
                        + " must be floating and broadcast to the scores " + scores);
            }
            Ops.sameDevice(Op.ATTENTION, q, mask);
            in.add(Ops.expand(Ops.cast(mask, dt), scores));
        }
        return in;
    }
}
