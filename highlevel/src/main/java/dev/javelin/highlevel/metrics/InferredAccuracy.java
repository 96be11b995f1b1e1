package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.List;

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
        updateState(yTrue, yPred, null);
    }

    /** The choice is made from shapes only, so it also works while a compiled step is traced. */
    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        if (chosen == null) chosen = choose(name(), yTrue, yPred);
        chosen.updateState(yTrue, yPred, sampleWeight);
    }

    @Override
    public List<Variable> variables() {
        return chosen == null ? List.of() : chosen.variables();
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
