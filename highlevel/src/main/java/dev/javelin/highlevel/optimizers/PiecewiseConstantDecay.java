package dev.javelin.highlevel.optimizers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras's {@code PiecewiseConstantDecay}: {@code values[0]} while {@code step <= boundaries[0]},
 * {@code values[i]} while {@code boundaries[i-1] < step <= boundaries[i]}, and the last value after
 * the last boundary.
 *
 * <pre>{@code
 * var lr = new PiecewiseConstantDecay(new double[] {1000, 2000}, new double[] {1e-2, 1e-3, 1e-4});
 * }</pre>
 */
public final class PiecewiseConstantDecay implements LearningRateSchedule {
    private final double[] boundaries;
    private final double[] values;

    /** {@code values.length} must be {@code boundaries.length + 1}; boundaries increase. */
    public PiecewiseConstantDecay(double[] boundaries, double[] values) {
        if (values.length != boundaries.length + 1) {
            throw new IllegalArgumentException("PiecewiseConstantDecay: " + boundaries.length + " boundaries need "
                    + (boundaries.length + 1) + " values, got " + values.length);
        }
        for (int i = 1; i < boundaries.length; i++) {
            if (!(boundaries[i] > boundaries[i - 1])) {
                throw new IllegalArgumentException("PiecewiseConstantDecay: boundaries must increase, got "
                        + Arrays.toString(boundaries));
            }
        }
        this.boundaries = boundaries.clone();
        this.values = values.clone();
    }

    @Override
    public Tensor call(Tensor step) {
        Tensor s = step.cast(DType.FLOAT32);
        // from the last interval backwards: each boundary picks the earlier value when step <= it
        Tensor lr = Optimizer.constant(values[values.length - 1], s);
        for (int i = boundaries.length - 1; i >= 0; i--) {
            lr = s.le(Optimizer.constant(boundaries[i], s)).where(Optimizer.constant(values[i], s), lr);
        }
        return lr;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("class_name", "PiecewiseConstantDecay");
        c.put("boundaries", list(boundaries));
        c.put("values", list(values));
        return c;
    }

    private static List<Double> list(double[] a) {
        List<Double> l = new ArrayList<>();
        for (double v : a) l.add(v);
        return l;
    }

    static PiecewiseConstantDecay fromConfig(Map<String, Object> c) {
        return new PiecewiseConstantDecay(Config.requiredNumbers(c, "boundaries"), Config.requiredNumbers(c, "values"));
    }
}
