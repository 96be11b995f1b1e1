package dev.javelin.highlevel.layers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Symbolic tensors of the functional API ("Keras tensors"): a shape and dtype with no data, plus
 * the {@link Node} that produced them. The batch dimension is a placeholder of size 1 that
 * {@code summary()} prints as {@code None}.
 *
 * <pre>{@code
 * Tensor x = Input.of(28, 28, 1);
 * Node n = KerasTensors.nodeOf(x); // the InputLayer's node
 * }</pre>
 */
public final class KerasTensors {
    /** Tensors compare by identity, so a weak map keys them without keeping graphs alive. */
    private static final Map<Tensor, Node> HISTORY = Collections.synchronizedMap(new WeakHashMap<>());

    private KerasTensors() {}

    /** True when {@code t} came from {@code Input.of} or a layer called on such tensors. */
    public static boolean isKeras(Tensor t) {
        return HISTORY.containsKey(t);
    }

    /** The node that produced {@code t}; null for any other tensor. */
    public static Node nodeOf(Tensor t) {
        return HISTORY.get(t);
    }

    /** A fresh Keras tensor produced by {@code layer} from {@code inputs}. */
    static Tensor record(Layer layer, java.util.List<Tensor> inputs, Shape shape, DType dtype) {
        Tensor out = Tensor.symbolic(shape, dtype, Device.CPU, null);
        HISTORY.put(out, new Node(layer, inputs, out));
        return out;
    }
}
