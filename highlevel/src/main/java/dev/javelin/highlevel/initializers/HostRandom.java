package dev.javelin.highlevel.initializers;

import dev.javelin.highlevel.Seeds;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/** Fills host arrays from a seeded generator; the seed comes from {@link Seeds} when none is given. */
final class HostRandom {
    private HostRandom() {}

    static long seedOrNext(Long seed) {
        return seed != null ? seed : Seeds.next();
    }

    static Tensor fill(Shape shape, DType dtype, DoubleSupplier values) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("initializer: expected a floating dtype for " + shape + ", got " + dtype);
        }
        HeapStorage h = HeapStorage.allocate(dtype, shape.sizeAsInt());
        for (int i = 0; i < h.length(); i++) h.setDouble(i, values.getAsDouble());
        return Tensor.wrap(h, shape);
    }

    static Tensor random(Shape shape, DType dtype, long seed, Function<SplittableRandom, Double> draw) {
        SplittableRandom rng = new SplittableRandom(seed);
        return fill(shape, dtype, () -> draw.apply(rng));
    }

    /** A normal sample redrawn until it lies within two standard deviations, as Keras's TruncatedNormal. */
    static double truncatedNormal(SplittableRandom rng) {
        double v;
        do {
            v = gaussian(rng);
        } while (Math.abs(v) > 2);
        return v;
    }

    /** Box-Muller, so the values do not depend on the JDK's choice of Gaussian algorithm. */
    static double gaussian(SplittableRandom rng) {
        double a = 1.0 - rng.nextDouble();
        double b = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * b);
    }

    /** The standard deviation of a unit normal truncated to [-2, 2]: Keras divides by it. */
    static final double TRUNCATED_STD = 0.87962566103423978;
}
