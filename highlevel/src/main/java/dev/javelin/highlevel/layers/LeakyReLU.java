package dev.javelin.highlevel.layers;

import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * {@code x} where positive, {@code negativeSlope * x} elsewhere, as Keras's LeakyReLU (default slope 0.3).
 *
 * <pre>{@code
 * Layer leaky = new LeakyReLU(0.1);
 * }</pre>
 */
public final class LeakyReLU extends Layer {
    private final double negativeSlope;

    public LeakyReLU() {
        this(0.3);
    }

    public LeakyReLU(double negativeSlope) {
        this(negativeSlope, null);
    }

    public LeakyReLU(double negativeSlope, String name) {
        super(name);
        if (!(negativeSlope >= 0)) throw new IllegalArgumentException("LeakyReLU: negative_slope must be >= 0, got " + negativeSlope);
        this.negativeSlope = negativeSlope;
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        return NN.leakyRelu(x, negativeSlope);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("negative_slope", negativeSlope);
        return c;
    }

    public static LeakyReLU fromConfig(Map<String, Object> c) {
        return new LeakyReLU(Config.number(c, "negative_slope", 0.3), Config.string(c, "name", null));
    }
}
