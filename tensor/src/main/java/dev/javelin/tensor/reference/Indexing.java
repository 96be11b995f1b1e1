package dev.javelin.tensor.reference;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Strided;

/**
 * GATHER and SCATTER_ADD along one axis (torch.gather / torch.scatter_add semantics). An index outside
 * {@code [0, size)} of the axis throws {@link IndexOutOfBoundsException} naming the op, the index and
 * the size: a wrong label must never turn into a silent NaN or a read of a neighbour's memory.
 */
final class Indexing {
    private Indexing() {}

    /** out[p] = x[p with coordinate {@code axis} replaced by idx[p]]. */
    static void gather(OpCall call, Tensor out) {
        Tensor x = call.input(0), idxT = call.input(1);
        int axis = call.attrs(OpAttrs.Axis.class).axis();
        int size = x.dim(axis);
        long[] idx = Dense.longs(idxT);
        int[] base = baseOffsets(idxT, x.shape().contiguousStrides(), axis);
        int axisStride = x.shape().contiguousStrides()[axis];
        if (x.dtype().isFloating()) {
            double[] v = Dense.doubles(x);
            double[] r = new double[idx.length];
            for (int i = 0; i < idx.length; i++) r[i] = v[base[i] + checked("gather", idx[i], size, axis) * axisStride];
            Dense.store(out, r);
        } else {
            long[] v = Dense.longs(x);
            long[] r = new long[idx.length];
            for (int i = 0; i < idx.length; i++) r[i] = v[base[i] + checked("gather", idx[i], size, axis) * axisStride];
            Dense.store(out, r);
        }
    }

    /** out = base; out[p with coordinate {@code axis} replaced by idx[p]] += src[p], in row-major order of p. */
    static void scatterAdd(OpCall call, Tensor out) {
        Tensor baseT = call.input(0), idxT = call.input(1), srcT = call.input(2);
        int axis = call.attrs(OpAttrs.Axis.class).axis();
        int size = baseT.dim(axis);
        long[] idx = Dense.longs(idxT);
        int[] strides = baseT.shape().contiguousStrides();
        int[] base = baseOffsets(idxT, strides, axis);
        int axisStride = strides[axis];
        int[] target = new int[idx.length];
        for (int i = 0; i < idx.length; i++) target[i] = base[i] + checked("scatter_add", idx[i], size, axis) * axisStride;
        if (baseT.dtype().isFloating()) {
            double[] acc = Dense.doubles(baseT), src = Dense.doubles(srcT);
            for (int i = 0; i < idx.length; i++) acc[target[i]] += src[i];
            Dense.store(out, acc);
        } else {
            long[] acc = Dense.longs(baseT), src = Dense.longs(srcT);
            for (int i = 0; i < idx.length; i++) acc[target[i]] += src[i];
            Dense.store(out, acc);
        }
    }

    /** Dense offsets (in a tensor with {@code strides}) of each index position with its axis coordinate set to 0. */
    private static int[] baseOffsets(Tensor idx, int[] strides, int axis) {
        int[] s = strides.clone();
        s[axis] = 0;
        return Strided.offsets(idx.shape(), s, 0);
    }

    private static int checked(String op, long index, int size, int axis) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(op + ": index " + index + " is out of range for axis " + axis + " of size " + size);
        }
        return (int) index;
    }
}
