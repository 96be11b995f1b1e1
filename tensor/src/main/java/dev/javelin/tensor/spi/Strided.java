package dev.javelin.tensor.spi;

import dev.javelin.tensor.Shape;

/**
 * Walks the elements of a strided view in row-major order of its shape. The simple, obviously
 * correct way to address any view; fast kernels special-case dense and broadcast layouts instead.
 */
public final class Strided {
    private Strided() {}

    /** The storage index of every element of the view, in row-major order. */
    public static int[] offsets(Shape shape, int[] strides, int offset) {
        int n = shape.sizeAsInt();
        int[] out = new int[n];
        int rank = shape.rank();
        if (n == 0) return out;
        int[] dims = shape.toArray();
        int[] idx = new int[rank];
        int pos = offset;
        for (int i = 0; i < n; i++) {
            out[i] = pos;
            for (int d = rank - 1; d >= 0; d--) { // odometer increment
                idx[d]++;
                pos += strides[d];
                if (idx[d] < dims[d]) break;
                pos -= strides[d] * dims[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    /** Storage index of the element at {@code index} (one coordinate per dimension). */
    public static int offsetOf(int[] index, int[] strides, int offset) {
        int pos = offset;
        for (int d = 0; d < index.length; d++) pos += index[d] * strides[d];
        return pos;
    }
}
