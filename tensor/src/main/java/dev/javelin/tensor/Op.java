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
    // unary elementwise: same shape; floating dtype except NEG, ABS, SIGN (any numeric) and LOGICAL_NOT (bool)
    NEG(Kind.UNARY), ABS(Kind.UNARY), EXP(Kind.UNARY), LOG(Kind.UNARY), SQRT(Kind.UNARY),
    SIN(Kind.UNARY), COS(Kind.UNARY), TANH(Kind.UNARY), SIGMOID(Kind.UNARY), RELU(Kind.UNARY),
    RECIPROCAL(Kind.UNARY), SIGN(Kind.UNARY), FLOOR(Kind.UNARY), CEIL(Kind.UNARY),
    /** Rounds half to even, as NumPy and PyTorch do. */
    ROUND(Kind.UNARY),
    ERF(Kind.UNARY), LOGICAL_NOT(Kind.UNARY),
    // binary elementwise: two inputs of one shape and dtype
    ADD(Kind.BINARY), SUB(Kind.BINARY), MUL(Kind.BINARY), DIV(Kind.BINARY), POW(Kind.BINARY),
    MAX(Kind.BINARY), MIN(Kind.BINARY),
    /** Comparisons return bool. */
    EQ(Kind.BINARY), NE(Kind.BINARY), LT(Kind.BINARY), LE(Kind.BINARY), GT(Kind.BINARY), GE(Kind.BINARY),
    /** where(cond: bool, a, b): a and b share shape and dtype with cond's shape. */
    WHERE(Kind.TERNARY),
    // reductions over {@link OpAttrs.Reduce#axes()}
    REDUCE_SUM(Kind.REDUCE), REDUCE_MAX(Kind.REDUCE), REDUCE_MIN(Kind.REDUCE),
    /** Index (int64) of the first maximum along one axis. */
    ARGMAX(Kind.REDUCE),
    /** Index (int64) of the first minimum along one axis. */
    ARGMIN(Kind.REDUCE),
    // movement: views that share storage in the eager engine (no backend call) ...
    /** To {@link OpCall#shape()} with the same element count; copies first when strides forbid a view. */
    RESHAPE(Kind.MOVEMENT),
    PERMUTE(Kind.MOVEMENT),
    /** Same rank; dimensions of size 1 stretch to the output's (stride 0). */
    EXPAND(Kind.MOVEMENT),
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
    /** To {@link OpCall#dtype()}; float to int truncates toward zero, anything to bool is {@code != 0}. */
    CAST(Kind.DATA),
    /** Batched matrix product [B...,M,K] @ [B...,K,N], equal batch dims (broadcast became EXPAND). */
    MATMUL(Kind.CONTRACTION),
    /** NHWC input [N,H,W,Cin] with HWIO filter [KH,KW,Cin/groups,Cout] to [N,OH,OW,Cout]. */
    CONV2D(Kind.CONTRACTION),
    /** Gradient of CONV2D with respect to its input: (dy, filter) to dx. */
    CONV2D_BACKWARD_INPUT(Kind.CONTRACTION),
    /** Gradient of CONV2D with respect to its filter: (x, dy) to dfilter. */
    CONV2D_BACKWARD_FILTER(Kind.CONTRACTION),
    /** torch.gather: out[i][j] = x[idx[i][j]][j] along the axis; idx (int32/int64) has out's shape. */
    GATHER(Kind.INDEX),
    /** torch.scatter_add (out of place): base + src added at idx along the axis. */
    SCATTER_ADD(Kind.INDEX),
    /** Uniform [0, 1) from a counter-based generator keyed by an int64 scalar seed input. */
    RANDOM_UNIFORM(Kind.RANDOM),
    /** Standard normal, same keying as RANDOM_UNIFORM. */
    RANDOM_NORMAL(Kind.RANDOM);

    /** The groups a backend or a codegen pass handles together. */
    public enum Kind { UNARY, BINARY, TERNARY, REDUCE, MOVEMENT, DATA, CONTRACTION, INDEX, RANDOM }

    private final Kind kind;

    Op(Kind kind) {
        this.kind = kind;
    }

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
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
