package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/** Flattens every axis but the batch axis: [N, 5, 5, 64] to [N, 1600]. {@code new Flatten()}. */
public final class Flatten extends Layer {
    public Flatten() {
        this(null);
    }

    public Flatten(String name) {
        super(name);
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        // the width from the dims, not -1: an empty batch leaves -1 nothing to infer from
        return inputs.reshape(inputs.dim(0), computeOutputShape(inputs.shape()).dim(1));
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        long width = in.rank() <= 1 ? 1 : in.sub(1, in.rank()).size();
        return Shape.of(in.dim(0), Shape.dimension(name() + " (Flatten)", width, "flattening " + in));
    }

    public static Flatten fromConfig(Map<String, Object> c) {
        return new Flatten(Config.string(c, "name", null));
    }
}
