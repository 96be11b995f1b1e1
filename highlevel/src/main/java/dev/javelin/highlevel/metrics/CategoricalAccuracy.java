package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;

/**
 * The fraction of examples whose highest-scoring class is the one-hot target's class (first maximum
 * on ties, like argmax).
 *
 * <pre>{@code
 * Metric m = new CategoricalAccuracy();
 * m.updateState(oneHotTargets, probabilities);   // both [batch, classes]
 * }</pre>
 */
public final class CategoricalAccuracy extends MeanMetric {
    /** Named {@code categorical_accuracy}. */
    public CategoricalAccuracy() {
        this("categorical_accuracy");
    }

    /** Under another name (e.g. {@code accuracy}). */
    public CategoricalAccuracy(String name) {
        super(name);
    }

    @Override
    protected Tensor values(Tensor yTrue, Tensor yPred) {
        if (!yTrue.shape().equals(yPred.shape())) {
            throw new IllegalArgumentException(name() + ": targets " + yTrue.shape() + " and predictions " + yPred.shape()
                    + " must have one shape [batch, classes] (for integer labels use SparseCategoricalAccuracy)");
        }
        return yTrue.argmax(-1).eq(yPred.argmax(-1));
    }
}
