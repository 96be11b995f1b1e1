package dev.javelin.onnx;

import static dev.javelin.onnx.ElementwiseOperators.one;

import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Map;

/**
 * Pooling: MaxPool, AveragePool (1-D and 2-D, with pads, strides, dilations, ceil_mode,
 * count_include_pad) and GlobalAveragePool, GlobalMaxPool. A window pool is Javelin's
 * windows-as-a-view ({@link Op#UNFOLD}) of the padded NHWC input, reduced over the window.
 */
final class PoolOperators {
    private PoolOperators() {}

    static void register(Map<String, OnnxOperator> t) {
        t.put("MaxPool", ctx -> pool(ctx, true));
        t.put("AveragePool", ctx -> pool(ctx, false));
        t.put("GlobalAveragePool", ctx -> one(MathOps.mean(ctx.input(0), spatialAxes(ctx), true)));
        t.put("GlobalMaxPool", ctx -> one(Ops.reduce(Op.REDUCE_MAX, ctx.input(0), spatialAxes(ctx), true)));
    }

    private static int[] spatialAxes(NodeContext ctx) {
        Tensor x = ctx.input(0);
        if (x.rank() < 3) throw ctx.error("expects [N, C, spatial...], got " + x.shape());
        int[] axes = new int[x.rank() - 2];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 2;
        return axes;
    }

    private static Tensor[] pool(NodeContext ctx, boolean max) {
        Tensor x = ctx.input(0);
        int spatial = x.rank() - 2;
        if (spatial != 1 && spatial != 2) throw ctx.error("supports 1-D and 2-D pooling of [N, C, (H,) W], got " + x.shape());
        if (max && ctx.node.outputs().size() > 1 && !ctx.node.outputs().get(1).isEmpty()) {
            throw ctx.error("the Indices output is not supported");
        }
        if (!x.dtype().isFloating()) throw ctx.error("expects a floating input, got " + x.dtype());
        long[] k = ctx.attrInts("kernel_shape");
        if (k == null || k.length != spatial) throw ctx.error("kernel_shape must give " + spatial + " values");
        if (spatial == 1) x = x.unsqueeze(2);
        int[] kernel = {spatial == 1 ? 1 : ctx.dim(k[0], "kernel"), ctx.dim(k[spatial - 1], "kernel")};
        Window w = Window.of(ctx, new int[] {x.dim(2), x.dim(3)}, kernel, spatial, true);
        if (!max && (w.dilations[0] != 1 || w.dilations[1] != 1)) throw ctx.error("dilations are not supported for AveragePool");
        Tensor nhwc = x.permute(0, 2, 3, 1);
        double fill = max ? Double.NEGATIVE_INFINITY : 0;
        Tensor padded = Ops.pad(nhwc, new int[] {0, w.low[0], w.low[1], 0}, new int[] {0, w.high[0], w.high[1], 0}, new int[4], fill);
        Tensor windows = Ops.unfold(padded, new OpAttrs.Window(kernel[0], kernel[1], w.strides[0], w.strides[1], w.dilations[0], w.dilations[1]));
        Tensor y;
        if (max) {
            y = Ops.reduce(Op.REDUCE_MAX, windows, new int[] {3, 4}, false);
        } else {
            Tensor sums = Ops.reduce(Op.REDUCE_SUM, windows, new int[] {3, 4}, false);
            y = sums.div(divisors(w, x.dim(2), x.dim(3), ctx.attrInt("count_include_pad", 0) != 0).cast(sums.dtype()));
        }
        y = y.permute(0, 3, 1, 2);
        return one(spatial == 1 ? y.squeeze(2) : y);
    }

    /**
     * The number of elements each average divides by, [1, OH, OW, 1]: the window's real elements, or
     * with {@code countPad} also its explicit padding (never the padding ceil_mode adds, as PyTorch).
     */
    private static Tensor divisors(Window w, int h, int wd, boolean countPad) {
        int[] rows = counts(w, 0, h, countPad), cols = counts(w, 1, wd, countPad);
        float[] d = new float[rows.length * cols.length];
        for (int i = 0; i < rows.length; i++) for (int j = 0; j < cols.length; j++) d[i * cols.length + j] = Math.max(1, rows[i] * cols[j]);
        return Tensors.of(d, 1, rows.length, cols.length, 1);
    }

    private static int[] counts(Window w, int a, int in, boolean countPad) {
        int[] c = new int[w.out[a]];
        int lo = countPad ? 0 : w.low[a], hi = countPad ? w.low[a] + in + w.explicitHigh[a] : w.low[a] + in;
        for (int o = 0; o < c.length; o++) {
            int start = o * w.strides[a];
            for (int k = 0; k < w.kernel[a]; k++) {
                int p = start + k;
                if (p >= lo && p < hi) c[o]++;
            }
        }
        return c;
    }
}
