package dev.javelin.tensor;

import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.tensor.spi.Storage;
import dev.javelin.tensor.spi.Strided;
import dev.javelin.tensor.spi.Views;
import java.util.Objects;

/**
 * An n-dimensional array value: shape, dtype, device, and a view (offset, strides) into storage.
 * Ops return new tensors and never change their inputs; views (reshape, permute, expand, slice)
 * share storage. A symbolic tensor has a shape and dtype but no storage: it is what tracing and
 * Keras-style functional models pass around before data flows.
 *
 * <pre>{@code
 * Tensor x = Tensors.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
 * Tensor y = x.mul(2.0).add(1.0).sum(1);   // [15., 33.] as float32[2]
 * System.out.println(y);
 * }</pre>
 *
 * <p>The instance methods are shorthand for {@link Ops} (primitives), {@link MathOps} and {@link NN}
 * (compositions).
 */
public final class Tensor {
    private final Shape shape;
    private final int[] strides;
    private final int offset;
    private final DType dtype;
    private final Device device;
    private final Storage storage; // null when symbolic
    private final Object symbol;   // what a non-eager engine attached (a trace node); null when concrete

    private Tensor(Shape shape, int[] strides, int offset, DType dtype, Device device, Storage storage, Object symbol) {
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.dtype = dtype;
        this.device = device;
        this.storage = storage;
        this.symbol = symbol;
        if (!shape.fits()) { // ops check first, naming themselves; the message is built only when it fails
            shape.checkFits("Tensor", dtype + " " + (storage == null ? "symbolic" : "on " + device));
        }
    }

    /** A view of {@code storage}: for engines and backends. */
    public static Tensor wrap(Storage storage, Shape shape, int[] strides, int offset) {
        Objects.requireNonNull(storage, "storage");
        if (strides.length != shape.rank()) {
            throw new IllegalArgumentException("Tensor.wrap: " + strides.length + " strides for shape " + shape);
        }
        return new Tensor(shape, strides.clone(), offset, storage.dtype(), storage.device(), storage, null);
    }

    /** A dense tensor over the whole of {@code storage}. */
    public static Tensor wrap(Storage storage, Shape shape) {
        if (shape.size() != storage.length()) {
            throw new IllegalArgumentException("Tensor.wrap: shape " + shape + " has " + shape.size()
                    + " elements, storage has " + storage.length());
        }
        return wrap(storage, shape, shape.contiguousStrides(), 0);
    }

    /** A tensor with a shape and dtype but no data; {@code symbol} is whatever the engine needs. */
    public static Tensor symbolic(Shape shape, DType dtype, Device device, Object symbol) {
        return new Tensor(shape, shape.contiguousStrides(), 0, dtype, device, null, symbol);
    }

    /** The dimension sizes. */
    public Shape shape() { return shape; }

    /** Number of dimensions (0 for a scalar). */
    public int rank() { return shape.rank(); }

    /** Size of one dimension; negative axes count from the end. */
    public int dim(int axis) { return shape.dim(axis); }

    /** Number of elements. */
    public long size() { return shape.size(); }

    /** The element type. */
    public DType dtype() { return dtype; }

    /** Where the storage lives. */
    public Device device() { return device; }

    /** A copy of the strides, in elements. */
    public int[] strides() { return strides.clone(); }

    /** Stride of one dimension, in elements. */
    public int stride(int axis) { return strides[Shape.normalizeAxis(axis, strides.length, "stride")]; }

    /** Index of the first element in the storage. */
    public int offset() { return offset; }

    /** The storage; null for a symbolic tensor. */
    public Storage storage() { return storage; }

    /** True for a tensor with a shape and dtype but no data (tracing, functional models). */
    public boolean isSymbolic() { return storage == null; }

    /** The engine's tag on a symbolic tensor (a trace node), else null. */
    public Object symbol() { return symbol; }

    /** True when the elements lie densely in row-major order from {@link #offset()}. */
    public boolean isContiguous() { return Views.isContiguous(shape, strides); }

    // ---- data out ----------------------------------------------------------------------------

    /** Dense, row-major host storage with this tensor's elements (a copy unless already so). */
    public HeapStorage toHost() {
        requireConcrete("toHost");
        if (storage instanceof HeapStorage h) {
            if (offset == 0 && isContiguous() && h.length() == shape.size()) return h;
            HeapStorage out = HeapStorage.allocate(dtype, shape.sizeAsInt());
            int[] offs = Strided.offsets(shape, strides, offset);
            switch (dtype) {
                case FLOAT32 -> { float[] a = h.floats(), b = out.floats(); for (int i = 0; i < offs.length; i++) b[i] = a[offs[i]]; }
                case FLOAT64 -> { double[] a = h.doubles(), b = out.doubles(); for (int i = 0; i < offs.length; i++) b[i] = a[offs[i]]; }
                case INT32 -> { int[] a = h.ints(), b = out.ints(); for (int i = 0; i < offs.length; i++) b[i] = a[offs[i]]; }
                case INT64 -> { long[] a = h.longs(), b = out.longs(); for (int i = 0; i < offs.length; i++) b[i] = a[offs[i]]; }
                case BOOL -> { boolean[] a = h.bools(), b = out.bools(); for (int i = 0; i < offs.length; i++) b[i] = a[offs[i]]; }
            }
            return out;
        }
        return Backends.forDevice(device).toHost(this);
    }

    /** The elements in row-major order, converted to float. */
    public float[] toFloatArray() {
        HeapStorage h = toHost();
        if (dtype == DType.FLOAT32) return h == storage ? h.floats().clone() : h.floats();
        float[] out = new float[h.length()];
        for (int i = 0; i < out.length; i++) out[i] = (float) h.getDouble(i);
        return out;
    }

    /** The elements in row-major order, converted to double. */
    public double[] toDoubleArray() {
        HeapStorage h = toHost();
        double[] out = new double[h.length()];
        for (int i = 0; i < out.length; i++) out[i] = h.getDouble(i);
        return out;
    }

    /** The elements in row-major order, converted to int as {@link Op#CAST} does (floats truncate toward zero and saturate). */
    public int[] toIntArray() {
        HeapStorage h = toHost();
        int[] out = new int[h.length()];
        boolean floating = h.dtype().isFloating(); // as CAST: floats saturate, int64 wraps
        for (int i = 0; i < out.length; i++) out[i] = floating ? (int) h.getDouble(i) : (int) h.getLong(i);
        return out;
    }

    /** The elements in row-major order, converted to long (floats truncate toward zero). */
    public long[] toLongArray() {
        HeapStorage h = toHost();
        long[] out = new long[h.length()];
        for (int i = 0; i < out.length; i++) out[i] = h.getLong(i);
        return out;
    }

    /** The elements in row-major order as booleans ({@code != 0}). */
    public boolean[] toBooleanArray() {
        HeapStorage h = toHost();
        boolean[] out = new boolean[h.length()];
        for (int i = 0; i < out.length; i++) out[i] = h.getDouble(i) != 0;
        return out;
    }

    /** The only element of a one-element tensor, as double. */
    public double item() {
        if (shape.size() != 1) {
            throw new IllegalArgumentException("item: expected a tensor with one element, got shape " + shape);
        }
        return toHost().getDouble(0);
    }

    /** The element at {@code index} (one coordinate per dimension, negative counts from the end), as double. */
    public double get(int... index) {
        requireConcrete("get");
        if (index.length != rank()) {
            throw new IllegalArgumentException("get: " + index.length + " indices for shape " + shape);
        }
        int[] idx = new int[index.length];
        for (int d = 0; d < index.length; d++) {
            int n = shape.dim(d);
            int i = index[d] < 0 ? index[d] + n : index[d];
            if (i < 0 || i >= n) {
                throw new IndexOutOfBoundsException("get: index " + index[d] + " out of range for dimension " + d + " of " + shape);
            }
            idx[d] = i;
        }
        if (storage instanceof HeapStorage h) return h.getDouble(Strided.offsetOf(idx, strides, offset));
        return toHost().getDouble(Strided.offsetOf(idx, shape.contiguousStrides(), 0));
    }

    /**
     * Gives this tensor's device memory back to its device's caching allocator now, instead of when
     * the GC finds the tensor unreachable (JAX's {@code x.delete()}; in PyTorch, dropping the last
     * reference). The memory is its storage's, so every view sharing it is released too; using any of
     * them afterwards throws {@link IllegalStateException} naming the storage. Releasing twice does
     * nothing. A host tensor's memory is the GC's to reclaim: on the CPU this does nothing.
     *
     * <pre>{@code
     * Tensor x = Tensors.randn(Shape.of(4096, 4096)).to(Device.cuda(0));
     * ... use x ...
     * x.release();                                  // its 64 MiB are free for the next allocation
     * }</pre>
     */
    public void release() {
        if (storage != null) storage.close();
    }

    /** This tensor on {@code target}: itself when already there, else a copy. */
    public Tensor to(Device target) {
        if (target.equals(device)) return this;
        requireConcrete("to");
        HeapStorage host = toHost();
        Storage moved = Backends.forDevice(target).fromHost(host, target);
        return wrap(moved, shape);
    }

    /** This tensor as {@code target} dtype (itself when already so); {@link Op#CAST} gives the rules (float to int saturates, NaN to 0). */
    public Tensor cast(DType target) { return Ops.cast(this, target); }

    private void requireConcrete(String what) {
        if (storage == null) {
            // the usual cause: reading a value (item(), toFloatArray()) inside a traced function
            throw new IllegalStateException(what + ": tensor " + dtype + shape + " is symbolic (it has no data): inside Jit.compile, "
                    + "a compiled train step or a functional model's construction values are not known yet; return the tensor "
                    + "from the function (or read it in a callback) instead of reading it there");
        }
    }

    /** NumPy-like printing: values (elided in the middle when large), shape and dtype. */
    @Override
    public String toString() {
        return TensorFormat.format(this);
    }

    // ---- shorthand for Ops (primitives) -----------------------------------------------------

    /** Elementwise {@code -x}. */
    public Tensor neg() { return Ops.unary(Op.NEG, this); }
    /** Elementwise {@code |x|}. */
    public Tensor abs() { return Ops.unary(Op.ABS, this); }
    /** Elementwise {@code e^x} (integers compute in float32). */
    public Tensor exp() { return Ops.unary(Op.EXP, this); }
    /** Elementwise natural logarithm. */
    public Tensor log() { return Ops.unary(Op.LOG, this); }
    /** Elementwise square root. */
    public Tensor sqrt() { return Ops.unary(Op.SQRT, this); }
    /** Elementwise sine. */
    public Tensor sin() { return Ops.unary(Op.SIN, this); }
    /** Elementwise cosine. */
    public Tensor cos() { return Ops.unary(Op.COS, this); }
    /** Elementwise hyperbolic tangent. */
    public Tensor tanh() { return Ops.unary(Op.TANH, this); }
    /** Elementwise {@code 1 / (1 + e^-x)}. */
    public Tensor sigmoid() { return Ops.unary(Op.SIGMOID, this); }
    /** Elementwise {@code max(x, 0)}; NaN stays NaN. */
    public Tensor relu() { return Ops.unary(Op.RELU, this); }
    /** Elementwise {@code 1 / x}. */
    public Tensor reciprocal() { return Ops.unary(Op.RECIPROCAL, this); }
    /** Elementwise -1, 0 or 1. */
    public Tensor sign() { return Ops.unary(Op.SIGN, this); }
    /** Elementwise round toward negative infinity. */
    public Tensor floor() { return Ops.unary(Op.FLOOR, this); }
    /** Elementwise round toward positive infinity. */
    public Tensor ceil() { return Ops.unary(Op.CEIL, this); }
    /** Elementwise round to nearest, ties to even (as NumPy and PyTorch). */
    public Tensor round() { return Ops.unary(Op.ROUND, this); }
    /** Elementwise error function. */
    public Tensor erf() { return Ops.unary(Op.ERF, this); }
    /** Elementwise logical not; the result is bool. */
    public Tensor logicalNot() { return Ops.unary(Op.LOGICAL_NOT, this); }

    /** Elementwise sum, broadcasting and promoting dtypes. */
    public Tensor add(Tensor o) { return Ops.binary(Op.ADD, this, o); }
    /** Adds a scalar. */
    public Tensor add(double s) { return Ops.binary(Op.ADD, this, Ops.scalarLike(this, s)); }
    /** Elementwise difference, broadcasting. */
    public Tensor sub(Tensor o) { return Ops.binary(Op.SUB, this, o); }
    /** Subtracts a scalar. */
    public Tensor sub(double s) { return Ops.binary(Op.SUB, this, Ops.scalarLike(this, s)); }
    /** Elementwise product, broadcasting. */
    public Tensor mul(Tensor o) { return Ops.binary(Op.MUL, this, o); }
    /** Multiplies by a scalar. */
    public Tensor mul(double s) { return Ops.binary(Op.MUL, this, Ops.scalarLike(this, s)); }
    /** Elementwise true division, broadcasting (integers divide in float32). */
    public Tensor div(Tensor o) { return Ops.binary(Op.DIV, this, o); }
    /** Divides by a scalar. */
    public Tensor div(double s) { return Ops.binary(Op.DIV, this, Ops.scalarLike(this, s)); }
    /** Elementwise power, broadcasting. */
    public Tensor pow(Tensor o) { return Ops.binary(Op.POW, this, o); }
    /** Raises to a scalar power. */
    public Tensor pow(double s) { return Ops.binary(Op.POW, this, Ops.scalarLike(this, s)); }
    /** Elementwise maximum, broadcasting; NaN propagates. */
    public Tensor maximum(Tensor o) { return Ops.binary(Op.MAX, this, o); }
    /** Elementwise maximum with a scalar. */
    public Tensor maximum(double s) { return Ops.binary(Op.MAX, this, Ops.scalarLike(this, s)); }
    /** Elementwise minimum, broadcasting; NaN propagates. */
    public Tensor minimum(Tensor o) { return Ops.binary(Op.MIN, this, o); }
    /** Elementwise minimum with a scalar. */
    public Tensor minimum(double s) { return Ops.binary(Op.MIN, this, Ops.scalarLike(this, s)); }
    /** Bool: elementwise {@code ==}. */
    public Tensor eq(Tensor o) { return Ops.binary(Op.EQ, this, o); }
    /** Bool: elementwise {@code == s}. */
    public Tensor eq(double s) { return Ops.binary(Op.EQ, this, Ops.scalarLike(this, s)); }
    /** Bool: elementwise {@code !=}. */
    public Tensor ne(Tensor o) { return Ops.binary(Op.NE, this, o); }
    /** Bool: elementwise {@code <}. */
    public Tensor lt(Tensor o) { return Ops.binary(Op.LT, this, o); }
    /** Bool: elementwise {@code < s}. */
    public Tensor lt(double s) { return Ops.binary(Op.LT, this, Ops.scalarLike(this, s)); }
    /** Bool: elementwise {@code <=}. */
    public Tensor le(Tensor o) { return Ops.binary(Op.LE, this, o); }
    /** Bool: elementwise {@code >}. */
    public Tensor gt(Tensor o) { return Ops.binary(Op.GT, this, o); }
    /** Bool: elementwise {@code > s}. */
    public Tensor gt(double s) { return Ops.binary(Op.GT, this, Ops.scalarLike(this, s)); }
    /** Bool: elementwise {@code >=}. */
    public Tensor ge(Tensor o) { return Ops.binary(Op.GE, this, o); }

    /** Sum over {@code axes} (all when none given), dropping them. */
    public Tensor sum(int... axes) { return Ops.reduce(Op.REDUCE_SUM, this, axes, false); }
    /** Sum over {@code axes} (all when empty), keeping them as size 1 when {@code keepDims}. */
    public Tensor sum(int[] axes, boolean keepDims) { return Ops.reduce(Op.REDUCE_SUM, this, axes, keepDims); }
    /** Maximum over {@code axes} (all when none given), dropping them. */
    public Tensor max(int... axes) { return Ops.reduce(Op.REDUCE_MAX, this, axes, false); }
    /** Maximum over {@code axes}, keeping them as size 1 when {@code keepDims}. */
    public Tensor max(int[] axes, boolean keepDims) { return Ops.reduce(Op.REDUCE_MAX, this, axes, keepDims); }
    /** Minimum over {@code axes} (all when none given), dropping them. */
    public Tensor min(int... axes) { return Ops.reduce(Op.REDUCE_MIN, this, axes, false); }
    /** Minimum over {@code axes}, keeping them as size 1 when {@code keepDims}. */
    public Tensor min(int[] axes, boolean keepDims) { return Ops.reduce(Op.REDUCE_MIN, this, axes, keepDims); }
    /** int64 index of the first maximum along {@code axis}. */
    public Tensor argmax(int axis) { return Ops.reduce(Op.ARGMAX, this, new int[] {axis}, false); }
    /** int64 index of the first minimum along {@code axis}. */
    public Tensor argmin(int axis) { return Ops.reduce(Op.ARGMIN, this, new int[] {axis}, false); }

    /** {@link #argmax(int)} keeping the reduced axis as size 1 (Keras's and PyTorch's keepdims). */
    public Tensor argmax(int axis, boolean keepDims) { return Ops.reduce(Op.ARGMAX, this, new int[] {axis}, keepDims); }

    /** {@link #argmin(int)} keeping the reduced axis as size 1. */
    public Tensor argmin(int axis, boolean keepDims) { return Ops.reduce(Op.ARGMIN, this, new int[] {axis}, keepDims); }

    /** A view with new dims (one may be -1); copies first only when strides forbid a view. */
    public Tensor reshape(int... dims) { return Ops.reshape(this, dims); }
    /** A 1-D view (a copy when strides forbid one). */
    public Tensor flatten() { return Ops.reshape(this, -1); }
    /** Reorders axes (a view): output axis i is input axis {@code order[i]}. */
    public Tensor permute(int... order) { return Ops.permute(this, order); }
    /** Swaps two axes (a view). */
    public Tensor transpose(int a, int b) { return Ops.transpose(this, a, b); }
    /** Swaps the last two axes (a view): the matrix transpose. */
    public Tensor mT() { return Ops.transpose(this, -2, -1); }
    /**
     * Broadcasts to {@code dims} (a view with stride 0 where size-1 dims stretch); as PyTorch's
     * {@code expand}, -1 keeps an existing dimension's size ({@code x.expand(-1, 4)} on {@code [3, 1]}).
     */
    public Tensor expand(int... dims) { return Ops.expand(this, Shape.of(expandedDims(dims))); }
    /** Broadcasts to {@code target} (a view). */
    public Tensor broadcastTo(Shape target) { return Ops.expand(this, target); }
    /** Removes the given size-1 axes (all of them when none given). */
    public Tensor squeeze(int... axes) { return Ops.squeeze(this, axes); }
    /** Inserts a size-1 axis at {@code axis} (negative counts from the end of the result). */
    public Tensor unsqueeze(int axis) { return Ops.unsqueeze(this, axis); }
    /** Python's {@code x[start:stop:step]} along one axis (negative start/stop count from the end). */
    public Tensor slice(int axis, int start, int stop, int step) { return Ops.slice(this, axis, start, stop, step); }
    /** Python's {@code x[start:stop]} along one axis (a view). */
    public Tensor slice(int axis, int start, int stop) { return Ops.slice(this, axis, start, stop, 1); }
    /**
     * {@code length} elements from {@code start} along {@code axis} (a view), as PyTorch's {@code narrow}:
     * a negative start counts from the end, and a range past the end is refused (a slice would clamp it).
     */
    public Tensor narrow(int axis, int start, int length) {
        int a = Shape.normalizeAxis(axis, rank(), "narrow");
        int n = dim(a);
        int s = start < 0 ? start + n : start;
        if (s < 0 || s > n || length < 0 || (long) s + length > n) {
            throw new IllegalArgumentException("narrow: start " + start + " and length " + length + " do not fit axis " + axis + " of "
                    + shape + " (size " + n + "); expected -" + n + " <= start <= " + n + ", length >= 0 and start + length <= " + n);
        }
        return Ops.slice(this, a, s, s + length, 1);
    }
    /** {@code dims} with each -1 replaced by the size of the dimension it lines up with (from the right), as PyTorch's expand. */
    private int[] expandedDims(int[] dims) {
        int[] out = dims.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] != -1) continue;
            int own = i - (out.length - rank());
            if (own < 0) {
                throw new IllegalArgumentException("expand: -1 at position " + i + " of " + java.util.Arrays.toString(dims) + " names no dimension of "
                        + shape + " (-1 keeps an existing size; a new leading dimension needs its size)");
            }
            out[i] = dim(own);
        }
        return out;
    }

    /** A dense copy when not already dense; itself otherwise. */
    public Tensor contiguous() { return Ops.contiguous(this); }

    /** Matrix product with NumPy's rules (1-D operands, batch broadcasting). */
    public Tensor matmul(Tensor o) { return Ops.matmul(this, o); }
    /** With this tensor as the condition: {@code this ? ifTrue : ifFalse}, broadcasting. */
    public Tensor where(Tensor ifTrue, Tensor ifFalse) { return Ops.where(this, ifTrue, ifFalse); }

    // ---- shorthand for MathOps and NN (compositions) ----------------------------------------

    /** Mean over {@code axes} (all when none given), dropping them; see {@link MathOps#mean}. */
    public Tensor mean(int... axes) { return MathOps.mean(this, axes, false); }
    /** Mean over {@code axes}, keeping them as size 1 when {@code keepDims}. */
    public Tensor mean(int[] axes, boolean keepDims) { return MathOps.mean(this, axes, keepDims); }
    /** Variance with {@code correction} (1: unbiased, as PyTorch; 0: as Keras); see {@link MathOps#var}. */
    public Tensor var(int[] axes, int correction, boolean keepDims) { return MathOps.var(this, axes, correction, keepDims); }
    /** Standard deviation with {@code correction}; see {@link MathOps#std}. */
    public Tensor std(int[] axes, int correction, boolean keepDims) { return MathOps.std(this, axes, correction, keepDims); }
    /** Stable {@code log(sum(exp(x)))} over {@code axes}, dropping them; see {@link MathOps#logsumexp}. */
    public Tensor logsumexp(int... axes) { return MathOps.logsumexp(this, axes, false); }
    /** Elementwise {@code x * x}. */
    public Tensor square() { return MathOps.square(this); }
    /** Elementwise {@code 1 / sqrt(x)}. */
    public Tensor rsqrt() { return MathOps.rsqrt(this); }
    /** Elementwise {@code log(1 + x)}, accurate for small {@code x}; see {@link MathOps#log1p}. */
    public Tensor log1p() { return MathOps.log1p(this); }
    /** Elementwise {@code exp(x) - 1}, accurate for small {@code x}; see {@link MathOps#expm1}. */
    public Tensor expm1() { return MathOps.expm1(this); }
    /** Elementwise clamp into {@code [lo, hi]}. */
    public Tensor clamp(double lo, double hi) { return MathOps.clamp(this, lo, hi); }
    /** Softmax along {@code axis}; see {@link NN#softmax}. */
    public Tensor softmax(int axis) { return NN.softmax(this, axis); }
    /** Stable log-softmax along {@code axis}; see {@link NN#logSoftmax}. */
    public Tensor logSoftmax(int axis) { return NN.logSoftmax(this, axis); }
    /** Exact GELU (with erf); {@link NN#gelu} offers the tanh approximation. */
    public Tensor gelu() { return NN.gelu(this, false); }
    /** SiLU (swish) {@code x * sigmoid(x)}. */
    public Tensor silu() { return NN.silu(this); }
    /** Stable {@code log(1 + e^x)}. */
    public Tensor softplus() { return NN.softplus(this); }
}
