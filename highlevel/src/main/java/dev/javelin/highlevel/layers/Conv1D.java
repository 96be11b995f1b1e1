package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;

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
public final class Conv1D extends ConvolutionLayer {
    private final int filters;
    private final int groups;
    private final WeightOptions kernelOptions;
    private Variable kernel;

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
        this(filters, groups, new WeightOptions("kernel", kernelInitializer, kernelRegularizer),
                new Common(new ConvWindow("Conv1D", 1, new int[] {kernelSize}, new int[] {strides}, padding, new int[] {dilation}, true),
                        activation, useBias, biasInitializer, biasRegularizer, name));
    }

    private Conv1D(int filters, int groups, WeightOptions kernelOptions, Common common) {
        super(common);
        this.filters = filters("Conv1D", filters, groups);
        this.groups = groups;
        this.kernelOptions = kernelOptions.checked("Conv1D");
    }

    @Override
    public void build(Shape in) {
        requireInputRank(in);
        if (in.dim(2) % groups != 0) {
            throw new IllegalArgumentException(describe() + ": " + in.dim(2) + " input channels are not divisible by groups=" + groups);
        }
        kernel = addKernel("kernel", Shape.of(window.kernelSize[0], in.dim(2) / groups, filters), kernelOptions);
        addBias(filters);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        requireInputRank(x.shape());
        if (x.dim(2) != kernel.shape().dim(1) * groups) {
            throw new IllegalArgumentException(describe() + ": expected " + kernel.shape().dim(1) * groups + " channels, got inputs " + x.shape());
        }
        Checks.nonEmptySequence(this, x.shape()); // "same" and "causal" would pad nothing into a window and report that
        window.outputSize(name(), 0, x.dim(1)); // a window that does not fit, in the layer's terms rather than the 2-D op's
        Tensor y = Ops.conv2d(x.unsqueeze(1), kernel.value().unsqueeze(0), window.plane().conv2d(1, x.dim(1), groups));
        return biasAndActivation(y.squeeze(1));
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        requireInputRank(in);
        Checks.nonEmptySequence(this, in);
        return outputShape(in, filters, false);
    }

    public Variable kernel() {
        return kernel;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", filters);
        c.put("data_format", "channels_last");
        c.put("groups", groups);
        kernelOptions.putConfig(c);
        return c;
    }

    public static Conv1D fromConfig(Map<String, Object> c) {
        Config.choice(c, "data_format", "channels_last", "channels_last");
        return new Conv1D(Config.integer(c, "filters", 1), Config.integer(c, "groups", 1), WeightOptions.fromConfig(c, "kernel", new GlorotUniform()),
                Common.fromConfig("Conv1D", c, 1, true));
    }
}
