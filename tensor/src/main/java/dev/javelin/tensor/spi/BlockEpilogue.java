package dev.javelin.tensor.spi;

/**
 * Work that {@link Backend#contract} runs on each block of a contraction's result as soon as the
 * block is final (every product term added), while it is still in cache: how the JIT fuses a bias,
 * an activation or a residual into a matmul or convolution. The result is seen as a matrix of
 * {@code size / lastDim} rows and {@code lastDim} columns; blocks are disjoint and cover it, and
 * may be handed over from several threads at once.
 *
 * <pre>{@code
 * float[] c = ..., y = ...;                      // the result and the epilogue's output, n columns
 * BlockEpilogue relu = (row0, rows, col0, cols) -> {
 *     for (int i = row0; i < row0 + rows; i++)
 *         for (int j = col0; j < col0 + cols; j++) y[i * n + j] = Math.max(0, c[i * n + j]);
 * };
 * Backends.forDevice(Device.CPU).contract(matmulCall, cTensor, relu);
 * }</pre>
 */
@FunctionalInterface
public interface BlockEpilogue {
    /** Rows {@code [row0, row0 + rows)} and columns {@code [col0, col0 + cols)} of the result are final. */
    void apply(int row0, int rows, int col0, int cols);
}
