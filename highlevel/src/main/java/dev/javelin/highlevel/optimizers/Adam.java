package dev.javelin.highlevel.optimizers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba), exactly as Keras 3 updates: with {@code t = iterations + 1},
 * <pre>
 * alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
 * m += (g - m) * (1 - beta1)
 * v += (g^2 - v) * (1 - beta2)
 * vHat = max(vHat, v)                      (amsgrad only; then v = vHat)
 * w -= m * alpha / (sqrt(v) + epsilon)
 * </pre>
 * Defaults as in Keras: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7.
 *
 * <pre>{@code
 * Optimizer opt = new Adam(1e-3);
 * Optimizer clipped = Adam.builder().learningRate(1e-3).beta1(0.9).clipNorm(1.0).build();
 * }</pre>
 */
public class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final boolean amsgrad;
    private final List<Variable> momentums = new ArrayList<>();
    private final List<Variable> velocities = new ArrayList<>();
    private final List<Variable> velocityHats = new ArrayList<>();

    /** Adam with Keras's defaults. */
    public Adam() {
        this(builder());
    }

    /** Adam with Keras's defaults and this learning rate. */
    public Adam(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    /** From a builder (AdamW passes its own). */
    protected Adam(Builder<?> b) {
        super(b);
        if (!(b.beta1 >= 0 && b.beta1 < 1) || !(b.beta2 >= 0 && b.beta2 < 1)) {
            throw new IllegalArgumentException(name() + ": beta1 and beta2 must lie in [0, 1), got " + b.beta1 + " and " + b.beta2);
        }
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
        this.amsgrad = b.amsgrad;
    }

    /** A builder with Keras's defaults. */
    public static Builder<?> builder() {
        return new Builder<>();
    }

    @Override
    protected void build(List<Variable> variables) {
        for (Variable v : variables) {
            momentums.add(addSlot(v, "momentum"));
            velocities.add(addSlot(v, "velocity"));
            if (amsgrad) velocityHats.add(addSlot(v, "velocity_hat"));
        }
    }

    @Override
    protected void updateStep(Variable variable, Tensor gradient, int index, Tensor learningRate) {
        DType dt = variable.dtype();
        Tensor t = localStep(dt);
        Tensor beta1Power = constant(beta1, t).pow(t);
        Tensor beta2Power = constant(beta2, t).pow(t);
        Tensor alpha = learningRate.mul(constant(1, t).sub(beta2Power).sqrt()).div(constant(1, t).sub(beta1Power));
        Variable m = momentums.get(index);
        Variable v = velocities.get(index);
        Tensor mOld = m.value();
        Tensor vOld = v.value();
        Tensor mNew = mOld.add(gradient.sub(mOld).mul(1 - beta1));
        Tensor vNew = vOld.add(gradient.mul(gradient).sub(vOld).mul(1 - beta2));
        m.assign(mNew);
        v.assign(vNew);
        if (amsgrad) {
            Variable vHat = velocityHats.get(index);
            vNew = vHat.value().maximum(vNew);
            vHat.assign(vNew);
        }
        variable.assign(variable.value().sub(mNew.mul(alpha).div(vNew.sqrt().add(epsilon))));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("beta_1", beta1);
        c.put("beta_2", beta2);
        c.put("epsilon", epsilon);
        c.put("amsgrad", amsgrad);
        return c;
    }

    /**
     * Adam's settings.
     *
     * @param <B> the concrete builder
     */
    public static class Builder<B extends Builder<B>> extends Optimizer.Builder<B> {
        double beta1 = 0.9;
        double beta2 = 0.999;
        double epsilon = 1e-7;
        boolean amsgrad;

        /** Keras's defaults. */
        protected Builder() {
            super(0.001);
        }

        /** Decay of the first-moment average (0.9). */
        public B beta1(double b) {
            this.beta1 = b;
            return self();
        }

        /** Decay of the second-moment average (0.999). */
        public B beta2(double b) {
            this.beta2 = b;
            return self();
        }

        /** Added to {@code sqrt(v)} (1e-7). */
        public B epsilon(double e) {
            this.epsilon = positive("epsilon", e);
            return self();
        }

        /** Keeps the running maximum of the second moment (Reddi et al.). */
        public B amsgrad(boolean on) {
            this.amsgrad = on;
            return self();
        }

        B adamConfig(Map<String, Object> c) {
            common(c);
            if (c.get("beta_1") != null) beta1(Config.number(c, "beta_1", 0));
            if (c.get("beta_2") != null) beta2(Config.number(c, "beta_2", 0));
            if (c.get("epsilon") != null) epsilon(Config.number(c, "epsilon", 0));
            if (c.get("amsgrad") != null) amsgrad(Config.bool(c, "amsgrad", false));
            return self();
        }

        @Override
        public Adam build() {
            return new Adam(this);
        }
    }
}
