package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;

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
public final class Conv3DTranspose extends Layer {
    private final int filters;
    private final int[] kernelSize;
    private final int[] strides;
    private final String padding;
    private final int[] dilation;
    private final String activation;
    private final boolean useBias;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private final Regularizer kernelRegularizer;
    private final Regularizer biasRegularizer;
    private final UnaryOperator<Tensor> fn;
    private Variable kernel;
    private Variable bias;

    public Conv3DTranspose(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, new int[] {kernelSize}, new int[] {stride}, padding, new int[] {1}, activation, true, new GlorotUniform(), new Zeros(),
                null, null, null);
    }

    /** Every supported Keras argument ({@code output_padding} is not); sizes are one int for all axes or three. */
    public Conv3DTranspose(int filters, int[] kernelSize, int[] strides, String padding, int[] dilation, String activation, boolean useBias,
                           Initializer kernelInitializer, Initializer biasInitializer, Regularizer kernelRegularizer,
                           Regularizer biasRegularizer, String name) {
        super(name);
        if (filters < 1) throw new IllegalArgumentException("Conv3DTranspose: filters must be >= 1, got " + filters);
        this.filters = filters;
        this.kernelSize = triple("kernel_size", kernelSize);
        this.strides = triple("strides", strides);
        this.padding = Padding.check("Conv3DTranspose", padding);
        this.dilation = triple("dilation_rate", dilation);
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.useBias = useBias;
        this.kernelInitializer = Checks.notNull("Conv3DTranspose", "kernel_initializer", kernelInitializer);
        this.biasInitializer = Checks.notNull("Conv3DTranspose", "bias_initializer", biasInitializer);
        this.kernelRegularizer = kernelRegularizer;
        this.biasRegularizer = biasRegularizer;
    }

    private static int[] triple(String what, int[] v) {
        int[] t = v.length == 1 ? new int[] {v[0], v[0], v[0]} : v.clone();
        if (t.length != 3 || t[0] < 1 || t[1] < 1 || t[2] < 1) {
            throw new IllegalArgumentException("Conv3DTranspose: " + what + " must be one or three positive ints, got " + Arrays.toString(v));
        }
        return t;
    }

    @Override
    public void build(Shape in) {
        computeOutputShape(in);
        kernel = addWeight("kernel", Shape.of(kernelSize[0], kernelSize[1], kernelSize[2], filters, in.dim(4)), kernelInitializer,
                kernelRegularizer, true);
        if (useBias) bias = addWeight("bias", Shape.of(filters), biasInitializer, biasRegularizer, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Shape out = computeOutputShape(x.shape());
        int n = x.dim(0), depth = x.dim(1);
        int top = Padding.amounts(padding, out.dim(1), kernelSize[0], strides[0], dilation[0])[0];
        // every window's span; longer when "valid" keeps the stride's trailing gap (a window shorter than the stride)
        int full = Math.max((depth - 1) * strides[0] + (kernelSize[0] - 1) * dilation[0] + 1, top + out.dim(1));
        Shape plane = Shape.of(n * depth, out.dim(2), out.dim(3), filters);
        Tensor folded = x.reshape(n * depth, x.dim(2), x.dim(3), x.dim(4));
        Tensor sum = null;
        for (int k = 0; k < kernelSize[0]; k++) {
            Tensor part = Conv2DTranspose.transposed(folded, kernel.value().slice(0, k, k + 1).squeeze(0), new int[] {kernelSize[1], kernelSize[2]},
                    new int[] {strides[1], strides[2]}, padding, new int[] {dilation[1], dilation[2]}, plane)
                    .reshape(n, depth, out.dim(2), out.dim(3), filters);
            int low = k * dilation[0], high = full - low - ((depth - 1) * strides[0] + 1);
            Tensor placed = Ops.pad(part, new int[] {0, low, 0, 0, 0}, new int[] {0, high, 0, 0, 0}, new int[] {0, strides[0] - 1, 0, 0, 0}, 0);
            sum = sum == null ? placed : sum.add(placed);
        }
        Tensor y = sum.narrow(1, top, out.dim(1));
        if (useBias) y = y.add(bias.value());
        return fn.apply(y);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        if (in.rank() != 5) {
            throw new IllegalArgumentException(name() + " (Conv3DTranspose): expected inputs [batch, d1, d2, d3, channels], got " + in);
        }
        int[] d = new int[] {in.dim(0), 0, 0, 0, filters};
        for (int a = 0; a < 3; a++) {
            d[a + 1] = Padding.transposedSize(name() + " (Conv3DTranspose) along axis " + (a + 1), padding, in.dim(a + 1), kernelSize[a],
                    strides[a], dilation[a]);
        }
        return Shape.of(d);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", filters);
        c.put("kernel_size", Config.list(kernelSize));
        c.put("strides", Config.list(strides));
        c.put("padding", padding);
        c.put("dilation_rate", Config.list(dilation));
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("kernel_initializer", Config.of(kernelInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("kernel_regularizer", Config.of(kernelRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        return c;
    }

    public static Conv3DTranspose fromConfig(Map<String, Object> c) {
        return new Conv3DTranspose(Config.integer(c, "filters", 1), Config.ints(c, "kernel_size", 3, new int[] {3}),
                Config.ints(c, "strides", 3, new int[] {1}), Config.string(c, "padding", "valid"),
                Config.ints(c, "dilation_rate", 3, new int[] {1}), Config.string(c, "activation", null), Config.bool(c, "use_bias", true),
                Config.initializer(c, "kernel_initializer", new GlorotUniform()), Config.initializer(c, "bias_initializer", new Zeros()),
                Config.regularizer(c, "kernel_regularizer"), Config.regularizer(c, "bias_regularizer"), Config.string(c, "name", null));
    }
}
