package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Reshapes each sample (the batch axis stays): {@code new Reshape(28, 28, 1)}; one size may be -1.
 */
public final class Reshape extends Layer {
    private final int[] targetShape;

    public Reshape(int... targetShape) {
        this(targetShape, null);
    }

    public Reshape(int[] targetShape, String name) {
        super(name);
        int unknown = 0;
        for (int d : targetShape) {
            if (d == -1) unknown++;
            else if (d < 0) throw new IllegalArgumentException("Reshape: bad target shape " + Arrays.toString(targetShape));
        }
        if (unknown > 1) throw new IllegalArgumentException("Reshape: at most one -1 in " + Arrays.toString(targetShape));
        this.targetShape = targetShape.clone();
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        int[] dims = new int[targetShape.length + 1];
        dims[0] = inputs.dim(0);
        System.arraycopy(targetShape, 0, dims, 1, targetShape.length);
        try {
            return inputs.reshape(dims);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name() + " (Reshape): cannot reshape samples of " + inputs.shape() + " to "
                    + Arrays.toString(targetShape), e);
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("target_shape", Config.list(targetShape));
        return c;
    }

    public static Reshape fromConfig(Map<String, Object> c) {
        return new Reshape(Config.ints(c, "target_shape", 0, new int[0], -1), Config.string(c, "name", null));
    }

}
