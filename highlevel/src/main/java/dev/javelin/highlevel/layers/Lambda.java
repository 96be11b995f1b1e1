package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Wraps a function of tensors as a layer, as Keras's Lambda. The function should use tensor ops only
 * (so it traces, differentiates and runs symbolically). Like Keras in safe mode, a saved model with a
 * Lambda does not load: code is not data. Write a small custom layer and register it instead.
 *
 * <pre>{@code
 * Tensor scaled = new Lambda(t -> t.mul(2.0).add(1.0)).apply(x);
 * }</pre>
 */
public final class Lambda extends Layer {
    private final UnaryOperator<Tensor> function;

    public Lambda(UnaryOperator<Tensor> function) {
        this(function, null);
    }

    public Lambda(UnaryOperator<Tensor> function, String name) {
        super(name);
        this.function = Checks.notNull("Lambda", "function", function);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        return function.apply(x);
    }

    /** Always refuses: the function is Java code, which a config cannot hold. */
    public static Lambda fromConfig(Map<String, Object> c) {
        throw new IllegalArgumentException("Lambda layer '" + c.get("name") + "': a saved Lambda cannot be loaded (its function is Java "
                + "code, not config). Write a custom Layer with fromConfig and register it: LayerRegistry.register(\"MyLayer\", "
                + "MyLayer::fromConfig)");
    }
}
