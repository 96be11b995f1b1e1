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
public final class Conv2DTranspose extends ConvolutionLayer {
    private final int filters;
    private final WeightOptions kernelOptions;
    private Variable kernel;

    public Conv2DTranspose(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, new int[] {kernelSize}, new int[] {stride}, padding, new int[] {1}, activation, true, new GlorotUniform(), new Zeros(),
                null, null, null);
    }

    /** Every supported Keras argument; sizes are one int for both axes or two; {@code name} null for an automatic one. */
    public Conv2DTranspose(int filters, int[] kernelSize, int[] strides, String padding, int[] dilation, String activation,
                           boolean useBias, Initializer kernelInitializer, Initializer biasInitializer,
                           Regularizer kernelRegularizer, Regularizer biasRegularizer, String name) {
        this(filters, new WeightOptions("kernel", kernelInitializer, kernelRegularizer),
                new Common(new ConvWindow("Conv2DTranspose", 2, kernelSize, strides, padding, dilation, false), activation, useBias,
                        biasInitializer, biasRegularizer, name));
    }

    private Conv2DTranspose(int filters, WeightOptions kernelOptions, Common common) {
        super(common);
        this.filters = filters("Conv2DTranspose", filters, 1);
        this.kernelOptions = kernelOptions.checked("Conv2DTranspose");
    }

    @Override
    public void build(Shape in) {
        requireInputRank(in);
        kernel = addKernel("kernel", Shape.of(window.kernelSize[0], window.kernelSize[1], filters, in.dim(3)), kernelOptions);
        addBias(filters);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        return biasAndActivation(transposed(x, kernel.value(), window, computeOutputShape(x.shape())));
    }

    /**
     * The transposed convolution of NHWC {@code x} with a {@code [kh, kw, filters, channels]} kernel
     * into {@code out}: the input gradient of the convolution with the 2-D window {@code plane} that
     * maps {@code out} back to {@code x}'s shape.
     */
    static Tensor transposed(Tensor x, Tensor kernel, ConvWindow plane, Shape out) {
        return Ops.conv2dBackwardInput(x, kernel, out, plane.conv2d(out.dim(1), out.dim(2), 1));
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return outputShape(in, filters, true);
    }

    public Variable kernel() {
        return kernel;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", filters);
        kernelOptions.putConfig(c);
        return c;
    }

    public static Conv2DTranspose fromConfig(Map<String, Object> c) {
        return new Conv2DTranspose(Config.integer(c, "filters", 1), WeightOptions.fromConfig(c, "kernel", new GlorotUniform()),
                Common.fromConfig("Conv2DTranspose", c, 2, false));
    }
}
