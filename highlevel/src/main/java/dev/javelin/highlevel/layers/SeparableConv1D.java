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
 * A depthwise-separable 1-D convolution over [batch, steps, channels], as Keras's SeparableConv1D:
 * {@code depthwise_kernel [k, channels, depthMultiplier]} per channel, then
 * {@code pointwise_kernel [1, channels * depthMultiplier, filters]}, bias and activation.
 *
 * <pre>{@code
 * Layer sep = new SeparableConv1D(32, 5, 1, "same", "relu");
 * }</pre>
 */
public final class SeparableConv1D extends Layer {
    private final int filters;
    private final int kernelSize;
    private final int stride;
    private final String padding;
    private final int depthMultiplier;
    private final int dilation;
    private final String activation;
    private final boolean useBias;
    private final Initializer depthwiseInitializer;
    private final Initializer pointwiseInitializer;
    private final Initializer biasInitializer;
    private final UnaryOperator<Tensor> fn;
    private Variable depthwiseKernel;
    private Variable pointwiseKernel;
    private Variable bias;

    public SeparableConv1D(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, kernelSize, stride, padding, 1, 1, activation, true, new GlorotUniform(), new GlorotUniform(), new Zeros(), null);
    }

    public SeparableConv1D(int filters, int kernelSize, int stride, String padding, int depthMultiplier, int dilation, String activation,
                           boolean useBias, Initializer depthwiseInitializer, Initializer pointwiseInitializer, Initializer biasInitializer,
                           String name) {
        super(name);
        if (filters < 1 || kernelSize < 1 || stride < 1 || depthMultiplier < 1 || dilation < 1) {
            throw new IllegalArgumentException("SeparableConv1D: filters, kernel_size, strides, depth_multiplier and dilation_rate must be >= 1");
        }
        this.filters = filters;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = Padding.check("SeparableConv1D", padding);
        this.depthMultiplier = depthMultiplier;
        this.dilation = dilation;
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.useBias = useBias;
        this.depthwiseInitializer = Checks.notNull("SeparableConv1D", "depthwise_initializer", depthwiseInitializer);
        this.pointwiseInitializer = Checks.notNull("SeparableConv1D", "pointwise_initializer", pointwiseInitializer);
        this.biasInitializer = Checks.notNull("SeparableConv1D", "bias_initializer", biasInitializer);
    }

    @Override
    public void build(Shape in) {
        Checks.sequence(this, "SeparableConv1D", in);
        int c = in.dim(2);
        depthwiseKernel = addWeight("depthwise_kernel", Shape.of(kernelSize, c, depthMultiplier), depthwiseInitializer, null, true);
        pointwiseKernel = addWeight("pointwise_kernel", Shape.of(1, c * depthMultiplier, filters), pointwiseInitializer, null, true);
        if (useBias) bias = addWeight("bias", Shape.of(filters), biasInitializer, null, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Checks.sequence(this, "SeparableConv1D", x.shape());
        Tensor d = DepthwiseConv2D.depthwise(x.unsqueeze(1), depthwiseKernel.value().unsqueeze(0), new int[] {1, kernelSize},
                new int[] {1, stride}, padding, new int[] {1, dilation}).squeeze(1);
        Tensor y = d.matmul(pointwiseKernel.value().squeeze(0));
        if (useBias) y = y.add(bias.value());
        return fn.apply(y);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        Checks.sequence(this, "SeparableConv1D", in);
        return Shape.of(in.dim(0), Padding.outputSize(name(), padding, in.dim(1), kernelSize, stride, dilation), filters);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", filters);
        c.put("kernel_size", List.of(kernelSize));
        c.put("strides", List.of(stride));
        c.put("padding", padding);
        c.put("depth_multiplier", depthMultiplier);
        c.put("dilation_rate", List.of(dilation));
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("depthwise_initializer", Config.of(depthwiseInitializer));
        c.put("pointwise_initializer", Config.of(pointwiseInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        return c;
    }

    public static SeparableConv1D fromConfig(Map<String, Object> c) {
        return new SeparableConv1D(Config.integer(c, "filters", 1), Config.ints(c, "kernel_size", 1, new int[] {3})[0],
                Config.ints(c, "strides", 1, new int[] {1})[0], Config.string(c, "padding", "valid"), Config.integer(c, "depth_multiplier", 1),
                Config.ints(c, "dilation_rate", 1, new int[] {1})[0], Config.string(c, "activation", null), Config.bool(c, "use_bias", true),
                Config.initializer(c, "depthwise_initializer", new GlorotUniform()),
                Config.initializer(c, "pointwise_initializer", new GlorotUniform()), Config.initializer(c, "bias_initializer", new Zeros()),
                Config.string(c, "name", null));
    }
}
