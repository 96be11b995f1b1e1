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
        Tensor[] parts = shiftedLogSum(floating(x), axes);
        Tensor s = parts[1].add(parts[0]);
        return keepDims ? s : Ops.reshape(s, Ops.reducedShape(x.shape(), Shape.normalizeAxes(axes, x.rank(), "logsumexp"), false).toArray());
    }

    /**
     * logsumexp in its two parts, both kept over {@code axes}: the shift {@code m} (the max, or 0
     * where the max is infinite: x - m would be NaN there, and shifting by 0 is exact enough, exp giving
     * 0 or inf) and {@code log(sum(exp(f - m)))}. logsumexp adds them; log_softmax and the
     * cross-entropy subtract them from {@code f} one at a time, {@code (f - m) - log(...)} as PyTorch
     * does, which keeps what {@code f - m} has exactly rather than rounding logsumexp at the magnitude
     * of {@code f} first.
     */
    static Tensor[] shiftedLogSum(Tensor f, int[] axes) {
        Tensor m = stabilizingMax(f, axes);
        Tensor shift = Ops.where(isFinite(m), m, Ops.scalarLike(m, 0));
        return new Tensor[] {shift, Ops.reduce(Op.REDUCE_SUM, f.sub(shift).exp(), axes, true).log()};
    }

    /**
     * The maximum over {@code axes} (kept), by which softmax and logsumexp shift their inputs so exp
     * cannot overflow. Over an empty axis there is no maximum, and nothing to protect: the shift is 0
     * there, so a sum of no terms gives logsumexp -inf and softmax an empty result, as PyTorch's.
     */
    static Tensor stabilizingMax(Tensor f, int[] axes) {
        int[] normalized = Shape.normalizeAxes(axes, f.rank(), "reduce_max");
        for (int a : normalized) {
            if (f.dim(a) == 0) return Tensors.zeros(Ops.reducedShape(f.shape(), normalized, true), f.dtype()).to(f.device());
        }
        return Ops.reduce(Op.REDUCE_MAX, f, axes, true);
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
     * {@code log(u) * (x / (u - 1))} cancels the rounding of {@code u}; where {@code u == 1} the result
     * is {@code x}. Measured within 2.5 ulp of the correctly rounded value in float32 (4 million points a range, oracle7) and float64
     * (200,000 points, |x| from 1e-30 to 10, x > -1); its gradient, through the same composition, is
     * {@code 1 / (1 + x)} to about an ulp.
     *
     * <pre>{@code
     * Tensors.scalar(1e-8f).log1p();   // 9.9999999e-9
     * }</pre>
     */
    public static Tensor log1p(Tensor x) {
        Tensor f = floating(x);
        // +inf is its own branch, a constant, so its gradient is 0 as PyTorch's 1 / (1 + x); the
        // general branch sees a harmless 1 there (its 0 * inf would make the gradient NaN)
        Tensor infinite = f.eq(Double.POSITIVE_INFINITY);
        Tensor g = Ops.where(infinite, Ops.scalarLike(f, 1), f);
        Tensor u = g.add(1.0);
        Tensor w = u.sub(1.0);
        Tensor exact = w.eq(0.0);
        // the division never sees 0, so no branch's gradient is NaN (where's unselected branch gets 0)
        Tensor denominator = Ops.where(exact, Ops.scalarLike(w, 1), w);
        // log(u) * (x / (u - 1)): the ratio is about 1, where log(u) * x overflowed from x = 4.8e36 (float32)
        Tensor finite = Ops.where(exact, g, u.log().mul(g.div(denominator)));
        return Ops.where(infinite, Ops.scalarLike(f, Double.POSITIVE_INFINITY), finite);
    }

    /**
     * Elementwise {@code exp(x) - 1}, accurate for small {@code x} (Kahan's trick): with
     * {@code u = exp(x)}, {@code (u - 1) * (x / log(u))} cancels the rounding of {@code u}; where
     * {@code u} rounds to 1 the result is {@code x}, where {@code u - 1} rounds to -1 it is -1.
     * Measured within 2.5 ulp in float32 and float64 (the sweep of {@link #log1p}); the gradient is
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
        // (u - 1) * (x / log(u)): the ratio is about 1, where (u - 1) * x overflowed from x = 85.4 (float32)
        Tensor general = safeU.sub(1.0).mul(f.div(safeU.log()));
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

    // ---- products and scans --------------------------------------------------------------------

    /**
     * The product over {@code axes} (empty or null: all), 1 over an empty set; bool and int32 give
     * int64, as in PyTorch. A tree of multiplies (halves times halves), so the gradient is exact where
     * elements are zero (no division by {@code x}).
     */
    public static Tensor prod(Tensor x, int[] axes, boolean keepDims) {
        int[] ax = Shape.normalizeAxes(axes, x.rank(), "prod");
        Tensor in = x.dtype() == DType.BOOL || x.dtype() == DType.INT32 ? x.cast(DType.INT64) : x;
        Shape out = Ops.reducedShape(x.shape(), ax, keepDims);
        boolean[] reduced = new boolean[x.rank()];
        for (int a : ax) reduced[a] = true;
        int[] order = new int[x.rank()], kept = new int[x.rank() - ax.length + 1];
        int n = 1, j = 0;
        for (int d = 0; d < x.rank(); d++) {
            if (!reduced[d]) {
                kept[j] = x.dim(d);
                order[j++] = d;
            }
        }
        for (int d = 0; d < x.rank(); d++) {
            if (reduced[d]) {
                order[j++] = d;
                n *= x.dim(d);
            }
        }
        kept[kept.length - 1] = n;
        if (n == 0) return Ops.expand(Ops.scalarLike(in, 1), out);
        Tensor t = Ops.reshape(Ops.permute(in, order), kept);
        int last = kept.length - 1;
        while (n > 1) {
            if (n % 2 == 1) t = Ops.pad(t, new int[kept.length], lastOnly(kept.length, 1), new int[kept.length], 1);
            int half = (n + 1) / 2;
            t = t.slice(last, 0, half).mul(t.slice(last, half, 2 * half));
            n = half;
        }
        return Ops.reshape(t, out.toArray());
    }

    /** Running sums along {@code axis} (PyTorch's cumsum; bool and int32 give int64). */
    public static Tensor cumsum(Tensor x, int axis) {
        return scan(x, axis, Op.ADD, 0, "cumsum");
    }

    /** Running products along {@code axis} (PyTorch's cumprod); the gradient is exact where elements are zero. */
    public static Tensor cumprod(Tensor x, int axis) {
        return scan(x, axis, Op.MUL, 1, "cumprod");
    }

    /**
     * An inclusive scan by doubling (Hillis and Steele): after step s every element combines the
     * 2^s elements ending at it, so log2(n) elementwise steps of pad-and-combine, each of which the
     * JIT fuses, and whose gradients come from their primitives.
     */
    private static Tensor scan(Tensor x, int axis, Op combine, double identity, String op) {
        int a = Shape.normalizeAxis(axis, x.rank(), op);
        Tensor t = x.dtype() == DType.BOOL || x.dtype() == DType.INT32 ? x.cast(DType.INT64) : x;
        int n = x.dim(a);
        for (int shift = 1; shift < n; shift *= 2) {
            int[] low = new int[x.rank()];
            low[a] = shift;
            Tensor shifted = Ops.pad(t.slice(a, 0, n - shift), low, new int[x.rank()], new int[x.rank()], identity);
            t = Ops.binary(combine, t, shifted);
        }
        return t;
    }

    private static int[] lastOnly(int rank, int value) {
        int[] v = new int[rank];
        v[rank - 1] = value;
        return v;
    }

    // ---- elementary functions ------------------------------------------------------------------

    private static final double LN2 = Math.log(2), LN10 = Math.log(10);

    /** Base-2 logarithm, {@code log(x) / ln 2}. */
    public static Tensor log2(Tensor x) {
        return floating(x).log().div(LN2);
    }

    /** Base-10 logarithm, {@code log(x) / ln 10}. */
    public static Tensor log10(Tensor x) {
        return floating(x).log().div(LN10);
    }

    /** Tangent, {@code sin(x) / cos(x)}. */
    public static Tensor tan(Tensor x) {
        Tensor f = floating(x);
        return f.sin().div(f.cos());
    }

    /**
     * Hyperbolic sine. For {@code |x| < 0.5} a Taylor polynomial to x^17 (its first dropped term is below
     * 1e-22 relative), elsewhere {@code (e^|x|/2 - e^-|x|/2) sign(x)} with {@code e^|x|} formed as
     * {@code e^(|x|/2)} squared so it overflows only where sinh does.
     */
    public static Tensor sinh(Tensor x) {
        Tensor f = floating(x);
        Tensor small = f.abs().lt(0.5);
        Tensor xs = Ops.where(small, f, Ops.scalarLike(f, 0)); // keeps the unused branch's gradient finite
        Tensor z = xs.mul(xs);
        Tensor series = Ops.scalarLike(f, 1);
        for (int d : new int[] {272, 210, 156, 110, 72, 42, 20, 6}) series = z.mul(series).div((double) d).add(1.0);
        Tensor h = f.abs().mul(0.5).exp();
        Tensor large = h.mul(0.5).mul(h).sub(h.reciprocal().mul(0.5).div(h)).mul(f.sign());
        return Ops.where(small, xs.mul(series), large);
    }

    /** Hyperbolic cosine, {@code e^|x|/2 + e^-|x|/2} with {@code e^|x|} formed as in {@link #sinh}. */
    public static Tensor cosh(Tensor x) {
        Tensor f = floating(x);
        Tensor h = f.abs().mul(0.5).exp();
        return h.mul(0.5).mul(h).add(h.reciprocal().mul(0.5).div(h));
    }

    // Cephes' atan: |x| reduced to [0, 0.66] by atan(x) = pi/2 - atan(1/x) above tan(3pi/8) and
    // atan(x) = pi/4 + atan((x-1)/(x+1)) above 0.66, then x + x^3 P(x^2)/Q(x^2) (double accuracy).
    private static final double TAN_3PI_8 = 2.41421356237309504880, MOREBITS = 6.123233995736765886130E-17;
    private static final double[] ATAN_P = {-8.750608600031904122785E-1, -1.615753718733365076637E1,
        -7.500855792314704667340E1, -1.228866684490136173410E2, -6.485021904942025371773E1};
    private static final double[] ATAN_Q = {2.485846490142306297962E1, 1.650270098316988542046E2,
        4.328810604912902668951E2, 4.853903996359136964868E2, 1.945506571482613964425E2};

    /**
     * Arctangent, as Cephes computes it: a range reduction to {@code |x| <= 0.66}, then a rational
     * approximation, all from primitives (so the JIT fuses it and its gradient is automatic).
     */
    public static Tensor atan(Tensor x) {
        Tensor f = floating(x);
        // |x| as a select on the sign bit, not abs: abs's gradient at 0 is 0, which made atan's 0 there (it is 1)
        Tensor a = Ops.where(signBit(f), f.neg(), f);
        Tensor big = a.gt(TAN_3PI_8), mid = a.gt(0.66);
        Tensor one = Ops.scalarLike(f, 1), zero = Ops.scalarLike(f, 0);
        Tensor inverted = Ops.where(big, a, one).reciprocal().neg(); // where(big, a, 1): no 1/0 in the unused branch
        Tensor moderate = Ops.where(big, one, a); // no inf/inf in the unused branch, whose gradient would be NaN at +-inf
        Tensor r = Ops.where(big, inverted, Ops.where(mid, moderate.sub(1.0).div(moderate.add(1.0)), a));
        Tensor z = r.mul(r);
        Tensor p = Ops.scalarLike(f, ATAN_P[0]), q = z.add(ATAN_Q[0]);
        for (int i = 1; i < ATAN_P.length; i++) p = p.mul(z).add(ATAN_P[i]);
        for (int i = 1; i < ATAN_Q.length; i++) q = q.mul(z).add(ATAN_Q[i]);
        Tensor t = r.mul(z).mul(p).div(q).add(r);
        t = t.add(Ops.where(big, Ops.scalarLike(f, MOREBITS), Ops.where(mid, Ops.scalarLike(f, 0.5 * MOREBITS), zero)));
        t = t.add(Ops.where(big, Ops.scalarLike(f, Math.PI / 2), Ops.where(mid, Ops.scalarLike(f, Math.PI / 4), zero)));
        return Ops.where(signBit(f), t.neg(), t); // atan(-0) = -0
    }

    /**
     * The angle of the point {@code (x, y)}, in {@code [-pi, pi]}; shapes broadcast. The ratio fed to
     * {@link #atan} is always at most 1 in magnitude ({@code y/x} or {@code x/y}), so the gradient stays
     * finite on the axes. Signed zeros are not told apart: {@code atan2(0, x < 0)} is pi.
     */
    public static Tensor atan2(Tensor y, Tensor x) {
        DType dt = DType.promote(y.dtype(), x.dtype());
        if (!dt.isFloating()) dt = DType.FLOAT32;
        Tensor fy = y.cast(dt), fx = x.cast(dt);
        Tensor one = Ops.scalarLike(fy, 1);
        // the sides' signs, -0 included, as IEEE's atan2 reads them: atan2(0, -0) = pi, atan2(-0, -1) = -pi
        Tensor yNegative = signBit(fy), xNegative = signBit(fx);
        // both infinite: the angle of (+-1, +-1), so +-pi/4 or +-3pi/4 (their ratio would be NaN)
        Tensor bothInfinite = logicalAnd(isFinite(fy).logicalNot(), isFinite(fx).logicalNot());
        bothInfinite = logicalAnd(bothInfinite, logicalOr(isNan(fy), isNan(fx)).logicalNot());
        fy = Ops.where(bothInfinite, Ops.where(yNegative, one.neg(), one), fy);
        fx = Ops.where(bothInfinite, Ops.where(xNegative, one.neg(), one), fx);
        Tensor flat = fy.abs().le(fx.abs()); // the angle is within 45 degrees of the x axis
        Tensor towardX = atan(fy.div(Ops.where(logicalOr(flat.logicalNot(), fx.eq(0)), one, fx)));
        // the half turn only where x < 0: adding 0 elsewhere would turn atan2(-0, 1) = -0 into +0
        Tensor nearX = Ops.where(xNegative,
                towardX.add(Ops.where(yNegative, Ops.scalarLike(fy, -Math.PI), Ops.scalarLike(fy, Math.PI))), towardX);
        Tensor nearY = Ops.where(yNegative, Ops.scalarLike(fy, -Math.PI / 2), Ops.scalarLike(fy, Math.PI / 2))
                .sub(atan(fx.div(Ops.where(flat, one, fy))));
        return Ops.where(flat, nearX, nearY);
    }

    /** True where {@code x} is negative, -0 included (its reciprocal is -inf): IEEE's signbit, NaN aside. */
    private static Tensor signBit(Tensor x) {
        return logicalOr(x.lt(Ops.scalarLike(x, 0)), logicalAnd(x.eq(0.0), x.reciprocal().lt(Ops.scalarLike(x, 0))));
    }

    /**
     * {@code log(e^a + e^b)} elementwise (shapes broadcast), as {@code max(a, b) + log1p(e^-|a - b|)} so
     * nothing overflows; equal infinities give themselves.
     */
    public static Tensor logaddexp(Tensor a, Tensor b) {
        DType dt = DType.promote(a.dtype(), b.dtype());
        if (!dt.isFloating()) dt = DType.FLOAT32;
        Tensor fa = a.cast(dt), fb = b.cast(dt);
        Tensor d = Ops.where(fa.eq(fb), Ops.scalarLike(fa, 0), fa.sub(fb)); // inf - inf would be NaN
        return fa.maximum(fb).add(log1p(d.abs().neg().exp()));
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
