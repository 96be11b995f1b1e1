package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;

/**
 * The start of a functional model: a symbolic tensor for samples of a given shape (no batch axis),
 * as Keras's {@code keras.Input(shape=...)}.
 *
 * <pre>{@code
 * Tensor inputs = Input.of(784);
 * Tensor x = new Dense(64, "relu").apply(inputs);
 * Model model = new Model(inputs, new Dense(10, "softmax").apply(x));
 * }</pre>
 */
public final class Input {
    private Input() {}

    /** A float32 input with samples of {@code shape}. */
    public static Tensor of(int... shape) {
        return new InputLayer(shape).output();
    }

    /** An input of another dtype (int64 for token ids) and an optional name. */
    public static Tensor of(int[] shape, DType dtype, String name) {
        return new InputLayer(shape, dtype, name).output();
    }
}
