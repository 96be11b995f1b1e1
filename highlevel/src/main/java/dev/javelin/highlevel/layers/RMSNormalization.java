package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.Ones;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;

/**
 * Root-mean-square normalization over the last axis with a learned per-feature scale, as Keras's
 * RMSNormalization: {@code x / sqrt(mean(x^2) + epsilon) * scale} (no centering, no shift).
 *
 * <pre>{@code
 * Layer rms = new RMSNormalization();
 * }</pre>
 */
public final class RMSNormalization extends Layer {
    private final double epsilon;
    private Variable scale;

    public RMSNormalization() {
        this(1e-6, null);
    }

    public RMSNormalization(double epsilon, String name) {
        super(name);
        if (!(epsilon > 0)) throw new IllegalArgumentException("RMSNormalization: epsilon must be > 0, got " + epsilon);
        this.epsilon = epsilon;
    }

    @Override
    public void build(Shape in) {
        scale = addWeight("scale", Shape.of(in.dim(-1)), new Ones(), null, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        return x.mul(x.mul(x).mean(new int[] {-1}, true).add(epsilon).rsqrt()).mul(scale.value());
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", -1);
        c.put("epsilon", epsilon);
        return c;
    }

    public static RMSNormalization fromConfig(Map<String, Object> c) {
        int axis = Config.integer(c, "axis", -1);
        if (axis != -1) throw new IllegalArgumentException("RMSNormalization: only axis=-1 is supported, got " + axis);
        return new RMSNormalization(Config.number(c, "epsilon", 1e-6), Config.string(c, "name", null));
    }
}
