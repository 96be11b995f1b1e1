package dev.javelin.highlevel.layers;

import dev.javelin.tensor.NN;
import dev.javelin.tensor.Tensor;
import dev.javelin.highlevel.saving.Shortened;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Activation functions by Keras name, each a composition of primitive ops from {@link NN} (so
 * each has a gradient and fuses under the JIT).
 *
 * <pre>{@code
 * Tensor p = Activations.get("softmax").apply(logits);
 * }</pre>
 */
public final class Activations {
    private Activations() {}

    /**
     * {@code relu}, {@code sigmoid}, {@code tanh}, {@code hard_sigmoid} (Keras 3's {@code relu6(x + 3) / 6}), {@code softmax}, {@code log_softmax}, {@code gelu},
     * {@code silu} (or {@code swish}), {@code softplus}, {@code elu}, {@code leaky_relu}, {@code linear}, and Keras 3's
     * {@code relu6}, {@code selu}, {@code celu}, {@code softsign}, {@code exponential}, {@code hard_silu} (or
     * {@code hard_swish}), {@code hard_tanh}, {@code mish}, {@code log_sigmoid}, {@code tanh_shrink};
     * null is linear; an empty name is refused, as Keras refuses it (a saved config with
     * {@code "activation": ""} must not load as a different model). Softmax works on the last axis.
     */
    public static UnaryOperator<Tensor> get(String name) {
        if (name == null) return x -> x;
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "linear" -> x -> x;
            case "relu" -> Tensor::relu;
            case "sigmoid" -> Tensor::sigmoid;
            case "tanh" -> Tensor::tanh;
            case "hard_sigmoid" -> x -> x.mul(1.0 / 6).add(0.5).maximum(0.0).minimum(1.0); // Keras 3's relu6(x + 3) / 6
            case "softmax" -> x -> NN.softmax(x, -1);
            case "log_softmax" -> x -> NN.logSoftmax(x, -1);
            case "gelu" -> x -> NN.gelu(x, false);
            case "silu", "swish" -> NN::silu;
            case "softplus" -> NN::softplus;
            case "elu" -> x -> NN.elu(x, 1.0);
            case "leaky_relu" -> x -> NN.leakyRelu(x, 0.2);
            // Keras 3's other common ones (keras.activations), as their definitions
            case "relu6" -> x -> x.relu().minimum(6.0);
            case "selu" -> x -> NN.elu(x, 1.6732632423543772).mul(1.0507009873554805);
            case "celu" -> x -> x.relu().add(x.minimum(0.0).expm1()); // alpha 1
            case "softsign" -> x -> x.div(x.abs().add(1.0));
            case "exponential" -> Tensor::exp;
            case "hard_silu", "hard_swish" -> x -> x.mul(x.mul(1.0 / 6).add(0.5).maximum(0.0).minimum(1.0));
            case "hard_tanh" -> x -> x.clamp(-1, 1);
            case "mish" -> x -> x.mul(NN.softplus(x).tanh());
            case "log_sigmoid" -> NN::logSigmoid;
            case "tanh_shrink" -> x -> x.sub(x.tanh());
            default -> throw new IllegalArgumentException("Activations.get: unknown activation '" + Shortened.of(name)
                    + "' (expected relu, sigmoid, tanh, hard_sigmoid, softmax, log_softmax, gelu, silu, softplus, elu, leaky_relu, "
                    + "relu6, selu, celu, softsign, exponential, hard_silu, hard_tanh, mish, log_sigmoid, tanh_shrink or linear)");
        };
    }
}
