package dev.javelin.highlevel.optimizers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's {@code CosineDecay}: an optional linear warmup from {@code initial} to {@code warmupTarget}
 * over {@code warmupSteps}, then a cosine from the peak down to {@code alpha * peak} over
 * {@code decaySteps}, constant after that.
 *
 * <pre>{@code
 * var lr = new CosineDecay(1e-3, 1000);                 // 1e-3 down to 0 over 1000 steps
 * var warm = new CosineDecay(0.0, 1000, 0.0, 1e-3, 100); // warm up to 1e-3, then decay
 * }</pre>
 */
public final class CosineDecay implements LearningRateSchedule {
    private final double initialLearningRate;
    private final double decaySteps;
    private final double alpha;
    private final Double warmupTarget;
    private final double warmupSteps;

    /** From {@code initialLearningRate} down to 0 over {@code decaySteps}, no warmup. */
    public CosineDecay(double initialLearningRate, double decaySteps) {
        this(initialLearningRate, decaySteps, 0.0, null, 0);
    }

    /**
     * With a final floor and an optional linear warmup.
     *
     * @param initialLearningRate the rate at step 0
     * @param decaySteps the length of the cosine
     * @param alpha the final rate as a fraction of the peak
     * @param warmupTarget the peak after warmup, or null for no warmup
     * @param warmupSteps the length of the warmup
     */
    public CosineDecay(double initialLearningRate, double decaySteps, double alpha, Double warmupTarget, double warmupSteps) {
        if (!(decaySteps > 0)) throw new IllegalArgumentException("CosineDecay: decaySteps must be > 0, got " + decaySteps);
        if (warmupSteps < 0) throw new IllegalArgumentException("CosineDecay: warmupSteps must be >= 0, got " + warmupSteps);
        this.initialLearningRate = initialLearningRate;
        this.decaySteps = decaySteps;
        this.alpha = alpha;
        this.warmupTarget = warmupTarget;
        this.warmupSteps = warmupSteps;
    }

    @Override
    public Tensor call(Tensor step) {
        Tensor s = step.cast(DType.FLOAT32);
        if (warmupTarget == null) return decay(s, initialLearningRate);
        // warmup: initial + (target - initial) * step / warmupSteps, then decay from the target
        Tensor warm = s.div(Math.max(warmupSteps, 1)).mul(warmupTarget - initialLearningRate).add(initialLearningRate);
        Tensor decayed = decay(s.sub(warmupSteps), warmupTarget);
        return s.lt(warmupSteps).where(warm, decayed);
    }

    private Tensor decay(Tensor s, double peak) {
        Tensor fraction = s.minimum(decaySteps).div(decaySteps);
        Tensor cosine = fraction.mul(Math.PI).cos().add(1.0).mul(0.5);
        return cosine.mul(1 - alpha).add(alpha).mul(peak);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("class_name", "CosineDecay");
        c.put("initial_learning_rate", initialLearningRate);
        c.put("decay_steps", decaySteps);
        c.put("alpha", alpha);
        c.put("warmup_target", warmupTarget);
        c.put("warmup_steps", warmupSteps);
        return c;
    }

    static CosineDecay fromConfig(Map<String, Object> c) {
        return new CosineDecay(Config.requiredNumber(c, "initial_learning_rate"), Config.requiredNumber(c, "decay_steps"),
                Config.number(c, "alpha", 0), c.get("warmup_target") == null ? null : Config.number(c, "warmup_target", 0),
                Config.number(c, "warmup_steps", 0));
    }
}
