package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;

/**
 * A depthwise-separable 1-D convolution over [batch, steps, channels], as Keras's SeparableConv1D:
 * {@code depthwise_kernel [k, channels, depthMultiplier]} per channel, then
 * {@code pointwise_kernel [1, channels * depthMultiplier, filters]}, bias and activation.
 *
 * <pre>{@code
 * Layer sep = new SeparableConv1D(32, 5, 1, "same", "relu");
 * }</pre>
 */
public final class SeparableConv1D extends ConvolutionLayer {
    private final int filters;
    private final int depthMultiplier;
    private final WeightOptions depthwiseOptions;
    private final WeightOptions pointwiseOptions;
    private Variable depthwiseKernel;
    private Variable pointwiseKernel;

    public SeparableConv1D(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, kernelSize, stride, padding, 1, 1, activation, true, new GlorotUniform(), new GlorotUniform(), new Zeros(), null);
    }

    /** Keras's arguments without the regularizers. */
    public SeparableConv1D(int filters, int kernelSize, int stride, String padding, int depthMultiplier, int dilation, String activation,
                           boolean useBias, Initializer depthwiseInitializer, Initializer pointwiseInitializer, Initializer biasInitializer,
                           String name) {
        this(filters, kernelSize, stride, padding, depthMultiplier, dilation, activation, useBias, depthwiseInitializer, pointwiseInitializer,
                biasInitializer, null, null, null, name);
    }

    /** Every supported Keras argument; {@code name} null for an automatic one. */
    public SeparableConv1D(int filters, int kernelSize, int stride, String padding, int depthMultiplier, int dilation, String activation,
                           boolean useBias, Initializer depthwiseInitializer, Initializer pointwiseInitializer, Initializer biasInitializer,
                           Regularizer depthwiseRegularizer, Regularizer pointwiseRegularizer, Regularizer biasRegularizer, String name) {
        this(filters, depthMultiplier, new WeightOptions("depthwise", depthwiseInitializer, depthwiseRegularizer),
                new WeightOptions("pointwise", pointwiseInitializer, pointwiseRegularizer),
                new Common(new ConvWindow("SeparableConv1D", 1, new int[] {kernelSize}, new int[] {stride}, padding, new int[] {dilation}, false),
                        activation, useBias, biasInitializer, biasRegularizer, name));
    }

    private SeparableConv1D(int filters, int depthMultiplier, WeightOptions depthwiseOptions, WeightOptions pointwiseOptions, Common common) {
        super(common);
        this.filters = filters("SeparableConv1D", filters, 1);
        this.depthMultiplier = atLeastOne("SeparableConv1D", "depth_multiplier", depthMultiplier);
        this.depthwiseOptions = depthwiseOptions.checked("SeparableConv1D");
        this.pointwiseOptions = pointwiseOptions.checked("SeparableConv1D");
    }

    @Override
    public void build(Shape in) {
        requireInputRank(in);
        int c = in.dim(2);
        depthwiseKernel = addKernel("depthwise_kernel", Shape.of(window.kernelSize[0], c, depthMultiplier), depthwiseOptions);
        pointwiseKernel = addKernel("pointwise_kernel", Shape.of(1, c * depthMultiplier, filters), pointwiseOptions);
        addBias(filters);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        requireInputRank(x.shape());
        Tensor d = DepthwiseConv2D.depthwise(x.unsqueeze(1), depthwiseKernel.value().unsqueeze(0), window.plane()).squeeze(1);
        return biasAndActivation(d.matmul(pointwiseKernel.value().squeeze(0)));
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return outputShape(in, filters, false);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", filters);
        c.put("depth_multiplier", depthMultiplier);
        depthwiseOptions.putConfig(c);
        pointwiseOptions.putConfig(c);
        return c;
    }

    public static SeparableConv1D fromConfig(Map<String, Object> c) {
        return new SeparableConv1D(Config.integer(c, "filters", 1), Config.integer(c, "depth_multiplier", 1),
                WeightOptions.fromConfig(c, "depthwise", new GlorotUniform()), WeightOptions.fromConfig(c, "pointwise", new GlorotUniform()),
                Common.fromConfig("SeparableConv1D", c, 1, false));
    }
}
