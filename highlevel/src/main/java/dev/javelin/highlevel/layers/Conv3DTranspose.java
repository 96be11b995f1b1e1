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
 * The transposed 3-D convolution over [batch, d1, d2, d3, channels], as Keras's Conv3DTranspose, with
 * Keras's kernel {@code [k1, k2, k3, filters, channels]}. Composed from 2-D transposed convolutions:
 * for each kernel depth the input's depth slices (folded into the batch) meet that kernel slice, and
 * the results land {@code stride} apart along the depth (an interior pad) and are summed; "same"
 * crops the full result as the forward convolution's padding says.
 *
 * <pre>{@code
 * Layer up = new Conv3DTranspose(8, 3, 2, "same", "relu");   // [N, 4, 4, 4, C] -> [N, 8, 8, 8, 8]
 * }</pre>
 */
public final class Conv3DTranspose extends ConvolutionLayer {
    private final int filters;
    private final WeightOptions kernelOptions;
    private Variable kernel;

    public Conv3DTranspose(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, new int[] {kernelSize}, new int[] {stride}, padding, new int[] {1}, activation, true, new GlorotUniform(), new Zeros(),
                null, null, null);
    }

    /** Every supported Keras argument ({@code output_padding} is not); sizes are one int for all axes or three. */
    public Conv3DTranspose(int filters, int[] kernelSize, int[] strides, String padding, int[] dilation, String activation, boolean useBias,
                           Initializer kernelInitializer, Initializer biasInitializer, Regularizer kernelRegularizer,
                           Regularizer biasRegularizer, String name) {
        this(filters, new WeightOptions("kernel", kernelInitializer, kernelRegularizer),
                new Common(new ConvWindow("Conv3DTranspose", 3, kernelSize, strides, padding, dilation, false), activation, useBias,
                        biasInitializer, biasRegularizer, name));
    }

    private Conv3DTranspose(int filters, WeightOptions kernelOptions, Common common) {
        super(common);
        this.filters = filters("Conv3DTranspose", filters, 1);
        this.kernelOptions = kernelOptions.checked("Conv3DTranspose");
    }

    @Override
    public void build(Shape in) {
        computeOutputShape(in);
        int[] k = window.kernelSize;
        kernel = addKernel("kernel", Shape.of(k[0], k[1], k[2], filters, in.dim(4)), kernelOptions);
        addBias(filters);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Shape out = computeOutputShape(x.shape());
        int n = x.dim(0), depth = x.dim(1), stride = window.strides[0], dilation = window.dilation[0];
        int top = window.amounts(0, out.dim(1))[0];
        // every tap's span; longer when "valid" keeps the stride's trailing gap (a window shorter than the stride)
        int full = Math.max((depth - 1) * stride + (window.kernelSize[0] - 1) * dilation + 1, top + out.dim(1));
        Shape plane = Shape.of(n * depth, out.dim(2), out.dim(3), filters);
        Tensor folded = x.reshape(n * depth, x.dim(2), x.dim(3), x.dim(4));
        Tensor sum = null;
        for (int k = 0; k < window.kernelSize[0]; k++) {
            Tensor part = Conv2DTranspose.transposed(folded, kernel.value().slice(0, k, k + 1).squeeze(0), window.plane(), plane)
                    .reshape(n, depth, out.dim(2), out.dim(3), filters);
            int low = k * dilation, high = full - low - ((depth - 1) * stride + 1);
            Tensor placed = Ops.pad(part, new int[] {0, low, 0, 0, 0}, new int[] {0, high, 0, 0, 0}, new int[] {0, stride - 1, 0, 0, 0}, 0);
            sum = sum == null ? placed : sum.add(placed);
        }
        return biasAndActivation(sum.narrow(1, top, out.dim(1)));
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

    public static Conv3DTranspose fromConfig(Map<String, Object> c) {
        return new Conv3DTranspose(Config.integer(c, "filters", 1), WeightOptions.fromConfig(c, "kernel", new GlorotUniform()),
                Common.fromConfig("Conv3DTranspose", c, 3, false));
    }
}
