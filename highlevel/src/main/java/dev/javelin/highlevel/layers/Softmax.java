package dev.javelin.highlevel.layers;

import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The softmax along {@code axis} (default the last), as Keras's Softmax layer.
 *
 * <pre>{@code
 * Layer probs = new Softmax();
 * }</pre>
 */
public final class Softmax extends Layer {
    private final int axis;

    public Softmax() {
        this(-1);
    }

    public Softmax(int axis) {
        this(axis, null);
    }

    public Softmax(int axis, String name) {
        super(name);
        this.axis = axis;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Shape.normalizeAxis(axis, x.rank(), name() + " (Softmax)");
        return NN.softmax(x, axis);
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

    public static Softmax fromConfig(Map<String, Object> c) {
        return new Softmax(Config.integer(c, "axis", -1), Config.string(c, "name", null));
    }
}
