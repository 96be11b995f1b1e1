package dev.javelin.highlevel.metrics;

/**
 * Recall of binary predictions: {@code TP / (TP + FN)}, a prediction counting as positive when above
 * the threshold (default 0.5) and a target when non-zero; 0 before any positive target.
 *
 * <pre>{@code
 * Metric r = new Recall();
 * r.updateState(Tensors.of(new float[] {1, 0, 1}), Tensors.of(new float[] {0.8f, 0.6f, 0.2f}));   // 0.5
 * }</pre>
 */
public final class Recall extends ConfusionCounts {
    /** Threshold 0.5, named {@code recall}. */
    public Recall() {
        this("recall", 0.5);
    }

    /** A prediction above {@code threshold} counts as positive. */
    public Recall(String name, double threshold) {
        super(name, threshold);
    }

    @Override
    public double result() {
        return ratio(truePositives(), truePositives() + falseNegatives());
    }
}
