package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/** The mean over height and width: NHWC [N, H, W, C] to [N, C]. {@code new GlobalAveragePooling2D()}. */
public final class GlobalAveragePooling2D extends Layer {
    public GlobalAveragePooling2D() {
        this(null);
    }

    public GlobalAveragePooling2D(String name) {
        super(name);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        if (x.rank() != 4) throw new IllegalArgumentException(name() + " (GlobalAveragePooling2D): expected NHWC inputs, got " + x.shape());
        return x.sum(1, 2).div((double) x.dim(1) * x.dim(2));
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return Shape.of(in.dim(0), in.dim(3));
    }

    public static GlobalAveragePooling2D fromConfig(Map<String, Object> c) {
        return new GlobalAveragePooling2D(Config.string(c, "name", null));
    }
}
