package dev.javelin.highlevel.losses;

import dev.javelin.tensor.NN;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Binary cross-entropy for targets in [0, 1]: from logits the stable
 * {@code max(x, 0) - x t + log(1 + exp(-|x|))}, from probabilities
 * {@code -(t log p + (1 - t) log(1 - p))} with {@code p} clipped to [1e-7, 1 - 1e-7] as Keras does;
 * averaged over the last axis, then over the batch. Label smoothing moves targets toward 0.5.
 *
 * <pre>{@code
 * Loss l = new BinaryCrossentropy(true);   // the model outputs logits
 * }</pre>
 */
public final class BinaryCrossentropy extends PerExampleLoss {
    private final boolean fromLogits;
    private final double labelSmoothing;

    /** From probabilities (a sigmoid output), as Keras's default. */
    public BinaryCrossentropy() {
        this(false);
    }

    /** From logits when {@code fromLogits}, else from probabilities. */
    public BinaryCrossentropy(boolean fromLogits) {
        this(fromLogits, 0.0);
    }

    /**
     * With label smoothing.
     *
     * @param fromLogits whether predictions are logits
     * @param labelSmoothing in [0, 1]: targets become {@code t (1 - s) + 0.5 s}
     */
    public BinaryCrossentropy(boolean fromLogits, double labelSmoothing) {
        super("binary_crossentropy");
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("BinaryCrossentropy: labelSmoothing must lie in [0, 1], got " + labelSmoothing);
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
        Tensor[] tp = aligned("BinaryCrossentropy", yTrue, yPred);
        Tensor t = tp[0];
        if (labelSmoothing > 0) t = t.mul(1 - labelSmoothing).add(0.5 * labelSmoothing);
        return meanLastAxis(NN.binaryCrossEntropy(tp[1], t, fromLogits));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("from_logits", fromLogits);
        c.put("label_smoothing", labelSmoothing);
        return c;
    }
}
