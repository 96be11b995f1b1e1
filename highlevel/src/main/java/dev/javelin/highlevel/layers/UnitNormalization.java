package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Scales each sample to unit L2 norm along {@code axis}: {@code x / sqrt(max(sum(x^2), 1e-12))}, as
 * Keras's UnitNormalization.
 *
 * <pre>{@code
 * Layer unit = new UnitNormalization();   // along the last axis
 * }</pre>
 */
public final class UnitNormalization extends Layer {
    private static final double EPSILON = 1e-12;
    private final int axis;

    public UnitNormalization() {
        this(-1, null);
    }

    public UnitNormalization(int axis, String name) {
        super(name);
        this.axis = axis;
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        int a = Shape.normalizeAxis(axis, x.rank(), name() + " (UnitNormalization)");
        return x.mul(x.mul(x).sum(new int[] {a}, true).maximum(EPSILON).rsqrt());
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", axis);
        return c;
    }

    public static UnitNormalization fromConfig(Map<String, Object> c) {
        return new UnitNormalization(Config.integer(c, "axis", -1), Config.string(c, "name", null));
    }
}
