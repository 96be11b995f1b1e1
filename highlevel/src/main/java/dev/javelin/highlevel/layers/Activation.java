package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Applies an activation by name: {@code new Activation("relu")}. See {@link Activations#get}.
 */
public final class Activation extends Layer {
    private final String activation;
    private final UnaryOperator<Tensor> fn;

    public Activation(String activation) {
        this(activation, null);
    }

    public Activation(String activation, String name) {
        super(name);
        this.fn = Activations.get(activation);
        this.activation = activation;
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        return fn.apply(inputs);
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        return inputShape;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("activation", activation);
        return c;
    }

    public static Activation fromConfig(Map<String, Object> c) {
        return new Activation(Config.requiredString(c, "activation"), Config.string(c, "name", null));
    }
}
