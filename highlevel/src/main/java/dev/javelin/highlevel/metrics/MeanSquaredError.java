package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;

/**
 * The mean squared error over every example seen: each example's mean over its last axis, then the
 * mean over examples (equal to the mean over all elements when rows are the same length).
 *
 * <pre>{@code
 * Metric m = new MeanSquaredError();
 * }</pre>
 */
public final class MeanSquaredError extends MeanMetric {
    /** Named {@code mean_squared_error}. */
    public MeanSquaredError() {
        this("mean_squared_error");
    }

    /** Shown as {@code name} (Keras names a metric asked for as {@code "mse"} so). */
    public MeanSquaredError(String name) {
        super(name);
    }

    @Override
    protected Tensor values(Tensor yTrue, Tensor yPred) {
        return RowErrors.rowMeans(name(), yTrue, yPred, true);
    }
}
