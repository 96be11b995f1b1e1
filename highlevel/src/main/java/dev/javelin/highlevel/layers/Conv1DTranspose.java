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
 * The transposed 1-D convolution over [batch, steps, channels], as Keras's Conv1DTranspose: Keras's
 * kernel {@code [k, filters, channels]}, run as {@link Conv2DTranspose}'s computation on a height of 1.
 * The output has {@code T * stride + max(window - stride, 0)} steps with "valid" (the window is {@code (k - 1) * dilation + 1};
 * Keras's length), {@code T * stride} with "same".
 *
 * <pre>{@code
 * Layer up = new Conv1DTranspose(8, 3, 2, "same", "relu");   // [N, 10, C] -> [N, 20, 8]
 * }</pre>
 */
public final class Conv1DTranspose extends ConvolutionLayer {
    private final int filters;
    private final WeightOptions kernelOptions;
    private Variable kernel;

    public Conv1DTranspose(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, kernelSize, stride, padding, 1, activation, true, new GlorotUniform(), new Zeros(), null, null, null);
    }

    public Conv1DTranspose(int filters, int kernelSize, int stride, String padding, int dilation, String activation, boolean useBias,
                           Initializer kernelInitializer, Initializer biasInitializer, Regularizer kernelRegularizer,
                           Regularizer biasRegularizer, String name) {
        this(filters, new WeightOptions("kernel", kernelInitializer, kernelRegularizer),
                new Common(new ConvWindow("Conv1DTranspose", 1, new int[] {kernelSize}, new int[] {stride}, padding, new int[] {dilation}, false),
                        activation, useBias, biasInitializer, biasRegularizer, name));
    }

    private Conv1DTranspose(int filters, WeightOptions kernelOptions, Common common) {
        super(common);
        this.filters = filters("Conv1DTranspose", filters, 1);
        this.kernelOptions = kernelOptions.checked("Conv1DTranspose");
    }

    @Override
    public void build(Shape in) {
        requireInputRank(in);
        kernel = addKernel("kernel", Shape.of(window.kernelSize[0], filters, in.dim(2)), kernelOptions);
        addBias(filters);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Shape out = computeOutputShape(x.shape());
        Tensor y = Conv2DTranspose.transposed(x.unsqueeze(1), kernel.value().unsqueeze(0), window.plane(),
                Shape.of(out.dim(0), 1, out.dim(1), filters));
        return biasAndActivation(y.squeeze(1));
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

    public static Conv1DTranspose fromConfig(Map<String, Object> c) {
        return new Conv1DTranspose(Config.integer(c, "filters", 1), WeightOptions.fromConfig(c, "kernel", new GlorotUniform()),
                Common.fromConfig("Conv1DTranspose", c, 1, false));
    }
}
