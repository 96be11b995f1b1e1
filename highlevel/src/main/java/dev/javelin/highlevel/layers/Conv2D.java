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
 * 2-D convolution over NHWC inputs with an HWIO kernel, as Keras's Conv2D (channels last).
 *
 * <pre>{@code
 * Layer c = new Conv2D(32, 3, "relu");                         // 3x3, stride 1, "valid"
 * Layer d = new Conv2D(64, new int[] {3, 3}, new int[] {2, 2}, "same", "relu");
 * }</pre>
 */
public class Conv2D extends Layer {
    private final int filters;
    private final int[] kernelSize;
    private final int[] strides;
    private final String padding;
    private final int[] dilation;
    private final int groups;
    private final String activation;
    private final boolean useBias;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private final Regularizer kernelRegularizer;
    private final Regularizer biasRegularizer;
    private final UnaryOperator<Tensor> fn;
    private Variable kernel;
    private Variable bias;

    public Conv2D(int filters, int kernelSize) {
        this(filters, kernelSize, null);
    }

    public Conv2D(int filters, int kernelSize, String activation) {
        this(filters, new int[] {kernelSize, kernelSize}, new int[] {1, 1}, "valid", activation);
    }

    public Conv2D(int filters, int[] kernelSize, int[] strides, String padding, String activation) {
        this(filters, kernelSize, strides, padding, new int[] {1, 1}, 1, activation, true, new GlorotUniform(), new Zeros(),
                null, null, null);
    }

    /** Every Keras argument; {@code name} null for an automatic one. */
    public Conv2D(int filters, int[] kernelSize, int[] strides, String padding, int[] dilation, int groups, String activation,
                  boolean useBias, Initializer kernelInitializer, Initializer biasInitializer, Regularizer kernelRegularizer,
                  Regularizer biasRegularizer, String name) {
        super(name);
        if (filters < 1 || groups < 1 || filters % groups != 0) {
            throw new IllegalArgumentException("Conv2D: filters (" + filters + ") must be >= 1 and divisible by groups (" + groups + ")");
        }
        this.filters = filters;
        this.kernelSize = Padding.pair("Conv2D", "kernel_size", kernelSize);
        this.strides = Padding.pair("Conv2D", "strides", strides);
        this.padding = Padding.check("Conv2D", padding);
        this.dilation = Padding.pair("Conv2D", "dilation_rate", dilation);
        if ((this.strides[0] > 1 || this.strides[1] > 1) && (this.dilation[0] > 1 || this.dilation[1] > 1)) {
            throw new IllegalArgumentException("Conv2D: strides > 1 and dilation_rate > 1 together are not supported (as in Keras)");
        }
        this.groups = groups;
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.useBias = useBias;
        this.kernelInitializer = requireInitializer("Conv2D", "kernel_initializer", kernelInitializer);
        this.biasInitializer = requireInitializer("Conv2D", "bias_initializer", biasInitializer);
        this.kernelRegularizer = kernelRegularizer;
        this.biasRegularizer = biasRegularizer;
    }

    @Override
    public void build(Shape in) {
        if (in.rank() != 4) {
            throw new IllegalArgumentException(name() + " (Conv2D): expected NHWC inputs [batch, height, width, channels], got " + in);
        }
        if (in.dim(3) % groups != 0) {
            throw new IllegalArgumentException(name() + " (Conv2D): " + in.dim(3) + " input channels are not divisible by groups=" + groups);
        }
        Shape k = Shape.of(kernelSize[0], kernelSize[1], in.dim(3) / groups, filters);
        kernel = addWeight("kernel", k, kernelInitializer, kernelRegularizer, true);
        if (useBias) bias = addWeight("bias", Shape.of(filters), biasInitializer, biasRegularizer, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        int[] ph = Padding.amounts(padding, x.dim(1), kernelSize[0], strides[0], dilation[0]);
        int[] pw = Padding.amounts(padding, x.dim(2), kernelSize[1], strides[1], dilation[1]);
        OpAttrs.Conv attrs = new OpAttrs.Conv(strides[0], strides[1], ph[0], ph[1], pw[0], pw[1], dilation[0], dilation[1], groups);
        Tensor y = Ops.conv2d(x, kernel.value(), attrs);
        if (useBias) y = y.add(bias.value());
        return fn.apply(y);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        int oh = Padding.outputSize(name(), padding, in.dim(1), kernelSize[0], strides[0], dilation[0]);
        int ow = Padding.outputSize(name(), padding, in.dim(2), kernelSize[1], strides[1], dilation[1]);
        return Shape.of(in.dim(0), oh, ow, filters);
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
        c.put("filters", filters);
        c.put("kernel_size", Config.list(kernelSize));
        c.put("strides", Config.list(strides));
        c.put("padding", padding);
        c.put("dilation_rate", Config.list(dilation));
        c.put("groups", groups);
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("kernel_initializer", Config.of(kernelInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("kernel_regularizer", Config.of(kernelRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        return c;
    }

    public static Conv2D fromConfig(Map<String, Object> c) {
        return new Conv2D(Config.requiredInteger(c, "filters", 1, Integer.MAX_VALUE), Config.ints(c, "kernel_size", 2, new int[] {3, 3}, 1),
                Config.ints(c, "strides", 2, new int[] {1, 1}, 1), Config.choice(c, "padding", "valid", "valid", "same"),
                Config.ints(c, "dilation_rate", 2, new int[] {1, 1}, 1), Config.integerIn(c, "groups", 1, 1, Integer.MAX_VALUE),
                Config.string(c, "activation", null), Config.bool(c, "use_bias", true),
                Config.initializer(c, "kernel_initializer", new GlorotUniform()), Config.initializer(c, "bias_initializer", new Zeros()),
                Config.regularizer(c, "kernel_regularizer"), Config.regularizer(c, "bias_regularizer"), Config.string(c, "name", null));
    }
}
