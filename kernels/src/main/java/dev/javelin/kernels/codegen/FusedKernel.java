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

    /** Reduce-row kernels: the reduction of the loop's values. */
    default float reduce(Object[] arrays, int[] offsets, int[][] maps, int n) {
        throw new UnsupportedOperationException(getClass().getName() + " is not a row reduction; call run");
    }
}
