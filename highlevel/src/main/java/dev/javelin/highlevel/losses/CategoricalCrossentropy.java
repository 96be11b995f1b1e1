package dev.javelin.highlevel.losses;

import dev.javelin.tensor.NN;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Cross-entropy with one-hot (or soft) targets of the predictions' shape {@code [batch, classes]}:
 * {@code -sum(t * logSoftmax(x))} from logits; from probabilities, {@code -sum(t * log(p))} with
 * {@code p} renormalized and clipped to [1e-7, 1 - 1e-7] as Keras does. Label smoothing mixes the
 * targets with the uniform distribution.
 *
 * <pre>{@code
 * Loss l = new CategoricalCrossentropy(false);   // the model ends in softmax
 * }</pre>
 */
public final class CategoricalCrossentropy extends PerExampleLoss {
    private final boolean fromLogits;
    private final double labelSmoothing;

    /** From probabilities (a softmax output), as Keras's default. */
    public CategoricalCrossentropy() {
        this(false);
    }

    /** From logits when {@code fromLogits}, else from probabilities. */
    public CategoricalCrossentropy(boolean fromLogits) {
        this(fromLogits, 0.0);
    }

    /**
     * With label smoothing.
     *
     * @param fromLogits whether predictions are logits
     * @param labelSmoothing in [0, 1]: targets become {@code t (1 - s) + s / classes}
     */
    public CategoricalCrossentropy(boolean fromLogits, double labelSmoothing) {
        super("categorical_crossentropy");
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("CategoricalCrossentropy: labelSmoothing must lie in [0, 1], got " + labelSmoothing);
        }
        this.fromLogits = fromLogits;
        this.labelSmoothing = labelSmoothing;
    }

    /** True when predictions are logits. */
    public boolean fromLogits() {
        return fromLogits;
    }

    @Override
    protected Tensor perExample(Tensor yTrue, Tensor yPred) {
        if (!yTrue.shape().equals(yPred.shape())) {
            throw new IllegalArgumentException("CategoricalCrossentropy: targets " + yTrue.shape() + " and predictions "
                    + yPred.shape() + " must have one shape [batch, classes] (one-hot targets; for integer labels use "
                    + "SparseCategoricalCrossentropy)");
        }
        Tensor[] tp = aligned("CategoricalCrossentropy", yTrue, yPred);
        Tensor t = tp[0];
        if (labelSmoothing > 0) t = t.mul(1 - labelSmoothing).add(labelSmoothing / yPred.dim(-1));
        return NN.categoricalCrossEntropy(tp[1], t, fromLogits);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("from_logits", fromLogits);
        c.put("label_smoothing", labelSmoothing);
        return c;
    }
}
