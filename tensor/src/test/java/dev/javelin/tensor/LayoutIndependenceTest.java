package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.spi.HeapStorage;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Random shapes (odd sizes, 1, 0) and random layouts: every op must give bit-identical results on a
 * dense input and on a strided, offset or transposed view holding the same values, in every dtype the
 * op accepts.
 */
class LayoutIndependenceTest {
    private final SplittableRandom random = new SplittableRandom(2024);

    private Shape randomShape(int maxRank) {
        int rank = random.nextInt(1, maxRank + 1);
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            int pick = random.nextInt(8);
            d[i] = pick == 0 ? 1 : pick == 1 ? 0 : random.nextInt(1, 6);
        }
        return Shape.of(d);
    }

    private Tensor randomValues(Shape s, DType dt) {
        HeapStorage h = HeapStorage.allocate(dt, s.sizeAsInt());
        for (int i = 0; i < h.length(); i++) {
            if (dt.isFloating()) h.setDouble(i, random.nextDouble(-3, 3));
            else h.setLong(i, random.nextLong(-4, 5));
        }
        return Tensor.wrap(h, s);
    }

    /** The same values behind gaps and an offset (like base[1::2, 1::2]) or axis-reversed storage. */
    private Tensor asView(Tensor x) {
        int r = x.rank();
        int[] dims = x.shape().toArray();
        int[] strides = new int[r];
        int acc = 1, offset = 0;
        boolean reversed = random.nextBoolean();
        for (int k = 0; k < r; k++) {
            int d = reversed ? k : r - 1 - k;
            strides[d] = reversed ? acc : 2 * acc;
            if (!reversed) offset += acc;
            acc *= reversed ? Math.max(dims[d], 1) : 2 * Math.max(dims[d], 1) + 1;
        }
        HeapStorage src = x.toHost(), dst = HeapStorage.allocate(x.dtype(), Math.max(acc, 1));
        int[] idx = new int[r];
        for (int i = 0; i < x.size(); i++) {
            int pos = offset;
            for (int d = 0; d < r; d++) pos += idx[d] * strides[d];
            if (x.dtype().isFloating()) dst.setDouble(pos, src.getDouble(i));
            else dst.setLong(pos, src.getLong(i));
            for (int d = r - 1; d >= 0; d--) {
                if (++idx[d] < dims[d]) break;
                idx[d] = 0;
            }
        }
        return Tensor.wrap(dst, x.shape(), strides, offset);
    }

    private void same(String what, Tensor dense, Function<Tensor, Tensor> op) {
        Tensor expected = op.apply(dense);
        Tensor actual = op.apply(asView(dense));
        assertEquals(expected.shape(), actual.shape(), what);
        assertEquals(expected.dtype(), actual.dtype(), what);
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), what + " on " + dense.shape());
    }

    @Test
    void unaryBinaryAndWhereInEveryDtype() {
        for (int trial = 0; trial < 30; trial++) {
            Shape s = randomShape(4);
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.BOOL}) {
                Tensor x = randomValues(s, dt);
                Tensor other = randomValues(s, dt);
                for (Op op : Op.values()) {
                    if (op.kind() == Op.Kind.UNARY && (dt != DType.BOOL || op == Op.LOGICAL_NOT)) {
                        same(op + " " + dt, x, t -> Ops.unary(op, t));
                    }
                    if (op.kind() == Op.Kind.BINARY && (dt != DType.BOOL || op.isComparison() || op == Op.MAX || op == Op.MIN)) {
                        same(op + " " + dt, x, t -> Ops.binary(op, t, other));
                        same(op + " " + dt + " (right)", other, t -> Ops.binary(op, x, t));
                    }
                }
                Tensor cond = randomValues(s, DType.BOOL);
                same("where " + dt, x, t -> Ops.where(cond, t, other));
                for (DType to : DType.values()) same("cast " + dt + "->" + to, x, t -> t.cast(to));
            }
        }
    }

    @Test
    void reductionsOverRandomAxes() {
        for (int trial = 0; trial < 40; trial++) {
            Shape s = randomShape(4);
            int axis = random.nextInt(s.rank());
            boolean keep = random.nextBoolean();
            for (DType dt : new DType[] {DType.FLOAT32, DType.INT32, DType.INT64, DType.FLOAT64}) {
                Tensor x = randomValues(s, dt);
                same("sum " + dt, x, t -> t.sum(new int[] {axis}, keep));
                same("sum all " + dt, x, t -> t.sum());
                if (s.dim(axis) > 0) {
                    same("max " + dt, x, t -> t.max(new int[] {axis}, keep));
                    same("min " + dt, x, t -> t.min(new int[] {-s.rank() + axis}, keep));
                    same("argmax " + dt, x, t -> Ops.reduce(Op.ARGMAX, t, new int[] {axis}, keep));
                    same("argmin " + dt, x, t -> Ops.reduce(Op.ARGMIN, t, new int[] {axis}, keep));
                }
            }
        }
    }

    @Test
    void contractionsIndexingAndDataMovement() {
        for (int trial = 0; trial < 15; trial++) {
            int m = random.nextInt(0, 5), k = random.nextInt(0, 5), n = random.nextInt(1, 5);
            Tensor a = randomValues(Shape.of(2, m, k), DType.FLOAT32);
            Tensor b = randomValues(Shape.of(k, n), DType.FLOAT32);
            same("matmul lhs", a, t -> t.matmul(b));
            same("matmul rhs", b, t -> a.matmul(t));
            // W at least 5: the "valid" conv below has a window 5 wide (kernel 3, dilation 2)
            Tensor x = randomValues(Shape.of(2, random.nextInt(3, 7), random.nextInt(5, 8), 2), DType.FLOAT64);
            Tensor f = randomValues(Shape.of(2, 3, 1, 4), DType.FLOAT64);
            int stride = random.nextInt(1, 3);
            same("conv2d x", x, t -> NN.conv2d(t, f, new int[] {stride, stride}, "same", null, 2));
            same("conv2d filter", f, t -> NN.conv2d(x, t, new int[] {stride, 1}, "valid", new int[] {1, 2}, 2));
            same("pad", x, t -> Ops.pad(t, new int[] {0, 1, 2, 0}, new int[] {1, 0, 1, 0}, new int[] {0, 1, 0, 1}, -7));
            same("maxPool", x, t -> NN.maxPool2d(t, new int[] {2, 3}, new int[] {stride, 1}, "same"));
            Tensor idx = Tensors.randint(Shape.of(2, 2, 3, 2), 0, x.dim(1), trial);
            same("gather", x, t -> IndexingOps.gather(t, 1, idx));
            Tensor src = randomValues(idx.shape(), DType.FLOAT64);
            same("scatter_add base", x, t -> IndexingOps.scatterAdd(t, 1, idx, src));
            same("scatter_add src", src, t -> IndexingOps.scatterAdd(x, 1, idx, t));
            same("contiguous", x, Tensor::contiguous);
        }
    }
}
