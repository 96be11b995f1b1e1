package dev.javelin.highlevel.metrics;

import dev.javelin.highlevel.losses.WeightBroadcast;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;

/** True/false positive and false negative counts at a threshold, shared by {@link Precision} and {@link Recall}. */
abstract class ConfusionCounts extends Metric {
    private final double threshold;

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("threshold", threshold);
        return c;
    }
    /** Predicted positive, actually positive. */
    private final Variable truePositives = addState("true_positives");
    /** Predicted positive, actually negative. */
    private final Variable falsePositives = addState("false_positives");
    /** Predicted negative, actually positive. */
    private final Variable falseNegatives = addState("false_negatives");

    ConfusionCounts(String name, double threshold) {
        super(name);
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException(name + ": threshold must lie in [0, 1], got " + threshold);
        }
        this.threshold = threshold;
    }

    @Override
    public void updateState(Tensor yTrue, Tensor yPred) {
        updateState(yTrue, yPred, null);
    }

    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        HostArrays.sameSize(name(), yTrue, yPred, yTrue.size(), yPred.size());
        Tensor predicted = yPred.gt(threshold).cast(DType.FLOAT32);
        Tensor actual = yTrue.cast(DType.FLOAT32).reshape(yPred.shape().toArray()).eq(0).logicalNot().cast(DType.FLOAT32);
        Tensor weight = sampleWeight == null ? null : WeightBroadcast.toShape(name(), sampleWeight, predicted, DType.FLOAT32);
        Tensor both = predicted.mul(actual);
        accumulate(truePositives, weighted(both, weight));
        accumulate(falsePositives, weighted(predicted.sub(both), weight));
        accumulate(falseNegatives, weighted(actual.sub(both), weight));
    }

    private static Tensor weighted(Tensor indicator, Tensor weight) {
        return (weight == null ? indicator : indicator.mul(weight)).sum();
    }

    double truePositives() {
        return read(truePositives);
    }

    double falsePositives() {
        return read(falsePositives);
    }

    double falseNegatives() {
        return read(falseNegatives);
    }

    static double ratio(double num, double den) {
        return den == 0 ? 0 : num / den;
    }
}
