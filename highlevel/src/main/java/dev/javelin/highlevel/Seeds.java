package dev.javelin.highlevel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The global seed sequence, like {@code keras.utils.set_random_seed}: initializers and dropout
 * layers created without an explicit seed draw their seed from here, in creation order, so one
 * call at the start of a program makes the whole run reproducible.
 *
 * <pre>{@code
 * Seeds.setGlobal(42);
 * Model model = new Sequential(new InputLayer(784), new Dense(10)); // same weights every run
 * }</pre>
 */
public final class Seeds {
    private static final AtomicLong NEXT = new AtomicLong(mix(1337));

    private Seeds() {}

    /** Restarts the global sequence from {@code seed}. */
    public static void setGlobal(long seed) {
        NEXT.set(mix(seed));
    }

    /** The next seed of the global sequence. */
    public static long next() {
        return mix(NEXT.getAndIncrement());
    }

    /** SplitMix64's finalizer: spreads nearby seeds far apart. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
