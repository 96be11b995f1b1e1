package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Repeats each sample {@code n} times along a new axis, as Keras's RepeatVector: [N, F] to [N, n, F]
 * (a broadcast view).
 *
 * <pre>{@code
 * Layer r = new RepeatVector(10);
 * }</pre>
 */
public final class RepeatVector extends Layer {
    private final int n;

    public RepeatVector(int n) {
        this(n, null);
    }

    public RepeatVector(int n, String name) {
        super(name);
        if (n < 0) throw new IllegalArgumentException("RepeatVector: n must be >= 0, got " + n);
        this.n = n;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        if (x.rank() != 2) throw new IllegalArgumentException(name() + " (RepeatVector): expected inputs [batch, features], got " + x.shape());
        return x.unsqueeze(1).expand(x.dim(0), n, x.dim(1));
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        if (in.rank() != 2) throw new IllegalArgumentException(name() + " (RepeatVector): expected inputs [batch, features], got " + in);
        return Shape.of(in.dim(0), n, in.dim(1));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("n", n);
        return c;
    }

    public static RepeatVector fromConfig(Map<String, Object> c) {
        return new RepeatVector(Config.integer(c, "n", 1), Config.string(c, "name", null));
    }
}
