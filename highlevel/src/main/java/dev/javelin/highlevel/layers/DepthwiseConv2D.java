package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A depthwise 2-D convolution, as Keras's DepthwiseConv2D: each input channel is convolved with its
 * own {@code depthMultiplier} filters. The kernel is Keras's {@code [kh, kw, channels, depthMultiplier]};
 * it runs as a grouped convolution with one group per channel, output channel {@code c * m + j}.
 *
 * <pre>{@code
 * Layer dw = new DepthwiseConv2D(3, 1, "same", 1, "relu");
 * }</pre>
 */
public final class DepthwiseConv2D extends Layer {
    private final int[] kernelSize;
    private final int[] strides;
    private final String padding;
    private final int depthMultiplier;
    private final int[] dilation;
    private final String activation;
    private final boolean useBias;
    private final Initializer depthwiseInitializer;
    private final Initializer biasInitializer;
    private final Regularizer depthwiseRegularizer;
    private final Regularizer biasRegularizer;
    private final UnaryOperator<Tensor> fn;
    private Variable kernel;
    private Variable bias;

    public DepthwiseConv2D(int kernelSize, int stride, String padding, int depthMultiplier, String activation) {
        this(new int[] {kernelSize, kernelSize}, new int[] {stride, stride}, padding, depthMultiplier, new int[] {1, 1}, activation,
                true, new GlorotUniform(), new Zeros(), null, null, null);
    }

    /** Every supported Keras argument; {@code name} null for an automatic one. */
    public DepthwiseConv2D(int[] kernelSize, int[] strides, String padding, int depthMultiplier, int[] dilation, String activation,
                           boolean useBias, Initializer depthwiseInitializer, Initializer biasInitializer,
                           Regularizer depthwiseRegularizer, Regularizer biasRegularizer, String name) {
        super(name);
        if (depthMultiplier < 1) throw new IllegalArgumentException("DepthwiseConv2D: depth_multiplier must be >= 1, got " + depthMultiplier);
        this.kernelSize = Padding.pair("DepthwiseConv2D", "kernel_size", kernelSize);
        this.strides = Padding.pair("DepthwiseConv2D", "strides", strides);
        this.padding = Padding.check("DepthwiseConv2D", padding);
        this.depthMultiplier = depthMultiplier;
        this.dilation = Padding.pair("DepthwiseConv2D", "dilation_rate", dilation);
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.useBias = useBias;
        this.depthwiseInitializer = Checks.notNull("DepthwiseConv2D", "depthwise_initializer", depthwiseInitializer);
        this.biasInitializer = Checks.notNull("DepthwiseConv2D", "bias_initializer", biasInitializer);
        this.depthwiseRegularizer = depthwiseRegularizer;
        this.biasRegularizer = biasRegularizer;
    }

    @Override
    public void build(Shape in) {
        Checks.nhwc(this, "DepthwiseConv2D", in);
        kernel = addWeight("kernel", Shape.of(kernelSize[0], kernelSize[1], in.dim(3), depthMultiplier), depthwiseInitializer,
                depthwiseRegularizer, true);
        if (useBias) bias = addWeight("bias", Shape.of(in.dim(3) * depthMultiplier), biasInitializer, biasRegularizer, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Tensor y = depthwise(x, kernel.value(), kernelSize, strides, padding, dilation);
        if (useBias) y = y.add(bias.value());
        return fn.apply(y);
    }

    /** A [kh, kw, C, m] kernel applied per channel: a convolution with C groups of one input channel each. */
    static Tensor depthwise(Tensor x, Tensor kernel, int[] kernelSize, int[] strides, String padding, int[] dilation) {
        int channels = kernel.dim(2), m = kernel.dim(3);
        int[] ph = Padding.amounts(padding, x.dim(1), kernelSize[0], strides[0], dilation[0]);
        int[] pw = Padding.amounts(padding, x.dim(2), kernelSize[1], strides[1], dilation[1]);
        OpAttrs.Conv attrs = new OpAttrs.Conv(strides[0], strides[1], ph[0], ph[1], pw[0], pw[1], dilation[0], dilation[1], channels);
        return Ops.conv2d(x, kernel.reshape(kernelSize[0], kernelSize[1], 1, channels * m), attrs);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        int oh = Padding.outputSize(name(), padding, in.dim(1), kernelSize[0], strides[0], dilation[0]);
        int ow = Padding.outputSize(name(), padding, in.dim(2), kernelSize[1], strides[1], dilation[1]);
        return Shape.of(in.dim(0), oh, ow, in.dim(3) * depthMultiplier);
    }

    public Variable kernel() {
        return kernel;
    }

    public Variable bias() {
        return bias;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("kernel_size", Config.list(kernelSize));
        c.put("strides", Config.list(strides));
        c.put("padding", padding);
        c.put("depth_multiplier", depthMultiplier);
        c.put("dilation_rate", Config.list(dilation));
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("depthwise_initializer", Config.of(depthwiseInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("depthwise_regularizer", Config.of(depthwiseRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        return c;
    }

    public static DepthwiseConv2D fromConfig(Map<String, Object> c) {
        return new DepthwiseConv2D(Config.ints(c, "kernel_size", 2, new int[] {3, 3}), Config.ints(c, "strides", 2, new int[] {1, 1}),
                Config.string(c, "padding", "valid"), Config.integer(c, "depth_multiplier", 1),
                Config.ints(c, "dilation_rate", 2, new int[] {1, 1}), Config.string(c, "activation", null),
                Config.bool(c, "use_bias", true), Config.initializer(c, "depthwise_initializer", new GlorotUniform()),
                Config.initializer(c, "bias_initializer", new Zeros()), Config.regularizer(c, "depthwise_regularizer"),
                Config.regularizer(c, "bias_regularizer"), Config.string(c, "name", null));
    }
}
