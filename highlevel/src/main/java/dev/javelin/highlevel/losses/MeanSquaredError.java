package dev.javelin.highlevel.losses;

import dev.javelin.tensor.Tensor;

/**
 * Mean squared error: {@code mean((yPred - yTrue)^2)}.
 *
 * <pre>{@code
 * Tensor l = new MeanSquaredError().call(Tensors.of(new float[] {0, 1}), Tensors.of(new float[] {1, 1})); // 0.5
 * }</pre>
 */
public final class MeanSquaredError extends PerExampleLoss {
    /** Named {@code mean_squared_error}. */
    public MeanSquaredError() {
        super("mean_squared_error");
    }

    @Override
    protected Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor[] tp = aligned("MeanSquaredError", yTrue, yPred);
        Tensor d = tp[1].sub(tp[0]);
        return meanLastAxis(d.mul(d));
    }
}
