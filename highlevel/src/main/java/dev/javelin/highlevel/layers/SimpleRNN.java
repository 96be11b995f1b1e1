package dev.javelin.highlevel.layers;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The plain recurrent layer, as Keras's SimpleRNN: {@code h_t = activation(x_t·kernel +
 * h_{t-1}·recurrent_kernel + bias)}. Weights: {@code kernel [features, units]},
 * {@code recurrent_kernel [units, units]}, {@code bias [units]} (PyTorch's {@code nn.RNN} holds the
 * transposes and two biases whose sum is this one; see {@link TorchWeights}).
 *
 * <pre>{@code
 * Layer rnn = new SimpleRNN(32);                                           // last output [N, 32]
 * Layer seq = new SimpleRNN(32, RecurrentOptions.defaults().returnSequences(true)); // [N, T, 32]
 * }</pre>
 */
public final class SimpleRNN extends RecurrentLayer {
    private final UnaryOperator<Tensor> activation;
    private Variable kernel;
    private Variable recurrentKernel;
    private Variable bias;

    public SimpleRNN(int units) {
        this(units, RecurrentOptions.defaults(), null);
    }

    public SimpleRNN(int units, RecurrentOptions options) {
        this(units, options, null);
    }

    /** @param name null for an automatic one */
    public SimpleRNN(int units, RecurrentOptions options, String name) {
        super(units, options, name);
        this.activation = Activations.get(options.activation());
    }

    @Override
    protected RecurrentLayer reconfigured(RecurrentOptions o, String n) {
        return new SimpleRNN(units, o, n);
    }

    @Override
    protected int stateCount() {
        return 1;
    }

    @Override
    protected int gateCount() {
        return 1;
    }

    @Override
    protected void buildCell(int inputDim) {
        kernel = addWeight("kernel", Shape.of(inputDim, units), options.kernelInitializer(), options.kernelRegularizer(), true);
        recurrentKernel = addWeight("recurrent_kernel", Shape.of(units, units), options.recurrentInitializer(),
                options.recurrentRegularizer(), true);
        if (options.useBias()) bias = addWeight("bias", Shape.of(units), options.biasInitializer(), options.biasRegularizer(), true);
    }

    @Override
    protected Tensor projectInputs(Tensor x) {
        Tensor p = x.matmul(kernel.value());
        return options.useBias() ? p.add(bias.value()) : p;
    }

    @Override
    protected List<Tensor> step(Tensor projected, List<Tensor> states, Tensor recurrentDropout) {
        return List.of(activation.apply(projected.add(recurrentProduct(states.get(0), recurrentKernel.value(), recurrentDropout))));
    }

    /** The fused loop (activation tanh, relu, sigmoid or linear): the sequence of h. */
    @Override
    protected List<Tensor> scan(Tensor projected, List<Tensor> states, Tensor recurrentDropout, Tensor mask, OpAttrs.Recurrence attrs) {
        Activation act = Activation.named(options.activation());
        if (act == null) return null;
        return List.of(SequenceOps.recurrence(projected, recurrentKernel.value(), withDropout(states, recurrentDropout), mask,
                new OpAttrs.Recurrence(Cell.RNN, attrs.reverse(), attrs.timeOrder(), act, Activation.SIGMOID, attrs.recurrentDropout())));
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

    public static SimpleRNN fromConfig(Map<String, Object> c) {
        return new SimpleRNN(Config.integer(c, "units", 1), RecurrentOptions.fromConfig(c, "sigmoid"), Config.string(c, "name", null));
    }
}
