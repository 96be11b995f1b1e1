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
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * 1-D convolution over {@code [batch, time, channels]} with a kernel
 * {@code [kernel_size, channels/groups, filters]}, as Keras's Conv1D (channels last). Padding
 * {@code valid}, {@code same} (the odd extra step at the end, as TensorFlow) or {@code causal}
 * (all of it at the start, so step t sees only steps <= t). Runs as a 2-D convolution of height 1.
 *
 * <pre>{@code
 * Layer c = new Conv1D(32, 3, "relu");                                        // valid, stride 1
 * Layer wave = new Conv1D(16, 2, 1, "causal", 4, 1, "relu", true, new GlorotUniform(), new Zeros(), null, null, null);
 * }</pre>
 */
public final class Conv1D extends Layer {
    private final int filters;
    private final int kernelSize;
    private final int strides;
    private final String padding;
    private final int dilation;
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

    public Conv1D(int filters, int kernelSize) {
        this(filters, kernelSize, null);
    }

    public Conv1D(int filters, int kernelSize, String activation) {
        this(filters, kernelSize, 1, "valid", 1, 1, activation, true, new GlorotUniform(), new Zeros(), null, null, null);
    }

    /** Every Keras argument; {@code name} null for an automatic one. */
    public Conv1D(int filters, int kernelSize, int strides, String padding, int dilation, int groups, String activation,
                  boolean useBias, Initializer kernelInitializer, Initializer biasInitializer, Regularizer kernelRegularizer,
                  Regularizer biasRegularizer, String name) {
        super(name);
        if (filters < 1 || groups < 1 || filters % groups != 0) {
            throw new IllegalArgumentException("Conv1D: filters (" + filters + ") must be >= 1 and divisible by groups (" + groups + ")");
        }
        if (kernelSize < 1 || strides < 1 || dilation < 1) {
            throw new IllegalArgumentException("Conv1D: kernel_size, strides and dilation_rate must be >= 1, got " + kernelSize + ", "
                    + strides + ", " + dilation);
        }
        if (strides > 1 && dilation > 1) {
            throw new IllegalArgumentException("Conv1D: strides > 1 and dilation_rate > 1 together are not supported (as in Keras)");
        }
        String p = padding.toLowerCase(Locale.ROOT);
        if (!p.equals("causal")) p = Padding.check("Conv1D", padding);
        this.filters = filters;
        this.kernelSize = kernelSize;
        this.strides = strides;
        this.padding = p;
        this.dilation = dilation;
        this.groups = groups;
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.useBias = useBias;
        this.kernelInitializer = kernelInitializer;
        this.biasInitializer = biasInitializer;
        this.kernelRegularizer = kernelRegularizer;
        this.biasRegularizer = biasRegularizer;
    }

    @Override
    public void build(Shape in) {
        requireRank3(in);
        if (in.dim(2) % groups != 0) {
            throw new IllegalArgumentException(name() + " (Conv1D): " + in.dim(2) + " input channels are not divisible by groups=" + groups);
        }
        kernel = addWeight("kernel", Shape.of(kernelSize, in.dim(2) / groups, filters), kernelInitializer, kernelRegularizer, true);
        if (useBias) bias = addWeight("bias", Shape.of(filters), biasInitializer, biasRegularizer, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        requireRank3(x.shape());
        if (x.dim(2) != kernel.shape().dim(1) * groups) {
            throw new IllegalArgumentException(name() + " (Conv1D): expected " + kernel.shape().dim(1) * groups + " channels, got inputs "
                    + x.shape());
        }
        Checks.nonEmptySequence(this, x.shape()); // "same" and "causal" would pad nothing into a window and report that
        int[] pad = amounts(x.dim(1));
        Padding.outputSize(name(), "valid", x.dim(1) + pad[0] + pad[1], kernelSize, strides, dilation); // in the layer's terms, not the 2-D op's
        OpAttrs.Conv attrs = new OpAttrs.Conv(1, strides, 0, 0, pad[0], pad[1], 1, dilation, groups);
        Tensor k = kernel.value();
        Tensor y = Ops.conv2d(x.unsqueeze(1), k.reshape(1, k.dim(0), k.dim(1), k.dim(2)), attrs);
        y = y.reshape(y.dim(0), y.dim(2), y.dim(3));
        if (useBias) y = y.add(bias.value());
        return fn.apply(y);
    }

    private int[] amounts(int steps) {
        if (padding.equals("causal")) return new int[] {(kernelSize - 1) * dilation, 0};
        return Padding.amounts(padding, steps, kernelSize, strides, dilation);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        requireRank3(in);
        Checks.nonEmptySequence(this, in);
        int[] pad = amounts(in.dim(1));
        int out = Padding.outputSize(name(), "valid", in.dim(1) + pad[0] + pad[1], kernelSize, strides, dilation);
        return Shape.of(in.dim(0), out, filters);
    }

    private void requireRank3(Shape in) {
        if (in.rank() != 3) {
            throw new IllegalArgumentException(name() + " (Conv1D): expected inputs of rank 3 [batch, time, channels], got " + in);
        }
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
        c.put("kernel_size", Config.list(new int[] {kernelSize}));
        c.put("strides", Config.list(new int[] {strides}));
        c.put("padding", padding);
        c.put("data_format", "channels_last");
        c.put("dilation_rate", Config.list(new int[] {dilation}));
        c.put("groups", groups);
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("kernel_initializer", Config.of(kernelInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("kernel_regularizer", Config.of(kernelRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        return c;
    }

    public static Conv1D fromConfig(Map<String, Object> c) {
        Config.choice(c, "data_format", "channels_last", "channels_last");
        return new Conv1D(Config.integer(c, "filters", 1), Config.ints(c, "kernel_size", 1, new int[] {3})[0],
                Config.ints(c, "strides", 1, new int[] {1})[0], Config.string(c, "padding", "valid"),
                Config.ints(c, "dilation_rate", 1, new int[] {1})[0], Config.integer(c, "groups", 1),
                Config.string(c, "activation", null), Config.bool(c, "use_bias", true),
                Config.initializer(c, "kernel_initializer", new GlorotUniform()), Config.initializer(c, "bias_initializer", new Zeros()),
                Config.regularizer(c, "kernel_regularizer"), Config.regularizer(c, "bias_regularizer"), Config.string(c, "name", null));
    }
}
