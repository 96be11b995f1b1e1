package dev.javelin.highlevel.optimizers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.saving.Shortened;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * A learning rate as a function of the optimizer's step, written in tensor ops so that it traces
 * into a compiled train step (the step is a tensor there, not a number).
 *
 * <pre>{@code
 * LearningRateSchedule lr = new ExponentialDecay(1e-2, 1000, 0.96, false);
 * Optimizer opt = SGD.builder().learningRate(lr).build();
 * }</pre>
 */
public interface LearningRateSchedule {
    /**
     * The learning rate at {@code step} (a scalar of any numeric dtype, usually the int64
     * {@link Optimizer#iterations()}), as a float32 scalar.
     */
    Tensor call(Tensor step);

    /** The learning rate at {@code step}, evaluated now on the host. */
    default double at(long step) {
        return call(Optimizer.scalar(step, dev.javelin.tensor.DType.INT64)).item();
    }

    /** {@code class_name} and the constructor's arguments, for saving; {@link #fromConfig} restores it. */
    Map<String, Object> getConfig();

    /** Rebuilds one of the schedules in this package from its {@link #getConfig()}. */
    static LearningRateSchedule fromConfig(Map<String, Object> config) {
        String cls = Config.requiredString(config, "class_name");
        return switch (cls) {
            case "ExponentialDecay" -> ExponentialDecay.fromConfig(config);
            case "CosineDecay" -> CosineDecay.fromConfig(config);
            case "PiecewiseConstantDecay" -> PiecewiseConstantDecay.fromConfig(config);
            default -> throw new IllegalArgumentException("LearningRateSchedule.fromConfig: unknown class_name '" + Shortened.of(cls)
                    + "' (expected ExponentialDecay, CosineDecay or PiecewiseConstantDecay)");
        };
    }
}
