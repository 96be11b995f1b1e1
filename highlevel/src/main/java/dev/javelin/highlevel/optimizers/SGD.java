package dev.javelin.highlevel.optimizers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent, optionally with momentum and Nesterov momentum, as Keras 3 updates:
 * <pre>
 * no momentum:  w -= lr * g
 * momentum:     m = -lr * g + momentum * m;  w += m
 * nesterov:     m = -lr * g + momentum * m;  w += -lr * g + momentum * m   (with the new m)
 * </pre>
 * Defaults as in Keras: lr 0.01, momentum 0.
 *
 * <pre>{@code
 * Optimizer opt = SGD.builder().learningRate(0.1).momentum(0.9).nesterov(true).build();
 * }</pre>
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final boolean nesterov;
    private final List<Variable> momentums = new ArrayList<>();

    /** SGD with Keras's defaults (lr 0.01, no momentum). */
    public SGD() {
        this(builder());
    }

    /** Plain SGD with this learning rate. */
    public SGD(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private SGD(Builder b) {
        super(b);
        if (!(b.momentum >= 0 && b.momentum <= 1)) {
            throw new IllegalArgumentException(name() + ": momentum must lie in [0, 1], got " + b.momentum);
        }
        this.momentum = b.momentum;
        this.nesterov = b.nesterov;
    }

    /** A builder with Keras's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected void build(List<Variable> variables) {
        if (momentum == 0) return;
        for (Variable v : variables) momentums.add(addSlot(v, "momentum"));
    }

    @Override
    protected void updateStep(Variable variable, Tensor gradient, int index, Tensor learningRate) {
        if (momentum == 0) {
            variable.assign(variable.value().sub(gradient.mul(learningRate)));
            return;
        }
        Variable m = momentums.get(index);
        Tensor step = gradient.neg().mul(learningRate);
        Tensor mNew = step.add(m.value().mul(momentum));
        m.assign(mNew);
        Tensor delta = nesterov ? step.add(mNew.mul(momentum)) : mNew;
        variable.assign(variable.value().add(delta));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("momentum", momentum);
        c.put("nesterov", nesterov);
        return c;
    }

    /** SGD's settings. */
    public static final class Builder extends Optimizer.Builder<Builder> {
        double momentum;
        boolean nesterov;

        Builder() {
            super(0.01);
        }

        /** Momentum in [0, 1] (0: plain SGD). */
        public Builder momentum(double m) {
            this.momentum = m;
            return this;
        }

        /** Nesterov momentum (with momentum > 0). */
        public Builder nesterov(boolean on) {
            this.nesterov = on;
            return this;
        }

        Builder config(Map<String, Object> c) {
            common(c);
            if (c.get("momentum") != null) momentum(Config.number(c, "momentum", 0));
            if (c.get("nesterov") != null) nesterov(Config.bool(c, "nesterov", false));
            return this;
        }

        @Override
        public SGD build() {
            return new SGD(this);
        }
    }
}
