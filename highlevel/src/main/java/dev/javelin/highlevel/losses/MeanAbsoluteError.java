package dev.javelin.highlevel.losses;

import dev.javelin.tensor.Tensor;

/**
 * Mean absolute error: {@code mean(|yPred - yTrue|)}.
 *
 * <pre>{@code
 * Tensor l = new MeanAbsoluteError().call(Tensors.of(new float[] {0, 1}), Tensors.of(new float[] {2, 1})); // 1.0
 * }</pre>
 */
public final class MeanAbsoluteError extends PerExampleLoss {
    /** Named {@code mean_absolute_error}. */
    public MeanAbsoluteError() {
        super("mean_absolute_error");
    }

    @Override
    protected Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor[] tp = aligned("MeanAbsoluteError", yTrue, yPred);
        return meanLastAxis(tp[1].sub(tp[0]).abs());
    }
}
