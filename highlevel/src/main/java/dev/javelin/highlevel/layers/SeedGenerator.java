package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.Seeds;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.HeapStorage;

/**
 * A stream of int64 seed tensors for random ops, as Keras 3's {@code SeedGenerator}: its state is
 * a variable that each draw advances through {@link Variable#assign}, so a traced (jitted) step
 * takes the seed as an input and returns the next state, and a run replays from the first seed.
 *
 * <pre>{@code
 * SeedGenerator g = new SeedGenerator(42);
 * Tensor mask = Ops.randomUniform(Shape.of(128, 10), g.next()).ge(0.5);
 * }</pre>
 */
public final class SeedGenerator {
    private final long seed;
    private final Variable state;

    public SeedGenerator(long seed) {
        this.seed = seed;
        HeapStorage h = HeapStorage.allocate(DType.INT64, 1);
        h.setLong(0, Seeds.mix(seed));
        this.state = new Variable("seed_generator_state", Tensor.wrap(h, Shape.scalar()), false);
    }

    /** A seed drawn from {@link Seeds}'s global sequence. */
    public SeedGenerator() {
        this(Seeds.next());
    }

    /** The current seed as an int64 scalar tensor; the state moves on by one. */
    public Tensor next() {
        Tensor s = state.value();
        state.assign(s.add(1.0));
        return s;
    }

    /**
     * {@link #next()} on {@code device}: the state moves there first and stays (a compiled step on a
     * GPU then takes it as an input on the GPU, where the random op reads it).
     */
    public Tensor next(dev.javelin.tensor.Device device) {
        if (!state.stored().device().equals(device)) state.store(state.stored().to(device));
        return next();
    }

    /** The seed this generator started from. */
    public long seed() {
        return seed;
    }

    /** The state variable (saved with the model so training resumes on the same stream). */
    public Variable state() {
        return state;
    }
}
