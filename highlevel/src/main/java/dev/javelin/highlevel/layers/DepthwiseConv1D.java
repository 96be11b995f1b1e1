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
 * A depthwise 1-D convolution over [batch, steps, channels], as Keras's DepthwiseConv1D: Keras's
 * kernel {@code [k, channels, depthMultiplier]}, run as {@link DepthwiseConv2D}'s grouped
 * convolution on a height of 1.
 *
 * <pre>{@code
 * Layer dw = new DepthwiseConv1D(5, 1, "same", 1, "relu");
 * }</pre>
 */
public final class DepthwiseConv1D extends ConvolutionLayer {
    private final int depthMultiplier;
    private final WeightOptions depthwiseOptions;
    private Variable kernel;

    public DepthwiseConv1D(int kernelSize, int stride, String padding, int depthMultiplier, String activation) {
        this(kernelSize, stride, padding, depthMultiplier, 1, activation, true, new GlorotUniform(), new Zeros(), null, null, null);
    }

    public DepthwiseConv1D(int kernelSize, int stride, String padding, int depthMultiplier, int dilation, String activation,
                           boolean useBias, Initializer depthwiseInitializer, Initializer biasInitializer,
                           Regularizer depthwiseRegularizer, Regularizer biasRegularizer, String name) {
        this(depthMultiplier, new WeightOptions("depthwise", depthwiseInitializer, depthwiseRegularizer),
                new Common(new ConvWindow("DepthwiseConv1D", 1, new int[] {kernelSize}, new int[] {stride}, padding, new int[] {dilation}, false),
                        activation, useBias, biasInitializer, biasRegularizer, name));
    }

    private DepthwiseConv1D(int depthMultiplier, WeightOptions depthwiseOptions, Common common) {
        super(common);
        this.depthMultiplier = atLeastOne("DepthwiseConv1D", "depth_multiplier", depthMultiplier);
        this.depthwiseOptions = depthwiseOptions.checked("DepthwiseConv1D");
    }

    @Override
    public void build(Shape in) {
        requireInputRank(in);
        kernel = addKernel("kernel", Shape.of(window.kernelSize[0], in.dim(2), depthMultiplier), depthwiseOptions);
        addBias(in.dim(2) * depthMultiplier);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        requireInputRank(x.shape());
        Tensor y = DepthwiseConv2D.depthwise(x.unsqueeze(1), kernel.value().unsqueeze(0), window.plane()).squeeze(1);
        return biasAndActivation(y);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        requireInputRank(in);
        return outputShape(in, in.dim(2) * depthMultiplier, false);
    }

    public Variable kernel() {
        return kernel;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("depth_multiplier", depthMultiplier);
        depthwiseOptions.putConfig(c);
        return c;
    }

    public static DepthwiseConv1D fromConfig(Map<String, Object> c) {
        return new DepthwiseConv1D(Config.integer(c, "depth_multiplier", 1), WeightOptions.fromConfig(c, "depthwise", new GlorotUniform()),
                Common.fromConfig("DepthwiseConv1D", c, 1, false));
    }
}
