package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;

/**
 * A metric that averages a per-example value over every example seen (Keras's
 * {@code MeanMetricWrapper}): a subclass only says how to score one batch.
 *
 * <pre>{@code
 * class Within10Percent extends MeanMetric {
 *     Within10Percent() { super("within_10pct"); }
 *     protected double[] values(Tensor t, Tensor p) { ... one value per example ... }
 * }
 * }</pre>
 */
public abstract class MeanMetric extends Metric {
    private double total;
    private long count;

    /** A metric shown as {@code name}. */
    protected MeanMetric(String name) {
        super(name);
    }

    /** One value per example of the batch. */
    protected abstract double[] values(Tensor yTrue, Tensor yPred);

    @Override
    public void updateState(Tensor yTrue, Tensor yPred) {
        double[] v = values(yTrue, yPred);
        double s = 0;
        for (double x : v) s += x;
        total += s;
        count += v.length;
    }

    @Override
    public double result() {
        return count == 0 ? 0 : total / count;
    }

    @Override
    public void reset() {
        total = 0;
        count = 0;
    }
}
