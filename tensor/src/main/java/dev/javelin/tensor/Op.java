package dev.javelin.tensor;

/**
 * The closed set of primitive ops. Everything else (softmax, layer norm, cross-entropy, ...) is
 * composed from these, so it gets its gradient from the rules of its primitives and the JIT can fuse it.
 *
 * <p>Contract for backends (see {@link dev.javelin.tensor.spi.Backend}): the shapes and dtypes in an
 * {@link OpCall} were checked by {@link Ops}; binary and ternary ops get inputs of one shape (the
 * caller's broadcasting became {@link #EXPAND} views) and one dtype (promotion became {@link #CAST}).
 */
public enum Op {
    // unary elementwise: same shape; floating dtype except NEG, ABS, SIGN, RELU (any numeric) and LOGICAL_NOT (bool)
    /** {@code -x}. */
    NEG(Kind.UNARY),
    /** {@code |x|}. */
    ABS(Kind.UNARY),
    /** {@code e^x}. */
    EXP(Kind.UNARY),
    /** Natural logarithm. */
    LOG(Kind.UNARY),
    /** Square root. */
    SQRT(Kind.UNARY),
    /** Sine. */
    SIN(Kind.UNARY),
    /** Cosine. */
    COS(Kind.UNARY),
    /** Hyperbolic tangent. */
    TANH(Kind.UNARY),
    /** {@code 1 / (1 + e^-x)}. */
    SIGMOID(Kind.UNARY),
    /** {@code max(x, 0)}; NaN stays NaN. */
    RELU(Kind.UNARY),
    /** {@code 1 / x}. */
    RECIPROCAL(Kind.UNARY),
    /** -1, 0 or 1 (NaN stays NaN). */
    SIGN(Kind.UNARY),
    /** Round toward negative infinity. */
    FLOOR(Kind.UNARY),
    /** Round toward positive infinity. */
    CEIL(Kind.UNARY),
    /** Rounds half to even, as NumPy and PyTorch do. */
    ROUND(Kind.UNARY),
    /** The error function. */
    ERF(Kind.UNARY),
    /** Bool {@code !x}. */
    LOGICAL_NOT(Kind.UNARY),
    // binary elementwise: two inputs of one shape and dtype
    /** {@code a + b}. */
    ADD(Kind.BINARY),
    /** {@code a - b}. */
    SUB(Kind.BINARY),
    /** {@code a * b}. */
    MUL(Kind.BINARY),
    /** {@code a / b} (floating only: Ops computes integer division in float32). */
    DIV(Kind.BINARY),
    /** {@code a^b} (floating only). */
    POW(Kind.BINARY),
    /** Elementwise maximum; NaN propagates; logical or on bool. */
    MAX(Kind.BINARY),
    /** Elementwise minimum; NaN propagates; logical and on bool. */
    MIN(Kind.BINARY),
    /** Bool {@code a == b} (comparisons return bool; NaN compares unequal). */
    EQ(Kind.BINARY),
    /** Bool {@code a != b}. */
    NE(Kind.BINARY),
    /** Bool {@code a < b}. */
    LT(Kind.BINARY),
    /** Bool {@code a <= b}. */
    LE(Kind.BINARY),
    /** Bool {@code a > b}. */
    GT(Kind.BINARY),
    /** Bool {@code a >= b}. */
    GE(Kind.BINARY),
    /** where(cond: bool, a, b): a and b share shape and dtype with cond's shape. */
    WHERE(Kind.TERNARY),
    // reductions over {@link OpAttrs.Reduce#axes()}
    /** Sum over the axes (0 over an empty set). */
    REDUCE_SUM(Kind.REDUCE),
    /** Maximum over the axes; NaN propagates. */
    REDUCE_MAX(Kind.REDUCE),
    /** Minimum over the axes; NaN propagates. */
    REDUCE_MIN(Kind.REDUCE),
    /** Index (int64) of the first maximum along one axis; a NaN counts as the maximum. */
    ARGMAX(Kind.REDUCE),
    /** Index (int64) of the first minimum along one axis; a NaN counts as the minimum. */
    ARGMIN(Kind.REDUCE),
    // movement: views that share storage in the eager engine (no backend call) ...
    /** To {@link OpCall#shape()} with the same element count; copies first when strides forbid a view. */
    RESHAPE(Kind.MOVEMENT),
    /** Reorders axes by {@link OpAttrs.Permute#order()}. */
    PERMUTE(Kind.MOVEMENT),
    /** Same rank; dimensions of size 1 stretch to the output's (stride 0). */
    EXPAND(Kind.MOVEMENT),
    /** A strided sub-range of every axis, by {@link OpAttrs.Slice}. */
    SLICE(Kind.MOVEMENT),
    /** Sliding windows (im2col as a view): NHWC [N,H,W,C] to [N,OH,OW,KH,KW,C]. */
    UNFOLD(Kind.MOVEMENT),
    // ... and data-moving ops that allocate
    /** Constant padding before, after and between elements (XLA's pad); the adjoint of a strided slice. */
    PAD(Kind.DATA),
    /** The adjoint of {@link #UNFOLD}: sums windows [N,OH,OW,KH,KW,C] back into [N,H,W,C]. */
    FOLD(Kind.DATA),
    /** A dense copy. */
    CONTIGUOUS(Kind.DATA),
    /**
     * To {@link OpCall#dtype()}; anything to bool is {@code != 0}; int64 to int32 wraps (two's
     * complement, as PyTorch). Float to int truncates toward zero and saturates at the integer's range,
     * NaN giving 0: Java's cast, and PyTorch's on ARM (C++ leaves it undefined; PyTorch on x86 gives the
     * most negative integer for every out-of-range value and NaN). The same on every backend and the GPU.
     */
    CAST(Kind.DATA),
    /** Batched matrix product [B...,M,K] @ [B...,K,N], equal batch dims (broadcast became EXPAND). */
    MATMUL(Kind.CONTRACTION),
    /** NHWC input [N,H,W,Cin] with HWIO filter [KH,KW,Cin/groups,Cout] to [N,OH,OW,Cout]. */
    CONV2D(Kind.CONTRACTION),
    /** Gradient of CONV2D with respect to its input: (dy, filter) to dx. */
    CONV2D_BACKWARD_INPUT(Kind.CONTRACTION),
    /** Gradient of CONV2D with respect to its filter: (x, dy) to dfilter. */
    CONV2D_BACKWARD_FILTER(Kind.CONTRACTION),
    /**
     * Fused scaled dot-product attention, by {@link OpAttrs.Attention}: (q [B...,Tq,D], k [B...,Tk,D],
     * v [B...,Tk,Dv], optional additive mask [B...,Tq,Tk]) to [B...,Tq,Dv+1]: columns 0..Dv-1 hold
     * {@code softmax(q·kᵀ·scale + mask)·v}, column Dv the row's logsumexp (what the backward needs; -inf
     * and a zero row where every key is masked). With {@code timeMajor} the same values are laid out
     * flat as [B...,Tq,H,Dv] then [B...,Tq,H] ({@link AttentionLayout}). See {@link NN#scaledDotProductAttention}.
     */
    ATTENTION(Kind.CONTRACTION),
    /**
     * Gradient of {@link #ATTENTION}: (q, k, v, [mask], its packed result, the gradient of its output
     * [B...,Tq,Dv], the gradient of its logsumexp [B...,Tq,1]) to
     * [B..., Tq·D + Tk·D + Tk·Dv]: dq, dk and dv, each row-major, packed along the last axis (an op
     * has one result); with {@code timeMajor}, flat: dq [B...,Tq,H,D], dk [B...,Tk,H,D], dv [B...,Tk,H,Dv]
     * ({@link AttentionLayout}). The mask gets no gradient.
     */
    ATTENTION_BACKWARD(Kind.CONTRACTION),
    /**
     * A whole recurrent layer's loop over time, by {@link OpAttrs.Recurrence} (the cell, the direction,
     * the activations):
     * for {@code LSTM}, (x [B,T,4H]: every step's input projection with its bias, w [H,4H]: the
     * recurrent kernel, h0 [B,H], c0 [B,H], optional bool mask [B,T]) to [B,T,6H]: per step h, c and
     * the activated gates i, f, g, o (what the backward needs). For {@code GRU} ({@code reset_after}):
     * (x [B,T,3H], w [H,3H], the recurrent bias [3H], h0 [B,H], optional mask) to [B,T,5H]: per step h,
     * the gates z, r, the candidate n and the recurrent part {@code a_h = h·w_h + b_h}. For
     * {@code GRU_RESET_BEFORE} (Keras's {@code reset_after=False}): (x [B,T,3H] with every bias, w [H,3H],
     * h0 [B,H], optional mask) to [B,T,4H]: per step h, z, r and n. For {@code RNN}:
     * (x [B,T,H], w [H,H], h0 [B,H], optional mask) to [B,T,H]: per step h. With
     * {@code OpAttrs.Recurrence.recurrentDropout} a multiplier [B,G·H] comes after the states (before the
     * mask): gate q's product is {@code (h ∘ m_q)·w_q}. See {@link SequenceOps#recurrence}.
     */
    RECURRENCE(Kind.CONTRACTION),
    /**
     * Gradient of {@link #RECURRENCE}: (w, the cell's operands, [mask], its output, the gradient of that
     * output) to one flat vector of dx, dw and each operand's gradient, in input order (LSTM: dx [B,T,4H],
     * dw [H,4H], dh0 [B,H], dc0 [B,H]; an op has one result). The mask and the recurrent dropout multiplier get no gradient. Its own gradient
     * (second order) differentiates the same math written in tensor ops.
     */
    RECURRENCE_BACKWARD(Kind.CONTRACTION),
    /** torch.gather: out[i][j] = x[idx[i][j]][j] along the axis; idx (int32/int64) has out's shape. */
    GATHER(Kind.INDEX),
    /** torch.scatter_add (out of place): base + src added at idx along the axis. */
    SCATTER_ADD(Kind.INDEX),
    /**
     * The stable sort order along one axis, by {@link OpAttrs.Sort}: int64 indices of the input's
     * shape. NaN sorts as larger than every number (last ascending, first descending) and -0 equals 0,
     * as in PyTorch. Not differentiable: values follow by a {@link #GATHER}, whose rule gives gradients.
     */
    ARGSORT(Kind.INDEX),
    /** Uniform [0, 1) from a counter-based generator keyed by an int64 scalar seed input. */
    RANDOM_UNIFORM(Kind.RANDOM),
    /** Standard normal, same keying as RANDOM_UNIFORM. */
    RANDOM_NORMAL(Kind.RANDOM);

    /** The groups a backend or a codegen pass handles together. */
    public enum Kind {
        /** One input, same shape. */
        UNARY,
        /** Two inputs of one shape and dtype. */
        BINARY,
        /** {@link Op#WHERE}. */
        TERNARY,
        /** Reductions over axes. */
        REDUCE,
        /** Views: offset and stride arithmetic, no data moves. */
        MOVEMENT,
        /** Ops that move or convert data into a fresh tensor. */
        DATA,
        /** Matrix products and convolutions. */
        CONTRACTION,
        /** Gather, scatter and sort order along an axis. */
        INDEX,
        /** Seeded random generators. */
        RANDOM
    }

    private final Kind kind;
    private final String label; // every op call and error message asks for it: made once

    Op(Kind kind) {
        this.kind = kind;
        this.label = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The group this op belongs to. */
    public Kind kind() {
        return kind;
    }

    /** Elementwise ops (unary, binary, ternary, cast) fuse into one loop. */
    public boolean isElementwise() {
        return kind == Kind.UNARY || kind == Kind.BINARY || kind == Kind.TERNARY || this == CAST;
    }

    /** Movement ops are views: no data moves in the eager engine. */
    public boolean isView() {
        return kind == Kind.MOVEMENT;
    }

    /** Comparison ops return bool. */
    public boolean isComparison() {
        return this == EQ || this == NE || this == LT || this == LE || this == GT || this == GE;
    }

    /** Lower-case name used in kernel names and messages, e.g. {@code reduce_sum}. */
    public String label() {
        return label;
    }
}
