package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A depthwise 1-D convolution over [batch, steps, channels], as Keras's DepthwiseConv1D: Keras's
 * kernel {@code [k, channels, depthMultiplier]}, run as {@link DepthwiseConv2D}'s grouped
 * convolution on a height of 1.
 *
 * <pre>{@code
 * Layer dw = new DepthwiseConv1D(5, 1, "same", 1, "relu");
 * }</pre>
 */
public final class DepthwiseConv1D extends Layer {
    private final int kernelSize;
    private final int stride;
    private final String padding;
    private final int depthMultiplier;
    private final int dilation;
    private final String activation;
    private final boolean useBias;
    private final Initializer depthwiseInitializer;
    private final Initializer biasInitializer;
    private final Regularizer depthwiseRegularizer;
    private final Regularizer biasRegularizer;
    private final UnaryOperator<Tensor> fn;
    private Variable kernel;
    private Variable bias;

    public DepthwiseConv1D(int kernelSize, int stride, String padding, int depthMultiplier, String activation) {
        this(kernelSize, stride, padding, depthMultiplier, 1, activation, true, new GlorotUniform(), new Zeros(), null, null, null);
    }

    public DepthwiseConv1D(int kernelSize, int stride, String padding, int depthMultiplier, int dilation, String activation,
                           boolean useBias, Initializer depthwiseInitializer, Initializer biasInitializer,
                           Regularizer depthwiseRegularizer, Regularizer biasRegularizer, String name) {
        super(name);
        if (kernelSize < 1 || stride < 1 || depthMultiplier < 1 || dilation < 1) {
            throw new IllegalArgumentException("DepthwiseConv1D: kernel_size, strides, depth_multiplier and dilation_rate must be >= 1");
        }
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = Padding.check("DepthwiseConv1D", padding);
        this.depthMultiplier = depthMultiplier;
        this.dilation = dilation;
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.useBias = useBias;
        this.depthwiseInitializer = Checks.notNull("DepthwiseConv1D", "depthwise_initializer", depthwiseInitializer);
        this.biasInitializer = Checks.notNull("DepthwiseConv1D", "bias_initializer", biasInitializer);
        this.depthwiseRegularizer = depthwiseRegularizer;
        this.biasRegularizer = biasRegularizer;
    }

    @Override
    public void build(Shape in) {
        Checks.sequence(this, "DepthwiseConv1D", in);
        kernel = addWeight("kernel", Shape.of(kernelSize, in.dim(2), depthMultiplier), depthwiseInitializer, depthwiseRegularizer, true);
        if (useBias) bias = addWeight("bias", Shape.of(in.dim(2) * depthMultiplier), biasInitializer, biasRegularizer, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Checks.sequence(this, "DepthwiseConv1D", x.shape());
        Tensor y = DepthwiseConv2D.depthwise(x.unsqueeze(1), kernel.value().unsqueeze(0), new int[] {1, kernelSize}, new int[] {1, stride},
                padding, new int[] {1, dilation}).squeeze(1);
        if (useBias) y = y.add(bias.value());
        return fn.apply(y);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        Checks.sequence(this, "DepthwiseConv1D", in);
        return Shape.of(in.dim(0), Padding.outputSize(name(), padding, in.dim(1), kernelSize, stride, dilation), in.dim(2) * depthMultiplier);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("kernel_size", List.of(kernelSize));
        c.put("strides", List.of(stride));
        c.put("padding", padding);
        c.put("depth_multiplier", depthMultiplier);
        c.put("dilation_rate", List.of(dilation));
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("depthwise_initializer", Config.of(depthwiseInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("depthwise_regularizer", Config.of(depthwiseRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        return c;
    }

    public static DepthwiseConv1D fromConfig(Map<String, Object> c) {
        return new DepthwiseConv1D(Config.ints(c, "kernel_size", 1, new int[] {3})[0], Config.ints(c, "strides", 1, new int[] {1})[0],
                Config.string(c, "padding", "valid"), Config.integer(c, "depth_multiplier", 1),
                Config.ints(c, "dilation_rate", 1, new int[] {1})[0], Config.string(c, "activation", null), Config.bool(c, "use_bias", true),
                Config.initializer(c, "depthwise_initializer", new GlorotUniform()), Config.initializer(c, "bias_initializer", new Zeros()),
                Config.regularizer(c, "depthwise_regularizer"), Config.regularizer(c, "bias_regularizer"), Config.string(c, "name", null));
    }
}
