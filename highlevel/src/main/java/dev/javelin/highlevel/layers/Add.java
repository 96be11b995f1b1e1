package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The elementwise sum of several inputs of one shape, as Keras's Add (e.g. a residual connection).
 *
 * <pre>{@code
 * Tensor y = new Add().apply(x, new Dense(64).apply(x));
 * }</pre>
 */
public final class Add extends Layer implements MaskMerging {
    public Add() {
        this(null);
    }

    public Add(String name) {
        super(name);
    }

    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        if (inputs.size() < 2) throw new IllegalArgumentException(name() + " (Add): expected at least 2 inputs, got " + inputs.size());
        Tensor sum = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            if (!inputs.get(i).shape().equals(sum.shape())) {
                throw new IllegalArgumentException(name() + " (Add): inputs must share one shape, got " + sum.shape() + " and "
                        + inputs.get(i).shape());
            }
            sum = sum.add(inputs.get(i));
        }
        return sum;
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        throw new IllegalArgumentException(name() + " (Add): expected a list of at least 2 inputs, got one " + inputs.shape());
    }

    /** As Keras's merge layers: a step is real where every input that has a mask says so. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor computeMask(List<Tensor> inputs, List<Tensor> masks) {
        return Masks.allOf(masks);
    }

    public static Add fromConfig(Map<String, Object> c) {
        return new Add(Config.string(c, "name", null));
    }
}
