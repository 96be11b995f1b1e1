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
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;

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
public final class Conv3D extends Layer {
    private final int filters;
    private final int[] kernelSize;
    private final int[] strides;
    private final String padding;
    private final int[] dilation;
    private final int groups;
    private final String activation;
    private final boolean useBias;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private final Regularizer kernelRegularizer;
    private final Regularizer biasRegularizer;
    private final UnaryOperator<Tensor> fn;
    private Variable kernel;
    private Variable bias;

    public Conv3D(int filters, int kernelSize, int stride, String padding, String activation) {
        this(filters, new int[] {kernelSize}, new int[] {stride}, padding, new int[] {1}, 1, activation, true, new GlorotUniform(),
                new Zeros(), null, null, null);
    }

    /** Every supported Keras argument; sizes are one int for all axes or three. */
    public Conv3D(int filters, int[] kernelSize, int[] strides, String padding, int[] dilation, int groups, String activation,
                  boolean useBias, Initializer kernelInitializer, Initializer biasInitializer, Regularizer kernelRegularizer,
                  Regularizer biasRegularizer, String name) {
        super(name);
        if (filters < 1 || groups < 1 || filters % groups != 0) {
            throw new IllegalArgumentException("Conv3D: filters (" + filters + ") must be >= 1 and divisible by groups (" + groups + ")");
        }
        this.filters = filters;
        this.kernelSize = triple("kernel_size", kernelSize);
        this.strides = triple("strides", strides);
        this.padding = Padding.check("Conv3D", padding);
        this.dilation = triple("dilation_rate", dilation);
        this.groups = groups;
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.useBias = useBias;
        this.kernelInitializer = Checks.notNull("Conv3D", "kernel_initializer", kernelInitializer);
        this.biasInitializer = Checks.notNull("Conv3D", "bias_initializer", biasInitializer);
        this.kernelRegularizer = kernelRegularizer;
        this.biasRegularizer = biasRegularizer;
    }

    private static int[] triple(String what, int[] v) {
        int[] t = v.length == 1 ? new int[] {v[0], v[0], v[0]} : v.clone();
        if (t.length != 3 || t[0] < 1 || t[1] < 1 || t[2] < 1) {
            throw new IllegalArgumentException("Conv3D: " + what + " must be one or three positive ints, got " + Arrays.toString(v));
        }
        return t;
    }

    @Override
    public void build(Shape in) {
        if (in.rank() != 5 || in.dim(4) % groups != 0) {
            throw new IllegalArgumentException(name() + " (Conv3D): expected inputs [batch, d1, d2, d3, channels] with channels divisible "
                    + "by groups=" + groups + ", got " + in);
        }
        kernel = addWeight("kernel", Shape.of(kernelSize[0], kernelSize[1], kernelSize[2], in.dim(4) / groups, filters), kernelInitializer,
                kernelRegularizer, true);
        if (useBias) bias = addWeight("bias", Shape.of(filters), biasInitializer, biasRegularizer, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Shape out = computeOutputShape(x.shape());
        int[] pd = Padding.amounts(padding, x.dim(1), kernelSize[0], strides[0], dilation[0]);
        Tensor padded = Ops.pad(x, new int[] {0, pd[0], 0, 0, 0}, new int[] {0, pd[1], 0, 0, 0}, new int[5], 0);
        int[] ph = Padding.amounts(padding, x.dim(2), kernelSize[1], strides[1], dilation[1]);
        int[] pw = Padding.amounts(padding, x.dim(3), kernelSize[2], strides[2], dilation[2]);
        OpAttrs.Conv plane = new OpAttrs.Conv(strides[1], strides[2], ph[0], ph[1], pw[0], pw[1], dilation[1], dilation[2], groups);
        int n = x.dim(0), od = out.dim(1);
        Tensor sum = null;
        for (int k = 0; k < kernelSize[0]; k++) {
            int start = k * dilation[0];
            Tensor slab = padded.slice(1, start, start + (od - 1) * strides[0] + 1, strides[0]);
            Tensor folded = slab.reshape(n * od, x.dim(2), x.dim(3), x.dim(4));
            Tensor part = Ops.conv2d(folded, kernel.value().slice(0, k, k + 1).squeeze(0), plane);
            sum = sum == null ? part : sum.add(part);
        }
        Tensor y = sum.reshape(out.toArray());
        if (useBias) y = y.add(bias.value());
        return fn.apply(y);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        if (in.rank() != 5) throw new IllegalArgumentException(name() + " (Conv3D): expected inputs [batch, d1, d2, d3, channels], got " + in);
        int[] d = new int[] {in.dim(0), 0, 0, 0, filters};
        for (int a = 0; a < 3; a++) d[a + 1] = Padding.outputSize(name(), padding, in.dim(a + 1), kernelSize[a], strides[a], dilation[a]);
        return Shape.of(d);
    }

    public Variable kernel() {
        return kernel;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", filters);
        c.put("kernel_size", Config.list(kernelSize));
        c.put("strides", Config.list(strides));
        c.put("padding", padding);
        c.put("dilation_rate", Config.list(dilation));
        c.put("groups", groups);
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("kernel_initializer", Config.of(kernelInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("kernel_regularizer", Config.of(kernelRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        return c;
    }

    public static Conv3D fromConfig(Map<String, Object> c) {
        return new Conv3D(Config.integer(c, "filters", 1), Config.ints(c, "kernel_size", 3, new int[] {3}),
                Config.ints(c, "strides", 3, new int[] {1}), Config.string(c, "padding", "valid"), Config.ints(c, "dilation_rate", 3, new int[] {1}),
                Config.integer(c, "groups", 1), Config.string(c, "activation", null), Config.bool(c, "use_bias", true),
                Config.initializer(c, "kernel_initializer", new GlorotUniform()), Config.initializer(c, "bias_initializer", new Zeros()),
                Config.regularizer(c, "kernel_regularizer"), Config.regularizer(c, "bias_regularizer"), Config.string(c, "name", null));
    }
}
