package dev.javelin.highlevel.optimizers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's {@code ExponentialDecay}: {@code initial * decayRate ^ (step / decaySteps)}, with the
 * exponent floored when {@code staircase}.
 *
 * <pre>{@code
 * var lr = new ExponentialDecay(0.1, 100, 0.5, true);   // 0.1 for steps 0-99, 0.05 for 100-199, ...
 * }</pre>
 */
public final class ExponentialDecay implements LearningRateSchedule {
    private final double initialLearningRate;
    private final double decaySteps;
    private final double decayRate;
    private final boolean staircase;

    /** {@code initialLearningRate * decayRate ^ (step / decaySteps)}, the exponent floored when {@code staircase}. */
    public ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate, boolean staircase) {
        if (!(decaySteps > 0)) {
            throw new IllegalArgumentException("ExponentialDecay: decaySteps must be > 0, got " + decaySteps);
        }
        this.initialLearningRate = initialLearningRate;
        this.decaySteps = decaySteps;
        this.decayRate = decayRate;
        this.staircase = staircase;
    }

    @Override
    public Tensor call(Tensor step) {
        Tensor p = step.cast(DType.FLOAT32).div(decaySteps);
        if (staircase) p = p.floor();
        return Optimizer.constant(decayRate, p).pow(p).mul(initialLearningRate);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("class_name", "ExponentialDecay");
        c.put("initial_learning_rate", initialLearningRate);
        c.put("decay_steps", decaySteps);
        c.put("decay_rate", decayRate);
        c.put("staircase", staircase);
        return c;
    }

    static ExponentialDecay fromConfig(Map<String, Object> c) {
        return new ExponentialDecay(Config.requiredNumber(c, "initial_learning_rate"), Config.requiredNumber(c, "decay_steps"),
                Config.requiredNumber(c, "decay_rate"), Config.bool(c, "staircase", false));
    }
}
