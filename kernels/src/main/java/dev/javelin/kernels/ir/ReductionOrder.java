package dev.javelin.kernels.ir;

import dev.javelin.tensor.Op;

/**
 * The one order in which a float32 CPU reduction combines its values, so that a sum has the same
 * bits eager and compiled, at any thread count, whatever the input's layout. It depends only on the
 * shape and the reduced axes, read as a dense tensor would be: size-1 dims dropped, neighbouring dims
 * of the same kind (kept or reduced) merged.
 * <ul>
 *   <li>When the last of those dims is reduced, it is the row ({@link #rowLength}): each row is folded by
 *       the generated row loop (four rotating vector accumulators, then the lanes: an order fixed by the
 *       row's length), and each output combines its rows in row-major order, starting from the identity.
 *       A single output over more than {@link #BLOCK} elements combines blocks of {@link #BLOCK} (row by
 *       row) left to right instead, so the blocks can run on any thread.</li>
 *   <li>When it is kept, each output accumulates its reduced positions one by one, in row-major order,
 *       starting from the identity.</li>
 * </ul>
 * A walker that cannot follow this order over a view's strides (a transposed tensor, a broadcast
 * operand, dims that do not merge) reduces a dense copy of the value instead: eager
 * ({@code kernels.cpu.Reductions}) and the JIT's planner ({@code jit.plan.Lowering}) both do.
 *
 * <pre>{@code
 * ReductionOrder.rowLength(new int[] {300, 1, 77}, new boolean[] {true, false, true}); // 23100: one row
 * }</pre>
 */
public final class ReductionOrder {
    /** Elements per block when a single output reduces a long range. */
    public static final int BLOCK = 1 << 14;

    private ReductionOrder() {}

    /** The value a float32 REDUCE_SUM, REDUCE_MAX or REDUCE_MIN starts from: 0, -inf, +inf. */
    public static float identity(Op op) {
        return switch (op) {
            case REDUCE_SUM -> 0f;
            case REDUCE_MAX -> Float.NEGATIVE_INFINITY;
            case REDUCE_MIN -> Float.POSITIVE_INFINITY;
            default -> throw new IllegalArgumentException(op + " is not a float reduction (expected REDUCE_SUM, REDUCE_MAX or REDUCE_MIN)");
        };
    }

    /**
     * Two partial results of a float32 reduction combined, {@code a} first: {@code a + b}, or {@link Math#max}/{@link Math#min}
     * (NaN wins, -0 below +0): how every CPU walker joins rows, blocks and lanes.
     */
    public static float combine(Op op, float a, float b) {
        return switch (op) {
            case REDUCE_SUM -> a + b;
            case REDUCE_MAX -> Math.max(a, b);
            case REDUCE_MIN -> Math.min(a, b);
            default -> throw new IllegalArgumentException(op + " is not a float reduction (expected REDUCE_SUM, REDUCE_MAX or REDUCE_MIN)");
        };
    }

    /**
     * The length of the rows a reduction of {@code dims} over {@code reduced} folds: the product of the
     * trailing reduced dims (size-1 dims of either kind skipped); 0 when the last dim over 1 is kept
     * (the reduction accumulates), 1 when every dim is 1.
     */
    public static long rowLength(int[] dims, boolean[] reduced) {
        long row = 1;
        boolean any = false;
        for (int d = dims.length - 1; d >= 0; d--) {
            if (dims[d] == 1) continue;
            if (!reduced[d]) return any ? row : 0;
            row *= dims[d];
            any = true;
        }
        return row;
    }
}
