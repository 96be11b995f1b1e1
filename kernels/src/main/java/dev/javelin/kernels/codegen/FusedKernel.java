package dev.javelin.kernels.codegen;

/**
 * What a generated kernel class implements. Arrays and offsets are per slot (inputs, then the
 * output); {@code maps} holds the gather map of each strided slot. A kernel covers positions
 * {@code [0, n)} of its loop; the launcher supplies the offsets of position 0.
 */
public interface FusedKernel {
    /** Elementwise and reduce-columns kernels: write (or combine into) the output slot. */
    default void run(Object[] arrays, int[] offsets, int[][] maps, int n) {
        throw new UnsupportedOperationException(getClass().getName() + " is a row reduction; call reduce");
    }

    /**
     * Elementwise and reduce-columns kernels over {@code rows} rows in order: {@link #run} at
     * {@code offsets}, then at each slot's offset plus {@code rowStrides[s]}, and so on (a column sum's
     * rows, combined into the same output row in order; its output's row stride is 0). {@code offsets} is
     * left as it was. A generated class writes this loop into itself, so its rows cost no call.
     */
    default void runRows(Object[] arrays, int[] offsets, int[][] maps, int n, int[] rowStrides, int rows) {
        int[] at = offsets.clone();
        for (int r = 0; r < rows; r++) {
            run(arrays, at, maps, n);
            for (int s = 0; s < at.length; s++) at[s] += rowStrides[s];
        }
    }

    /** Reduce-row kernels: the reduction of the loop's values. */
    default float reduce(Object[] arrays, int[] offsets, int[][] maps, int n) {
        throw new UnsupportedOperationException(getClass().getName() + " is not a row reduction; call run");
    }

    /**
     * Reduce-row kernels over {@code rows} rows in order, each of its own length: {@code results[r]} is
     * {@link #reduce} over positions {@code [0, lengths[r])} at each slot's offset plus {@code r·rowStrides[s]}
     * (a kernel that {@link dev.javelin.kernels.ir.KernelIR#storesValue stores its value} stores it along each
     * row), the same bits; {@code offsets} is left as it was. A generated class writes this loop into itself, so
     * its rows cost no call (the attention's score rows, each a causal row's visible length).
     */
    default void reduceRows(Object[] arrays, int[] offsets, int[][] maps, int[] lengths, int[] rowStrides, int rows, float[] results) {
        int[] at = offsets.clone();
        for (int r = 0; r < rows; r++) {
            results[r] = reduce(arrays, at, maps, lengths[r]);
            for (int s = 0; s < at.length; s++) at[s] += rowStrides[s];
        }
    }
}
