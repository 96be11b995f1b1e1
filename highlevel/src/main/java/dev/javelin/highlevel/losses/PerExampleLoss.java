package dev.javelin.highlevel.losses;

import dev.javelin.highlevel.layers.Masks;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.Tensor;

/**
 * The shared shape of the built-in losses: a per-example value (Keras's loss functions, e.g.
 * {@code keras.losses.mean_squared_error}), then the mean over the batch.
 *
 * <pre>{@code
 * class Cubic extends PerExampleLoss {
 *     Cubic() { super("cubic"); }
 *     protected Tensor perExample(Tensor t, Tensor p) { return MathOps.mean(p.sub(t).abs().pow(3), new int[] {-1}, false); }
 * }
 * }</pre>
 */
public abstract class PerExampleLoss implements Loss {
    private final String name;

    /** A loss named {@code name}. */
    protected PerExampleLoss(String name) {
        this.name = name;
    }

    /** One value per example (shape {@code yPred.shape()} without its last axis, as in Keras). */
    protected abstract Tensor perExample(Tensor yTrue, Tensor yPred);

    /**
     * The mean of the per-example values; when {@code yPred} carries a padding mask ({@link Masks},
     * e.g. from {@code Embedding(maskZero=true)} through an RNN with return sequences), the mean
     * over the real steps only, as Keras does.
     */
    @Override
    public Tensor call(Tensor yTrue, Tensor yPred) {
        Tensor values = perExample(yTrue, yPred);
        Tensor mask = maskOf(yPred, values);
        if (mask == null) return MathOps.mean(values);
        // Keras's apply_mask: sum over real steps divided by their count (+ epsilon, so all-padding gives 0)
        return values.mul(mask).sum().div(mask.sum().add(1e-7));
    }

    /**
     * The weighted mean of the per-example values (Keras's {@code sum_over_batch_size}), the weights one per
     * example or one per step of a sequence output ({@link WeightBroadcast}); with a padding
     * mask on {@code yPred}, over the real steps only, as Keras's {@code apply_mask} does:
     * {@code sum(loss * weight * mask) / count(mask)}.
     */
    @Override
    public Tensor call(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        if (sampleWeight == null) return call(yTrue, yPred);
        Tensor per = perExample(yTrue, yPred);
        Tensor w = WeightBroadcast.toShape(name, sampleWeight, per, per.dtype());
        Tensor mask = maskOf(yPred, per);
        if (mask == null) return per.mul(w).sum().div(Math.max(per.size(), 1));
        return per.mul(w).mul(mask).sum().div(mask.sum().add(1e-7));
    }

    /** The padding mask {@code yPred} carries, as 0/1 of the values' dtype, or null; it must match the per-step values. */
    private Tensor maskOf(Tensor yPred, Tensor values) {
        Tensor mask = Masks.of(yPred);
        if (mask == null) return null;
        if (!mask.shape().equals(values.shape())) {
            throw new IllegalArgumentException(name + ": the mask " + mask.dtype() + mask.shape() + " of predictions "
                    + yPred.dtype() + yPred.shape() + " does not match the per-step losses " + values.shape()
                    + " (expected a mask of the predictions' shape without the last axis)");
        }
        return mask.cast(values.dtype());
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Keras's {@code squeeze_or_expand_to_same_rank}: when the ranks differ by one, drops a trailing
     * axis of size 1 from the higher-rank tensor, else adds one to the lower. Also casts targets to
     * the predictions' floating dtype.
     */
    static Tensor[] aligned(String op, Tensor yTrue, Tensor yPred) {
        Tensor t = yTrue;
        Tensor p = yPred;
        if (!p.dtype().isFloating()) p = p.cast(DType.FLOAT32);
        if (t.rank() == p.rank() + 1) {
            t = t.dim(-1) == 1 ? t.squeeze(-1) : t;
            if (t.rank() != p.rank()) p = p.unsqueeze(-1);
        } else if (p.rank() == t.rank() + 1) {
            p = p.dim(-1) == 1 ? p.squeeze(-1) : p;
            if (p.rank() != t.rank()) t = t.unsqueeze(-1);
        }
        if (!t.shape().equals(p.shape()) && !t.shape().broadcastsTo(p.shape())) {
            throw new IllegalArgumentException(op + ": targets " + yTrue.dtype() + yTrue.shape() + " and predictions "
                    + yPred.dtype() + yPred.shape() + " have incompatible shapes (expected the same shape)");
        }
        if (t.dtype() != p.dtype()) t = t.cast(p.dtype());
        return new Tensor[] {t, p};
    }

    /** The mean over the last axis (a scalar stays a scalar). */
    static Tensor meanLastAxis(Tensor x) {
        return x.rank() == 0 ? x : MathOps.mean(x, new int[] {-1}, false);
    }
}
