package dev.javelin.autodiff;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A function of tensors with a backward rule supplied by the user (TensorFlow's
 * {@code tf.custom_gradient}, JAX's {@code custom_vjp}): tapes do not look inside the forward
 * function, they call the rule instead. Useful for numerically stable gradients, straight-through
 * estimators and gradient clipping.
 *
 * <pre>{@code
 * // clips the gradient flowing back through x to [-1, 1] and leaves the value alone
 * Function<Tensor[], Tensor> clip = CustomGradient.wrap(
 *         xs -> xs[0],
 *         (g, xs, y) -> new Tensor[] {MathOps.clamp(g, -1, 1)});
 * Tensor y = clip.apply(new Tensor[] {x});
 * }</pre>
 *
 * <p>The rule is written with ordinary tensor ops, so an outer tape records it and higher-order
 * gradients go through it.
 */
public final class CustomGradient {
    private CustomGradient() {}

    /** The backward rule: one gradient per input (null for none), given the gradient of the output. */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor upstream, Tensor[] inputs, Tensor output);
    }

    /** {@code forward} with {@code backward} as its gradient, as a reusable function. */
    public static Function<Tensor[], Tensor> wrap(Function<Tensor[], Tensor> forward, Backward backward) {
        Objects.requireNonNull(forward, "forward");
        Objects.requireNonNull(backward, "backward");
        return inputs -> apply(forward, backward, inputs);
    }

    /**
     * Runs {@code forward(inputs)} unseen by the tapes and records, on each tape that is recording,
     * one node whose gradient is {@code backward}.
     */
    public static Tensor apply(Function<Tensor[], Tensor> forward, Backward backward, Tensor... inputs) {
        List<GradientTape> tapes = GradientTape.active();
        Tensor out;
        try (Dispatch.Scope hidden = Dispatch.pauseObservers()) {
            Tensor result = forward.apply(inputs.clone());
            if (result == null) throw new IllegalArgumentException("CustomGradient: the forward function returned null");
            out = Autodiff.freshView(result); // never a tensor a tape already knows (an input, say)
        }
        List<Tensor> in = List.of(inputs);
        for (GradientTape tape : tapes) tape.recordCustom(in, out, backward);
        return out;
    }
}
