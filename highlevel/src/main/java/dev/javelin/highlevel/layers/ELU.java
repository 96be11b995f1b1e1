package dev.javelin.highlevel.layers;

import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * {@code x} where positive, {@code alpha * (e^x - 1)} elsewhere, as Keras's ELU (default alpha 1).
 *
 * <pre>{@code
 * Layer elu = new ELU(1.0);
 * }</pre>
 */
public final class ELU extends Layer {
    private final double alpha;

    public ELU() {
        this(1.0);
    }

    public ELU(double alpha) {
        this(alpha, null);
    }

    public ELU(double alpha, String name) {
        super(name);
        this.alpha = alpha;
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        return NN.elu(x, alpha);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("alpha", alpha);
        return c;
    }

    public static ELU fromConfig(Map<String, Object> c) {
        return new ELU(Config.number(c, "alpha", 1.0), Config.string(c, "name", null));
    }
}
