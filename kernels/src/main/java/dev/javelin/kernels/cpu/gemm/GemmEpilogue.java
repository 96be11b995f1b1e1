package dev.javelin.kernels.cpu.gemm;

/**
 * Work that {@link Sgemm#multiply} runs on each block of C as soon as the block is final (every
 * k step added), while it is still in cache: a fused bias, activation or residual reading C. It is
 * called once per block, blocks disjoint and covering C, from whichever thread finished the block
 * (several at once); a parallel loop inside it runs inline on that thread.
 *
 * <pre>{@code
 * GemmEpilogue relu = (row0, rows, col0, cols) -> {
 *     for (int i = row0; i < row0 + rows; i++)
 *         for (int j = col0; j < col0 + cols; j++) y[i * n + j] = Math.max(0, c[i * n + j]);
 * };
 * Sgemm.multiply(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false, relu, null, 0);
 * }</pre>
 */
@FunctionalInterface
public interface GemmEpilogue {
    /** Rows {@code [row0, row0 + rows)} and columns {@code [col0, col0 + cols)} of C are final. */
    void apply(int row0, int rows, int col0, int cols);
}
