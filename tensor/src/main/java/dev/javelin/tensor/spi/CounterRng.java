package dev.javelin.tensor.spi;

/**
 * A counter-based random generator: the value at position {@code index} of the stream keyed by
 * {@code seed} is a pure function of both, so any backend, thread count or chunking reproduces it
 * bit for bit. Bits come from SplitMix64's finalizer applied to a key-dependent counter.
 *
 * <pre>{@code
 * float u = CounterRng.uniform(42L, 0);   // the same on every machine
 * float z = CounterRng.normal(42L, 0);
 * }</pre>
 */
public final class CounterRng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final double TWO_PI = 2 * Math.PI;

    private CounterRng() {}

    /** SplitMix64's output function: a bijective 64-bit mixer. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** 64 random bits at {@code index} of the stream keyed by {@code seed}. */
    public static long bits(long seed, long index) {
        // Mixing the seed first keeps streams of nearby seeds from being shifted copies of each other.
        long key = mix64(seed ^ 0x6A09E667F3BCC909L);
        return mix64(key + (index + 1) * GOLDEN);
    }

    /** Uniform in [0, 1) with 24 random bits: every value is exactly a float32. */
    public static float uniform(long seed, long index) {
        return (bits(seed, index) >>> 40) * 0x1.0p-24f;
    }

    /**
     * Standard normal by Box-Muller from the uniforms at {@code 2 * index} and {@code 2 * index + 1},
     * computed with {@link StrictMath} in double so every platform gives the same float32.
     */
    public static float normal(long seed, long index) {
        double u1 = uniform(seed, 2 * index);
        double u2 = uniform(seed, 2 * index + 1);
        double radius = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u1)); // 1 - u1 is in (0, 1]: no log(0)
        return (float) (radius * StrictMath.cos(TWO_PI * u2));
    }
}
