package dev.javelin.highlevel.optimizers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adagrad, as Keras 3 updates: {@code acc += g^2;  w -= lr * g / sqrt(acc + epsilon)}, with the
 * accumulator starting at {@code initialAccumulatorValue}. Defaults as in Keras: lr 0.001, initial
 * accumulator 0.1, epsilon 1e-7.
 *
 * <pre>{@code
 * Optimizer opt = Adagrad.builder().learningRate(0.01).initialAccumulatorValue(0.1).build();
 * }</pre>
 */
public final class Adagrad extends Optimizer {
    private final double initialAccumulatorValue;
    private final double epsilon;
    private final List<Variable> accumulators = new ArrayList<>();

    /** Adagrad with Keras's defaults. */
    public Adagrad() {
        this(builder());
    }

    /** Adagrad with this learning rate. */
    public Adagrad(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private Adagrad(Builder b) {
        super(b);
        this.initialAccumulatorValue = b.initialAccumulatorValue;
        this.epsilon = b.epsilon;
    }

    /** A builder with Keras's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected void build(List<Variable> variables) {
        for (Variable v : variables) accumulators.add(addSlot(v, "accumulator", initialAccumulatorValue));
    }

    @Override
    protected void updateStep(Variable variable, Tensor gradient, int index, Tensor learningRate) {
        Variable acc = accumulators.get(index);
        Tensor a = acc.value().add(gradient.mul(gradient));
        acc.assign(a);
        variable.assign(variable.value().sub(learningRate.mul(gradient).div(a.add(epsilon).sqrt())));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("initial_accumulator_value", initialAccumulatorValue);
        c.put("epsilon", epsilon);
        return c;
    }

    /** Adagrad's settings. */
    public static final class Builder extends Optimizer.Builder<Builder> {
        double initialAccumulatorValue = 0.1;
        double epsilon = 1e-7;

        Builder() {
            super(0.001);
        }

        /** The accumulator's starting value (0.1). */
        public Builder initialAccumulatorValue(double v) {
            if (!(v >= 0)) throw new IllegalArgumentException("initialAccumulatorValue: expected >= 0, got " + v);
            this.initialAccumulatorValue = v;
            return this;
        }

        /** Added under the square root (1e-7). */
        public Builder epsilon(double e) {
            this.epsilon = positive("epsilon", e);
            return this;
        }

        Builder config(Map<String, Object> c) {
            common(c);
            if (c.get("initial_accumulator_value") != null) {
                initialAccumulatorValue(Config.number(c, "initial_accumulator_value", 0));
            }
            if (c.get("epsilon") != null) epsilon(Config.number(c, "epsilon", 0));
            return this;
        }

        @Override
        public Adagrad build() {
            return new Adagrad(this);
        }
    }
}
