package dev.javelin.onnx;

import static dev.javelin.onnx.ElementwiseOperators.one;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Operators on shapes and layouts: Shape and Size (constants for the shapes being traced), Reshape,
 * Flatten, Transpose, Squeeze, Unsqueeze, Concat, Split, Expand, Tile, DepthToSpace, SpaceToDepth, and
 * the generators Constant, ConstantOfShape, Range. Views where Javelin has them (reshape, permute, expand, slice).
 */
final class ShapeOperators {
    private ShapeOperators() {}

    static void register(Map<String, OnnxOperator> t) {
        t.put("Shape", ShapeOperators::shape);
        t.put("Size", ctx -> one(Tensors.scalar(ctx.input(0).size(), DType.INT64)));
        t.put("Reshape", ShapeOperators::reshape);
        t.put("Flatten", ctx -> {
            Tensor x = ctx.input(0);
            long a = ctx.attrInt("axis", 1);
            if (a < -x.rank() || a > x.rank()) throw ctx.error("axis " + a + " is out of range [-" + x.rank() + ", " + x.rank() + "]");
            int axis = (int) (a < 0 ? a + x.rank() : a);
            // both sides from the dims: with an empty batch, size / rows made the columns 0 too ([0, 0])
            long outer = 1, inner = 1;
            for (int i = 0; i < axis; i++) outer *= x.dim(i);
            for (int i = axis; i < x.rank(); i++) inner *= x.dim(i);
            return one(x.reshape(ctx.dim(outer, "Flatten rows"), ctx.dim(inner, "Flatten columns")));
        });
        t.put("Transpose", ctx -> {
            Tensor x = ctx.input(0);
            long[] perm = ctx.attrInts("perm");
            int[] order = new int[x.rank()];
            for (int i = 0; i < order.length; i++) order[i] = order.length - 1 - i;
            if (perm != null) {
                if (perm.length != x.rank()) throw ctx.error("perm " + Arrays.toString(perm) + " does not fit rank " + x.rank());
                order = ctx.axes(perm, x.rank(), "perm");
            }
            return one(x.permute(order));
        });
        t.put("Squeeze", ctx -> {
            Tensor x = ctx.input(0);
            long[] axes = axesOf(ctx, 1);
            if (axes == null) return one(x.squeeze());
            int[] a = ctx.axes(axes, x.rank(), "axes");
            for (int axis : a) if (x.dim(axis) != 1) throw ctx.error("axis " + axis + " of " + x.shape() + " is not 1");
            return one(a.length == 0 ? x : x.squeeze(a));
        });
        t.put("Unsqueeze", ctx -> {
            Tensor x = ctx.input(0);
            long[] axes = axesOf(ctx, 1);
            if (axes == null) throw ctx.error("axes are required");
            int rank = x.rank() + axes.length;
            int[] a = ctx.axes(axes, rank, "axes");
            boolean[] inserted = new boolean[rank];
            for (int axis : a) inserted[axis] = true;
            int[] dims = new int[rank];
            for (int i = 0, k = 0; i < rank; i++) dims[i] = inserted[i] ? 1 : x.dim(k++);
            return one(x.reshape(dims));
        });
        t.put("Concat", ctx -> {
            List<Tensor> parts = ctx.all();
            int axis = ctx.axis(ctx.requiredInt("axis"), parts.get(0).rank(), "axis");
            if (parts.size() == 1) return one(parts.get(0));
            return one(ArrayOps.concat(parts, axis));
        });
        t.put("Split", ShapeOperators::split);
        t.put("Expand", ctx -> {
            Tensor x = ctx.input(0);
            long[] target = ctx.ints(1, "shape");
            int rank = Math.max(x.rank(), target.length);
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) {
                int xi = i - (rank - x.rank()), ti = i - (rank - target.length);
                int a = xi >= 0 ? x.dim(xi) : 1;
                long b = ti >= 0 ? target[ti] : 1;
                if (b != 1 && a != 1 && a != b) throw ctx.error("shape " + Arrays.toString(target) + " does not broadcast with " + x.shape());
                dims[i] = a == 1 ? ctx.dim(b, "dimension") : a;
            }
            Shape out = Shape.of(dims);
            if (!x.isSymbolic()) ctx.checkGenerated(out);
            return one(Ops.expand(x, out));
        });
        t.put("DepthToSpace", ShapeOperators::depthToSpace);
        t.put("SpaceToDepth", ShapeOperators::spaceToDepth);
        t.put("Tile", ctx -> {
            Tensor x = ctx.input(0);
            long[] repeats = ctx.ints(1, "repeats");
            if (repeats.length != x.rank()) throw ctx.error("repeats " + Arrays.toString(repeats) + " do not fit rank " + x.rank());
            int[] r = new int[repeats.length];
            long total = x.size();
            for (int i = 0; i < r.length; i++) {
                r[i] = ctx.dim(repeats[i], "repeat");
                total *= r[i];
            }
            if (total > NodeContext.MAX_GENERATED_ELEMENTS) throw ctx.error("tiling " + x.shape() + " by " + Arrays.toString(repeats) + " is too large");
            return one(ArrayOps.tile(x, r));
        });
        t.put("Constant", ShapeOperators::constant);
        t.put("ConstantOfShape", ctx -> {
            long[] dims = ctx.ints(0, "shape");
            int[] d = new int[dims.length];
            for (int i = 0; i < d.length; i++) d[i] = ctx.dim(dims[i], "dimension");
            Shape shape = Shape.of(d);
            ctx.checkGenerated(shape);
            Tensor value = ctx.attrTensor("value");
            if (value == null) return one(Tensors.zeros(shape, DType.FLOAT32));
            if (value.size() != 1) throw ctx.error("value must hold one element, got shape " + value.shape());
            return one(Tensors.full(shape, value.toDoubleArray()[0], value.dtype()));
        });
        t.put("Range", ShapeOperators::range);
        t.put("EyeLike", ShapeOperators::eyeLike);
    }

    /** torch.eye of a traced size: ones where column - row = k in the input's 2-D shape, in {@code dtype} (default the input's). */
    private static Tensor[] eyeLike(NodeContext ctx) {
        Tensor x = ctx.input(0);
        if (x.rank() != 2) throw ctx.error("expects a 2-D input, got " + x.shape());
        ctx.checkGenerated(x.shape());
        DType dtype = x.dtype();
        if (ctx.attrInt("dtype", -1) >= 0) {
            try {
                dtype = TensorReader.dtypeOf((int) ctx.attrInt("dtype", -1), "EyeLike");
            } catch (OnnxFormatException e) {
                throw ctx.error(e.getMessage());
            }
        }
        Tensor rows = Tensors.arange(x.dim(0)).reshape(x.dim(0), 1), cols = Tensors.arange(x.dim(1)).reshape(1, x.dim(1));
        return one(cols.sub(rows).eq((double) ctx.attrInt("k", 0)).cast(dtype));
    }

    /** Axes from input {@code index} (opset 13 and later) or the {@code axes} attribute (earlier exports); null when neither. */
    static long[] axesOf(NodeContext ctx, int index) {
        if (ctx.has(index)) return ctx.ints(index, "axes");
        return ctx.attrInts("axes");
    }

    private static Tensor[] shape(NodeContext ctx) {
        Tensor x = ctx.input(0);
        int rank = x.rank();
        long start = ctx.attrInt("start", 0), end = ctx.attrInt("end", rank);
        if (start < 0) start += rank;
        if (end < 0) end += rank;
        start = Math.clamp(start, 0, rank);
        end = Math.clamp(end, start, rank);
        long[] dims = new long[(int) (end - start)];
        for (int i = 0; i < dims.length; i++) dims[i] = x.dim((int) start + i);
        return one(Tensors.of(dims));
    }

    private static Tensor[] reshape(NodeContext ctx) {
        Tensor x = ctx.input(0);
        long[] target = ctx.ints(1, "shape");
        boolean allowZero = ctx.attrInt("allowzero", 0) != 0;
        int[] dims = new int[target.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            long v = target[i];
            if (v == 0 && !allowZero) {
                if (i >= x.rank()) throw ctx.error("shape " + Arrays.toString(target) + " copies dimension " + i + " that " + x.shape() + " lacks");
                v = x.dim(i);
            }
            if (v == -1) {
                if (infer >= 0) throw ctx.error("shape " + Arrays.toString(target) + " has more than one -1");
                infer = i;
                continue;
            }
            dims[i] = ctx.dim(v, "shape " + Arrays.toString(target) + ": dimension");
            known *= dims[i];
        }
        if (infer >= 0) {
            if (known == 0 || x.size() % known != 0) throw ctx.error("cannot reshape " + x.shape() + " to " + Arrays.toString(target));
            dims[infer] = (int) (x.size() / known);
            known *= dims[infer];
        }
        if (known != x.size()) throw ctx.error("cannot reshape " + x.shape() + " (" + x.size() + " elements) to " + Arrays.toString(target));
        return one(x.reshape(dims));
    }

    private static Tensor[] split(NodeContext ctx) {
        Tensor x = ctx.input(0);
        int axis = ctx.axis(ctx.attrInt("axis", 0), x.rank(), "axis");
        int parts = ctx.node.outputs().size();
        long[] sizes = ctx.has(1) ? ctx.ints(1, "split") : ctx.attrInts("split");
        int[] s;
        if (sizes != null) {
            if (sizes.length != parts) throw ctx.error("split " + Arrays.toString(sizes) + " does not give " + parts + " outputs");
            s = new int[parts];
            for (int i = 0; i < parts; i++) s[i] = ctx.dim(sizes[i], "split size");
        } else {
            int n = x.dim(axis);
            int each = (n + parts - 1) / parts;
            if (ctx.opset < 18 && n % parts != 0) throw ctx.error("axis " + axis + " of " + x.shape() + " does not split into " + parts + " equal parts");
            s = new int[parts];
            for (int i = 0; i < parts; i++) s[i] = Math.max(0, Math.min(each, n - i * each));
        }
        try {
            return ArrayOps.split(x, s, axis).toArray(new Tensor[0]);
        } catch (IllegalArgumentException e) {
            throw ctx.error(e.getMessage());
        }
    }

    private static Tensor[] constant(NodeContext ctx) {
        Tensor value = ctx.attrTensor("value");
        if (value != null) return one(value);
        if (ctx.hasAttr("value_float")) return one(Tensors.scalar(ctx.attrFloat("value_float", 0), DType.FLOAT32));
        if (ctx.hasAttr("value_int")) return one(Tensors.scalar(ctx.attrInt("value_int", 0), DType.INT64));
        float[] floats = ctx.attrFloats("value_floats");
        if (floats != null) return one(Tensors.of(floats));
        long[] ints = ctx.attrInts("value_ints");
        if (ints != null) return one(Tensors.of(ints));
        throw ctx.error("needs one of value, value_float, value_floats, value_int, value_ints (strings and sparse values are not supported)");
    }

    private static Tensor[] range(NodeContext ctx) {
        Tensor startT = ctx.input(0);
        double start = ctx.scalar(0, "start"), limit = ctx.scalar(1, "limit"), delta = ctx.scalar(2, "delta");
        if (delta == 0) throw ctx.error("delta must not be 0");
        double steps = Math.ceil((limit - start) / delta);
        long n = Double.isNaN(steps) ? 0 : (long) Math.max(steps, 0);
        ctx.checkGenerated(Shape.of(ctx.dim(n, "number of elements")));
        DType dt = startT.dtype();
        if (dt.isFloating()) {
            double[] v = new double[(int) n];
            for (int i = 0; i < n; i++) v[i] = start + i * delta;
            return one(Tensors.of(v).cast(dt));
        }
        long[] v = new long[(int) n];
        for (int i = 0; i < n; i++) v[i] = (long) start + i * (long) delta;
        return one(Tensors.of(v).cast(dt));
    }

    /**
     * DepthToSpace ({@code torch.nn.PixelShuffle} exports it with mode CRD): {@code [N, C, H, W]} to
     * {@code [N, C / b^2, H b, W b]}, the channels read as {@code (b, b, C / b^2)} in mode DCR (the
     * default) or {@code (C / b^2, b, b)} in CRD. A reshape, a permutation and a reshape.
     */
    private static Tensor[] depthToSpace(NodeContext ctx) {
        Tensor x = ctx.input(0);
        int b = blockSize(ctx, x);
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        long square = (long) b * b;
        if (c % square != 0) throw ctx.error("channels " + c + " of " + x.shape() + " are not a multiple of blocksize^2 = " + square);
        int out = (int) (c / square);
        String mode = ctx.attrString("mode", "DCR");
        Tensor blocks = switch (mode) {
            case "DCR" -> x.reshape(n, b, b, out, h, w).permute(0, 3, 4, 1, 5, 2);
            case "CRD" -> x.reshape(n, out, b, b, h, w).permute(0, 1, 4, 2, 5, 3);
            default -> throw ctx.error("mode must be \"DCR\" or \"CRD\", got \"" + mode + "\"");
        };
        return one(blocks.reshape(n, out, ctx.dim((long) h * b, "height"), ctx.dim((long) w * b, "width")));
    }

    /** SpaceToDepth, DepthToSpace's DCR inverse: {@code [N, C, H, W]} to {@code [N, C b^2, H / b, W / b]}. */
    private static Tensor[] spaceToDepth(NodeContext ctx) {
        Tensor x = ctx.input(0);
        int b = blockSize(ctx, x);
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        if (h % b != 0 || w % b != 0) throw ctx.error("height and width of " + x.shape() + " must be multiples of blocksize " + b);
        Tensor blocks = x.reshape(n, c, h / b, b, w / b, b).permute(0, 3, 5, 1, 2, 4);
        return one(blocks.reshape(n, ctx.dim((long) c * b * b, "channels"), h / b, w / b));
    }

    private static int blockSize(NodeContext ctx, Tensor x) {
        if (x.rank() != 4) throw ctx.error("expects [N, C, H, W], got " + x.shape());
        long b = ctx.requiredInt("blocksize");
        if (b < 1 || b > Integer.MAX_VALUE) throw ctx.error("blocksize must be a positive int, got " + b);
        return (int) b;
    }
}
