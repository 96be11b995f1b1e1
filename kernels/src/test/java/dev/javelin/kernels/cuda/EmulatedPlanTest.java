package dev.javelin.kernels.cuda;

import static dev.javelin.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The planners end to end on {@link EmulatedRunner}: every primitive on random shapes (odd sizes, 1,
 * 0), non-contiguous and broadcast operands, against the reference backend, twice: once with each
 * kernel's documented contract carried out in Java (checks the host side: which kernels, which
 * arguments), once with the generated PTX itself run by {@link PtxInterpreter} (checks the kernels'
 * logic: indexing, loops, predicates, shuffles, barriers). The tensor-core kernel and the GPU's
 * approximate instructions are only checked on a GPU ({@link CudaBackendGpuTest}).
 */
class EmulatedPlanTest {
    private final RandomTensors rnd = new RandomTensors(11);
    private EmulatedRunner emu = new EmulatedRunner();

    /** Runs op on the reference (host views) and on the emulated device (same layouts), and compares. */
    private void check(Op op, List<Tensor> host, OpAttrs attrs, Shape shape, DType dtype, double tol) {
        Tensor expected = Tensor.wrap(HeapStorage.allocate(dtype, shape.sizeAsInt()), shape);
        Backends.reference().execute(new OpCall(op, host, attrs, shape, dtype, Device.CPU), expected);
        List<Tensor> dev = new ArrayList<>();
        for (Tensor h : host) dev.add(emu.upload(h));
        Tensor out = emu.output(dtype, shape);
        CudaKernels.execute(emu, new OpCall(op, dev, attrs, shape, dtype, Device.cuda(0)), out);
        assertClose(expected, emu.download(out), tol, tol);
    }

    /** {@code x} (of a shape that broadcasts to {@code target}) as a stride-0 EXPAND view. */
    private static Tensor expandView(Tensor x, Shape target) {
        int lead = target.rank() - x.rank();
        int[] strides = new int[target.rank()];
        int[] xs = x.strides();
        for (int d = 0; d < x.rank(); d++) strides[lead + d] = x.dim(d) == 1 && target.dim(lead + d) != 1 ? 0 : xs[d];
        return Tensor.wrap(x.storage(), target, strides, x.offset());
    }

    private Tensor any(Shape s, DType t) {
        return rnd.anyLayout(rnd.uniform(s, t));
    }

    @ParameterizedTest(name = "interpretPtx={0}")
    @ValueSource(booleans = {false, true})
    void elementwiseOnAnyLayoutWithBroadcasting(boolean interpretPtx) {
        emu = new EmulatedRunner(interpretPtx);
        for (int trial = 0; trial < 12; trial++) {
            Shape s = rnd.shape(4, 6);
            check(Op.EXP, List.of(any(s, DType.FLOAT32)), OpAttrs.NONE, s, DType.FLOAT32, 1e-6);
            check(Op.ABS, List.of(any(s, DType.INT32)), OpAttrs.NONE, s, DType.INT32, 0);
            for (Op op : List.of(Op.ADD, Op.MUL, Op.LT, Op.MAX)) {
                Tensor a = any(s, DType.FLOAT32);
                Tensor b = expandView(any(rnd.broadcastableTo(s), DType.FLOAT32), s);
                check(op, List.of(a, b), OpAttrs.NONE, s, op == Op.LT ? DType.BOOL : DType.FLOAT32, 1e-6);
            }
            Tensor c = any(s, DType.BOOL);
            check(Op.WHERE, List.of(c, any(s, DType.INT64), expandView(any(Shape.of(1), DType.INT64).reshape(), s)), OpAttrs.NONE, s,
                    DType.INT64, 0);
            check(Op.CAST, List.of(any(s, DType.FLOAT32)), OpAttrs.NONE, s, DType.INT32, 0);
            check(Op.CAST, List.of(any(s, DType.INT64)), OpAttrs.NONE, s, DType.FLOAT64, 0);
            check(Op.CONTIGUOUS, List.of(any(s, DType.FLOAT64)), OpAttrs.NONE, s, DType.FLOAT64, 0);
        }
    }

    @ParameterizedTest(name = "interpretPtx={0}")
    @ValueSource(booleans = {false, true})
    void reductionsOverRandomAxesIncludingTheSplitPath(boolean interpretPtx) {
        emu = new EmulatedRunner(interpretPtx);
        for (int trial = 0; trial < 16; trial++) {
            Shape s = trial % 4 == 0 ? rnd.shape(2, 200) : rnd.shape(4, 9); // long rows take the block kernel
            int axis = rnd.nextInt(0, s.rank() - 1);
            boolean keep = trial % 3 == 0;
            Tensor x = any(s, trial % 5 == 0 ? DType.INT64 : DType.FLOAT32);
            int[] axes = trial % 2 == 0 ? new int[] {axis} : new int[] {0, s.rank() - 1};
            if (axes[0] == axes[axes.length - 1]) axes = new int[] {axes[0]};
            DType sumType = x.dtype();
            check(Op.REDUCE_SUM, List.of(x), new OpAttrs.Reduce(axes, keep), Ops.reducedShape(s, axes, keep), sumType, 1e-5);
            if (s.size() == 0) continue;
            for (Op op : List.of(Op.REDUCE_MAX, Op.REDUCE_MIN)) {
                boolean empty = false;
                for (int a : axes) empty |= s.dim(a) == 0;
                if (!empty) check(op, List.of(x), new OpAttrs.Reduce(axes, keep), Ops.reducedShape(s, axes, keep), x.dtype(), 0);
            }
            for (Op op : List.of(Op.ARGMAX, Op.ARGMIN)) {
                int[] one = {axis};
                check(op, List.of(x), new OpAttrs.Reduce(one, keep), Ops.reducedShape(s, one, keep), DType.INT64, 0);
            }
        }
        Tensor longRow = rnd.uniform(Shape.of(3, 70_001), DType.FLOAT32);
        check(Op.REDUCE_SUM, List.of(longRow), new OpAttrs.Reduce(new int[] {1}, false), Shape.of(3), DType.FLOAT32, 1e-5);
        check(Op.REDUCE_MAX, List.of(longRow), new OpAttrs.Reduce(new int[] {0, 1}, true), Shape.of(1, 1), DType.FLOAT32, 0);
    }

    @ParameterizedTest(name = "interpretPtx={0}")
    @ValueSource(booleans = {false, true})
    void matmulWithOddSizesBatchesBroadcastAndTransposedOperands(boolean interpretPtx) {
        emu = new EmulatedRunner(interpretPtx);
        int[][] mkn = {{1, 1, 1}, {5, 7, 3}, {9, 4, 12}, {3, 0, 2}, {17, 33, 8}};
        for (int[] d : mkn) {
            Tensor a = any(Shape.of(2, d[0], d[1]), DType.FLOAT32);
            Tensor b = any(Shape.of(2, d[1], d[2]), DType.FLOAT32);
            check(Op.MATMUL, List.of(a, b), OpAttrs.NONE, Shape.of(2, d[0], d[2]), DType.FLOAT32, 1e-5);
            Tensor shared = expandView(any(Shape.of(1, d[1], d[2]), DType.FLOAT32), Shape.of(2, d[1], d[2]));
            check(Op.MATMUL, List.of(a, shared), OpAttrs.NONE, Shape.of(2, d[0], d[2]), DType.FLOAT32, 1e-5);
            Tensor bt = rnd.transposedView(rnd.uniform(Shape.of(d[1], d[2]), DType.FLOAT64));
            Tensor a2 = any(Shape.of(d[0], d[1]), DType.FLOAT64);
            check(Op.MATMUL, List.of(a2, bt), OpAttrs.NONE, Shape.of(d[0], d[2]), DType.FLOAT64, 1e-12);
        }
        Tensor x = rnd.uniform(Shape.of(2, 3, 4, 8), DType.FLOAT32); // two batch dims
        Tensor y = rnd.uniform(Shape.of(2, 3, 8, 4), DType.FLOAT32);
        check(Op.MATMUL, List.of(x, y), OpAttrs.NONE, Shape.of(2, 3, 4, 4), DType.FLOAT32, 1e-5);
    }

    @ParameterizedTest(name = "interpretPtx={0}")
    @ValueSource(booleans = {false, true})
    void convolutionsForwardAndBackwardAndFold(boolean interpretPtx) {
        emu = new EmulatedRunner(interpretPtx);
        OpAttrs.Conv[] convs = {new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1), new OpAttrs.Conv(2, 2, 1, 0, 0, 1, 2, 1, 2),
                new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1), new OpAttrs.Conv(2, 1, 0, 2, 1, 1, 1, 2, 4)};
        int[] k = {3, 3, 1, 2};
        for (int i = 0; i < convs.length; i++) {
            OpAttrs.Conv c = convs[i];
            Tensor x = any(Shape.of(2, 7, 6, 4), DType.FLOAT32);
            Tensor f = any(Shape.of(k[i], k[i], 4 / c.groups(), 8), DType.FLOAT32);
            Shape y = Ops.convOutputShape(x.shape(), f.shape(), c);
            Tensor dy = any(y, DType.FLOAT32);
            check(Op.CONV2D, List.of(x, f), c, y, DType.FLOAT32, 1e-5);
            check(Op.CONV2D_BACKWARD_INPUT, List.of(dy, f), c, x.shape(), DType.FLOAT32, 1e-5);
            check(Op.CONV2D_BACKWARD_FILTER, List.of(x, dy), c, f.shape(), DType.FLOAT32, 1e-5);
        }
        OpAttrs.Window w = new OpAttrs.Window(2, 3, 2, 1, 1, 2);
        Shape img = Shape.of(2, 7, 8, 3);
        Shape win = Shape.of(2, 3, 4, 2, 3, 3);
        check(Op.FOLD, List.of(any(win, DType.FLOAT64)), w, img, DType.FLOAT64, 1e-12);
    }

    @ParameterizedTest(name = "interpretPtx={0}")
    @ValueSource(booleans = {false, true})
    void padGatherScatterAndRandom(boolean interpretPtx) {
        emu = new EmulatedRunner(interpretPtx);
        Tensor x = any(Shape.of(4, 5, 3), DType.FLOAT32);
        OpAttrs.Pad p = new OpAttrs.Pad(new int[] {1, 0, 2}, new int[] {0, 3, 1}, new int[] {0, 1, 2}, -7);
        check(Op.PAD, List.of(x), p, Shape.of(5, 12, 10), DType.FLOAT32, 0);
        Tensor ix = any(Shape.of(3, 2), DType.INT64);
        check(Op.PAD, List.of(ix), new OpAttrs.Pad(new int[] {0, 1}, new int[] {2, 0}, new int[] {1, 0}, 9), Shape.of(7, 3), DType.INT64, 0);
        Tensor idx = rnd.anyLayout(rnd.labels(Shape.of(4, 2, 3), 5, DType.INT64));
        check(Op.GATHER, List.of(x, idx), new OpAttrs.Axis(1), idx.shape(), DType.FLOAT32, 0);
        Tensor idx32 = rnd.anyLayout(rnd.labels(Shape.of(2, 5, 3), 4, DType.INT32));
        Tensor src = any(Shape.of(2, 5, 3), DType.FLOAT32);
        check(Op.SCATTER_ADD, List.of(x, idx32, src), new OpAttrs.Axis(0), x.shape(), DType.FLOAT32, 1e-6);
        Tensor bad = rnd.labels(Shape.of(4, 2, 3), 9, DType.INT64);
        assertThrows(IndexOutOfBoundsException.class,
                () -> check(Op.GATHER, List.of(x, bad), new OpAttrs.Axis(1), bad.shape(), DType.FLOAT32, 0));
        Tensor seed = Tensor.wrap(HeapStorage.wrap(new long[] {42}), Shape.scalar());
        check(Op.RANDOM_UNIFORM, List.of(seed), OpAttrs.NONE, Shape.of(3, 333), DType.FLOAT32, 0);
    }
}
