package dev.javelin.tensor;

/**
 * Neural-network compositions built only from {@link Ops} primitives: activations, normalization,
 * convolution and pooling (NHWC activations, HWIO filters, as Keras), losses, dropout. Losses return one
 * value per example (no reduction over the batch): the caller decides between mean, sum or weighting.
 *
 * <pre>{@code
 * Tensor logits = Tensors.of(new float[][] {{2, 1, 0}, {0, 0, 3}});
 * Tensor p = NN.softmax(logits, -1);
 * Tensor loss = NN.sparseCategoricalCrossEntropy(logits, Tensors.of(new int[] {0, 2}), true);
 * }</pre>
 */
public final class NN {
    /** Keras' fuzz factor for losses on probabilities: probabilities are clipped to [EPSILON, 1 - EPSILON]. */
    public static final double EPSILON = 1e-7;
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private NN() {}

    // ---- activations -------------------------------------------------------------------------

    /** {@code exp(x - max) / sum(exp(x - max))} along {@code axis}; subtracting the max keeps exp from overflowing. */
    public static Tensor softmax(Tensor x, int axis) {
        Shape.normalizeAxis(axis, x.rank(), "softmax"); // named here, not by the reduction inside
        Tensor f = MathOps.floating(x);
        int[] ax = {axis};
        Tensor e = f.sub(MathOps.stabilizingMax(f, ax)).exp();
        return e.div(Ops.reduce(Op.REDUCE_SUM, e, ax, true));
    }

    /**
     * {@code (x - max) - log(sum(exp(x - max)))} along {@code axis}: stable where {@code log(softmax(x))}
     * would give -inf, and as precise as {@code x - max} (see {@link MathOps#shiftedLogSum}).
     */
    public static Tensor logSoftmax(Tensor x, int axis) {
        Shape.normalizeAxis(axis, x.rank(), "logSoftmax");
        Tensor f = MathOps.floating(x);
        Tensor[] parts = MathOps.shiftedLogSum(f, new int[] {axis});
        return f.sub(parts[0]).sub(parts[1]);
    }

    /**
     * GELU: {@code x * Phi(x)} with the normal CDF {@code Phi(x) = (1 + erf(x / sqrt 2)) / 2}, or with
     * {@code approximate} the tanh form {@code (1 + tanh(u)) / 2}, {@code u = sqrt(2/pi) (x + 0.044715 x^3)},
     * computed as the same function's {@code sigmoid(2u)}: {@code 1 + tanh(u)} cancels for negative x
     * (at x = -4 it keeps 3 of tanh's digits, PyTorch's float32 included), the sigmoid keeps its relative
     * precision there (within 23 ulp of the exact value on [-4, -1], where the sum was 16,500 off).
     */
    public static Tensor gelu(Tensor x, boolean approximate) {
        Tensor f = MathOps.floating(x);
        if (approximate) return f.mul(f.add(f.mul(f).mul(f).mul(0.044715)).mul(2 * SQRT_2_OVER_PI).sigmoid());
        return f.mul(f.mul(1 / Math.sqrt(2)).erf().add(1.0)).mul(0.5);
    }

    /** SiLU (swish): {@code x * sigmoid(x)}. */
    public static Tensor silu(Tensor x) {
        Tensor f = MathOps.floating(x);
        return f.mul(f.sigmoid());
    }

    /**
     * Softplus {@code log(1 + exp(x))}, computed as {@code max(x, 0) + log1p(exp(-|x|))} so it never
     * overflows and keeps its tail (2.06e-9 at x = -20). Its gradient is {@code sigmoid(x)}, also at
     * 0 (0.5, as PyTorch): {@code -|x|} is written as a where that takes {@code x} at 0.
     */
    public static Tensor softplus(Tensor x) {
        Tensor f = MathOps.floating(x);
        Tensor minusAbs = Ops.where(f.gt(0), f.neg(), f);
        return f.relu().add(MathOps.log1p(minusAbs.exp()));
    }

    /** {@code log(sigmoid(x)) = -softplus(-x)}, stable for large |x|, with its tail; gradient {@code 1 - sigmoid(x)} (0.5 at 0). */
    public static Tensor logSigmoid(Tensor x) {
        return softplus(MathOps.floating(x).neg()).neg();
    }

    /** Leaky ReLU: {@code x} where positive, {@code slope * x} elsewhere. */
    public static Tensor leakyRelu(Tensor x, double slope) {
        Tensor f = MathOps.floating(x);
        return Ops.where(f.gt(0), f, f.mul(slope));
    }

    /**
     * ELU: {@code x} where positive, {@code alpha * expm1(x)} elsewhere; the gradient at 0 is
     * {@code alpha}, as PyTorch's (the negative branch owns 0).
     */
    public static Tensor elu(Tensor x, double alpha) {
        Tensor f = MathOps.floating(x);
        Tensor positive = f.gt(0);
        Tensor negativePart = Ops.where(positive, Ops.scalarLike(f, 0), f); // exp never overflows in the unused branch
        return Ops.where(positive, f, MathOps.expm1(negativePart).mul(alpha));
    }

    // ---- normalization -----------------------------------------------------------------------

    /**
     * Layer normalization over {@code axes}: {@code (x - mean) / sqrt(var + eps) * gamma + beta} with the
     * biased variance. {@code gamma} and {@code beta} broadcast against {@code x} and may be null.
     */
    public static Tensor layerNorm(Tensor x, int[] axes, Tensor gamma, Tensor beta, double eps) {
        for (Tensor p : new Tensor[] {gamma, beta}) {
            if (p != null && !p.shape().broadcastsTo(x.shape())) {
                throw new IllegalArgumentException("layerNorm: " + (p == gamma ? "gamma " : "beta ") + p.dtype() + p.shape() + " does not broadcast to x "
                        + x.dtype() + x.shape() + "; expected the normalized axes' sizes, e.g. [" + x.dim(-1) + "] for the last axis");
            }
        }
        Tensor f = MathOps.floating(x);
        Tensor mean = MathOps.mean(f, axes, true);
        Tensor centered = f.sub(mean);
        Tensor var = MathOps.mean(MathOps.square(centered), axes, true);
        Tensor y = centered.mul(MathOps.rsqrt(var.add(eps)));
        if (gamma != null) y = y.mul(gamma);
        if (beta != null) y = y.add(beta);
        return y;
    }

    // ---- convolution and pooling ---------------------------------------------------------------

    /**
     * 2-D convolution of NHWC {@code x} with an HWIO filter {@code [KH, KW, Cin/groups, Cout]}.
     * {@code padding} is {@code "valid"} (none) or {@code "same"} (output {@code ceil(H / stride)}, the
     * padding split as TensorFlow does: the odd pixel goes to the bottom and right).
     *
     * @param strides  {@code {strideH, strideW}}
     * @param dilation {@code {dilationH, dilationW}}; null means 1
     * @param groups   input and output channels split into this many independent groups
     */
    public static Tensor conv2d(Tensor x, Tensor filter, int[] strides, String padding, int[] dilation, int groups) {
        if (x.rank() != 4 || filter.rank() != 4) {
            throw new IllegalArgumentException("conv2d: expected input [N,H,W,C] and filter [KH,KW,Cin/groups,Cout], got "
                    + x.shape() + " and " + filter.shape());
        }
        int[] s = pair("conv2d", "strides", strides);
        int[] d = dilation == null ? new int[] {1, 1} : pair("conv2d", "dilation", dilation);
        int[] ph = padding("conv2d", padding, x.dim(1), filter.dim(0), s[0], d[0]);
        int[] pw = padding("conv2d", padding, x.dim(2), filter.dim(1), s[1], d[1]);
        return Ops.conv2d(x, filter, new OpAttrs.Conv(s[0], s[1], ph[0], ph[1], pw[0], pw[1], d[0], d[1], groups));
    }

    /** {@link #conv2d(Tensor, Tensor, int[], String, int[], int)} with one stride for both axes, no dilation, one group. */
    public static Tensor conv2d(Tensor x, Tensor filter, int stride, String padding) {
        return conv2d(x, filter, new int[] {stride, stride}, padding, null, 1);
    }

    /**
     * Max pooling over NHWC windows of {@code pool} = {@code {ph, pw}}: padding (for "same") with -inf,
     * then the windows as a view ({@link Op#UNFOLD}), then the first maximum of each window (its
     * gradient goes to that element alone, as PyTorch's and TensorFlow's).
     *
     * @param strides null means the pool size, as in Keras
     */
    public static Tensor maxPool2d(Tensor x, int[] pool, int[] strides, String padding) {
        Tensor windows = poolWindows("maxPool2d", x, pool, strides, padding, Double.NEGATIVE_INFINITY);
        // The first maximum of each window in row-major order, picked by index: the gradient goes to
        // that one element, as PyTorch's and TensorFlow's max pooling (a max reduction would split it
        // between tied values). A NaN counts as the maximum, so it propagates.
        int n = windows.dim(0), oh = windows.dim(1), ow = windows.dim(2), c = windows.dim(5);
        Tensor flat = windows.reshape(n, oh, ow, Math.multiplyExact(windows.dim(3), windows.dim(4)), c);
        Tensor first = Ops.reduce(Op.ARGMAX, flat, new int[] {3}, true);
        return IndexingOps.gather(flat, 3, first).reshape(n, oh, ow, c);
    }

    /**
     * Average pooling over NHWC windows. With "same" padding each output divides by the number of
     * real (non-padding) elements in its window, as Keras and TensorFlow do.
     *
     * @param strides null means the pool size, as in Keras
     */
    public static Tensor avgPool2d(Tensor x, int[] pool, int[] strides, String padding) {
        Tensor sums = Ops.reduce(Op.REDUCE_SUM, poolWindows("avgPool2d", x, pool, strides, padding, 0), new int[] {3, 4}, false);
        int[] p = pair("avgPool2d", "pool", pool);
        boolean same = isSame("avgPool2d", padding);
        if (!same) return sums.div((double) p[0] * p[1]);
        // Count the real elements per window by pooling ones through the same padding.
        Tensor ones = Tensors.ones(Shape.of(1, x.dim(1), x.dim(2), 1), sums.dtype()).to(x.device());
        Tensor counts = Ops.reduce(Op.REDUCE_SUM, poolWindows("avgPool2d", ones, pool, strides, padding, 0), new int[] {3, 4}, false);
        return sums.div(counts);
    }

    private static Tensor poolWindows(String op, Tensor x, int[] pool, int[] strides, String padding, double padValue) {
        if (x.rank() != 4) throw new IllegalArgumentException(op + ": expected NHWC input [N,H,W,C], got " + x.shape());
        if (!x.dtype().isFloating()) throw new IllegalArgumentException(op + ": expected a floating input, got " + x.dtype() + x.shape());
        int[] p = pair(op, "pool", pool);
        int[] s = strides == null ? p : pair(op, "strides", strides);
        int[] ph = padding(op, padding, x.dim(1), p[0], s[0], 1);
        int[] pw = padding(op, padding, x.dim(2), p[1], s[1], 1);
        Ops.windowCount(op, "H", x.dim(1) + ph[0] + ph[1], p[0], s[0], 1, () -> "input " + x.shape() + ", pool "
                + java.util.Arrays.toString(p) + ", strides " + java.util.Arrays.toString(s) + ", padding " + padding);
        Ops.windowCount(op, "W", x.dim(2) + pw[0] + pw[1], p[1], s[1], 1, () -> "input " + x.shape() + ", pool "
                + java.util.Arrays.toString(p) + ", strides " + java.util.Arrays.toString(s) + ", padding " + padding);
        Tensor padded = Ops.pad(x, new int[] {0, ph[0], pw[0], 0}, new int[] {0, ph[1], pw[1], 0}, new int[4], padValue);
        return Ops.unfold(padded, new OpAttrs.Window(p[0], p[1], s[0], s[1], 1, 1));
    }

    /** {before, after} padding along one axis: zero for "valid"; TensorFlow's split for "same". */
    static int[] padding(String op, String padding, int in, int k, int stride, int dilation) {
        if (!isSame(op, padding)) return new int[] {0, 0};
        // in long: a stride or dilation near 2^31 overflowed int into a wrong (or negative) size
        long span = (long) (k - 1) * dilation + 1;
        long out = ((long) in + stride - 1) / stride;
        long total = Math.max((out - 1) * stride + span - in, 0);
        Shape.dimension(op, in + total, "\"same\" padding of " + in + " for a window of " + k + ", stride " + stride + ", dilation " + dilation);
        return new int[] {(int) (total / 2), (int) (total - total / 2)};
    }

    private static boolean isSame(String op, String padding) {
        if ("same".equalsIgnoreCase(padding)) return true;
        if ("valid".equalsIgnoreCase(padding)) return false;
        throw new IllegalArgumentException(op + ": padding must be \"same\" or \"valid\", got \"" + padding + "\"");
    }

    private static int[] pair(String op, String what, int[] v) {
        if (v == null || v.length != 2 || v[0] < 1 || v[1] < 1) {
            throw new IllegalArgumentException(op + ": " + what + " must be two positive ints, got " + java.util.Arrays.toString(v));
        }
        return v;
    }

    // ---- attention -----------------------------------------------------------------------------

    /**
     * Scaled dot-product attention, as PyTorch's {@code scaled_dot_product_attention}:
     * {@code softmax(q·kᵀ·scale + mask)·v} for q [B...,Tq,D], k [B...,Tk,D], v [B...,Tk,Dv], giving
     * [B...,Tq,Dv]. It runs as one fused op ({@link Op#ATTENTION}: tiled, with an online softmax, so the
     * Tq×Tk scores are never stored, forward or backward). A query whose every key is masked gets zeros.
     *
     * <pre>{@code
     * Tensor q = Tensors.normal(Shape.of(2, 8, 128, 64), 1), k = ..., v = ...;   // [batch, heads, T, D]
     * Tensor y = NN.scaledDotProductAttention(q, k, v, null, true);             // causal self-attention
     * }</pre>
     *
     * @param mask   null, or broadcasting to [B...,Tq,Tk]: bool (true = may attend, as PyTorch's) or
     *               floating (added to the scores; it gets no gradient)
     * @param causal hide key j from query i when j > i (aligned at the top left, as PyTorch's)
     * @param scale  the factor on {@code q·kᵀ}; NaN means {@code 1/sqrt(D)}
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        return ScaledDotProductAttention.fused(q, k, v, mask, causal, scale);
    }

    /** {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, Tensor, boolean, double)} with scale {@code 1/sqrt(D)}. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal) {
        return ScaledDotProductAttention.fused(q, k, v, mask, causal, Double.NaN);
    }

    /**
     * The same attention composed from matmul, softmax and matmul (the Tq×Tk weights are materialized):
     * the reference the fused op is tested against, and what a caller uses to put dropout on the weights.
     */
    public static Tensor scaledDotProductAttentionComposed(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        return ScaledDotProductAttention.composed(q, k, v, mask, causal, scale);
    }

    /**
     * The attention weights {@code softmax(q·kᵀ·scale + mask)} [B...,Tq,Tk] that
     * {@link #scaledDotProductAttention} multiplies with v; rows whose every key is masked are zero.
     */
    public static Tensor attentionWeights(Tensor q, Tensor k, Tensor mask, boolean causal, double scale) {
        return ScaledDotProductAttention.weights(q, k, mask, causal, scale);
    }

    // ---- losses (one value per example) --------------------------------------------------------

    /**
     * Cross-entropy with integer class labels (int32/int64) of shape {@code [...]} against scores of
     * shape {@code [..., C]}; returns shape {@code [...]}. From logits it is
     * {@code logsumexp(x) - x[label]}, computed as {@code log(sum(exp(x - max))) - (x[label] - max)}; from probabilities, {@code -log(p[label])} with {@code p}
     * normalized to sum 1 and clipped to [EPSILON, 1 - EPSILON], as Keras does. A label outside
     * {@code [0, C)} throws IndexOutOfBoundsException when the gather runs.
     */
    public static Tensor sparseCategoricalCrossEntropy(Tensor scores, Tensor labels, boolean fromLogits) {
        if (!labels.dtype().isInteger()) {
            throw new IllegalArgumentException("sparseCategoricalCrossEntropy: labels must be int32 or int64, got "
                    + labels.dtype() + labels.shape());
        }
        if (scores.rank() != labels.rank() + 1 || !scores.shape().sub(0, labels.rank()).equals(labels.shape())) {
            throw new IllegalArgumentException("sparseCategoricalCrossEntropy: scores " + scores.shape() + " and labels "
                    + labels.shape() + ": expected scores [..., C] and labels [...]");
        }
        Tensor idx = labels.unsqueeze(-1);
        if (fromLogits) {
            Tensor f = MathOps.floating(scores);
            Tensor[] parts = MathOps.shiftedLogSum(f, new int[] {-1});
            Tensor picked = IndexingOps.gather(f, -1, idx).sub(parts[0]).squeeze(-1); // x[label] - max, then minus the log-sum
            return parts[1].squeeze(-1).sub(picked);
        }
        Tensor p = clippedProbabilities(scores);
        return IndexingOps.gather(p, -1, idx).squeeze(-1).log().neg();
    }

    /**
     * Cross-entropy with target distributions (one-hot or soft) of the scores' shape {@code [..., C]};
     * returns shape {@code [...]}: {@code -sum(t * logSoftmax(x))} from logits, else
     * {@code -sum(t * log(p))} with {@code p} normalized and clipped as in
     * {@link #sparseCategoricalCrossEntropy}.
     */
    public static Tensor categoricalCrossEntropy(Tensor scores, Tensor targets, boolean fromLogits) {
        if (!scores.shape().equals(targets.shape())) {
            throw new IllegalArgumentException("categoricalCrossEntropy: scores " + scores.shape() + " and targets "
                    + targets.shape() + " must have one shape [..., C]");
        }
        Tensor logp = fromLogits ? logSoftmax(scores, -1) : clippedProbabilities(scores).log();
        return Ops.reduce(Op.REDUCE_SUM, MathOps.floating(targets).mul(logp), new int[] {-1}, false).neg();
    }

    /**
     * Binary cross-entropy per element (shapes broadcast). From logits it is the stable
     * {@code softplus(x) - x t = max(x, 0) - x t + log1p(exp(-|x|))}, whose gradient is
     * {@code sigmoid(x) - t} everywhere (at 0 too, as PyTorch's); from probabilities
     * {@code -(t log p + (1 - t) log(1 - p))} with {@code p} clipped to [EPSILON, 1 - EPSILON].
     */
    public static Tensor binaryCrossEntropy(Tensor scores, Tensor targets, boolean fromLogits) {
        Shape.broadcast("binaryCrossEntropy (scores and targets)", scores.shape(), targets.shape());
        Tensor x = MathOps.floating(scores);
        Tensor t = MathOps.floating(targets);
        if (fromLogits) {
            return softplus(x).sub(x.mul(t));
        }
        Tensor p = MathOps.clamp(x, EPSILON, 1 - EPSILON);
        Tensor oneMinusT = t.neg().add(1.0);
        return t.mul(p.log()).add(oneMinusT.mul(p.neg().add(1.0).log())).neg();
    }

    /**
     * PyTorch's NLLLoss per example (no reduction): {@code -logProbs[label]} for log-probabilities
     * {@code [..., C]} (from {@link #logSoftmax}, say) and int labels {@code [...]}.
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor labels) {
        if (!labels.dtype().isInteger()) {
            throw new IllegalArgumentException("nllLoss: labels must be int32 or int64, got " + labels.dtype() + labels.shape());
        }
        if (logProbs.rank() != labels.rank() + 1 || !logProbs.shape().sub(0, labels.rank()).equals(labels.shape())) {
            throw new IllegalArgumentException("nllLoss: log-probabilities " + logProbs.shape() + " and labels " + labels.shape()
                    + ": expected log-probabilities [..., C] and labels [...]");
        }
        return IndexingOps.gather(MathOps.floating(logProbs), -1, labels.unsqueeze(-1)).squeeze(-1).neg();
    }

    private static Tensor clippedProbabilities(Tensor probs) {
        Tensor p = MathOps.floating(probs);
        p = p.div(Ops.reduce(Op.REDUCE_SUM, p, new int[] {-1}, true));
        return MathOps.clamp(p, EPSILON, 1 - EPSILON);
    }

    // ---- regularization ----------------------------------------------------------------------

    /**
     * Inverted dropout: zeroes each element with probability {@code rate} and scales the rest by
     * {@code 1 / (1 - rate)}, so the expectation is unchanged. The mask comes from
     * {@link Ops#randomUniform} keyed by {@code seed} (an int64 scalar tensor), so a traced step can
     * feed a new seed each call.
     */
    public static Tensor dropout(Tensor x, double rate, Tensor seed) {
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("dropout: rate must be in [0, 1), got " + rate);
        if (rate == 0) return x;
        Tensor f = MathOps.floating(x);
        Tensor u = Ops.randomUniform(x.shape(), seed);
        Tensor keep = u.ge(Ops.scalarLike(u, rate)); // on u's device (a host scalar would mix devices)
        return f.mul(keep.cast(f.dtype())).mul(1 / (1 - rate));
    }
}
