package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What every convolution layer shares, as Keras 3's {@code BaseConv}: the window over the spatial
 * axes ({@link ConvWindow}), channels-last inputs of rank {@code window.rank + 2}, the bias added to
 * the result, the activation after it, and the config keys of all of these. A subclass adds its own
 * kernels and arithmetic.
 */
abstract class ConvolutionLayer extends Layer {
    /** A weight's initializer and regularizer, written to a config as {@code <key>_initializer} and {@code <key>_regularizer}. */
    record WeightOptions(String key, Initializer initializer, Regularizer regularizer) {
        WeightOptions checked(String layer) {
            return new WeightOptions(key, requireInitializer(layer, key + "_initializer", initializer), regularizer);
        }

        static WeightOptions fromConfig(Map<String, Object> c, String key, Initializer dflt) {
            return new WeightOptions(key, Config.initializer(c, key + "_initializer", dflt), Config.regularizer(c, key + "_regularizer"));
        }

        void putConfig(Map<String, Object> c) {
            c.put(key + "_initializer", Config.of(initializer));
            c.put(key + "_regularizer", Config.of(regularizer));
        }
    }

    /** The arguments every convolution layer takes besides its own; {@code name} null for an automatic one. */
    record Common(ConvWindow window, String activation, boolean useBias, WeightOptions bias, String name) {
        Common(ConvWindow window, String activation, boolean useBias, Initializer biasInitializer, Regularizer biasRegularizer, String name) {
            this(window, activation, useBias, new WeightOptions("bias", biasInitializer, biasRegularizer), name);
        }

        static Common fromConfig(String layer, Map<String, Object> c, int rank, boolean causalAllowed) {
            return new Common(ConvWindow.fromConfig(layer, c, rank, causalAllowed), Config.string(c, "activation", null),
                    Config.bool(c, "use_bias", true), WeightOptions.fromConfig(c, "bias", new Zeros()), Config.string(c, "name", null));
        }
    }

    final ConvWindow window;
    private final String activation;
    private final UnaryOperator<Tensor> fn;
    private final boolean useBias;
    private final WeightOptions biasOptions;
    private Variable bias;

    ConvolutionLayer(Common common) {
        super(common.name());
        String kind = getClass().getSimpleName();
        this.window = common.window();
        this.activation = common.activation() == null ? "linear" : common.activation();
        this.fn = Activations.get(this.activation);
        this.useBias = common.useBias();
        this.biasOptions = common.bias().checked(kind);
    }

    /** {@code filters}, checked against {@code groups} as every grouped convolution layer needs. */
    static int filters(String layer, int filters, int groups) {
        if (filters < 1 || groups < 1 || filters % groups != 0) {
            throw new IllegalArgumentException(layer + ": filters (" + filters + ") must be >= 1 and divisible by groups (" + groups + ")");
        }
        return filters;
    }

    /** {@code value}, or an error naming the argument when it is below 1. */
    static int atLeastOne(String layer, String argument, int value) {
        if (value < 1) throw new IllegalArgumentException(layer + ": " + argument + " must be >= 1, got " + value);
        return value;
    }

    /** A trainable kernel weight, added from {@link #build}. */
    final Variable addKernel(String weightName, Shape shape, WeightOptions options) {
        return addWeight(weightName, shape, options.initializer(), options.regularizer(), true);
    }

    /** The bias over {@code channels} outputs, when the layer has one; called from {@link #build}. */
    final void addBias(int channels) {
        if (useBias) bias = addKernel("bias", Shape.of(channels), biasOptions);
    }

    /** The convolution's result with the bias added and the activation applied. */
    final Tensor biasAndActivation(Tensor y) {
        return fn.apply(useBias ? y.add(bias.value()) : y);
    }

    /** An error unless {@code in} is channels-last of this layer's rank: {@code [batch, spatial..., channels]}. */
    final void requireInputRank(Shape in) {
        if (in.rank() != window.rank + 2) {
            String expected = switch (window.rank) {
                case 1 -> "[batch, steps, channels]";
                case 2 -> "NHWC [batch, height, width, channels]";
                default -> "[batch, d1, d2, d3, channels]";
            };
            throw new IllegalArgumentException(describe() + ": expected inputs of rank " + (window.rank + 2) + " " + expected + ", got " + in);
        }
    }

    /** {@code [batch, out..., channels]} for inputs {@code in}, each spatial length from the window, forward or transposed. */
    final Shape outputShape(Shape in, int channels, boolean transposed) {
        requireInputRank(in);
        int[] d = new int[in.rank()];
        d[0] = in.dim(0);
        for (int a = 0; a < window.rank; a++) {
            d[a + 1] = transposed ? window.transposedSize(describe(), a, in.dim(a + 1)) : window.outputSize(name(), a, in.dim(a + 1));
        }
        d[in.rank() - 1] = channels;
        return Shape.of(d);
    }

    /** The layer's name and type, as errors name it. */
    final String describe() {
        return name() + " (" + getClass().getSimpleName() + ")";
    }

    public Variable bias() {
        return bias;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        window.putConfig(c);
        c.put("activation", activation);
        c.put("use_bias", useBias);
        biasOptions.putConfig(c);
        return c;
    }
}
