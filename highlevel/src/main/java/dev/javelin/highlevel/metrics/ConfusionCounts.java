package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;

/** True/false positive and false negative counts at a threshold, shared by {@link Precision} and {@link Recall}. */
abstract class ConfusionCounts extends Metric {
    private final double threshold;
    /** Predicted positive, actually positive. */
    protected double truePositives;
    /** Predicted positive, actually negative. */
    protected double falsePositives;
    /** Predicted negative, actually positive. */
    protected double falseNegatives;

    ConfusionCounts(String name, double threshold) {
        super(name);
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException(name + ": threshold must lie in [0, 1], got " + threshold);
        }
        this.threshold = threshold;
    }

    @Override
    public void updateState(Tensor yTrue, Tensor yPred) {
        double[] t = yTrue.toDoubleArray();
        double[] p = yPred.toDoubleArray();
        HostArrays.sameSize(name(), yTrue, yPred, t.length, p.length);
        for (int i = 0; i < t.length; i++) {
            boolean predicted = p[i] > threshold;
            boolean actual = t[i] != 0;
            if (predicted && actual) truePositives++;
            else if (predicted) falsePositives++;
            else if (actual) falseNegatives++;
        }
    }

    @Override
    public void reset() {
        truePositives = 0;
        falsePositives = 0;
        falseNegatives = 0;
    }

    static double ratio(double num, double den) {
        return den == 0 ? 0 : num / den;
    }
}
