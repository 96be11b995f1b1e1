package dev.javelin.highlevel.layers;

/** Argument checks shared by the layers' constructors: each error names the layer and the argument. */
final class Checks {
    private Checks() {}

    /** {@code value}, or an error when it is null (a null initializer would fail only at build time otherwise). */
    static <T> T notNull(String layer, String argument, T value) {
        if (value == null) throw new IllegalArgumentException(layer + ": " + argument + " must not be null");
        return value;
    }

    /** The NHWC check of the 2-D layers. */
    static void nhwc(Layer layer, String type, dev.javelin.tensor.Shape in) {
        if (in.rank() != 4) {
            throw new IllegalArgumentException(layer.name() + " (" + type + "): expected NHWC inputs [batch, height, width, channels], got " + in);
        }
    }

    /** The [batch, steps, channels] check of the 1-D layers. */
    static void sequence(Layer layer, String type, dev.javelin.tensor.Shape in) {
        if (in.rank() != 3) {
            throw new IllegalArgumentException(layer.name() + " (" + type + "): expected inputs [batch, steps, channels], got " + in);
        }
    }

    /**
     * At least one time step in a [batch, time, ...] input: the recurrent, 1-D convolution and 1-D
     * pooling layers' one error for an empty sequence (a window over nothing).
     */
    static void nonEmptySequence(Layer layer, dev.javelin.tensor.Shape in) {
        if (in.rank() >= 2 && in.dim(1) == 0) {
            throw new IllegalArgumentException(layer.name() + " (" + layer.getClass().getSimpleName() + "): the sequence is empty (inputs "
                    + in + " have 0 time steps; expected at least 1)");
        }
    }
}
