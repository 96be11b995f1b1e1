package dev.javelin.autodiff;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.SplittableRandom;

/** Seeded float64 test inputs: gradient checks need float64, and each test names its own seed. */
final class Rand {
    private Rand() {}

    /** Standard normal values. */
    static Tensor normal(long seed, int... dims) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[count(dims)];
        for (int i = 0; i < v.length; i++) { // Box-Muller
            double a = 1.0 - r.nextDouble(), b = r.nextDouble();
            v[i] = Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * b);
        }
        return Tensors.of(v, dims);
    }

    /** Values in [0.5, 2): for log, sqrt, pow bases and divisors. */
    static Tensor positive(long seed, int... dims) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[count(dims)];
        for (int i = 0; i < v.length; i++) v[i] = 0.5 + 1.5 * r.nextDouble();
        return Tensors.of(v, dims);
    }

    /** Values with |v| in [0.5, 2) and a random sign: away from the kinks of abs, relu, reciprocal. */
    static Tensor awayFromZero(long seed, int... dims) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[count(dims)];
        for (int i = 0; i < v.length; i++) v[i] = (r.nextBoolean() ? 1 : -1) * (0.5 + 1.5 * r.nextDouble());
        return Tensors.of(v, dims);
    }

    /** int64 indices in [0, bound). */
    static Tensor indices(long seed, int bound, int... dims) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] v = new long[count(dims)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(bound);
        return Tensors.of(v, dims);
    }

    private static int count(int[] dims) {
        int n = 1;
        for (int d : dims) n *= d;
        return n;
    }
}
