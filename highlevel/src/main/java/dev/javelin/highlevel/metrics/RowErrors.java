package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;

/** Per-example mean errors for the regression metrics. */
final class RowErrors {
    private RowErrors() {}

    /**
     * The mean of {@code (p - t)^2} (or {@code |p - t|}) over the last axis of the predictions; targets
     * of the same element count (e.g. {@code [batch]} against {@code [batch, 1]}) are accepted.
     */
    static Tensor rowMeans(String metric, Tensor yTrue, Tensor yPred, boolean squared) {
        HostArrays.sameSize(metric, yTrue, yPred, yTrue.size(), yPred.size());
        Tensor p = yPred.cast(DType.FLOAT32);
        Tensor d = p.sub(yTrue.cast(DType.FLOAT32).reshape(p.shape().toArray()));
        Tensor e = squared ? d.square() : d.abs();
        return p.rank() <= 1 ? e : e.mean(-1);
    }
}
