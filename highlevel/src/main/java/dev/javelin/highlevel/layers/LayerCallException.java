package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * A bad-input error attributed to the layer whose call raised it, as Keras's "Exception encountered
 * when calling layer 'dense' (type Dense)": an op's own message ({@code mul: shapes [2, 6] and [5] do
 * not broadcast}, or an index out of range: {@code gather: index 7 is out of range}, an Embedding id
 * outside the vocabulary) gains the layer's name, its type and the inputs it was called on. Raised once, by
 * the innermost layer; the layers and models around it pass it on unchanged.
 *
 * <pre>{@code
 * try { model.predict(x); }
 * catch (LayerCallException e) { System.err.println(e.layerName() + ": " + e.getMessage()); }
 * }</pre>
 */
public final class LayerCallException extends IllegalArgumentException {
    /** The start of a message that a layer's own check wrote: {@code "forward_lstm (LSTM): "}. */
    private static final Pattern NAMES_A_LAYER = Pattern.compile("[\\w/.-]+ \\([A-Z]\\w*\\): ");
    private final String layerName;

    private LayerCallException(String layerName, String message, RuntimeException cause) {
        super(message, cause);
        this.layerName = layerName;
    }

    /** The name of the layer whose call failed. */
    public String layerName() {
        return layerName;
    }

    /**
     * {@code cause} attributed to {@code layer}: a message that already names a layer (the layers'
     * own checks write {@code "dense (Dense): ..."}) is kept as it is; any other gains the prefix
     * {@code "name (Type): "} and the inputs' dtypes and shapes.
     */
    static LayerCallException of(Layer layer, List<Tensor> inputs, RuntimeException cause) {
        if (cause instanceof LayerCallException attributed) return attributed;
        String message = String.valueOf(cause.getMessage());
        String prefix = layer.name() + " (";
        if (!NAMES_A_LAYER.matcher(message).lookingAt()) {
            StringJoiner shapes = new StringJoiner(", ");
            for (Tensor t : inputs) shapes.add(t.dtype() + "" + t.shape());
            message = prefix + typeName(layer) + "): " + message + " (called on inputs " + shapes + ")";
        }
        return new LayerCallException(layer.name(), message, cause);
    }

    /** The class name a user wrote: an anonymous subclass (an overridden model) goes by its superclass's. */
    private static String typeName(Layer layer) {
        Class<?> c = layer.getClass();
        while (c.getSimpleName().isEmpty()) c = c.getSuperclass();
        return c.getSimpleName();
    }
}
