package dev.javelin.kernels.cpu;

import dev.javelin.tensor.AttentionLayout;
import dev.javelin.tensor.Tensor;

/**
 * A float32 operand [B...,R,C] of the attention kernels, addressed through its strides: where each
 * flattened batch entry starts, and the row and column strides. Transposed, sliced and broadcast
 * (stride 0) views are read in place, so a head split by a permute or a mask broadcast over heads
 * costs no copy.
 */
record AttentionOperand(float[] data, int[] batchOffsets, int rowStride, int colStride) {
    static AttentionOperand of(Tensor t) {
        int rank = t.rank();
        int[] strides = t.strides();
        int batch = 1;
        for (int d = 0; d < rank - 2; d++) batch *= t.dim(d);
        int[] offsets = new int[batch];
        for (int b = 0; b < batch; b++) {
            int off = t.offset(), rest = b;
            for (int d = rank - 3; d >= 0; d--) {
                off += (rest % t.dim(d)) * strides[d];
                rest /= t.dim(d);
            }
            offsets[b] = off;
        }
        return new AttentionOperand(Elementwise.heap(t).floats(), offsets, strides[rank - 2], strides[rank - 1]);
    }

    /**
     * The output [B...,Tq,Dv] (logsumexp false) or the logsumexp [B...,Tq,1] (true) inside a forward's packed
     * result, as {@code layout} places them in a dense one: read in place when it is dense, else from a dense copy.
     */
    static AttentionOperand packed(Tensor t, AttentionLayout layout, boolean logsumexp) {
        boolean dense = t.isContiguous();
        int base = dense ? t.offset() : 0;
        int[] offsets = new int[layout.batch()];
        for (int b = 0; b < offsets.length; b++) offsets[b] = base + (logsumexp ? layout.logsumexp(b, 0) : layout.outputRow(b, 0));
        return new AttentionOperand(dense ? Elementwise.heap(t).floats() : Elementwise.denseFloats(t), offsets,
                logsumexp ? layout.logsumexpRowStride() : layout.outputRowStride(), 1);
    }

    /** The same operand with rows and columns swapped: a view, nothing copied. */
    AttentionOperand transposed() {
        return new AttentionOperand(data, batchOffsets, colStride, rowStride);
    }

    /** The array index of element (row, col) of batch entry b. */
    int at(int b, int row, int col) {
        return batchOffsets[b] + row * rowStride + col * colStride;
    }
}
