package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;

/**
 * The fraction of examples whose highest-scoring class (first maximum on ties) equals the integer
 * label: labels {@code [batch]} or {@code [batch, 1]}, scores {@code [batch, classes]}.
 *
 * <pre>{@code
 * Metric m = new SparseCategoricalAccuracy();
 * m.updateState(Tensors.of(new long[] {2, 0}), Tensors.of(new float[][] {{0.1f, 0.2f, 0.7f}, {0.5f, 0.4f, 0.1f}}));  // 1.0
 * }</pre>
 */
public final class SparseCategoricalAccuracy extends MeanMetric {
    /** Named {@code sparse_categorical_accuracy}. */
    public SparseCategoricalAccuracy() {
        this("sparse_categorical_accuracy");
    }

    /** Under another name (e.g. {@code accuracy}). */
    public SparseCategoricalAccuracy(String name) {
        super(name);
    }

    @Override
    protected Tensor values(Tensor yTrue, Tensor yPred) {
        Tensor predicted = yPred.rank() == 0 ? yPred : yPred.argmax(-1);
        if (yTrue.size() != predicted.size()) {
            throw new IllegalArgumentException(name() + ": labels " + yTrue.shape() + " and scores " + yPred.shape()
                    + ": expected labels [batch] or [batch, 1] and scores [batch, classes]");
        }
        return yTrue.cast(DType.FLOAT32).reshape(predicted.shape().toArray()).eq(predicted.cast(DType.FLOAT32));
    }
}
