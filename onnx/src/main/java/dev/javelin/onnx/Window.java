package dev.javelin.onnx;

import java.util.Arrays;

/**
 * The geometry of a convolution or pooling node over two spatial axes: kernel, strides, dilations,
 * and the padding before ({@code low}) and after ({@code high}) each axis, from ONNX's
 * {@code pads} or {@code auto_pad}, with the extra padding {@code ceil_mode} needs folded into
 * {@code high}. One-dimensional nodes are read as two-dimensional with a height of 1.
 */
final class Window {
    final int[] kernel, strides, dilations, low, high, out;
    /** The padding after each axis that the node asks for, without what ceil_mode adds. */
    final int[] explicitHigh;

    private Window(int[] kernel, int[] strides, int[] dilations, int[] low, int[] high, int[] explicitHigh, int[] out) {
        this.kernel = kernel;
        this.explicitHigh = explicitHigh;
        this.strides = strides;
        this.dilations = dilations;
        this.low = low;
        this.high = high;
        this.out = out;
    }

    /**
     * @param in       the input's spatial size {H, W}
     * @param kernel   the kernel's {kH, kW}
     * @param spatial  how many spatial axes the node has (1 or 2; with 1, the attributes describe W only)
     * @param ceilMode honour the {@code ceil_mode} attribute (pooling)
     */
    static Window of(NodeContext ctx, int[] in, int[] kernel, int spatial, boolean ceilMode) {
        int[] strides = pairs(ctx, "strides", spatial, 1, 1);
        int[] dilations = pairs(ctx, "dilations", spatial, 1, 1);
        long[] kernelShape = ctx.attrInts("kernel_shape");
        if (kernelShape != null) {
            if (kernelShape.length != spatial) throw ctx.error("kernel_shape " + Arrays.toString(kernelShape) + " must have " + spatial + " values");
            for (int i = 0; i < spatial; i++) {
                if (kernelShape[i] != kernel[2 - spatial + i]) throw ctx.error("kernel_shape " + Arrays.toString(kernelShape) + " differs from the filter's");
            }
        }
        for (int k : kernel) if (k < 1) throw ctx.error("kernel " + Arrays.toString(kernel) + " must be positive");
        int[] low = new int[2], high = new int[2];
        String autoPad = ctx.attrString("auto_pad", "NOTSET");
        switch (autoPad) {
            case "NOTSET" -> {
                long[] pads = ctx.attrInts("pads");
                if (pads != null) {
                    if (pads.length != 2 * spatial) throw ctx.error("pads " + Arrays.toString(pads) + " must have " + 2 * spatial + " values");
                    for (int i = 0; i < spatial; i++) {
                        low[2 - spatial + i] = ctx.dim(pads[i], "pad");
                        high[2 - spatial + i] = ctx.dim(pads[i + spatial], "pad");
                    }
                }
            }
            case "VALID" -> { }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int a = 0; a < 2; a++) {
                    int outSize = (in[a] + strides[a] - 1) / strides[a];
                    int span = (kernel[a] - 1) * dilations[a] + 1;
                    int total = Math.max((outSize - 1) * strides[a] + span - in[a], 0);
                    int small = total / 2, large = total - small;
                    low[a] = autoPad.equals("SAME_UPPER") ? small : large;
                    high[a] = total - low[a];
                }
            }
            default -> throw ctx.error("auto_pad \"" + autoPad + "\" is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        }
        int[] explicitHigh = high.clone();
        boolean ceil = ceilMode && ctx.attrInt("ceil_mode", 0) != 0;
        int[] out = new int[2];
        for (int a = 0; a < 2; a++) {
            long span = (long) (kernel[a] - 1) * dilations[a] + 1;
            long padded = (long) in[a] + low[a] + high[a];
            if (padded < span) throw ctx.error("the kernel " + Arrays.toString(kernel) + " (dilated) is larger than the padded input " + Arrays.toString(in));
            long room = padded - span;
            long n = (ceil ? (room + strides[a] - 1) / strides[a] : room / strides[a]) + 1;
            // As PyTorch: the last window must start inside the input or its leading padding.
            if (ceil && (n - 1) * strides[a] >= (long) in[a] + low[a]) n--;
            out[a] = (int) n;
            long needed = (n - 1) * strides[a] + span;
            if (needed > padded) high[a] += (int) (needed - padded);
        }
        return new Window(kernel, strides, dilations, low, high, explicitHigh, out);
    }

    private static int[] pairs(NodeContext ctx, String name, int spatial, int defaultH, int defaultW) {
        long[] v = ctx.attrInts(name);
        int[] out = {defaultH, defaultW};
        if (v == null) return out;
        if (v.length != spatial) throw ctx.error(name + " " + Arrays.toString(v) + " must have " + spatial + " values");
        for (int i = 0; i < spatial; i++) {
            if (v[i] < 1 || v[i] > Integer.MAX_VALUE / 4) throw ctx.error(name + " " + Arrays.toString(v) + " must be positive and at most " + Integer.MAX_VALUE / 4);
            out[2 - spatial + i] = (int) v[i];
        }
        return out;
    }
}
