package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Returns its input unchanged, as Keras's Identity (a placeholder, or a named point in a graph).
 *
 * <pre>{@code
 * Tensor same = new Identity().apply(x);
 * }</pre>
 */
public final class Identity extends Layer {
    public Identity() {
        this(null);
    }

    public Identity(String name) {
        super(name);
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        return x;
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    public static Identity fromConfig(Map<String, Object> c) {
        return new Identity(Config.string(c, "name", null));
    }
}
