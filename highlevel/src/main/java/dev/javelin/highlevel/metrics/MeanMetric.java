package dev.javelin.highlevel.metrics;

import dev.javelin.highlevel.layers.Masks;
import dev.javelin.highlevel.losses.WeightBroadcast;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;

/**
 * A metric that averages a per-example value over every example seen (Keras's
 * {@code MeanMetricWrapper}): a subclass only says how to score one batch, with tensor ops, so the
 * metric runs inside a compiled step.
 *
 * <pre>{@code
 * class Within10Percent extends MeanMetric {
 *     Within10Percent() { super("within_10pct"); }
 *     protected Tensor values(Tensor t, Tensor p) { return p.sub(t).abs().le(t.abs().mul(0.1)); }
 * }
 * }</pre>
 */
public abstract class MeanMetric extends Metric {
    private final Variable total = addState("total");
    private final Variable count = addState("count");

    /** A metric shown as {@code name}. */
    protected MeanMetric(String name) {
        super(name);
    }

    /** The score of each example (any dtype; batch first; further axes are averaged too). */
    protected abstract Tensor values(Tensor yTrue, Tensor yPred);

    @Override
    public void updateState(Tensor yTrue, Tensor yPred) {
        updateState(yTrue, yPred, null);
    }

    /**
     * Adds one batch; when {@code yPred} carries a padding mask ({@link Masks}, e.g. from
     * {@code Embedding(maskZero=true)} through a recurrent layer with return sequences), the padded
     * steps weigh 0, as in Keras's {@code MeanMetricWrapper}: the metric is over real steps only.
     */
    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        Tensor v = values(yTrue, yPred).cast(DType.FLOAT32);
        Tensor w = sampleWeight == null ? null : WeightBroadcast.toShape(name(), sampleWeight, v, DType.FLOAT32);
        Tensor mask = paddingMask(yPred, v);
        if (mask != null) w = w == null ? mask : w.mul(mask);
        if (w == null) {
            accumulate(total, v.sum());
            accumulate(count, Tensors.scalar(v.size()));
        } else {
            accumulate(total, v.mul(w).sum());
            accumulate(count, w.sum());
        }
    }

    /** The mask {@code yPred} carries, as float32 0/1 of the values' shape, or null. */
    private Tensor paddingMask(Tensor yPred, Tensor v) {
        Tensor mask = Masks.of(yPred);
        if (mask == null) return null;
        int r = mask.rank();
        boolean prefix = r <= v.rank();
        for (int i = 0; prefix && i < r; i++) prefix = mask.dim(i) == v.dim(i);
        if (!prefix) {
            throw new IllegalArgumentException(name() + ": the mask " + mask.dtype() + mask.shape() + " of predictions "
                    + yPred.dtype() + yPred.shape() + " does not fit the metric's values " + v.shape()
                    + " (expected a mask over their leading axes)");
        }
        int[] dims = v.shape().toArray();
        for (int i = r; i < dims.length; i++) dims[i] = 1;
        return mask.cast(DType.FLOAT32).reshape(dims).broadcastTo(v.shape());
    }

    @Override
    public double result() {
        double c = read(count);
        return c == 0 ? 0 : read(total) / c;
    }
}
