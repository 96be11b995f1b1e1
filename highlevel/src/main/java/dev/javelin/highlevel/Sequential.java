package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.FreeDimensions;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.KerasTensors;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.Node;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain stack of layers, each feeding the next, as Keras's {@code Sequential}. With an
 * {@link InputLayer} (or {@code Input.of}) first, every shape is known at once and
 * {@link #summary()} works before any data flows; without one the model builds on its first batch.
 *
 * <pre>{@code
 * Model model = new Sequential(
 *         new InputLayer(28, 28, 1),
 *         new Conv2D(32, 3, "relu"), new MaxPooling2D(2),
 *         new Conv2D(64, 3, "relu"), new MaxPooling2D(2),
 *         new Flatten(), new Dropout(0.5), new Dense(10, "softmax"));
 * model.summary();   // Total params: 34,826
 * }</pre>
 */
public class Sequential extends Model {
    private final List<Layer> stack = new ArrayList<>();
    private InputLayer inputLayer;

    public Sequential(Layer... layers) {
        this(List.of(layers), null);
    }

    /** Starts from a Keras input: {@code new Sequential(Input.of(784), new Dense(10))}. */
    public Sequential(Tensor input, Layer... layers) {
        this(prepend(input, layers), null);
    }

    /** @param name null for {@code sequential}, {@code sequential_1}, ... */
    public Sequential(List<Layer> layers, String name) {
        super(name);
        for (Layer l : layers) add(l);
    }

    private static List<Layer> prepend(Tensor input, Layer[] layers) {
        Node n = KerasTensors.nodeOf(input);
        if (n == null || !(n.layer() instanceof InputLayer)) {
            throw new IllegalArgumentException("Sequential: the first argument must come from Input.of(...), got " + input.shape());
        }
        List<Layer> all = new ArrayList<>();
        all.add(n.layer());
        all.addAll(List.of(layers));
        return all;
    }

    /** Appends a layer; with known input shapes it is built at once. */
    public void add(Layer layer) {
        if (layer instanceof InputLayer in) {
            if (!stack.isEmpty() || inputLayer != null) {
                throw new IllegalArgumentException(name() + ": an InputLayer may only come first");
            }
            inputLayer = in;
            track(in);
            ensureBuilt(List.of(in.batchShape()));
            return;
        }
        stack.add(layer);
        track(layer);
        if (isBuilt()) {
            Shape previous = stack.size() == 1 ? buildShapes().get(0) : stack.get(stack.size() - 2).outputShape();
            try {
                layer.ensureBuilt(List.of(previous));
                layer.setOutputShape(layer.computeOutputShape(previous));
            } catch (IllegalArgumentException e) {
                // a free input dimension (InputLayer.ANY) at size 1 may not fit a window: try larger sizes
                if (!FreeDimensions.retryChain(inputLayer, stack)) throw e;
            }
            FreeDimensions.checkChainFeatureAxis(inputLayer, stack);
        }
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        // with an InputLayer the inputs are checked against it, as a functional model checks its Input
        Tensor x = inputLayer == null ? inputs : inputLayer.call(inputs, training);
        for (Layer l : stack) x = l.apply(x, training);
        return x;
    }

    /** The layers in order (an input layer is not counted, as in Keras). */
    @Override
    public List<Layer> layers() {
        return List.copyOf(stack);
    }

    /** The input layer, or null when the model builds on its first batch. */
    public InputLayer inputLayer() {
        return inputLayer;
    }
}
