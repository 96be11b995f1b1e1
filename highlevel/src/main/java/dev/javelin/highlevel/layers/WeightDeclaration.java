package dev.javelin.highlevel.layers;

import java.util.function.Supplier;

/**
 * Building layers whose weights a file provides: {@link Layer#addWeight} then declares each weight
 * as a data-free placeholder instead of initialising it, and the number of layer objects a config
 * may make is bounded. Loading uses it so that a damaged or hostile config allocates nothing
 * before its sizes are checked against the file.
 *
 * <pre>{@code
 * Model m = WeightDeclaration.withoutInitialising(() -> buildFromConfig(config));
 * }</pre>
 */
public final class WeightDeclaration {
    /** True while this thread builds layers whose weights a file provides. */
    private static final ThreadLocal<Boolean> DECLARING_ONLY = ThreadLocal.withInitial(() -> false);
    /** While a file's config is turned into layers: {remaining, budget} of layer objects it may make, else null. */
    private static final ThreadLocal<long[]> LAYERS_LEFT = new ThreadLocal<>();

    private WeightDeclaration() {}

    /**
     * Runs {@code body} with weights declared but not initialised: {@link Layer#addWeight} gives each
     * new variable a data-free placeholder of its shape and dtype, so building allocates nothing
     * however large the layers claim to be. The caller compares the placeholders' shapes with the
     * file and stores the file's tensors before the model is used (a placeholder has no data).
     */
    public static <T> T withoutInitialising(Supplier<T> body) {
        boolean before = DECLARING_ONLY.get();
        DECLARING_ONLY.set(true);
        try {
            return body.get();
        } finally {
            DECLARING_ONLY.set(before);
        }
    }

    /**
     * {@link #withoutInitialising(Supplier)} that also refuses to make more than {@code maxLayers}
     * layer objects: a config's counts (a GptModel's {@code num_layers}) make layers before any
     * weight is declared, so a damaged count in a small file would otherwise run out of memory.
     */
    public static <T> T withoutInitialising(long maxLayers, Supplier<T> body) {
        long[] before = LAYERS_LEFT.get();
        LAYERS_LEFT.set(new long[] {maxLayers, maxLayers});
        try {
            return withoutInitialising(body);
        } finally {
            LAYERS_LEFT.set(before);
        }
    }

    /** Whether {@link Layer#addWeight} declares placeholders on this thread now. */
    static boolean declaringOnly() {
        return DECLARING_ONLY.get();
    }

    /** Counts one new layer of class {@code layerClass} against the running budget, if any. */
    static void chargeLayer(String layerClass) {
        long[] left = LAYERS_LEFT.get();
        if (left != null && --left[0] < 0) {
            throw new IllegalArgumentException("the config makes more than " + left[1] + " layers (at " + layerClass
                    + "), more than its file's weights can back: a count in it (e.g. num_layers) is damaged or hostile");
        }
    }
}
