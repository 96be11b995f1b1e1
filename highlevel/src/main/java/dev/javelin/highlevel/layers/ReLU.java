package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The rectified linear unit with Keras's ReLU options: {@code x} from {@code threshold} up to
 * {@code maxValue}, {@code maxValue} above it, {@code negativeSlope * (x - threshold)} below the threshold.
 * As in Keras, {@code threshold} and {@code negativeSlope} are at least 0 (below a negative threshold Keras's
 * computation clips {@code x} to 0 where {@code maxValue} is set and keeps it where not, which the formula
 * does not describe; Keras refuses it, and so does this layer).
 *
 * <pre>{@code
 * Layer relu6 = new ReLU(6.0, 0, 0, null);
 * Layer plain = new ReLU();
 * }</pre>
 */
public final class ReLU extends Layer {
    private final Double maxValue;
    private final double negativeSlope;
    private final double threshold;

    public ReLU() {
        this(null, 0, 0, null);
    }

    /** @param maxValue null for no upper bound */
    public ReLU(Double maxValue, double negativeSlope, double threshold, String name) {
        super(name);
        if (maxValue != null && !(maxValue >= 0)) throw new IllegalArgumentException("ReLU: max_value must be >= 0, got " + maxValue);
        if (!(negativeSlope >= 0)) throw new IllegalArgumentException("ReLU: negative_slope must be >= 0, got " + negativeSlope);
        if (!(threshold >= 0)) throw new IllegalArgumentException("ReLU: threshold must be >= 0, got " + threshold);
        this.maxValue = maxValue;
        this.negativeSlope = negativeSlope;
        this.threshold = threshold;
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Tensor y;
        if (negativeSlope == 0 && threshold == 0) {
            y = x.relu();
        } else {
            // a slope of 0 gives 0 below the threshold, not 0 * (x - threshold), which is NaN at -inf
            Tensor below = negativeSlope == 0 ? Ops.scalarLike(x, 0) : x.sub(threshold).mul(negativeSlope);
            y = Ops.where(x.ge(Ops.scalarLike(x, threshold)), x, below);
        }
        return maxValue == null ? y : y.minimum(maxValue);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("max_value", maxValue);
        c.put("negative_slope", negativeSlope);
        c.put("threshold", threshold);
        return c;
    }

    public static ReLU fromConfig(Map<String, Object> c) {
        Double max = c.get("max_value") == null ? null : Config.number(c, "max_value", 0);
        return new ReLU(max, Config.number(c, "negative_slope", 0), Config.number(c, "threshold", 0), Config.string(c, "name", null));
    }
}
