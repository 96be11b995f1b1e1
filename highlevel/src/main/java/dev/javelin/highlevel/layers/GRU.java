package dev.javelin.highlevel.layers;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Gated recurrent unit, as Keras 3's GRU. Weights: {@code kernel [features, 3·units]},
 * {@code recurrent_kernel [units, 3·units]} in gate blocks {@code z, r, h} (update, reset,
 * candidate; PyTorch's order is {@code r, z, n}). With {@code reset_after} (the default, as
 * PyTorch) the bias is {@code [2, 3·units]}: row 0 for the input part, row 1 for the recurrent
 * part, and the reset gate multiplies the recurrent candidate after its matmul:
 * <pre>
 * x = x·kernel + bias[0];  r_ = h·recurrent_kernel + bias[1]
 * z = σ(x_z + r_z);  r = σ(x_r + r_r);  n = tanh(x_h + r * r_h);  h = z*h + (1-z)*n
 * </pre>
 * Without it the bias is {@code [3·units]} and {@code n = tanh(x_h + (r*h)·recurrent_kernel_h)}.
 *
 * <pre>{@code
 * Layer gru = new GRU(64);
 * Layer v2 = new GRU(64, RecurrentOptions.defaults(), false, null);   // reset_after=False
 * }</pre>
 */
public final class GRU extends RecurrentLayer {
    private final boolean resetAfter;
    private final UnaryOperator<Tensor> activation;
    private final UnaryOperator<Tensor> gate;
    private Variable kernel;
    private Variable recurrentKernel;
    private Variable bias;

    public GRU(int units) {
        this(units, RecurrentOptions.defaults(), true, null);
    }

    public GRU(int units, RecurrentOptions options) {
        this(units, options, true, null);
    }

    /** @param name null for an automatic one */
    public GRU(int units, RecurrentOptions options, boolean resetAfter, String name) {
        super(units, options, name);
        this.resetAfter = resetAfter;
        this.activation = Activations.get(options.activation());
        this.gate = Activations.get(options.recurrentActivation());
    }

    @Override
    protected RecurrentLayer reconfigured(RecurrentOptions o, String n) {
        return new GRU(units, o, resetAfter, n);
    }

    @Override
    protected int stateCount() {
        return 1;
    }

    @Override
    protected int gateCount() {
        return 3;
    }

    @Override
    protected void buildCell(int inputDim) {
        kernel = addWeight("kernel", Shape.of(inputDim, 3 * units), options.kernelInitializer(), options.kernelRegularizer(), true);
        recurrentKernel = addWeight("recurrent_kernel", Shape.of(units, 3 * units), options.recurrentInitializer(),
                options.recurrentRegularizer(), true);
        if (options.useBias()) {
            Shape s = resetAfter ? Shape.of(2, 3 * units) : Shape.of(3 * units);
            bias = addWeight("bias", s, options.biasInitializer(), options.biasRegularizer(), true);
        }
    }

    @Override
    protected Tensor projectInputs(Tensor x) {
        Tensor p = x.matmul(kernel.value());
        if (!options.useBias()) return p;
        return p.add(resetAfter ? bias.value().narrow(0, 0, 1) : bias.value());
    }

    @Override
    protected Tensor projectGate(Tensor x, int gate) {
        Tensor p = x.matmul(kernel.value().narrow(1, gate * units, units));
        if (!options.useBias()) return p;
        Tensor inputBias = resetAfter ? bias.value().narrow(0, 0, 1).reshape(3 * units) : bias.value();
        return p.add(inputBias.narrow(0, gate * units, units));
    }

    @Override
    protected List<Tensor> step(Tensor projected, List<Tensor> states, Tensor recurrentDropout) {
        Tensor hPrev = states.get(0);
        Tensor xz = projected.narrow(1, 0, units);
        Tensor xr = projected.narrow(1, units, units);
        Tensor xh = projected.narrow(1, 2 * units, units);
        Tensor u = recurrentKernel.value();
        Tensor candidate;
        Tensor z;
        if (resetAfter) {
            Tensor inner = recurrentProduct(hPrev, u, recurrentDropout);
            if (options.useBias()) inner = inner.add(bias.value().narrow(0, 1, 1));
            z = gate.apply(xz.add(inner.narrow(1, 0, units)));
            Tensor r = gate.apply(xr.add(inner.narrow(1, units, units)));
            candidate = activation.apply(xh.add(r.mul(inner.narrow(1, 2 * units, units))));
        } else {
            // Keras 3: z and r read h ∘ m_z and h ∘ m_r; the candidate's product reads r ∘ (h ∘ m_h)
            Tensor inner = recurrentProduct(hPrev, u.narrow(1, 0, 2 * units),
                    recurrentDropout == null ? null : recurrentDropout.narrow(1, 0, 2 * units));
            z = gate.apply(xz.add(inner.narrow(1, 0, units)));
            Tensor r = gate.apply(xr.add(inner.narrow(1, units, units)));
            Tensor hh = recurrentDropout == null ? hPrev : hPrev.mul(recurrentDropout.narrow(1, 2 * units, units));
            candidate = activation.apply(xh.add(r.mul(hh).matmul(u.narrow(1, 2 * units, units))));
        }
        // h = z*h + (1-z)*n, written as n + z*(h - n)
        return List.of(candidate.add(z.mul(hPrev.sub(candidate))));
    }

    /**
     * The fused loop (activations tanh, sigmoid, relu, linear or hard_sigmoid): the sequence of h. With
     * {@code reset_after} the cell {@code GRU} (the recurrent bias row as its parameter, zeros without a
     * bias), else {@code GRU_RESET_BEFORE} (every bias already in the projected input).
     */
    @Override
    protected List<Tensor> scan(Tensor projected, List<Tensor> states, Tensor recurrentDropout, Tensor mask, OpAttrs.Recurrence attrs) {
        Activation act = Activation.named(options.activation()), gates = Activation.named(options.recurrentActivation());
        if (act == null || gates == null) return null;
        List<Tensor> operands = states;
        OpAttrs.Recurrence.Cell cell = OpAttrs.Recurrence.Cell.GRU_RESET_BEFORE;
        if (resetAfter) {
            cell = OpAttrs.Recurrence.Cell.GRU;
            Tensor recurrentBias = options.useBias() ? bias.value().narrow(0, 1, 1).reshape(3 * units)
                    : Ops.expand(Ops.scalarLike(projected, 0.0), Shape.of(3 * units));
            operands = List.of(recurrentBias, states.get(0));
        }
        Tensor packed = SequenceOps.recurrence(projected, recurrentKernel.value(), withDropout(operands, recurrentDropout), mask,
                new OpAttrs.Recurrence(cell, attrs.reverse(), attrs.timeOrder(), act, gates, attrs.recurrentDropout()));
        return List.of(packed.slice(2, 0, units));
    }

    public boolean resetAfter() {
        return resetAfter;
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
        c.put("reset_after", resetAfter);
        return c;
    }

    public static GRU fromConfig(Map<String, Object> c) {
        return new GRU(Config.integer(c, "units", 1), RecurrentOptions.fromConfig(c, "sigmoid"), Config.bool(c, "reset_after", true),
                Config.string(c, "name", null));
    }
}
