package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.List;

/**
 * One call of a layer on symbolic (Keras) tensors: what a functional model's graph is made of.
 * An {@link InputLayer}'s node has no inputs.
 *
 * @param layer   the layer called
 * @param inputs  the Keras tensors it was called on
 * @param output  the Keras tensor it returned
 */
public record Node(Layer layer, List<Tensor> inputs, Tensor output) {
    public Node {
        inputs = List.copyOf(inputs);
    }
}
