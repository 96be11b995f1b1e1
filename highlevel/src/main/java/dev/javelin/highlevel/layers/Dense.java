package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code activation(inputs @ kernel + bias)} on the last axis, as Keras's Dense.
 *
 * <pre>{@code
 * Layer hidden = new Dense(256, "relu");
 * Layer out = new Dense(10, "softmax", new L2(1e-4));
 * }</pre>
 */
public class Dense extends Layer {
    private final int units;
    private final String activation;
    private final boolean useBias;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private final Regularizer kernelRegularizer;
    private final Regularizer biasRegularizer;
    private final UnaryOperator<Tensor> fn;
    private Variable kernel;
    private Variable bias;

    public Dense(int units) {
        this(units, null);
    }

    public Dense(int units, String activation) {
        this(units, activation, null);
    }

    public Dense(int units, String activation, Regularizer kernelRegularizer) {
        this(units, activation, true, new GlorotUniform(), new Zeros(), kernelRegularizer, null, null);
    }

    /** Every Keras argument; {@code name} null for an automatic one. */
    public Dense(int units, String activation, boolean useBias, Initializer kernelInitializer, Initializer biasInitializer,
                 Regularizer kernelRegularizer, Regularizer biasRegularizer, String name) {
        super(name);
        if (units < 1) throw new IllegalArgumentException("Dense: units must be >= 1, got " + units);
        this.units = units;
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.useBias = useBias;
        this.kernelInitializer = requireInitializer("Dense", "kernel_initializer", kernelInitializer);
        this.biasInitializer = requireInitializer("Dense", "bias_initializer", biasInitializer);
        this.kernelRegularizer = kernelRegularizer;
        this.biasRegularizer = biasRegularizer;
    }

    @Override
    public void build(Shape inputShape) {
        if (inputShape.rank() < 2) {
            throw new IllegalArgumentException(name() + " (Dense): expected inputs of rank >= 2 [batch, ..., features], got " + inputShape);
        }
        kernel = addWeight("kernel", Shape.of(inputShape.dim(-1), units), kernelInitializer, kernelRegularizer, true);
        if (useBias) bias = addWeight("bias", Shape.of(units), biasInitializer, biasRegularizer, true);
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        int in = kernel.shape().dim(0);
        if (inputs.dim(-1) != in) {
            throw new IllegalArgumentException(name() + " (Dense): expected last dimension " + in + ", got inputs " + inputs.shape());
        }
        Tensor x = inputs.rank() == 2 ? inputs : inputs.reshape(-1, in);
        Tensor y = x.matmul(kernel.value());
        if (useBias) y = y.add(bias.value());
        if (inputs.rank() != 2) {
            int[] dims = inputs.shape().toArray();
            dims[dims.length - 1] = units;
            y = y.reshape(dims);
        }
        return fn.apply(y);
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        return inputShape.with(-1, units);
    }

    public Variable kernel() {
        return kernel;
    }

    public Variable bias() {
        return bias;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("units", units);
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("kernel_initializer", Config.of(kernelInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("kernel_regularizer", Config.of(kernelRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        return c;
    }

    public static Dense fromConfig(Map<String, Object> c) {
        return new Dense(Config.requiredInteger(c, "units", 1, Integer.MAX_VALUE), Config.string(c, "activation", null), Config.bool(c, "use_bias", true),
                Config.initializer(c, "kernel_initializer", new GlorotUniform()), Config.initializer(c, "bias_initializer", new Zeros()),
                Config.regularizer(c, "kernel_regularizer"), Config.regularizer(c, "bias_regularizer"), Config.string(c, "name", null));
    }
}
