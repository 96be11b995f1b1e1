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
 * The transposed 1-D convolution over [batch, steps, channels], as Keras's Conv1DTranspose: Keras's
 * kernel {@code [k, filters, channels]}, run as {@link Conv2DTranspose}'s computation on a height of 1.
 * The output has {@code T * stride + max(window - stride, 0)} steps with "valid" (the window is {@code (k - 1) * dilation + 1};
 * Keras's length), {@code T * stride} with "same".
 *
 * <pre>{@code
 * Layer up = new Conv1DTranspose(8, 3, 2, "same", "relu");   // [N, 10, C] -> [N, 20, 8]
 * }</pre>
 */
public final class Conv1DTranspose extends Layer {
    private final int filters;
    private final int kernelSize;
    private final int stride;
    private final String padding;
    private final int dilation;
    private final String activation;
    private final boolean useBias;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private final Regularizer kernelRegularizer;
    private final Regularizer biasRegularizer;
    private final UnaryOperator<Tensor> fn;
    private Variable kernel;
    private Variable bias;

    public Conv1DTranspose(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, kernelSize, stride, padding, 1, activation, true, new GlorotUniform(), new Zeros(), null, null, null);
    }

    public Conv1DTranspose(int filters, int kernelSize, int stride, String padding, int dilation, String activation, boolean useBias,
                           Initializer kernelInitializer, Initializer biasInitializer, Regularizer kernelRegularizer,
                           Regularizer biasRegularizer, String name) {
        super(name);
        if (filters < 1 || kernelSize < 1 || stride < 1 || dilation < 1) {
            throw new IllegalArgumentException("Conv1DTranspose: filters, kernel_size, strides and dilation_rate must be >= 1, got "
                    + filters + ", " + kernelSize + ", " + stride + ", " + dilation);
        }
        this.filters = filters;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = Padding.check("Conv1DTranspose", padding);
        this.dilation = dilation;
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.useBias = useBias;
        this.kernelInitializer = Checks.notNull("Conv1DTranspose", "kernel_initializer", kernelInitializer);
        this.biasInitializer = Checks.notNull("Conv1DTranspose", "bias_initializer", biasInitializer);
        this.kernelRegularizer = kernelRegularizer;
        this.biasRegularizer = biasRegularizer;
    }

    @Override
    public void build(Shape in) {
        Checks.sequence(this, "Conv1DTranspose", in);
        kernel = addWeight("kernel", Shape.of(kernelSize, filters, in.dim(2)), kernelInitializer, kernelRegularizer, true);
        if (useBias) bias = addWeight("bias", Shape.of(filters), biasInitializer, biasRegularizer, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Shape out = computeOutputShape(x.shape());
        Tensor y = Conv2DTranspose.transposed(x.unsqueeze(1), kernel.value().unsqueeze(0), new int[] {1, kernelSize}, new int[] {1, stride},
                padding, new int[] {1, dilation}, Shape.of(out.dim(0), 1, out.dim(1), filters)).squeeze(1);
        if (useBias) y = y.add(bias.value());
        return fn.apply(y);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        Checks.sequence(this, "Conv1DTranspose", in);
        int t = Padding.transposedSize(name() + " (Conv1DTranspose) for inputs " + in, padding, in.dim(1), kernelSize, stride, dilation);
        return Shape.of(in.dim(0), t, filters);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", filters);
        c.put("kernel_size", List.of(kernelSize));
        c.put("strides", List.of(stride));
        c.put("padding", padding);
        c.put("dilation_rate", List.of(dilation));
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("kernel_initializer", Config.of(kernelInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("kernel_regularizer", Config.of(kernelRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        return c;
    }

    public static Conv1DTranspose fromConfig(Map<String, Object> c) {
        return new Conv1DTranspose(Config.integer(c, "filters", 1), Config.ints(c, "kernel_size", 1, new int[] {3})[0],
                Config.ints(c, "strides", 1, new int[] {1})[0], Config.string(c, "padding", "valid"),
                Config.ints(c, "dilation_rate", 1, new int[] {1})[0], Config.string(c, "activation", null), Config.bool(c, "use_bias", true),
                Config.initializer(c, "kernel_initializer", new GlorotUniform()), Config.initializer(c, "bias_initializer", new Zeros()),
                Config.regularizer(c, "kernel_regularizer"), Config.regularizer(c, "bias_regularizer"), Config.string(c, "name", null));
    }
}
