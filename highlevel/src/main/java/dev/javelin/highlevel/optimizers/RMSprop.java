package dev.javelin.highlevel.optimizers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RMSprop, as Keras 3 updates:
 * <pre>
 * v = rho * v + (1 - rho) * g^2
 * centered:  a = rho * a + (1 - rho) * g;  denominator = v - a^2 + epsilon
 * otherwise: denominator = v + epsilon
 * increment = lr * g / sqrt(denominator)
 * momentum > 0: m = momentum * m + increment;  w -= m
 * otherwise:    w -= increment
 * </pre>
 * Defaults as in Keras: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7, not centered.
 *
 * <pre>{@code
 * Optimizer opt = RMSprop.builder().learningRate(1e-3).rho(0.9).centered(true).build();
 * }</pre>
 */
public final class RMSprop extends Optimizer {
    private final double rho;
    private final double momentum;
    private final double epsilon;
    private final boolean centered;
    private final List<Variable> velocities = new ArrayList<>();
    private final List<Variable> momentums = new ArrayList<>();
    private final List<Variable> averageGradients = new ArrayList<>();

    /** RMSprop with Keras's defaults. */
    public RMSprop() {
        this(builder());
    }

    /** RMSprop with this learning rate. */
    public RMSprop(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private RMSprop(Builder b) {
        super(b);
        if (!(b.rho >= 0 && b.rho <= 1) || !(b.momentum >= 0 && b.momentum <= 1)) {
            throw new IllegalArgumentException(name() + ": rho and momentum must lie in [0, 1], got " + b.rho + " and " + b.momentum);
        }
        this.rho = b.rho;
        this.momentum = b.momentum;
        this.epsilon = b.epsilon;
        this.centered = b.centered;
    }

    /** A builder with Keras's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected void build(List<Variable> variables) {
        for (Variable v : variables) {
            velocities.add(addSlot(v, "velocity"));
            if (momentum > 0) momentums.add(addSlot(v, "momentum"));
            if (centered) averageGradients.add(addSlot(v, "average_gradient"));
        }
    }

    @Override
    protected void updateStep(Variable variable, Tensor gradient, int index, Tensor learningRate) {
        Variable velocity = velocities.get(index);
        Tensor v = velocity.value().mul(rho).add(gradient.mul(gradient).mul(1 - rho));
        velocity.assign(v);
        Tensor denominator;
        if (centered) {
            Variable average = averageGradients.get(index);
            Tensor a = average.value().mul(rho).add(gradient.mul(1 - rho));
            average.assign(a);
            denominator = v.sub(a.mul(a)).add(epsilon);
        } else {
            denominator = v.add(epsilon);
        }
        Tensor increment = learningRate.mul(gradient).div(denominator.sqrt());
        if (momentum > 0) {
            Variable m = momentums.get(index);
            Tensor mNew = m.value().mul(momentum).add(increment);
            m.assign(mNew);
            variable.assign(variable.value().sub(mNew));
        } else {
            variable.assign(variable.value().sub(increment));
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("rho", rho);
        c.put("momentum", momentum);
        c.put("epsilon", epsilon);
        c.put("centered", centered);
        return c;
    }

    /** RMSprop's settings. */
    public static final class Builder extends Optimizer.Builder<Builder> {
        double rho = 0.9;
        double momentum;
        double epsilon = 1e-7;
        boolean centered;

        Builder() {
            super(0.001);
        }

        /** Decay of the squared-gradient average (0.9). */
        public Builder rho(double r) {
            this.rho = r;
            return this;
        }

        /** Momentum on the increments (0: none). */
        public Builder momentum(double m) {
            this.momentum = m;
            return this;
        }

        /** Added under the square root (1e-7). */
        public Builder epsilon(double e) {
            this.epsilon = positive("epsilon", e);
            return this;
        }

        /** Normalizes by the estimated variance of the gradient rather than its second moment. */
        public Builder centered(boolean on) {
            this.centered = on;
            return this;
        }

        Builder config(Map<String, Object> c) {
            common(c);
            if (c.get("rho") != null) rho(Config.number(c, "rho", 0));
            if (c.get("momentum") != null) momentum(Config.number(c, "momentum", 0));
            if (c.get("epsilon") != null) epsilon(Config.number(c, "epsilon", 0));
            if (c.get("centered") != null) centered(Config.bool(c, "centered", false));
            return this;
        }

        @Override
        public RMSprop build() {
            return new RMSprop(this);
        }
    }
}
