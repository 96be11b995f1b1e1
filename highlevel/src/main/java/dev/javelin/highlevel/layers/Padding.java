package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import java.util.Locale;

/** Keras/TensorFlow padding arithmetic for windows: {@code valid} (none) and {@code same} (extra at the end). */
final class Padding {
    private Padding() {}

    static String check(String layer, String padding) {
        String p = padding.toLowerCase(Locale.ROOT);
        if (!p.equals("same") && !p.equals("valid")) {
            throw new IllegalArgumentException(layer + ": padding must be \"same\" or \"valid\", got \"" + padding + "\"");
        }
        return p;
    }

    /** {before, after} for one spatial axis. */
    static int[] amounts(String padding, int size, int kernel, int stride, int dilation) {
        if (padding.equals("valid")) return new int[] {0, 0};
        // in long: a stride or dilation near 2^31 overflowed int into a wrong (or negative) size
        long effective = (long) (kernel - 1) * dilation + 1;
        long out = ((long) size + stride - 1) / stride;
        long total = Math.max((out - 1) * stride + effective - size, 0);
        Shape.dimension("padding", size + total, "\"same\" padding of " + size + " for a window of " + kernel + ", stride "
                + stride + ", dilation " + dilation);
        return new int[] {(int) (total / 2), (int) (total - total / 2)};
    }

    /** Output length along one axis, or an error naming the layer when the window does not fit. */
    static int outputSize(String layer, String padding, int size, int kernel, int stride, int dilation) {
        if (padding.equals("same")) return (int) (((long) size + stride - 1) / stride);
        long effective = (long) (kernel - 1) * dilation + 1;
        if (size < effective) {
            throw new IllegalArgumentException(layer + ": input size " + size + " is smaller than the window " + effective
                    + " with padding \"valid\"");
        }
        return (int) ((size - effective) / stride + 1);
    }

    static int[] pair(String layer, String what, int... v) {
        if (v.length == 1) v = new int[] {v[0], v[0]};
        if (v.length != 2 || v[0] < 1 || v[1] < 1) {
            throw new IllegalArgumentException(layer + ": " + what + " must be one or two positive ints, got " + java.util.Arrays.toString(v));
        }
        return v.clone();
    }
}
