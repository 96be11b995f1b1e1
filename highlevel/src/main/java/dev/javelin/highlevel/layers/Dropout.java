package dev.javelin.highlevel.layers;

import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * During training, zeroes each input with probability {@code rate} and scales the rest by
 * {@code 1 / (1 - rate)}; at inference it is the identity. The mask comes from a counter-based
 * generator keyed by a seed tensor, so runs are reproducible and a traced step stays pure.
 *
 * <pre>{@code
 * Layer d = new Dropout(0.5);        // seed from Seeds' global sequence
 * Layer e = new Dropout(0.5, 1234L); // explicit seed
 * }</pre>
 */
public final class Dropout extends Layer {
    private final double rate;
    private final SeedGenerator seeds;

    public Dropout(double rate) {
        this(rate, null, null);
    }

    public Dropout(double rate, Long seed) {
        this(rate, seed, null);
    }

    /** @param seed null draws one from the global sequence */
    public Dropout(double rate, Long seed, String name) {
        super(name);
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("Dropout: rate must be in [0, 1), got " + rate);
        this.rate = rate;
        this.seeds = trackSeedGenerator(seed != null ? new SeedGenerator(seed) : new SeedGenerator());
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        if (!training || rate == 0) return inputs;
        return NN.dropout(inputs, rate, seeds.next(inputs.device()));
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    public double rate() {
        return rate;
    }

    public SeedGenerator seedGenerator() {
        return seeds;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("rate", rate);
        c.put("seed", seeds.seed());
        return c;
    }

    public static Dropout fromConfig(Map<String, Object> c) {
        return new Dropout(Config.numberIn(c, "rate", 0.5, 0, Math.nextDown(1.0)), Config.optionalLong(c, "seed"),
                Config.string(c, "name", null));
    }

}
