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
 * The transposed 2-D convolution (the gradient of a convolution with respect to its input), as
 * Keras's Conv2DTranspose, channels last. The kernel is {@code [kh, kw, filters, inputChannels]},
 * Keras's layout. The output is {@code H * stride} high with {@code "same"} padding and, with
 * {@code "valid"}, {@code H * stride + max(window - stride, 0)} for the window {@code (k - 1) * dilation + 1}
 * (Keras's length: {@code (H - 1) * stride + window}, or {@code H * stride} when the window is shorter than
 * the stride; Keras's {@code output_padding} is not supported).
 *
 * <pre>{@code
 * Layer up = new Conv2DTranspose(16, 3, 2, "same", "relu");   // [N, 7, 7, C] -> [N, 14, 14, 16]
 * }</pre>
 */
public final class Conv2DTranspose extends Layer {
    private final int filters;
    private final int[] kernelSize;
    private final int[] strides;
    private final String padding;
    private final int[] dilation;
    private final String activation;
    private final boolean useBias;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private final Regularizer kernelRegularizer;
    private final Regularizer biasRegularizer;
    private final UnaryOperator<Tensor> fn;
    private Variable kernel;
    private Variable bias;

    public Conv2DTranspose(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, new int[] {kernelSize, kernelSize}, new int[] {stride, stride}, padding, new int[] {1, 1}, activation, true,
                new GlorotUniform(), new Zeros(), null, null, null);
    }

    /** Every supported Keras argument; {@code name} null for an automatic one. */
    public Conv2DTranspose(int filters, int[] kernelSize, int[] strides, String padding, int[] dilation, String activation,
                           boolean useBias, Initializer kernelInitializer, Initializer biasInitializer,
                           Regularizer kernelRegularizer, Regularizer biasRegularizer, String name) {
        super(name);
        if (filters < 1) throw new IllegalArgumentException("Conv2DTranspose: filters must be >= 1, got " + filters);
        this.filters = filters;
        this.kernelSize = Padding.pair("Conv2DTranspose", "kernel_size", kernelSize);
        this.strides = Padding.pair("Conv2DTranspose", "strides", strides);
        this.padding = Padding.check("Conv2DTranspose", padding);
        this.dilation = Padding.pair("Conv2DTranspose", "dilation_rate", dilation);
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.useBias = useBias;
        this.kernelInitializer = Checks.notNull("Conv2DTranspose", "kernel_initializer", kernelInitializer);
        this.biasInitializer = Checks.notNull("Conv2DTranspose", "bias_initializer", biasInitializer);
        this.kernelRegularizer = kernelRegularizer;
        this.biasRegularizer = biasRegularizer;
    }

    @Override
    public void build(Shape in) {
        Checks.nhwc(this, "Conv2DTranspose", in);
        kernel = addWeight("kernel", Shape.of(kernelSize[0], kernelSize[1], filters, in.dim(3)), kernelInitializer, kernelRegularizer, true);
        if (useBias) bias = addWeight("bias", Shape.of(filters), biasInitializer, biasRegularizer, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Tensor y = transposed(x, kernel.value(), kernelSize, strides, padding, dilation, computeOutputShape(x.shape()));
        if (useBias) y = y.add(bias.value());
        return fn.apply(y);
    }

    /**
     * The transposed convolution of NHWC {@code x} with a {@code [kh, kw, filters, channels]} kernel
     * into {@code out}: the input gradient of the convolution that maps {@code out} back to {@code x}'s
     * shape, with that convolution's padding.
     */
    static Tensor transposed(Tensor x, Tensor kernel, int[] kernelSize, int[] strides, String padding, int[] dilation, Shape out) {
        int[] ph = Padding.amounts(padding, out.dim(1), kernelSize[0], strides[0], dilation[0]);
        int[] pw = Padding.amounts(padding, out.dim(2), kernelSize[1], strides[1], dilation[1]);
        OpAttrs.Conv attrs = new OpAttrs.Conv(strides[0], strides[1], ph[0], ph[1], pw[0], pw[1], dilation[0], dilation[1], 1);
        return Ops.conv2dBackwardInput(x, kernel, out, attrs);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return Shape.of(in.dim(0), size(in.dim(1), 0), size(in.dim(2), 1), filters);
    }

    private int size(int in, int axis) {
        return Padding.transposedSize(name() + " (Conv2DTranspose) along axis " + (axis + 1), padding, in, kernelSize[axis], strides[axis],
                dilation[axis]);
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
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("kernel_initializer", Config.of(kernelInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("kernel_regularizer", Config.of(kernelRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        return c;
    }

    public static Conv2DTranspose fromConfig(Map<String, Object> c) {
        return new Conv2DTranspose(Config.integer(c, "filters", 1), Config.ints(c, "kernel_size", 2, new int[] {3, 3}),
                Config.ints(c, "strides", 2, new int[] {1, 1}), Config.string(c, "padding", "valid"),
                Config.ints(c, "dilation_rate", 2, new int[] {1, 1}), Config.string(c, "activation", null),
                Config.bool(c, "use_bias", true), Config.initializer(c, "kernel_initializer", new GlorotUniform()),
                Config.initializer(c, "bias_initializer", new Zeros()), Config.regularizer(c, "kernel_regularizer"),
                Config.regularizer(c, "bias_regularizer"), Config.string(c, "name", null));
    }
}
