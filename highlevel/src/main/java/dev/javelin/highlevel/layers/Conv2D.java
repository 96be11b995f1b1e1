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
 * 2-D convolution over NHWC inputs with an HWIO kernel, as Keras's Conv2D (channels last).
 *
 * <pre>{@code
 * Layer c = new Conv2D(32, 3, "relu");                         // 3x3, stride 1, "valid"
 * Layer d = new Conv2D(64, new int[] {3, 3}, new int[] {2, 2}, "same", "relu");
 * }</pre>
 */
public class Conv2D extends ConvolutionLayer {
    private final int filters;
    private final int groups;
    private final WeightOptions kernelOptions;
    private Variable kernel;

    public Conv2D(int filters, int kernelSize) {
        this(filters, kernelSize, null);
    }

    public Conv2D(int filters, int kernelSize, String activation) {
        this(filters, new int[] {kernelSize}, new int[] {1}, "valid", activation);
    }

    public Conv2D(int filters, int[] kernelSize, int[] strides, String padding, String activation) {
        this(filters, kernelSize, strides, padding, new int[] {1}, 1, activation, true, new GlorotUniform(), new Zeros(), null, null, null);
    }

    /** Every Keras argument; sizes are one int for both axes or two; {@code name} null for an automatic one. */
    public Conv2D(int filters, int[] kernelSize, int[] strides, String padding, int[] dilation, int groups, String activation,
                  boolean useBias, Initializer kernelInitializer, Initializer biasInitializer, Regularizer kernelRegularizer,
                  Regularizer biasRegularizer, String name) {
        this(filters, groups, new WeightOptions("kernel", kernelInitializer, kernelRegularizer),
                new Common(new ConvWindow("Conv2D", 2, kernelSize, strides, padding, dilation, false), activation, useBias, biasInitializer,
                        biasRegularizer, name));
    }

    private Conv2D(int filters, int groups, WeightOptions kernelOptions, Common common) {
        super(common);
        this.filters = filters("Conv2D", filters, groups);
        this.groups = groups;
        this.kernelOptions = kernelOptions.checked("Conv2D");
    }

    @Override
    public void build(Shape in) {
        requireInputRank(in);
        if (in.dim(3) % groups != 0) {
            throw new IllegalArgumentException(describe() + ": " + in.dim(3) + " input channels are not divisible by groups=" + groups);
        }
        kernel = addKernel("kernel", Shape.of(window.kernelSize[0], window.kernelSize[1], in.dim(3) / groups, filters), kernelOptions);
        addBias(filters);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        return biasAndActivation(Ops.conv2d(x, kernel.value(), window.conv2d(x.dim(1), x.dim(2), groups)));
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return outputShape(in, filters, false);
    }

    public Variable kernel() {
        return kernel;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", filters);
        c.put("groups", groups);
        kernelOptions.putConfig(c);
        return c;
    }

    public static Conv2D fromConfig(Map<String, Object> c) {
        return new Conv2D(Config.requiredInteger(c, "filters", 1, Integer.MAX_VALUE), Config.integerIn(c, "groups", 1, 1, Integer.MAX_VALUE),
                WeightOptions.fromConfig(c, "kernel", new GlorotUniform()), Common.fromConfig("Conv2D", c, 2, false));
    }
}
