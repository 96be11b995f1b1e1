package dev.javelin.highlevel.layers;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * A convolution's window over its spatial axes: Keras's {@code kernel_size}, {@code strides},
 * {@code padding} and {@code dilation_rate}, checked, turned into output sizes and padding amounts,
 * and written to a config, once for every convolution layer of 1, 2 or 3 spatial axes.
 * Padding is {@code valid}, {@code same} (the odd extra step at the end, as TensorFlow) or, for the
 * 1-D layers that allow it, {@code causal} (all of it at the start, so step t sees steps <= t).
 */
final class ConvWindow {
    final int rank;
    final int[] kernelSize;
    final int[] strides;
    final String padding;
    final int[] dilation;

    /** Each size is one int (for every axis) or {@code rank} of them, each at least 1. */
    ConvWindow(String layer, int rank, int[] kernelSize, int[] strides, String padding, int[] dilation, boolean causalAllowed) {
        this.rank = rank;
        this.kernelSize = sizes(layer, "kernel_size", rank, kernelSize);
        this.strides = sizes(layer, "strides", rank, strides);
        this.dilation = sizes(layer, "dilation_rate", rank, dilation);
        this.padding = padding(layer, padding, causalAllowed);
    }

    private ConvWindow(int rank, int[] kernelSize, int[] strides, String padding, int[] dilation) {
        this.rank = rank;
        this.kernelSize = kernelSize;
        this.strides = strides;
        this.padding = padding;
        this.dilation = dilation;
    }

    /** The window read from a layer config; absent keys take Keras's defaults (3, 1, valid, 1). */
    static ConvWindow fromConfig(String layer, Map<String, Object> c, int rank, boolean causalAllowed) {
        return new ConvWindow(layer, rank, Config.ints(c, "kernel_size", rank, filled(rank, 3), 1),
                Config.ints(c, "strides", rank, filled(rank, 1), 1), Config.string(c, "padding", "valid"),
                Config.ints(c, "dilation_rate", rank, filled(rank, 1), 1), causalAllowed);
    }

    void putConfig(Map<String, Object> c) {
        c.put("kernel_size", Config.list(kernelSize));
        c.put("strides", Config.list(strides));
        c.put("padding", padding);
        c.put("dilation_rate", Config.list(dilation));
    }

    /** The output length along spatial {@code axis} for an input of {@code size}, or an error naming the layer. */
    int outputSize(String layer, int axis, int size) {
        if (padding.equals("causal")) {
            return Padding.outputSize(layer, "valid", size + amounts(axis, size)[0], kernelSize[axis], strides[axis], dilation[axis]);
        }
        return Padding.outputSize(layer, padding, size, kernelSize[axis], strides[axis], dilation[axis]);
    }

    /**
     * The transposed convolution's output length along {@code axis}, Keras's {@code deconv_output_length}
     * without {@code output_padding}: {@code size * stride} with "same"; with "valid",
     * {@code size * stride + max(window - stride, 0)} for the dilated window, which is
     * {@code (size - 1) * stride + window} unless the window is shorter than the stride (then the output
     * keeps the stride's trailing gap, which the forward window maps back to {@code size} too).
     */
    int transposedSize(String layer, int axis, int size) {
        long window = (long) (kernelSize[axis] - 1) * dilation[axis] + 1;
        long out = (long) size * strides[axis] + (padding.equals("same") ? 0 : Math.max(window - strides[axis], 0));
        return Shape.dimension(layer, out, "the output of an input of " + size + " along spatial axis " + (axis + 1));
    }

    /** {before, after} padding along {@code axis} for an input of {@code size}. */
    int[] amounts(int axis, int size) {
        if (padding.equals("causal")) return new int[] {(kernelSize[axis] - 1) * dilation[axis], 0};
        return Padding.amounts(padding, size, kernelSize[axis], strides[axis], dilation[axis]);
    }

    /**
     * The 2-D window that computes this one on the plane the layers run CONV2D on: a height of 1 in
     * front of a 1-D window, the last two axes of a 3-D one (its first axis is summed by the layer).
     */
    ConvWindow plane() {
        return switch (rank) {
            case 1 -> new ConvWindow(2, new int[] {1, kernelSize[0]}, new int[] {1, strides[0]}, padding, new int[] {1, dilation[0]});
            case 2 -> this;
            default -> new ConvWindow(2, Arrays.copyOfRange(kernelSize, 1, 3), Arrays.copyOfRange(strides, 1, 3), padding,
                    Arrays.copyOfRange(dilation, 1, 3));
        };
    }

    /** CONV2D's attributes for this 2-D window over an input (or, transposed, an output) of {@code h x w}. */
    OpAttrs.Conv conv2d(int h, int w, int groups) {
        if (rank != 2) throw new IllegalStateException("conv2d attributes of a " + rank + "-D window: take plane() first");
        int[] ph = amounts(0, h), pw = amounts(1, w);
        return new OpAttrs.Conv(strides[0], strides[1], ph[0], ph[1], pw[0], pw[1], dilation[0], dilation[1], groups);
    }

    private static int[] sizes(String layer, String what, int rank, int[] v) {
        if (v == null) throw new IllegalArgumentException(layer + ": " + what + " must not be null");
        int[] out = v.length == 1 ? filled(rank, v[0]) : v.clone();
        if (out.length != rank || Arrays.stream(out).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException(layer + ": " + what + " must be one or " + rank + " positive ints, got " + Arrays.toString(v));
        }
        return out;
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }

    private static String padding(String layer, String padding, boolean causalAllowed) {
        if (padding == null) throw new IllegalArgumentException(layer + ": padding must not be null");
        String p = padding.toLowerCase(Locale.ROOT);
        if (causalAllowed && p.equals("causal")) return p;
        if (!p.equals("same") && !p.equals("valid")) {
            throw new IllegalArgumentException(layer + ": padding must be \"same\"" + (causalAllowed ? ", \"valid\" or \"causal\"" : " or \"valid\"")
                    + ", got \"" + padding + "\"");
        }
        return p;
    }
}
