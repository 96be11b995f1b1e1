package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;

/**
 * What Keras means by {@code metrics=["accuracy"]} when the loss does not say: on the first batch
 * the shapes choose binary accuracy (predictions {@code [..., 1]}), sparse categorical accuracy
 * (targets of lower rank, or {@code [..., 1]} against several classes) or categorical accuracy.
 */
final class InferredAccuracy extends Metric {
    private Metric chosen;

    InferredAccuracy(String name) {
        super(name);
    }

    @Override
    public void updateState(Tensor yTrue, Tensor yPred) {
        if (chosen == null) chosen = choose(name(), yTrue, yPred);
        chosen.updateState(yTrue, yPred);
    }

    static Metric choose(String name, Tensor yTrue, Tensor yPred) {
        int predLast = HostArrays.lastDim(yPred);
        int trueLast = HostArrays.lastDim(yTrue);
        if (predLast == 1) return new BinaryAccuracy(name, 0.5);
        if (yTrue.rank() < yPred.rank() || (trueLast == 1 && predLast > 1)) return new SparseCategoricalAccuracy(name);
        return new CategoricalAccuracy(name);
    }

    @Override
    public double result() {
        return chosen == null ? 0 : chosen.result();
    }

    @Override
    public void reset() {
        if (chosen != null) chosen.reset();
    }
}
