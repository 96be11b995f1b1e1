package dev.javelin.tensor;

/**
 * Math compositions built only from {@link Ops} primitives, so the gradient tape differentiates them
 * through their primitives and the JIT fuses them. Axis arguments accept negative values; an empty
 * or null axis list means every axis.
 *
 * <pre>{@code
 * Tensor x = Tensors.of(new float[][] {{1, 2}, {3, 4}});
 * Tensor m = MathOps.mean(x, new int[] {1}, false);          // [1.5, 3.5]
 * Tensor v = MathOps.var(x, new int[] {1}, 1, true);         // [[0.5], [0.5]]
 * Tensor l = MathOps.logsumexp(x, new int[] {-1}, false);
 * }</pre>
 */
public final class MathOps {
    private MathOps() {}

    /** The mean over {@code axes}; integer and bool inputs are averaged in float32. */
    public static Tensor mean(Tensor x, int[] axes, boolean keepDims) {
        Tensor f = floating(x);
        long count = count(x.shape(), axes, "mean");
        return Ops.reduce(Op.REDUCE_SUM, f, axes, keepDims).div((double) count);
    }

    /** The mean of every element (a scalar). */
    public static Tensor mean(Tensor x) {
        return mean(x, null, false);
    }

    /**
     * The variance over {@code axes}: {@code sum((x - mean)^2) / (n - correction)}. Correction 1 is
     * PyTorch's default (unbiased), 0 is Keras' and NumPy's.
     */
    public static Tensor var(Tensor x, int[] axes, int correction, boolean keepDims) {
        if (correction < 0) throw new IllegalArgumentException("var: correction must be >= 0, got " + correction);
        Tensor f = floating(x);
        long n = count(x.shape(), axes, "var");
        Tensor centered = f.sub(mean(f, axes, true));
        return Ops.reduce(Op.REDUCE_SUM, square(centered), axes, keepDims).div((double) Math.max(n - correction, 0));
    }

    /**
     * The standard deviation: {@code sqrt(var(x, axes, correction, keepDims))}. Where it is 0 its
     * gradient is 0, as in PyTorch (the square root's own derivative is infinite there).
     */
    public static Tensor std(Tensor x, int[] axes, int correction, boolean keepDims) {
        return sqrtZeroGradientAtZero(var(x, axes, correction, keepDims));
    }

    /**
     * {@code sqrt(v)} for {@code v >= 0} whose gradient at {@code v == 0} is 0 rather than NaN: the
     * convention PyTorch uses for {@code std} and {@code norm} (a subgradient of the cone at its tip).
     * The square root only ever sees a positive argument, so its rule never divides by zero.
     */
    private static Tensor sqrtZeroGradientAtZero(Tensor v) {
        Tensor zero = v.eq(0.0);
        return Ops.where(zero, Ops.scalarLike(v, 0), Ops.where(zero, Ops.scalarLike(v, 1), v).sqrt());
    }

    /**
     * {@code log(sum(exp(x)))} over {@code axes}, computed as {@code m + log(sum(exp(x - m)))} with
     * {@code m} the maximum so nothing overflows; an all {@code -inf} slice gives {@code -inf}.
     */
    public static Tensor logsumexp(Tensor x, int[] axes, boolean keepDims) {
        Tensor f = floating(x);
        Tensor m = Ops.reduce(Op.REDUCE_MAX, f, axes, true);
        // An infinite max would make x - m NaN; shifting by 0 there is exact enough (exp gives 0 or inf).
        Tensor shift = Ops.where(isFinite(m), m, Ops.scalarLike(m, 0));
        Tensor s = Ops.reduce(Op.REDUCE_SUM, f.sub(shift).exp(), axes, true).log().add(shift);
        return keepDims ? s : Ops.reshape(s, Ops.reducedShape(x.shape(), Shape.normalizeAxes(axes, x.rank(), "logsumexp"), false).toArray());
    }

    /**
     * Elementwise {@code min(max(x, lo), hi)}; NaN stays NaN. The gradient is 1 on the closed
     * interval {@code [lo, hi]} (bounds included) and 0 outside, as PyTorch's and TensorFlow's.
     */
    public static Tensor clamp(Tensor x, double lo, double hi) {
        if (lo > hi) throw new IllegalArgumentException("clamp: expected lo <= hi, got " + lo + ", " + hi);
        return Ops.where(x.lt(lo), Ops.scalarLike(x, lo), Ops.where(x.gt(hi), Ops.scalarLike(x, hi), x));
    }

    /** Elementwise {@code x * x}. */
    public static Tensor square(Tensor x) {
        return x.mul(x);
    }

    /** Elementwise {@code 1 / sqrt(x)}. */
    public static Tensor rsqrt(Tensor x) {
        return x.sqrt().reciprocal();
    }

    /**
     * Elementwise {@code log(1 + x)}, accurate for small {@code x} (where {@code log(1 + x)} loses
     * every digit: at 1e-8 in float32 it gives 0). Goldberg's trick: with {@code u = 1 + x} rounded,
     * {@code log(u) * x / (u - 1)} cancels the rounding of {@code u}; where {@code u == 1} the result
     * is {@code x}. A few ulp from the exact value (given an accurate {@code log}), and its gradient,
     * through the same composition, is {@code 1 / (1 + x)} to about an ulp.
     *
     * <pre>{@code
     * Tensors.scalar(1e-8f).log1p();   // 9.9999999e-9
     * }</pre>
     */
    public static Tensor log1p(Tensor x) {
        Tensor f = floating(x);
        Tensor u = f.add(1.0);
        Tensor w = u.sub(1.0);
        Tensor exact = w.eq(0.0);
        // the division never sees 0 or inf/inf, so no branch's gradient is NaN (where's unselected branch gets 0)
        Tensor denominator = Ops.where(logicalOr(exact, f.eq(Double.POSITIVE_INFINITY)), Ops.scalarLike(w, 1), w);
        return Ops.where(exact, f, u.log().mul(f).div(denominator));
    }

    /**
     * Elementwise {@code exp(x) - 1}, accurate for small {@code x} (Kahan's trick): with
     * {@code u = exp(x)}, {@code (u - 1) * x / log(u)} cancels the rounding of {@code u}; where
     * {@code u} rounds to 1 the result is {@code x}, where {@code u - 1} rounds to -1 it is -1. A
     * few ulp from the exact value (given accurate {@code exp} and {@code log}); the gradient is
     * {@code exp(x)}.
     *
     * <pre>{@code
     * Tensors.scalar(1e-8f).expm1();   // 1e-8 (exp(x) - 1 gives 0)
     * }</pre>
     */
    public static Tensor expm1(Tensor x) {
        Tensor f = floating(x);
        Tensor u = f.exp();
        Tensor um1 = u.sub(1.0);
        Tensor tiny = um1.eq(0.0), minusOne = um1.eq(-1.0), overflow = u.eq(Double.POSITIVE_INFINITY);
        // the general branch sees a harmless u = 2 where another branch is chosen, so its gradient stays finite
        Tensor safeU = Ops.where(logicalOr(logicalOr(tiny, minusOne), overflow), Ops.scalarLike(u, 2), u);
        Tensor general = safeU.sub(1.0).mul(f).div(safeU.log());
        return Ops.where(tiny, f, Ops.where(minusOne, Ops.scalarLike(u, -1), Ops.where(overflow, u, general)));
    }

    /** Bool: true where {@code x} is NaN. */
    public static Tensor isNan(Tensor x) {
        return x.ne(x);
    }

    /** Bool: true where {@code x} is neither NaN nor infinite. */
    public static Tensor isFinite(Tensor x) {
        if (!x.dtype().isFloating()) return Tensors.full(Shape.scalar(), 1, DType.BOOL).to(x.device()).broadcastTo(x.shape());
        return x.sub(x).eq(Ops.scalarLike(x, 0)); // inf - inf and NaN - NaN are NaN
    }

    /** Elementwise logical and of two bool (or truthy) tensors. */
    public static Tensor logicalAnd(Tensor a, Tensor b) {
        return Ops.binary(Op.MIN, a.cast(DType.BOOL), b.cast(DType.BOOL));
    }

    /** Elementwise logical or. */
    public static Tensor logicalOr(Tensor a, Tensor b) {
        return Ops.binary(Op.MAX, a.cast(DType.BOOL), b.cast(DType.BOOL));
    }

    /** Bool: whether any element over {@code axes} is non-zero (false over an empty set). */
    public static Tensor any(Tensor x, int[] axes, boolean keepDims) {
        return Ops.reduce(Op.REDUCE_SUM, x.cast(DType.BOOL), axes, keepDims).gt(0);
    }

    /** Bool: whether every element over {@code axes} is non-zero (true over an empty set). */
    public static Tensor all(Tensor x, int[] axes, boolean keepDims) {
        return Ops.reduce(Op.REDUCE_SUM, x.cast(DType.BOOL).logicalNot(), axes, keepDims).eq(0);
    }

    /** The Euclidean norm over {@code axes}: {@code sqrt(sum(x^2))}; its gradient at a zero vector is 0, as PyTorch's. */
    public static Tensor norm(Tensor x, int[] axes, boolean keepDims) {
        Tensor f = floating(x);
        return sqrtZeroGradientAtZero(Ops.reduce(Op.REDUCE_SUM, square(f), axes, keepDims));
    }

    /**
     * Sums {@code x} down to {@code shape}, undoing a broadcast from {@code shape} to {@code x.shape()}:
     * leading extra axes are summed away and axes where {@code shape} has 1 are summed with keepDims.
     * This is how a gradient flows back through broadcasting.
     */
    public static Tensor sumToShape(Tensor x, Shape shape) {
        if (x.shape().equals(shape)) return x;
        if (!shape.broadcastsTo(x.shape())) {
            throw new IllegalArgumentException("sumToShape: " + shape + " does not broadcast to " + x.shape());
        }
        int lead = x.rank() - shape.rank();
        int[] axes = new int[x.rank()];
        int k = 0;
        for (int d = 0; d < x.rank(); d++) {
            if (d < lead || (shape.dim(d - lead) == 1 && x.dim(d) != 1)) axes[k++] = d;
        }
        Tensor s = k == 0 ? x : Ops.reduce(Op.REDUCE_SUM, x, java.util.Arrays.copyOf(axes, k), true);
        return Ops.reshape(s, shape.toArray());
    }

    /** Number of elements over {@code axes} (all axes when empty or null). */
    static long count(Shape s, int[] axes, String op) {
        long n = 1;
        for (int a : Shape.normalizeAxes(axes, s.rank(), op)) n *= s.dim(a);
        return n;
    }

    /** {@code x} as float32 unless it is floating already, as PyTorch does for mean and friends. */
    static Tensor floating(Tensor x) {
        return x.dtype().isFloating() ? x : x.cast(DType.FLOAT32);
    }
}
