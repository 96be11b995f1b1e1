package dev.javelin.onnx;

import static dev.javelin.onnx.ElementwiseOperators.one;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Arrays;
import java.util.Map;

/**
 * Upsampling: ConvTranspose (2-D and 1-D: Javelin's gradient-of-convolution op, which is exactly a
 * transposed convolution) and Resize (nearest and linear, per axis: a gather of source positions,
 * and for linear a weighted sum of the two neighbours, so it stays differentiable).
 */
final class ResizeOperators {
    private ResizeOperators() {}

    static void register(Map<String, OnnxOperator> t) {
        t.put("ConvTranspose", ResizeOperators::convTranspose);
        t.put("Resize", ResizeOperators::resize);
    }

    private static Tensor[] convTranspose(NodeContext ctx) {
        Tensor x = ctx.input(0), w = ctx.input(1), filter = w;
        int spatial = x.rank() - 2;
        if (spatial != 1 && spatial != 2 || w.rank() != x.rank()) {
            throw ctx.error("supports 1-D and 2-D transposed convolutions of [N, C, (H,) W] with filters [C, M/group, (kH,) kW], got "
                    + x.shape() + " and " + w.shape());
        }
        int group = (int) ctx.attrInt("group", 1);
        if (group < 1 || w.dim(0) != x.dim(1) || x.dim(1) % group != 0) {
            throw ctx.error("group " + group + " does not fit input " + x.shape() + " and filter " + w.shape());
        }
        String autoPad = ctx.attrString("auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) throw ctx.error("auto_pad \"" + autoPad + "\" is not supported (NOTSET, VALID)");
        if (ctx.hasAttr("output_shape")) throw ctx.error("the output_shape attribute is not supported (give pads and output_padding)");
        if (spatial == 1) {
            x = x.unsqueeze(2);
            w = w.unsqueeze(2);
        }
        int[] strides = pairs(ctx, "strides", spatial, 1), dilations = pairs(ctx, "dilations", spatial, 1);
        int[] outputPadding = pairs(ctx, "output_padding", spatial, 0);
        int[] low = new int[2], high = new int[2];
        long[] pads = autoPad.equals("VALID") ? null : ctx.attrInts("pads");
        if (pads != null) {
            if (pads.length != 2 * spatial) throw ctx.error("pads " + Arrays.toString(pads) + " must have " + 2 * spatial + " values");
            for (int i = 0; i < spatial; i++) {
                low[2 - spatial + i] = ctx.dim(pads[i], "pad");
                high[2 - spatial + i] = ctx.dim(pads[i + spatial], "pad");
            }
        }
        // The output is the full transposed result (length (n - 1) s + (k - 1) d + 1) cropped by the pads and
        // extended by output_padding, whose positions past the full result are zeros. The convolution that maps
        // the output back to x must give exactly n outputs: output_padding comes off the high pad, and what is
        // left over (output_padding > the high pad, which PyTorch allows up to max(stride, dilation) - 1) is
        // appended as zeros after the kernel instead (zeros[a]).
        int[] out = new int[2], computed = new int[2], zeros = new int[2];
        for (int a = 0; a < 2; a++) {
            if (outputPadding[a] >= Math.max(strides[a], dilations[a])) throw ctx.error("output_padding must be smaller than the stride or dilation");
            long size = (long) strides[a] * (x.dim(2 + a) - 1) + outputPadding[a] + (long) (w.dim(2 + a) - 1) * dilations[a] + 1 - low[a] - high[a];
            out[a] = ctx.dim(size, "output size");
            if (size < 1) throw ctx.error("the padding leaves no output");
            zeros[a] = Math.max(outputPadding[a] - high[a], 0);
            high[a] = Math.max(high[a] - outputPadding[a], 0);
            computed[a] = out[a] - zeros[a];
            if (computed[a] < 1) throw ctx.error("the pads crop away the whole transposed result (only output_padding's zeros would be left)");
        }
        // The transposed convolution of x is the input-gradient of the convolution that maps the output back to x.
        Tensor dy = x.permute(0, 2, 3, 1);
        // [C, M/group, kH, kW] laid out as the HWIO filter of the convolution from the output back to x
        Tensor hwio = ctx.isInitializer(1) ? NeuralOperators.channelsLastFilter(filter) : w.permute(2, 3, 1, 0);
        int outChannels = w.dim(1) * group;
        Tensor y = Ops.conv2dBackwardInput(dy, hwio, Shape.of(x.dim(0), computed[0], computed[1], outChannels),
                new OpAttrs.Conv(strides[0], strides[1], low[0], high[0], low[1], high[1], dilations[0], dilations[1], group));
        if (zeros[0] > 0 || zeros[1] > 0) y = Ops.pad(y, new int[4], new int[] {0, zeros[0], zeros[1], 0}, new int[4], 0);
        Tensor bias = ctx.optional(2);
        if (bias != null) {
            if (bias.rank() != 1 || bias.dim(0) != outChannels) throw ctx.error("bias " + bias.shape() + " must be [" + outChannels + "]");
            y = y.add(bias);
        }
        y = y.permute(0, 3, 1, 2);
        return one(spatial == 1 ? y.squeeze(2) : y);
    }

    private static int[] pairs(NodeContext ctx, String name, int spatial, int defaultValue) {
        long[] v = ctx.attrInts(name);
        int[] out = {defaultValue == 0 ? 0 : 1, defaultValue};
        if (v == null) return out;
        if (v.length != spatial) throw ctx.error(name + " " + Arrays.toString(v) + " must have " + spatial + " values");
        for (int i = 0; i < spatial; i++) {
            if (v[i] < defaultValue || v[i] > 1 << 16) throw ctx.error(name + " " + Arrays.toString(v) + " is out of range");
            out[2 - spatial + i] = (int) v[i];
        }
        return out;
    }

    private static Tensor[] resize(NodeContext ctx) {
        Tensor x = ctx.input(0);
        String mode = ctx.attrString("mode", "nearest");
        String transform = ctx.attrString("coordinate_transformation_mode", "half_pixel");
        String nearestMode = ctx.attrString("nearest_mode", "round_prefer_floor");
        if (!mode.equals("nearest") && !mode.equals("linear")) throw ctx.error("mode \"" + mode + "\" is not supported (nearest, linear)");
        if (ctx.attrInt("antialias", 0) != 0) throw ctx.error("antialias is not supported");
        if (ctx.has(1) && ctx.input(1).size() > 0 && transform.equals("tf_crop_and_resize")) throw ctx.error("tf_crop_and_resize is not supported");
        int rank = x.rank();
        double[] scales = new double[rank];
        int[] sizes = new int[rank];
        boolean haveScales = ctx.has(2) && ctx.input(2).size() > 0, haveSizes = ctx.has(3) && ctx.input(3).size() > 0;
        if (haveScales == haveSizes) throw ctx.error("needs exactly one of scales and sizes");
        if (haveScales) {
            double[] s = ctx.doubles(2, "scales");
            if (s.length != rank) throw ctx.error("scales " + Arrays.toString(s) + " must have one value per axis of " + x.shape());
            for (int a = 0; a < rank; a++) {
                if (!(s[a] > 0) || s[a] > 1 << 16) throw ctx.error("scale " + s[a] + " must be positive and at most " + (1 << 16));
                scales[a] = s[a];
                sizes[a] = ctx.dim((long) Math.floor(x.dim(a) * s[a]), "output size");
            }
        } else {
            long[] s = ctx.ints(3, "sizes");
            if (s.length != rank) throw ctx.error("sizes " + Arrays.toString(s) + " must have one value per axis of " + x.shape());
            for (int a = 0; a < rank; a++) {
                sizes[a] = ctx.dim(s[a], "size");
                scales[a] = (double) sizes[a] / x.dim(a);
            }
        }
        long total = 1;
        for (int size : sizes) total *= size;
        if (total > NodeContext.MAX_GENERATED_ELEMENTS * 4L) throw ctx.error("the output " + Arrays.toString(sizes) + " is too large");
        Tensor y = x;
        for (int a = 0; a < rank; a++) {
            if (sizes[a] == x.dim(a) && scales[a] == 1) continue;
            y = mode.equals("nearest") ? nearest(ctx, y, a, sizes[a], scales[a], transform, nearestMode)
                    : linear(ctx, y, a, sizes[a], scales[a], transform);
        }
        return one(y);
    }

    /** The source coordinate of output position {@code i} along an axis of {@code in} entries resized to {@code out}. */
    private static double source(NodeContext ctx, String transform, int i, int in, int out, double scale) {
        return switch (transform) {
            case "half_pixel" -> (i + 0.5) / scale - 0.5;
            case "pytorch_half_pixel" -> out > 1 ? (i + 0.5) / scale - 0.5 : 0;
            case "align_corners" -> out == 1 ? 0 : i * (in - 1.0) / (out - 1.0);
            case "asymmetric" -> i / scale;
            default -> throw ctx.error("coordinate_transformation_mode \"" + transform + "\" is not supported");
        };
    }

    private static Tensor nearest(NodeContext ctx, Tensor x, int axis, int out, double scale, String transform, String nearestMode) {
        int in = x.dim(axis);
        long[] idx = new long[out];
        for (int i = 0; i < out; i++) {
            double s = source(ctx, transform, i, in, out, scale);
            double r = switch (nearestMode) {
                case "round_prefer_floor" -> s == Math.floor(s) + 0.5 ? Math.floor(s) : Math.round(s);
                case "round_prefer_ceil" -> Math.round(s);
                case "floor" -> Math.floor(s);
                case "ceil" -> Math.ceil(s);
                default -> throw ctx.error("nearest_mode \"" + nearestMode + "\" is not supported");
            };
            idx[i] = (long) Math.clamp(r, 0, in - 1);
        }
        return ArrayOps.indexSelect(x, axis, Tensors.of(idx));
    }

    private static Tensor linear(NodeContext ctx, Tensor x, int axis, int out, double scale, String transform) {
        int in = x.dim(axis);
        long[] lo = new long[out], hi = new long[out];
        float[] w = new float[out];
        for (int i = 0; i < out; i++) {
            double s = Math.clamp(source(ctx, transform, i, in, out, scale), 0, in - 1);
            long f = (long) Math.floor(s);
            lo[i] = f;
            hi[i] = Math.min(f + 1, in - 1);
            w[i] = (float) (s - f);
        }
        int[] wDims = new int[x.rank()];
        Arrays.fill(wDims, 1);
        wDims[axis] = out;
        Tensor weight = Tensors.of(w, wDims).cast(x.dtype());
        Tensor a = ArrayOps.indexSelect(x, axis, Tensors.of(lo)), b = ArrayOps.indexSelect(x, axis, Tensors.of(hi));
        return a.add(b.sub(a).mul(weight));
    }
}
