package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;

/**
 * The mean absolute error over every example seen (each example's mean over its last axis, then the
 * mean over examples).
 *
 * <pre>{@code
 * Metric m = new MeanAbsoluteError();
 * }</pre>
 */
public final class MeanAbsoluteError extends MeanMetric {
    /** Named {@code mean_absolute_error}. */
    public MeanAbsoluteError() {
        this("mean_absolute_error");
    }

    /** Shown as {@code name} (Keras names a metric asked for as {@code "mae"} so). */
    public MeanAbsoluteError(String name) {
        super(name);
    }

    @Override
    protected Tensor values(Tensor yTrue, Tensor yPred) {
        return RowErrors.rowMeans(name(), yTrue, yPred, false);
    }
}
