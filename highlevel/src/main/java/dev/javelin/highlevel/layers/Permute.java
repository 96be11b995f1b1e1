package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Reorders the non-batch axes, as Keras's Permute: {@code dims} numbers them from 1 (the batch axis
 * stays first). A view, no copy.
 *
 * <pre>{@code
 * Layer swap = new Permute(2, 1);   // [N, T, F] -> [N, F, T]
 * }</pre>
 */
public final class Permute extends Layer {
    private final int[] dims;

    public Permute(int... dims) {
        this(dims, null);
    }

    public Permute(int[] dims, String name) {
        super(name);
        boolean[] seen = new boolean[dims.length + 1];
        for (int d : dims) {
            if (d < 1 || d > dims.length || seen[d]) {
                throw new IllegalArgumentException("Permute: dims must be a permutation of 1.." + dims.length + ", got " + Arrays.toString(dims));
            }
            seen[d] = true;
        }
        this.dims = dims.clone();
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        return x.permute(order(x.shape()));
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        int[] o = order(in);
        int[] out = new int[o.length];
        for (int i = 0; i < o.length; i++) out[i] = in.dim(o[i]);
        return Shape.of(out);
    }

    private int[] order(Shape in) {
        if (in.rank() != dims.length + 1) {
            throw new IllegalArgumentException(name() + " (Permute): dims " + Arrays.toString(dims) + " expect inputs of rank "
                    + (dims.length + 1) + ", got " + in);
        }
        int[] o = new int[dims.length + 1];
        System.arraycopy(dims, 0, o, 1, dims.length);
        return o;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("dims", Config.list(dims));
        return c;
    }

    public static Permute fromConfig(Map<String, Object> c) {
        return new Permute(Config.ints(c, "dims", 0, new int[0]), Config.string(c, "name", null));
    }
}
