package dev.javelin.onnx;

import static dev.javelin.onnx.ElementwiseOperators.one;

import dev.javelin.tensor.Einsum;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.EagerEngine;
import java.util.Arrays;
import java.util.Map;

/**
 * The layers' operators: MatMul, Gemm, Conv (1-D and 2-D), BatchNormalization (inference),
 * InstanceNormalization, LayerNormalization, Softmax, LogSoftmax, Einsum. ONNX is channels-first
 * (NCHW, filters OIHW); Javelin's convolution is NHWC with HWIO filters, so Conv permutes its input
 * and filter (views) and adds the bias before permuting back, where the JIT can fuse it into the
 * convolution's epilogue.
 */
final class NeuralOperators {
    private NeuralOperators() {}

    static void register(Map<String, OnnxOperator> t) {
        t.put("MatMul", ctx -> one(ctx.input(0).matmul(ctx.input(1))));
        t.put("Gemm", NeuralOperators::gemm);
        t.put("Conv", NeuralOperators::conv);
        t.put("BatchNormalization", NeuralOperators::batchNorm);
        t.put("InstanceNormalization", ctx -> {
            Tensor x = ctx.input(0);
            if (x.rank() < 3) throw ctx.error("expects [N, C, spatial...], got " + x.shape());
            int[] axes = new int[x.rank() - 2];
            for (int i = 0; i < axes.length; i++) axes[i] = i + 2;
            Tensor y = NN.layerNorm(x, axes, null, null, ctx.attrFloat("epsilon", 1e-5f));
            return one(y.mul(perChannel(ctx.input(1), x.rank())).add(perChannel(ctx.input(2), x.rank())));
        });
        t.put("LayerNormalization", NeuralOperators::layerNorm);
        t.put("Softmax", ctx -> {
            Tensor x = ctx.input(0);
            return one(NN.softmax(x, ctx.axis(ctx.attrInt("axis", -1), x.rank(), "axis")));
        });
        t.put("LogSoftmax", ctx -> {
            Tensor x = ctx.input(0);
            return one(NN.logSoftmax(x, ctx.axis(ctx.attrInt("axis", -1), x.rank(), "axis")));
        });
        t.put("Einsum", ctx -> {
            String equation = ctx.attrString("equation", null);
            if (equation == null) throw ctx.error("attribute 'equation' is required");
            return one(Einsum.einsum(equation.replace(" ", ""), ctx.all().toArray(new Tensor[0])));
        });
    }

    /** A [C] parameter shaped [C, 1, ...] to broadcast over channels-first [N, C, spatial...]. */
    static Tensor perChannel(Tensor p, int rank) {
        int[] dims = new int[rank - 1];
        Arrays.fill(dims, 1);
        dims[0] = (int) p.size();
        return p.reshape(dims);
    }

    private static Tensor[] gemm(NodeContext ctx) {
        Tensor a = ctx.input(0), b = ctx.input(1);
        if (a.rank() != 2 || b.rank() != 2) throw ctx.error("A and B must be matrices, got " + a.shape() + " and " + b.shape());
        if (ctx.attrInt("transA", 0) != 0) a = a.mT();
        if (ctx.attrInt("transB", 0) != 0) b = ctx.isInitializer(1) && b.isContiguous() ? laidOut(TRANSPOSED, b, 1, 0) : b.mT();
        if (a.dim(1) != b.dim(0)) throw ctx.error("inner dimensions differ: A' " + a.shape() + ", B' " + b.shape());
        double alpha = ctx.attrFloat("alpha", 1f), beta = ctx.attrFloat("beta", 1f);
        Tensor y = a.matmul(b);
        if (alpha != 1) y = y.mul(alpha);
        Tensor c = ctx.optional(2);
        if (c != null && beta != 0) y = y.add(beta == 1 ? c : c.mul(beta));
        return one(y);
    }

    private static Tensor[] conv(NodeContext ctx) {
        Tensor x = ctx.input(0), w = ctx.input(1), filter = w;
        int spatial = x.rank() - 2;
        if (spatial != 1 && spatial != 2 || w.rank() != x.rank()) {
            throw ctx.error("supports 1-D and 2-D convolutions of [N, C, (H,) W] with filters [M, C/group, (kH,) kW], got "
                    + x.shape() + " and " + w.shape());
        }
        int group = (int) ctx.attrInt("group", 1);
        if (group < 1 || x.dim(1) % group != 0 || w.dim(0) % group != 0 || w.dim(1) * group != x.dim(1)) {
            throw ctx.error("group " + group + " does not fit input " + x.shape() + " and filter " + w.shape());
        }
        if (spatial == 1) { // as 2-D with a height of 1
            x = x.unsqueeze(2);
            w = w.unsqueeze(2);
        }
        Window win = Window.of(ctx, new int[] {x.dim(2), x.dim(3)}, new int[] {w.dim(2), w.dim(3)}, spatial, false);
        Tensor nhwc = x.permute(0, 2, 3, 1);
        Tensor hwio = ctx.isInitializer(1) ? channelsLastFilter(filter) : w.permute(2, 3, 1, 0);
        Tensor y = Ops.conv2d(nhwc, hwio, new OpAttrs.Conv(win.strides[0], win.strides[1], win.low[0], win.high[0], win.low[1],
                win.high[1], win.dilations[0], win.dilations[1], group));
        Tensor bias = ctx.optional(2);
        if (bias != null) {
            if (bias.rank() != 1 || bias.dim(0) != w.dim(0)) throw ctx.error("bias " + bias.shape() + " must be [" + w.dim(0) + "]");
            y = y.add(bias);
        }
        y = y.permute(0, 3, 1, 2);
        return one(spatial == 1 ? y.squeeze(2) : y);
    }

    /** Constants already laid out for the kernels, by the initializer they come from (kept while the model lives). */
    private static final Map<Tensor, Tensor> HWIO = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private static final Map<Tensor, Tensor> TRANSPOSED = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * A constant OIHW (or 1-D OIW) filter, as the file holds it, copied once into a dense HWIO tensor, which the compiled model then holds
     * as a constant: a permuted view would be re-laid out by the convolution at every call (ResNet-18's
     * 11M weights, measured as most of the 3x3x512x512 layers' time at batch 8).
     */
    static Tensor channelsLastFilter(Tensor w) {
        return HWIO.computeIfAbsent(w, k -> {
            try (Dispatch.Scope s = Dispatch.use(EagerEngine.INSTANCE)) {
                Tensor oihw = k.rank() == 3 ? k.unsqueeze(2) : k; // a 1-D filter [O, I, kW] as [O, I, 1, kW]
                return oihw.permute(2, 3, 1, 0).contiguous();
            }
        });
    }

    /**
     * {@code w.permute(order)} as a dense copy made once, eagerly (Gemm's transB weight: read through
     * the transpose, the GEMM re-packed 512x1000 floats column by column at every call, 4 ms of
     * ResNet-18's batch 1).
     */
    private static Tensor laidOut(Map<Tensor, Tensor> cache, Tensor w, int... order) {
        return cache.computeIfAbsent(w, k -> {
            try (Dispatch.Scope s = Dispatch.use(EagerEngine.INSTANCE)) {
                return k.permute(order).contiguous();
            }
        });
    }


    private static Tensor[] batchNorm(NodeContext ctx) {
        if (ctx.attrInt("training_mode", 0) != 0) throw ctx.error("training_mode = 1 is not supported (inference only)");
        Tensor x = ctx.input(0);
        if (x.rank() < 2) throw ctx.error("expects [N, C, ...], got " + x.shape());
        int c = x.dim(1);
        for (int i = 1; i <= 4; i++) {
            if (ctx.input(i).size() != c) throw ctx.error("input " + i + " has shape " + ctx.input(i).shape() + ", expected [" + c + "]");
        }
        double eps = ctx.attrFloat("epsilon", 1e-5f);
        Tensor scale = ctx.input(1).div(ctx.input(4).add(eps).sqrt());
        Tensor shift = ctx.input(2).sub(ctx.input(3).mul(scale));
        return one(x.mul(perChannel(scale, x.rank())).add(perChannel(shift, x.rank())));
    }

    private static Tensor[] layerNorm(NodeContext ctx) {
        Tensor x = ctx.input(0);
        int axis = ctx.axis(ctx.attrInt("axis", -1), x.rank(), "axis");
        double eps = ctx.attrFloat("epsilon", 1e-5f);
        int[] axes = new int[x.rank() - axis];
        for (int i = 0; i < axes.length; i++) axes[i] = axis + i;
        Tensor y = NN.layerNorm(x, axes, ctx.input(1), ctx.optional(2), eps);
        boolean statistics = ctx.node.outputs().size() > 1;
        if (!statistics) return one(y);
        Tensor mean = MathOps.mean(x, axes, true);
        Tensor centered = x.sub(mean);
        Tensor invStd = MathOps.rsqrt(MathOps.mean(centered.mul(centered), axes, true).add(eps));
        return new Tensor[] {y, mean, invStd};
    }
}
