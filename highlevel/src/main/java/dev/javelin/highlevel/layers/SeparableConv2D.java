package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A depthwise-separable 2-D convolution, as Keras's SeparableConv2D: a depthwise convolution
 * ({@code depthwise_kernel [kh, kw, C, depthMultiplier]}) followed by a 1x1 convolution
 * ({@code pointwise_kernel [1, 1, C * depthMultiplier, filters]}), then bias and activation.
 *
 * <pre>{@code
 * Layer sep = new SeparableConv2D(32, 3, 1, "same", "relu");
 * }</pre>
 */
public final class SeparableConv2D extends Layer {
    private static final OpAttrs.Conv POINTWISE = new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1);
    private final int filters;
    private final int[] kernelSize;
    private final int[] strides;
    private final String padding;
    private final int depthMultiplier;
    private final int[] dilation;
    private final String activation;
    private final boolean useBias;
    private final Initializer depthwiseInitializer;
    private final Initializer pointwiseInitializer;
    private final Initializer biasInitializer;
    private final Regularizer depthwiseRegularizer;
    private final Regularizer pointwiseRegularizer;
    private final Regularizer biasRegularizer;
    private final UnaryOperator<Tensor> fn;
    private Variable depthwiseKernel;
    private Variable pointwiseKernel;
    private Variable bias;

    public SeparableConv2D(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, new int[] {kernelSize, kernelSize}, new int[] {stride, stride}, padding, 1, new int[] {1, 1}, activation, true,
                new GlorotUniform(), new GlorotUniform(), new Zeros(), null, null, null, null);
    }

    /** Every supported Keras argument; {@code name} null for an automatic one. */
    public SeparableConv2D(int filters, int[] kernelSize, int[] strides, String padding, int depthMultiplier, int[] dilation,
                           String activation, boolean useBias, Initializer depthwiseInitializer, Initializer pointwiseInitializer,
                           Initializer biasInitializer, Regularizer depthwiseRegularizer, Regularizer pointwiseRegularizer,
                           Regularizer biasRegularizer, String name) {
        super(name);
        if (filters < 1 || depthMultiplier < 1) {
            throw new IllegalArgumentException("SeparableConv2D: filters (" + filters + ") and depth_multiplier (" + depthMultiplier
                    + ") must be >= 1");
        }
        this.filters = filters;
        this.kernelSize = Padding.pair("SeparableConv2D", "kernel_size", kernelSize);
        this.strides = Padding.pair("SeparableConv2D", "strides", strides);
        this.padding = Padding.check("SeparableConv2D", padding);
        this.depthMultiplier = depthMultiplier;
        this.dilation = Padding.pair("SeparableConv2D", "dilation_rate", dilation);
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.useBias = useBias;
        this.depthwiseInitializer = Checks.notNull("SeparableConv2D", "depthwise_initializer", depthwiseInitializer);
        this.pointwiseInitializer = Checks.notNull("SeparableConv2D", "pointwise_initializer", pointwiseInitializer);
        this.biasInitializer = Checks.notNull("SeparableConv2D", "bias_initializer", biasInitializer);
        this.depthwiseRegularizer = depthwiseRegularizer;
        this.pointwiseRegularizer = pointwiseRegularizer;
        this.biasRegularizer = biasRegularizer;
    }

    @Override
    public void build(Shape in) {
        Checks.nhwc(this, "SeparableConv2D", in);
        int c = in.dim(3);
        depthwiseKernel = addWeight("depthwise_kernel", Shape.of(kernelSize[0], kernelSize[1], c, depthMultiplier), depthwiseInitializer,
                depthwiseRegularizer, true);
        pointwiseKernel = addWeight("pointwise_kernel", Shape.of(1, 1, c * depthMultiplier, filters), pointwiseInitializer,
                pointwiseRegularizer, true);
        if (useBias) bias = addWeight("bias", Shape.of(filters), biasInitializer, biasRegularizer, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Tensor d = DepthwiseConv2D.depthwise(x, depthwiseKernel.value(), kernelSize, strides, padding, dilation);
        Tensor y = Ops.conv2d(d, pointwiseKernel.value(), POINTWISE);
        if (useBias) y = y.add(bias.value());
        return fn.apply(y);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        int oh = Padding.outputSize(name(), padding, in.dim(1), kernelSize[0], strides[0], dilation[0]);
        int ow = Padding.outputSize(name(), padding, in.dim(2), kernelSize[1], strides[1], dilation[1]);
        return Shape.of(in.dim(0), oh, ow, filters);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", filters);
        c.put("kernel_size", Config.list(kernelSize));
        c.put("strides", Config.list(strides));
        c.put("padding", padding);
        c.put("depth_multiplier", depthMultiplier);
        c.put("dilation_rate", Config.list(dilation));
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("depthwise_initializer", Config.of(depthwiseInitializer));
        c.put("pointwise_initializer", Config.of(pointwiseInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("depthwise_regularizer", Config.of(depthwiseRegularizer));
        c.put("pointwise_regularizer", Config.of(pointwiseRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        return c;
    }

    public static SeparableConv2D fromConfig(Map<String, Object> c) {
        return new SeparableConv2D(Config.integer(c, "filters", 1), Config.ints(c, "kernel_size", 2, new int[] {3, 3}),
                Config.ints(c, "strides", 2, new int[] {1, 1}), Config.string(c, "padding", "valid"),
                Config.integer(c, "depth_multiplier", 1), Config.ints(c, "dilation_rate", 2, new int[] {1, 1}),
                Config.string(c, "activation", null), Config.bool(c, "use_bias", true),
                Config.initializer(c, "depthwise_initializer", new GlorotUniform()),
                Config.initializer(c, "pointwise_initializer", new GlorotUniform()), Config.initializer(c, "bias_initializer", new Zeros()),
                Config.regularizer(c, "depthwise_regularizer"), Config.regularizer(c, "pointwise_regularizer"),
                Config.regularizer(c, "bias_regularizer"), Config.string(c, "name", null));
    }
}
