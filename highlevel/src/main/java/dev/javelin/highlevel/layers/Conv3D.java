package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;

/**
 * 3-D convolution over [batch, d1, d2, d3, channels] with Keras's kernel
 * {@code [k1, k2, k3, channels / groups, filters]}, as Keras's Conv3D. Composed from 2-D
 * convolutions: for each kernel depth the matching strided depth slices of the input, folded into the
 * batch, meet that 2-D slice of the kernel, and the results are summed, so gradients come from CONV2D's.
 *
 * <pre>{@code
 * Layer c = new Conv3D(8, 3, 1, "same", "relu");
 * }</pre>
 */
public final class Conv3D extends ConvolutionLayer {
    private final int filters;
    private final int groups;
    private final WeightOptions kernelOptions;
    private Variable kernel;

    public Conv3D(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, new int[] {kernelSize}, new int[] {stride}, padding, new int[] {1}, 1, activation, true, new GlorotUniform(),
                new Zeros(), null, null, null);
    }

    /** Every supported Keras argument; sizes are one int for all axes or three. */
    public Conv3D(int filters, int[] kernelSize, int[] strides, String padding, int[] dilation, int groups, String activation,
                  boolean useBias, Initializer kernelInitializer, Initializer biasInitializer, Regularizer kernelRegularizer,
                  Regularizer biasRegularizer, String name) {
        this(filters, groups, new WeightOptions("kernel", kernelInitializer, kernelRegularizer),
                new Common(new ConvWindow("Conv3D", 3, kernelSize, strides, padding, dilation, false), activation, useBias, biasInitializer,
                        biasRegularizer, name));
    }

    private Conv3D(int filters, int groups, WeightOptions kernelOptions, Common common) {
        super(common);
        this.filters = filters("Conv3D", filters, groups);
        this.groups = groups;
        this.kernelOptions = kernelOptions.checked("Conv3D");
    }

    @Override
    public void build(Shape in) {
        requireInputRank(in);
        if (in.dim(4) % groups != 0) {
            throw new IllegalArgumentException(describe() + ": " + in.dim(4) + " input channels are not divisible by groups=" + groups);
        }
        int[] k = window.kernelSize;
        kernel = addKernel("kernel", Shape.of(k[0], k[1], k[2], in.dim(4) / groups, filters), kernelOptions);
        addBias(filters);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Shape out = computeOutputShape(x.shape());
        int[] pd = window.amounts(0, x.dim(1));
        Tensor padded = Ops.pad(x, new int[] {0, pd[0], 0, 0, 0}, new int[] {0, pd[1], 0, 0, 0}, new int[5], 0);
        OpAttrs.Conv plane = window.plane().conv2d(x.dim(2), x.dim(3), groups);
        int n = x.dim(0), od = out.dim(1), stride = window.strides[0];
        Tensor sum = null;
        for (int k = 0; k < window.kernelSize[0]; k++) {
            int start = k * window.dilation[0];
            Tensor slab = padded.slice(1, start, start + (od - 1) * stride + 1, stride);
            Tensor folded = slab.reshape(n * od, x.dim(2), x.dim(3), x.dim(4));
            Tensor part = Ops.conv2d(folded, kernel.value().slice(0, k, k + 1).squeeze(0), plane);
            sum = sum == null ? part : sum.add(part);
        }
        return biasAndActivation(sum.reshape(out.toArray()));
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

    public static Conv3D fromConfig(Map<String, Object> c) {
        return new Conv3D(Config.integer(c, "filters", 1), Config.integer(c, "groups", 1), WeightOptions.fromConfig(c, "kernel", new GlorotUniform()),
                Common.fromConfig("Conv3D", c, 3, false));
    }
}
