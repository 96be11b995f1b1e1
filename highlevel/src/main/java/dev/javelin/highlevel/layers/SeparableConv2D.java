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

/**
 * A depthwise-separable 2-D convolution, as Keras's SeparableConv2D: a depthwise convolution
 * ({@code depthwise_kernel [kh, kw, C, depthMultiplier]}) followed by a 1x1 convolution
 * ({@code pointwise_kernel [1, 1, C * depthMultiplier, filters]}), then bias and activation.
 *
 * <pre>{@code
 * Layer sep = new SeparableConv2D(32, 3, 1, "same", "relu");
 * }</pre>
 */
public final class SeparableConv2D extends ConvolutionLayer {
    private static final OpAttrs.Conv POINTWISE = new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1);
    private final int filters;
    private final int depthMultiplier;
    private final WeightOptions depthwiseOptions;
    private final WeightOptions pointwiseOptions;
    private Variable depthwiseKernel;
    private Variable pointwiseKernel;

    public SeparableConv2D(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, new int[] {kernelSize}, new int[] {stride}, padding, 1, new int[] {1}, activation, true, new GlorotUniform(),
                new GlorotUniform(), new Zeros(), null, null, null, null);
    }

    /** Every supported Keras argument; sizes are one int for both axes or two; {@code name} null for an automatic one. */
    public SeparableConv2D(int filters, int[] kernelSize, int[] strides, String padding, int depthMultiplier, int[] dilation,
                           String activation, boolean useBias, Initializer depthwiseInitializer, Initializer pointwiseInitializer,
                           Initializer biasInitializer, Regularizer depthwiseRegularizer, Regularizer pointwiseRegularizer,
                           Regularizer biasRegularizer, String name) {
        this(filters, depthMultiplier, new WeightOptions("depthwise", depthwiseInitializer, depthwiseRegularizer),
                new WeightOptions("pointwise", pointwiseInitializer, pointwiseRegularizer),
                new Common(new ConvWindow("SeparableConv2D", 2, kernelSize, strides, padding, dilation, false), activation, useBias,
                        biasInitializer, biasRegularizer, name));
    }

    private SeparableConv2D(int filters, int depthMultiplier, WeightOptions depthwiseOptions, WeightOptions pointwiseOptions, Common common) {
        super(common);
        this.filters = filters("SeparableConv2D", filters, 1);
        this.depthMultiplier = atLeastOne("SeparableConv2D", "depth_multiplier", depthMultiplier);
        this.depthwiseOptions = depthwiseOptions.checked("SeparableConv2D");
        this.pointwiseOptions = pointwiseOptions.checked("SeparableConv2D");
    }

    @Override
    public void build(Shape in) {
        requireInputRank(in);
        int c = in.dim(3);
        depthwiseKernel = addKernel("depthwise_kernel", Shape.of(window.kernelSize[0], window.kernelSize[1], c, depthMultiplier),
                depthwiseOptions);
        pointwiseKernel = addKernel("pointwise_kernel", Shape.of(1, 1, c * depthMultiplier, filters), pointwiseOptions);
        addBias(filters);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Tensor d = DepthwiseConv2D.depthwise(x, depthwiseKernel.value(), window);
        return biasAndActivation(Ops.conv2d(d, pointwiseKernel.value(), POINTWISE));
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

    public static SeparableConv2D fromConfig(Map<String, Object> c) {
        return new SeparableConv2D(Config.integer(c, "filters", 1), Config.integer(c, "depth_multiplier", 1),
                WeightOptions.fromConfig(c, "depthwise", new GlorotUniform()), WeightOptions.fromConfig(c, "pointwise", new GlorotUniform()),
                Common.fromConfig("SeparableConv2D", c, 2, false));
    }
}
