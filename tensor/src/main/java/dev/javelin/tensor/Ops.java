package dev.javelin.tensor;

import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.tensor.spi.Views;
import java.util.Arrays;
import java.util.List;

/**
 * The primitive op surface: with its two companions, {@link SequenceOps} (the fused attention and
 * recurrence ops) and {@link IndexingOps} (gather, scatter-add, argsort), the only place that
 * builds {@link OpCall}s. Each method checks its
 * arguments once (a clear {@link IllegalArgumentException} naming the op, shapes and dtypes),
 * normalizes them (broadcasting becomes {@link Op#EXPAND} views, dtype promotion becomes
 * {@link Op#CAST}), infers the output shape and dtype, and hands the call to {@link Dispatch}.
 *
 * <pre>{@code
 * Tensor y = Ops.binary(Op.ADD, x, Ops.reduce(Op.REDUCE_MAX, x, new int[] {1}, true));
 * }</pre>
 */
public final class Ops {
    private Ops() {}

    // ---- elementwise -------------------------------------------------------------------------

    /** A unary elementwise op. Integer inputs of the floating-only ops are cast to float32 first, as in PyTorch. */
    public static Tensor unary(Op op, Tensor x) {
        if (op.kind() != Op.Kind.UNARY) throw new IllegalArgumentException("unary: " + op + " is not a unary op");
        Tensor in = x;
        switch (op) {
            case LOGICAL_NOT -> in = cast(x, DType.BOOL);
            case NEG, ABS, SIGN, RELU -> {
                if (x.dtype() == DType.BOOL) {
                    throw new IllegalArgumentException(op.label() + ": expected a numeric tensor, got bool" + x.shape());
                }
            }
            default -> {
                if (!x.dtype().isFloating()) in = cast(x, DType.FLOAT32);
            }
        }
        DType out = op == Op.LOGICAL_NOT ? DType.BOOL : in.dtype();
        return apply(op, List.of(in), OpAttrs.NONE, in.shape(), out);
    }

    /**
     * A binary elementwise op with NumPy broadcasting and dtype promotion. Comparisons return bool;
     * DIV and POW of integers compute in float32 (true division, as in PyTorch).
     */
    public static Tensor binary(Op op, Tensor a, Tensor b) {
        if (op.kind() != Op.Kind.BINARY) throw new IllegalArgumentException("binary: " + op + " is not a binary op");
        sameDevice(op, a, b);
        Shape shape = Shape.broadcast(op.label(), a.shape(), b.shape());
        DType common = DType.promote(a.dtype(), b.dtype());
        if ((op == Op.DIV || op == Op.POW) && !common.isFloating()) common = DType.FLOAT32;
        if (common == DType.BOOL && !op.isComparison() && op != Op.MAX && op != Op.MIN) {
            throw new IllegalArgumentException(op.label() + ": arithmetic on bool tensors " + a.shape() + " and " + b.shape()
                    + "; cast to a numeric dtype first");
        }
        Tensor ca = expand(cast(a, common), shape);
        Tensor cb = expand(cast(b, common), shape);
        return apply(op, List.of(ca, cb), OpAttrs.NONE, shape, op.isComparison() ? DType.BOOL : common);
    }

    /** {@code cond ? ifTrue : ifFalse} elementwise, all three broadcast together. */
    public static Tensor where(Tensor cond, Tensor ifTrue, Tensor ifFalse) {
        sameDevice(Op.WHERE, cond, ifTrue);
        sameDevice(Op.WHERE, cond, ifFalse);
        Shape shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), ifTrue.shape()), ifFalse.shape());
        DType common = DType.promote(ifTrue.dtype(), ifFalse.dtype());
        List<Tensor> in = List.of(expand(cast(cond, DType.BOOL), shape), expand(cast(ifTrue, common), shape),
                expand(cast(ifFalse, common), shape));
        return apply(Op.WHERE, in, OpAttrs.NONE, shape, common);
    }

    /** A 0-dimensional tensor holding {@code value}, with {@code like}'s device and a dtype that can hold it. */
    public static Tensor scalarLike(Tensor like, double value) {
        DType dt = like.dtype();
        if (dt == DType.BOOL || (!dt.isFloating() && value != Math.rint(value))) dt = DType.FLOAT32;
        HeapStorage h = HeapStorage.allocate(dt, 1);
        h.setDouble(0, value);
        return Tensor.wrap(h, Shape.scalar()).to(like.device());
    }

    // ---- reductions --------------------------------------------------------------------------

    /**
     * A reduction over {@code axes} (empty or null: all axes; negative count from the end). Sums of
     * bool and int32 give int64, as in PyTorch; ARGMAX/ARGMIN take one axis and give int64.
     */
    public static Tensor reduce(Op op, Tensor x, int[] axes, boolean keepDims) {
        if (op.kind() != Op.Kind.REDUCE) throw new IllegalArgumentException("reduce: " + op + " is not a reduction");
        boolean arg = op == Op.ARGMAX || op == Op.ARGMIN;
        if (arg && (axes == null || axes.length != 1)) {
            throw new IllegalArgumentException(op.label() + ": expected exactly one axis, got " + Arrays.toString(axes));
        }
        int[] ax = Shape.normalizeAxes(axes, x.rank(), op.label());
        Tensor in = x;
        if (op == Op.REDUCE_SUM && !x.dtype().isFloating()) in = cast(x, DType.INT64);
        if (arg && x.dtype() == DType.BOOL) in = cast(x, DType.INT32);
        if (op != Op.REDUCE_SUM) {
            for (int a : ax) {
                if (x.shape().dim(a) == 0) {
                    throw new IllegalArgumentException(op.label() + ": cannot reduce the empty axis " + a + " of " + x.shape()
                            + " (no identity for max/min)");
                }
            }
        }
        Shape out = reducedShape(x.shape(), ax, keepDims);
        return apply(op, List.of(in), new OpAttrs.Reduce(ax, keepDims), out, arg ? DType.INT64 : in.dtype());
    }

    /** The shape left after reducing {@code axes} (normalized). */
    public static Shape reducedShape(Shape s, int[] axes, boolean keepDims) {
        int[] dims = s.toArray();
        boolean[] reduced = new boolean[dims.length];
        for (int a : axes) reduced[a] = true;
        int[] out = new int[keepDims ? dims.length : dims.length - axes.length];
        int k = 0;
        for (int i = 0; i < dims.length; i++) {
            if (reduced[i]) {
                if (keepDims) out[k++] = 1;
            } else {
                out[k++] = dims[i];
            }
        }
        return Shape.of(out);
    }

    // ---- movement (views) --------------------------------------------------------------------

    /** A view with new dimension sizes; one may be -1 (inferred). */
    public static Tensor reshape(Tensor x, int... dims) {
        int[] d = dims.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: only one -1 allowed in " + Arrays.toString(dims));
                infer = i;
            } else if (d[i] < 0) {
                throw new IllegalArgumentException("reshape: negative size in " + Arrays.toString(dims));
            } else {
                known *= d[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.size() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + x.shape() + " (" + x.size() + " elements) into "
                        + Arrays.toString(dims));
            }
            d[infer] = Shape.dimension("reshape", x.size() / known, "inferring -1 of " + Arrays.toString(dims) + " for " + x.shape());
        }
        Shape target = Shape.of(d);
        if (target.size() != x.size()) {
            throw new IllegalArgumentException("reshape: cannot reshape " + x.shape() + " (" + x.size() + " elements) into "
                    + target + " (" + target.size() + " elements)");
        }
        if (target.equals(x.shape())) return x;
        return apply(Op.RESHAPE, List.of(x), OpAttrs.NONE, target, x.dtype());
    }

    /** Reorders axes: output axis i is input axis {@code order[i]} (negative allowed). */
    public static Tensor permute(Tensor x, int... order) {
        if (order.length != x.rank()) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " does not match rank " + x.rank()
                    + " of " + x.shape());
        }
        int[] o = new int[order.length];
        boolean[] seen = new boolean[order.length];
        boolean identity = true;
        int[] dims = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            o[i] = Shape.normalizeAxis(order[i], x.rank(), "permute");
            if (seen[o[i]]) throw new IllegalArgumentException("permute: axis repeated in " + Arrays.toString(order));
            seen[o[i]] = true;
            identity &= o[i] == i;
            dims[i] = x.shape().dim(o[i]);
        }
        if (identity) return x;
        return apply(Op.PERMUTE, List.of(x), new OpAttrs.Permute(o), Shape.of(dims), x.dtype());
    }

    /** Swaps axes {@code a} and {@code b} (a view); negative axes count from the end. */
    public static Tensor transpose(Tensor x, int a, int b) {
        int[] order = new int[x.rank()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        int na = Shape.normalizeAxis(a, x.rank(), "transpose");
        int nb = Shape.normalizeAxis(b, x.rank(), "transpose");
        order[na] = nb;
        order[nb] = na;
        return permute(x, order);
    }

    /** Broadcasts to {@code target} (a view with stride 0 where a dimension of 1 stretches). */
    public static Tensor expand(Tensor x, Shape target) {
        if (x.shape().equals(target)) return x;
        if (!x.shape().broadcastsTo(target)) {
            throw new IllegalArgumentException("expand: shape " + x.shape() + " does not broadcast to " + target);
        }
        Tensor in = x;
        if (x.rank() < target.rank()) {
            int[] d = new int[target.rank()];
            Arrays.fill(d, 1);
            System.arraycopy(x.shape().toArray(), 0, d, target.rank() - x.rank(), x.rank());
            in = reshape(x, d);
            if (in.shape().equals(target)) return in;
        }
        return apply(Op.EXPAND, List.of(in), OpAttrs.NONE, target, x.dtype());
    }

    /** Removes the given axes of size 1 (all size-1 axes when none are given). */
    public static Tensor squeeze(Tensor x, int... axes) {
        boolean[] drop = new boolean[x.rank()];
        if (axes.length == 0) {
            for (int i = 0; i < x.rank(); i++) drop[i] = x.shape().dim(i) == 1;
        } else {
            for (int a : axes) {
                int n = Shape.normalizeAxis(a, x.rank(), "squeeze");
                if (x.shape().dim(n) != 1) {
                    throw new IllegalArgumentException("squeeze: axis " + a + " of " + x.shape() + " has size " + x.shape().dim(n) + ", expected 1");
                }
                drop[n] = true;
            }
        }
        int[] d = new int[x.rank()];
        int k = 0;
        for (int i = 0; i < x.rank(); i++) if (!drop[i]) d[k++] = x.shape().dim(i);
        return reshape(x, Arrays.copyOf(d, k));
    }

    /** Inserts an axis of size 1 at {@code axis} (in the result's numbering, so -1 appends). */
    public static Tensor unsqueeze(Tensor x, int axis) {
        int a = Shape.normalizeAxis(axis, x.rank() + 1, "unsqueeze");
        int[] d = new int[x.rank() + 1];
        for (int i = 0, k = 0; i < d.length; i++) d[i] = i == a ? 1 : x.shape().dim(k++);
        return reshape(x, d);
    }

    /** Python's {@code x[start:stop:step]} along one axis; start/stop clamp like Python's; step must be positive. */
    public static Tensor slice(Tensor x, int axis, int start, int stop, int step) {
        int a = Shape.normalizeAxis(axis, x.rank(), "slice");
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        int n = x.shape().dim(a);
        int s = clampIndex(start, n);
        int e = Math.max(clampIndex(stop, n), s);
        int[] st = new int[x.rank()], sp = x.shape().toArray(), sd = new int[x.rank()];
        Arrays.fill(sd, 1);
        st[a] = s;
        sp[a] = e;
        sd[a] = step;
        return slice(x, new OpAttrs.Slice(st, sp, sd));
    }

    /** A slice given for every axis (already within bounds). */
    public static Tensor slice(Tensor x, OpAttrs.Slice sl) {
        int[] dims = new int[x.rank()];
        boolean identity = true;
        for (int i = 0; i < dims.length; i++) {
            int n = x.shape().dim(i);
            if (sl.start()[i] < 0 || sl.stop()[i] > n || sl.start()[i] > sl.stop()[i] || sl.step()[i] <= 0) {
                throw new IllegalArgumentException("slice: axis " + i + " of " + x.shape() + ": bad range " + sl);
            }
            dims[i] = (sl.stop()[i] - sl.start()[i] + sl.step()[i] - 1) / sl.step()[i];
            identity &= sl.start()[i] == 0 && sl.stop()[i] == n && sl.step()[i] == 1;
        }
        if (identity) return x;
        return apply(Op.SLICE, List.of(x), sl, Shape.of(dims), x.dtype());
    }

    private static int clampIndex(int i, int n) {
        int v = i < 0 ? i + n : i;
        return Math.min(Math.max(v, 0), n);
    }

    /** Sliding windows of an (already padded) NHWC tensor as a view: [N,H,W,C] to [N,OH,OW,KH,KW,C]. */
    public static Tensor unfold(Tensor x, OpAttrs.Window w) {
        requireRank("unfold", x, 4, "NHWC");
        checkWindow("unfold", w);
        int oh = windowCount("unfold", "H", x.dim(1), w.kh(), w.strideH(), w.dilationH(), () -> "input " + x.shape() + " with " + w);
        int ow = windowCount("unfold", "W", x.dim(2), w.kw(), w.strideW(), w.dilationW(), () -> "input " + x.shape() + " with " + w);
        Shape out = Shape.of(x.dim(0), oh, ow, w.kh(), w.kw(), x.dim(3));
        return apply(Op.UNFOLD, List.of(x), w, out, x.dtype());
    }

    // ---- data movement -----------------------------------------------------------------------

    /** Pads every axis with {@code value}: {@code low} before, {@code high} after, {@code interior} between elements. */
    public static Tensor pad(Tensor x, int[] low, int[] high, int[] interior, double value) {
        if (low.length != x.rank() || high.length != x.rank() || interior.length != x.rank()) {
            throw new IllegalArgumentException("pad: expected " + x.rank() + " entries per pad list for " + x.shape());
        }
        int[] dims = new int[x.rank()];
        boolean identity = true;
        for (int i = 0; i < dims.length; i++) {
            if (low[i] < 0 || high[i] < 0 || interior[i] < 0) {
                throw new IllegalArgumentException("pad: negative padding " + Arrays.toString(low) + "/" + Arrays.toString(high)
                        + "/" + Arrays.toString(interior) + "; use slice to crop");
            }
            int n = x.shape().dim(i);
            dims[i] = Shape.dimension("pad", (long) low[i] + n + (long) Math.max(n - 1, 0) * interior[i] + high[i],
                    "padding " + x.shape() + " by " + Arrays.toString(low) + "/" + Arrays.toString(high) + "/" + Arrays.toString(interior));
            identity &= low[i] == 0 && high[i] == 0 && (interior[i] == 0 || n <= 1);
        }
        if (identity) return x;
        return apply(Op.PAD, List.of(x), new OpAttrs.Pad(low.clone(), high.clone(), interior.clone(), value), Shape.of(dims), x.dtype());
    }

    /** Sums windows [N,OH,OW,KH,KW,C] back into an NHWC tensor of {@code outShape}: the adjoint of {@link #unfold}. */
    public static Tensor fold(Tensor windows, OpAttrs.Window w, Shape outShape) {
        requireRank("fold", windows, 6, "[N,OH,OW,KH,KW,C]");
        checkWindow("fold", w);
        if (outShape.rank() != 4) throw new IllegalArgumentException("fold: output shape " + outShape + " is not NHWC");
        Shape expect = Shape.of(outShape.dim(0), Views.windowCount(outShape.dim(1), w.kh(), w.strideH(), w.dilationH()),
                Views.windowCount(outShape.dim(2), w.kw(), w.strideW(), w.dilationW()), w.kh(), w.kw(), outShape.dim(3));
        if (!expect.equals(windows.shape())) {
            throw new IllegalArgumentException("fold: windows " + windows.shape() + " do not match " + outShape + " with " + w
                    + " (expected " + expect + ")");
        }
        return apply(Op.FOLD, List.of(windows), w, outShape, windows.dtype());
    }

    /** A dense row-major copy, or {@code x} itself when it is one already. */
    public static Tensor contiguous(Tensor x) {
        if (!x.isSymbolic() && x.isContiguous()) return x;
        return apply(Op.CONTIGUOUS, List.of(x), OpAttrs.NONE, x.shape(), x.dtype());
    }

    /** Converts to {@code target}; {@code x} itself when it is already of that dtype. */
    public static Tensor cast(Tensor x, DType target) {
        if (target == null) throw new IllegalArgumentException("cast: the target dtype of " + x.dtype() + x.shape() + " is null; expected one of " + Arrays.toString(DType.values()));
        if (x.dtype() == target) return x;
        return apply(Op.CAST, List.of(x), OpAttrs.NONE, x.shape(), target);
    }

    // ---- contractions ------------------------------------------------------------------------

    /**
     * Matrix product with NumPy's rules: 1-D operands are promoted (and the added axis removed
     * after), batch dimensions broadcast, dtypes promote to a floating type.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        sameDevice(Op.MATMUL, a, b);
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: scalars are not matrices: " + a.shape() + " @ " + b.shape());
        }
        Tensor x = a.rank() == 1 ? unsqueeze(a, 0) : a;
        Tensor y = b.rank() == 1 ? unsqueeze(b, 1) : b;
        int m = x.dim(-2), k = x.dim(-1), k2 = y.dim(-2), n = y.dim(-1);
        if (k != k2) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + a.shape() + " @ " + b.shape());
        }
        Shape batch = Shape.broadcast("matmul", x.shape().sub(0, x.rank() - 2), y.shape().sub(0, y.rank() - 2));
        DType dt = DType.promote(x.dtype(), y.dtype());
        if (!dt.isFloating()) dt = DType.FLOAT32;
        x = expand(cast(x, dt), concat(batch, m, k));
        y = expand(cast(y, dt), concat(batch, k, n));
        Tensor out = apply(Op.MATMUL, List.of(x, y), OpAttrs.NONE, concat(batch, m, n), dt);
        if (a.rank() == 1) out = squeeze(out, -2);
        if (b.rank() == 1) out = squeeze(out, -1);
        return out;
    }

    static Shape concat(Shape batch, int r, int c) {
        int[] d = Arrays.copyOf(batch.toArray(), batch.rank() + 2);
        d[batch.rank()] = r;
        d[batch.rank() + 1] = c;
        return Shape.of(d);
    }

    /** 2-D convolution (cross-correlation) of NHWC {@code x} with an HWIO filter [KH,KW,Cin/groups,Cout]. */
    public static Tensor conv2d(Tensor x, Tensor filter, OpAttrs.Conv c) {
        sameDevice(Op.CONV2D, x, filter);
        Shape out = convOutputShape(x.shape(), filter.shape(), c);
        DType dt = floatingPair("conv2d", x, filter);
        return apply(Op.CONV2D, List.of(cast(x, dt), cast(filter, dt)), c, out, dt);
    }

    /** dx of CONV2D given dy [N,OH,OW,Cout] and the filter; {@code inputShape} is x's shape. */
    public static Tensor conv2dBackwardInput(Tensor dy, Tensor filter, Shape inputShape, OpAttrs.Conv c) {
        sameDevice(Op.CONV2D_BACKWARD_INPUT, dy, filter);
        Shape expect = convOutputShape(inputShape, filter.shape(), c);
        if (!expect.equals(dy.shape())) {
            throw new IllegalArgumentException("conv2d_backward_input: dy " + dy.shape() + " does not match input " + inputShape
                    + " and filter " + filter.shape() + " (expected dy " + expect + ")");
        }
        DType dt = floatingPair("conv2d_backward_input", dy, filter);
        return apply(Op.CONV2D_BACKWARD_INPUT, List.of(cast(dy, dt), cast(filter, dt)), c, inputShape, dt);
    }

    /** dfilter of CONV2D given x and dy; {@code filterShape} is the filter's shape. */
    public static Tensor conv2dBackwardFilter(Tensor x, Tensor dy, Shape filterShape, OpAttrs.Conv c) {
        sameDevice(Op.CONV2D_BACKWARD_FILTER, x, dy);
        Shape expect = convOutputShape(x.shape(), filterShape, c);
        if (!expect.equals(dy.shape())) {
            throw new IllegalArgumentException("conv2d_backward_filter: dy " + dy.shape() + " does not match input " + x.shape()
                    + " and filter " + filterShape + " (expected dy " + expect + ")");
        }
        DType dt = floatingPair("conv2d_backward_filter", x, dy);
        return apply(Op.CONV2D_BACKWARD_FILTER, List.of(cast(x, dt), cast(dy, dt)), c, filterShape, dt);
    }

    /** The output shape of CONV2D, checking ranks, channels and groups. */
    public static Shape convOutputShape(Shape x, Shape f, OpAttrs.Conv c) {
        if (x.rank() != 4 || f.rank() != 4) {
            throw new IllegalArgumentException("conv2d: expected input [N,H,W,C] and filter [KH,KW,Cin/groups,Cout], got "
                    + x + " and " + f);
        }
        int g = c.groups();
        if (g < 1 || x.dim(3) % g != 0 || f.dim(3) % g != 0 || f.dim(2) * g != x.dim(3)) {
            throw new IllegalArgumentException("conv2d: input " + x + " with " + x.dim(3) + " channels, filter " + f + " and groups="
                    + g + ": expected filter dim 2 = channels/groups and Cout divisible by groups");
        }
        if (c.strideH() < 1 || c.strideW() < 1 || c.dilationH() < 1 || c.dilationW() < 1
                || c.padTop() < 0 || c.padBottom() < 0 || c.padLeft() < 0 || c.padRight() < 0) {
            throw new IllegalArgumentException("conv2d: strides and dilations must be >= 1 and padding >= 0, got " + c);
        }
        int oh = windowCount("conv2d", "H", x.dim(1) + c.padTop() + c.padBottom(), f.dim(0), c.strideH(), c.dilationH(),
                () -> "input " + x + ", filter " + f + " and " + c);
        int ow = windowCount("conv2d", "W", x.dim(2) + c.padLeft() + c.padRight(), f.dim(1), c.strideW(), c.dilationW(),
                () -> "input " + x + ", filter " + f + " and " + c);
        return Shape.of(x.dim(0), oh, ow, f.dim(3));
    }

    /**
     * The number of windows along one axis of (already padded) length {@code padded}, or an error naming
     * {@code op}, the axis and the operands when the window does not fit: PyTorch refuses a kernel larger
     * than the padded input rather than return an empty result.
     */
    static int windowCount(String op, String axis, int padded, int k, int stride, int dilation,
                           java.util.function.Supplier<String> operands) {
        long span = (long) dilation * (k - 1) + 1;
        if (padded < span) {
            throw new IllegalArgumentException(op + ": the window along " + axis + " (kernel " + k
                    + (dilation == 1 ? "" : ", dilation " + dilation + ": " + span + " wide") + ") is larger than the"
                    + " (padded) input's " + padded + " for " + operands.get() + "; expected a (padded) input of at least " + span);
        }
        return Views.windowCount(padded, k, stride, dilation);
    }

    // ---- random ------------------------------------------------------------------------------

    /** Uniform [0, 1) float32 values keyed by an int64 scalar {@code seed}: the same seed gives the same values. */
    public static Tensor randomUniform(Shape shape, Tensor seed) {
        return random(Op.RANDOM_UNIFORM, shape, seed);
    }

    /** Standard normal float32 values keyed by an int64 scalar {@code seed}. */
    public static Tensor randomNormal(Shape shape, Tensor seed) {
        return random(Op.RANDOM_NORMAL, shape, seed);
    }

    private static Tensor random(Op op, Shape shape, Tensor seed) {
        if (seed.rank() != 0 || seed.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op.label() + ": seed must be an int64 scalar, got " + seed.dtype() + seed.shape());
        }
        return apply(op, List.of(seed), OpAttrs.NONE, shape, DType.FLOAT32);
    }

    // ---- shared checks -----------------------------------------------------------------------

    static Tensor apply(Op op, List<Tensor> inputs, OpAttrs attrs, Shape shape, DType dtype) {
        if (shape.rank() > 0) {
            try {
                shape.checkFits(op.label(), "");
            } catch (IllegalArgumentException tooBig) {
                StringBuilder operands = new StringBuilder("operands");
                for (Tensor t : inputs) operands.append(' ').append(t.dtype()).append(t.shape());
                shape.checkFits(op.label(), operands.toString());
            }
        }
        Device device = inputs.isEmpty() ? Device.CPU : inputs.get(0).device();
        return Dispatch.apply(new OpCall(op, inputs, attrs, shape, dtype, device));
    }

    static void sameDevice(Op op, Tensor a, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw new IllegalArgumentException(op.label() + ": operands are on different devices: " + a.device() + " and "
                    + b.device() + " (move one with tensor.to(device))");
        }
    }

    private static void requireRank(String op, Tensor x, int rank, String layout) {
        if (x.rank() != rank) throw new IllegalArgumentException(op + ": expected rank " + rank + " " + layout + ", got " + x.shape());
    }

    private static void checkWindow(String op, OpAttrs.Window w) {
        if (w.kh() < 1 || w.kw() < 1 || w.strideH() < 1 || w.strideW() < 1 || w.dilationH() < 1 || w.dilationW() < 1) {
            throw new IllegalArgumentException(op + ": window sizes, strides and dilations must be >= 1, got " + w);
        }
    }

    private static DType floatingPair(String op, Tensor a, Tensor b) {
        DType dt = DType.promote(a.dtype(), b.dtype());
        if (!dt.isFloating()) {
            throw new IllegalArgumentException(op + ": expected floating tensors, got " + a.dtype() + a.shape() + " and " + b.dtype() + b.shape());
        }
        return dt;
    }
}
