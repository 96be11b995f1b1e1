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
 * A depthwise 2-D convolution, as Keras's DepthwiseConv2D: each input channel is convolved with its
 * own {@code depthMultiplier} filters. The kernel is Keras's {@code [kh, kw, channels, depthMultiplier]};
 * it runs as a grouped convolution with one group per channel, output channel {@code c * m + j}.
 *
 * <pre>{@code
 * Layer dw = new DepthwiseConv2D(3, 1, "same", 1, "relu");
 * }</pre>
 */
public final class DepthwiseConv2D extends ConvolutionLayer {
    private final int depthMultiplier;
    private final WeightOptions depthwiseOptions;
    private Variable kernel;

    public DepthwiseConv2D(int kernelSize, int stride, String padding, int depthMultiplier, String activation) {
        this(new int[] {kernelSize}, new int[] {stride}, padding, depthMultiplier, new int[] {1}, activation, true, new GlorotUniform(),
                new Zeros(), null, null, null);
    }

    /** Every supported Keras argument; sizes are one int for both axes or two; {@code name} null for an automatic one. */
    public DepthwiseConv2D(int[] kernelSize, int[] strides, String padding, int depthMultiplier, int[] dilation, String activation,
                           boolean useBias, Initializer depthwiseInitializer, Initializer biasInitializer,
                           Regularizer depthwiseRegularizer, Regularizer biasRegularizer, String name) {
        this(depthMultiplier, new WeightOptions("depthwise", depthwiseInitializer, depthwiseRegularizer),
                new Common(new ConvWindow("DepthwiseConv2D", 2, kernelSize, strides, padding, dilation, false), activation, useBias,
                        biasInitializer, biasRegularizer, name));
    }

    private DepthwiseConv2D(int depthMultiplier, WeightOptions depthwiseOptions, Common common) {
        super(common);
        this.depthMultiplier = atLeastOne("DepthwiseConv2D", "depth_multiplier", depthMultiplier);
        this.depthwiseOptions = depthwiseOptions.checked("DepthwiseConv2D");
    }

    @Override
    public void build(Shape in) {
        requireInputRank(in);
        kernel = addKernel("kernel", Shape.of(window.kernelSize[0], window.kernelSize[1], in.dim(3), depthMultiplier), depthwiseOptions);
        addBias(in.dim(3) * depthMultiplier);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        return biasAndActivation(depthwise(x, kernel.value(), window));
    }

    /** A [kh, kw, C, m] kernel applied per channel with the 2-D window {@code plane}: a convolution with C groups of one input channel each. */
    static Tensor depthwise(Tensor x, Tensor kernel, ConvWindow plane) {
        int channels = kernel.dim(2), m = kernel.dim(3);
        return Ops.conv2d(x, kernel.reshape(kernel.dim(0), kernel.dim(1), 1, channels * m), plane.conv2d(x.dim(1), x.dim(2), channels));
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        requireInputRank(in);
        return outputShape(in, in.dim(3) * depthMultiplier, false);
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

    public static DepthwiseConv2D fromConfig(Map<String, Object> c) {
        return new DepthwiseConv2D(Config.integer(c, "depth_multiplier", 1), WeightOptions.fromConfig(c, "depthwise", new GlorotUniform()),
                Common.fromConfig("DepthwiseConv2D", c, 2, false));
    }
}
