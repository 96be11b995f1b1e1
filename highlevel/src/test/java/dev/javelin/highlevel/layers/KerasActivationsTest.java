package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.autodiff.GradCheck;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Keras 3's activation names beyond the first twelve ({@code Dense(64, activation="relu6")}, MobileNet's;
 * {@code "selu"}, {@code "mish"}, {@code "hard_swish"} ...) were refused as unknown, so were Keras configs
 * naming them. Each is checked against Keras's definition in float64 and its gradient by finite
 * differences. Found by the oracle10 Keras-habit programs.
 */
class KerasActivationsTest {
    private static final double SELU_ALPHA = 1.6732632423543772;
    private static final double SELU_SCALE = 1.0507009873554805;

    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    private static double relu6(double x) {
        return Math.min(Math.max(x, 0), 6);
    }

    private static final Map<String, DoubleUnaryOperator> KERAS = Map.ofEntries(
            Map.entry("relu6", KerasActivationsTest::relu6),
            Map.entry("selu", x -> SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x))),
            Map.entry("celu", x -> Math.max(x, 0) + Math.expm1(Math.min(x, 0))),
            Map.entry("softsign", x -> x / (Math.abs(x) + 1)),
            Map.entry("exponential", Math::exp),
            Map.entry("hard_silu", x -> x * relu6(x + 3) / 6),
            Map.entry("hard_swish", x -> x * relu6(x + 3) / 6),
            Map.entry("hard_tanh", x -> Math.max(-1, Math.min(1, x))),
            Map.entry("mish", x -> x * Math.tanh(softplus(x))),
            Map.entry("log_sigmoid", x -> -softplus(-x)),
            Map.entry("tanh_shrink", x -> x - Math.tanh(x)));

    @Test
    void eachNameComputesKerasDefinition() {
        float[] xs = new float[121];
        for (int i = 0; i < xs.length; i++) xs[i] = (i - 60) * 0.15f + 0.013f; // -8.987 to 9.013, no kinks hit exactly
        Tensor x = Tensors.of(xs);
        KERAS.forEach((name, f) -> {
            float[] got = Activations.get(name).apply(x).toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                double want = f.applyAsDouble(xs[i]);
                assertEquals(want, got[i], 2e-6 * Math.max(1, Math.abs(want)), name + " at " + xs[i]);
            }
            Tensor smooth = Tensors.of(new double[] {-2.3, -0.7, 0.4, 1.9, 4.6}).cast(DType.FLOAT64);
            GradCheck.check(in -> Activations.get(name).apply(in[0]).sum(), smooth).assertWithin(1e-6);
        });
    }
}
