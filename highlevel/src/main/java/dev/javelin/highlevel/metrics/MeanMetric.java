package dev.javelin.highlevel.metrics;

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

    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        Tensor v = values(yTrue, yPred).cast(DType.FLOAT32);
        if (sampleWeight == null) {
            accumulate(total, v.sum());
            accumulate(count, Tensors.scalar(v.size()));
        } else {
            Tensor w = SampleWeights.broadcast(name(), sampleWeight, v);
            accumulate(total, v.mul(w).sum());
            accumulate(count, w.sum());
        }
    }

    @Override
    public double result() {
        double c = read(count);
        return c == 0 ? 0 : read(total) / c;
    }
}
