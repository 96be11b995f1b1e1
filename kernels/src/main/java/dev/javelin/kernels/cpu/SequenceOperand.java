package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;

/**
 * A float32 sequence operand {@code [batch, time, width]} of the recurrent loop ({@link RecurrenceLoop}):
 * read in place when its last axis is dense (any batch and time strides), else from a dense copy. With the
 * loops' small helpers: the transposed recurrent kernel and the split of the batch into one block per thread.
 */
record SequenceOperand(float[] data, int offset, int batchStride, int stepStride) {
    static SequenceOperand of(Tensor t) {
        int[] s = t.strides();
        if (s[2] == 1 || t.dim(2) == 1) return new SequenceOperand(Elementwise.heap(t).floats(), t.offset(), s[0], s[1]);
        return new SequenceOperand(Elementwise.denseFloats(t), 0, t.dim(1) * t.dim(2), t.dim(2));
    }

    /** Where row (example {@code b}, step {@code t}) starts. */
    int at(int b, int t) {
        return offset + b * batchStride + t * stepStride;
    }

    /** Examples per block: one block per thread, or all on the caller when the whole loop is small. */
    static int rowBlock(int n, long flopsPerRow) {
        if ((long) n * flopsPerRow < CpuThreads.SMALL_WORK) return Math.max(1, n);
        int threads = Math.min(n, CpuThreads.threads());
        return (n + threads - 1) / threads;
    }

    /** w [units, width] as its transpose [width, units], dense: the B operand of a backward step's GEMM, read in place. */
    static float[] transposed(Tensor w) {
        return Elementwise.denseFloats(Tensor.wrap(w.storage(), Shape.of(w.dim(1), w.dim(0)), new int[] {w.stride(1), w.stride(0)}, w.offset()));
    }
}
