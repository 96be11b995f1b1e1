package dev.javelin.highlevel.losses;

import dev.javelin.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loss: the mean over the batch of a per-example error between targets and predictions (Keras's
 * default "sum over batch size" reduction), as a scalar tensor built from differentiable ops so that
 * the gradient tape and the JIT see through it.
 *
 * <pre>{@code
 * Loss loss = new SparseCategoricalCrossentropy(true);
 * Tensor value = loss.call(labels, logits);          // float32 scalar
 * Loss custom = new Loss() {                         // a user's own
 *     public Tensor call(Tensor yTrue, Tensor yPred) { return yPred.sub(yTrue).abs().pow(3).sum().div(yPred.size()); }
 *     public String name() { return "cubic"; }
 * };
 * }</pre>
 */
public interface Loss {
    /** The mean loss over the batch, a scalar. */
    Tensor call(Tensor yTrue, Tensor yPred);

    /**
     * The loss with a weight per example ({@code [batch]}; null weighs every example 1): the sum of
     * weighted per-example losses over the number of them, Keras's {@code sum_over_batch_size}.
     * {@link PerExampleLoss} supports it; other losses refuse weights.
     */
    default Tensor call(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        if (sampleWeight == null) return call(yTrue, yPred);
        throw new UnsupportedOperationException(name() + ": this loss does not take sample weights (extend PerExampleLoss)");
    }

    /** The Keras name, e.g. {@code sparse_categorical_crossentropy}. */
    String name();

    /**
     * Checks targets that the loss cannot use (sparse labels that are NaN or not whole numbers) and
     * throws an {@link IllegalArgumentException} naming the loss. {@code fit}, {@code evaluate} and
     * {@code trainOnBatch} call it on the host data once, before any step, because a compiled step
     * cannot throw on values. Default: accepts everything.
     */
    default void checkTargets(Tensor yTrue) {}

    /** {@code class_name}, {@code name} and the constructor's arguments, for saving a compiled model. */
    default Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("class_name", getClass().getSimpleName());
        c.put("name", name());
        return c;
    }
}
