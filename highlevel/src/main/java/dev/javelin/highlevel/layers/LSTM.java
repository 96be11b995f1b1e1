package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Long short-term memory, as Keras's LSTM. Weights: {@code kernel [features, 4·units]},
 * {@code recurrent_kernel [units, 4·units]}, {@code bias [4·units]}, each in gate blocks
 * {@code i, f, c, o} (input, forget, candidate, output), the order of PyTorch's {@code i, f, g, o};
 * PyTorch's two biases sum to this one bias (see {@link TorchWeights}). Per step:
 * <pre>
 * z = x·kernel + h·recurrent_kernel + bias
 * i, f, o = recurrent_activation(z_i, z_f, z_o);  c = f*c + i*activation(z_c);  h = o*activation(c)
 * </pre>
 * States are {@code [h, c]}; {@code unit_forget_bias} (default true) starts the forget bias at 1.
 *
 * <pre>{@code
 * Model m = new Sequential(new InputLayer(28, 28), new LSTM(128), new Dense(10, "softmax"));
 * }</pre>
 */
public final class LSTM extends RecurrentLayer {
    private final boolean unitForgetBias;
    private final UnaryOperator<Tensor> activation;
    private final UnaryOperator<Tensor> gate;
    private Variable kernel;
    private Variable recurrentKernel;
    private Variable bias;

    public LSTM(int units) {
        this(units, RecurrentOptions.defaults(), true, null);
    }

    public LSTM(int units, RecurrentOptions options) {
        this(units, options, true, null);
    }

    /** @param name null for an automatic one */
    public LSTM(int units, RecurrentOptions options, boolean unitForgetBias, String name) {
        super(units, options, name);
        this.unitForgetBias = unitForgetBias;
        this.activation = Activations.get(options.activation());
        this.gate = Activations.get(options.recurrentActivation());
    }

    @Override
    protected RecurrentLayer reconfigured(RecurrentOptions o, String n) {
        return new LSTM(units, o, unitForgetBias, n);
    }

    @Override
    protected int stateCount() {
        return 2;
    }

    @Override
    protected int gateCount() {
        return 4;
    }

    @Override
    protected void buildCell(int inputDim) {
        kernel = addWeight("kernel", Shape.of(inputDim, 4 * units), options.kernelInitializer(), options.kernelRegularizer(), true);
        recurrentKernel = addWeight("recurrent_kernel", Shape.of(units, 4 * units), options.recurrentInitializer(),
                options.recurrentRegularizer(), true);
        if (options.useBias()) {
            Initializer init = unitForgetBias ? new ForgetBiasOnes(options.biasInitializer(), units) : options.biasInitializer();
            bias = addWeight("bias", Shape.of(4 * units), init, options.biasRegularizer(), true);
        }
    }

    @Override
    protected Tensor projectInputs(Tensor x) {
        Tensor p = x.matmul(kernel.value());
        return options.useBias() ? p.add(bias.value()) : p;
    }

    @Override
    protected Tensor projectGate(Tensor x, int gate) {
        Tensor p = x.matmul(kernel.value().narrow(1, gate * units, units));
        return options.useBias() ? p.add(bias.value().narrow(0, gate * units, units)) : p;
    }

    @Override
    protected List<Tensor> step(Tensor projected, List<Tensor> states, Tensor recurrentDropout) {
        Tensor h = states.get(0);
        Tensor c = states.get(1);
        Tensor z = projected.add(recurrentProduct(h, recurrentKernel.value(), recurrentDropout));
        Tensor i = gate.apply(z.narrow(1, 0, units));
        Tensor f = gate.apply(z.narrow(1, units, units));
        Tensor g = activation.apply(z.narrow(1, 2 * units, units));
        Tensor o = gate.apply(z.narrow(1, 3 * units, units));
        Tensor cNext = f.mul(c).add(i.mul(g));
        return List.of(o.mul(activation.apply(cNext)), cNext);
    }

    /** The fused loop (activations tanh, sigmoid, relu, linear or hard_sigmoid): the sequences of h and of c. */
    @Override
    protected List<Tensor> scan(Tensor projected, List<Tensor> states, Tensor recurrentDropout, Tensor mask, OpAttrs.Recurrence attrs) {
        Activation act = Activation.named(options.activation()), gates = Activation.named(options.recurrentActivation());
        if (act == null || gates == null) return null;
        Tensor packed = SequenceOps.recurrence(projected, recurrentKernel.value(), withDropout(states, recurrentDropout), mask,
                new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.LSTM, attrs.reverse(), attrs.timeOrder(), act, gates, attrs.recurrentDropout()));
        return List.of(packed.slice(2, 0, units), packed.slice(2, units, 2 * units));
    }

    public Variable kernel() {
        return kernel;
    }

    public Variable recurrentKernel() {
        return recurrentKernel;
    }

    public Variable bias() {
        return bias;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("recurrent_activation", options.recurrentActivation());
        c.put("unit_forget_bias", unitForgetBias);
        return c;
    }

    public static LSTM fromConfig(Map<String, Object> c) {
        return new LSTM(Config.integer(c, "units", 1), RecurrentOptions.fromConfig(c, "sigmoid"), Config.bool(c, "unit_forget_bias", true),
                Config.string(c, "name", null));
    }

    /** Keras's unit_forget_bias: the bias initializer's values with the forget block set to ones. */
    private record ForgetBiasOnes(Initializer base, int units) implements Initializer {
        @Override
        public Tensor apply(Shape shape, DType dtype) {
            // on the host, as every initializer: building may happen while a symbolic engine is active
            double[] values = base.apply(shape, dtype).toDoubleArray();
            java.util.Arrays.fill(values, units, 2 * units, 1.0);
            HeapStorage h = HeapStorage.allocate(dtype, values.length);
            for (int k = 0; k < values.length; k++) h.setDouble(k, values[k]);
            return Tensor.wrap(h, shape);
        }
    }
}
