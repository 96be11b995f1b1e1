package dev.javelin.highlevel.layers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Collections;
import java.util.List;
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
    /**
     * Tensors compare by identity, so a weak map keys them. A value never refers to its own key
     * (which would keep it alive forever), so a graph, its layers and their weights are collected
     * once nothing else holds its tensors.
     */
    private static final Map<Tensor, Origin> HISTORY = Collections.synchronizedMap(new WeakHashMap<>());

    private record Origin(Layer layer, List<Tensor> inputs) {}

    private KerasTensors() {}

    /** True when {@code t} came from {@code Input.of} or a layer called on such tensors. */
    public static boolean isKeras(Tensor t) {
        return HISTORY.containsKey(t);
    }

    /** The node that produced {@code t}; null for any other tensor. */
    public static Node nodeOf(Tensor t) {
        Origin o = HISTORY.get(t);
        return o == null ? null : new Node(o.layer(), o.inputs(), t);
    }

    /** A fresh Keras tensor produced by {@code layer} from {@code inputs}. */
    static Tensor record(Layer layer, List<Tensor> inputs, Shape shape, DType dtype) {
        Tensor out = Tensor.symbolic(shape, dtype, Device.CPU, null);
        HISTORY.put(out, new Origin(layer, List.copyOf(inputs)));
        return out;
    }
}
