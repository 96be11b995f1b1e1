package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Unary, binary, where and cast kernels against the reference backend on random shapes (odd sizes,
 * 1, 0), every layout (dense, transposed, strided, broadcast) and every dtype each op accepts.
 * Tolerance: exact for arithmetic, comparisons, rounding and casts; transcendentals within 2e-6
 * relative + 1e-6 absolute in float32 (1e-13 in float64).
 */
class ElementwiseKernelTest {
    private static final Set<Op> POSITIVE_DOMAIN = EnumSet.of(Op.LOG, Op.SQRT);

    private final KernelHarness h = new KernelHarness();

    @Test
    void unaryOpsMatchTheReferenceOnEveryLayout() {
        try (var s = Dispatch.use(h)) {
            for (Op op : Op.values()) {
                if (op.kind() != Op.Kind.UNARY) continue;
                for (DType dt : DType.values()) {
                    if (!accepts(op, dt)) continue;
                    for (int trial = 0; trial < 4; trial++) {
                        double lo = POSITIVE_DOMAIN.contains(op) && trial < 3 ? 0.01 : -6;
                        Tensor x = h.random(dt, h.shape(4, 9), h.anyLayout(), lo, 6);
                        Ops.unary(op, x);
                    }
                }
            }
        }
        assertTrue(h.compared > 50, "compared " + h.compared);
    }

    @Test
    void floatUnaryOpsHandleSpecialValuesAndLongRows() {
        float[] special = {0f, -0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, 1e-30f, -1e-30f, 8388607.5f, 8388609f,
            3e9f, -3e9f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, 88.7f, -103f, 1e-4f, 0.4999f, 0.5001f};
        try (var s = Dispatch.use(h)) {
            for (Op op : Op.values()) {
                if (op.kind() != Op.Kind.UNARY || op == Op.LOGICAL_NOT) continue;
                if (op == Op.SIN || op == Op.COS) continue; // huge arguments: both sides are right to within range reduction
                Ops.unary(op, Tensor.wrap(HeapStorage.wrap(special.clone()), Shape.of(special.length)));
            }
            // Long rows cross the parallel chunk size and the vector tails.
            for (Op op : new Op[] {Op.EXP, Op.TANH, Op.ERF, Op.SIGMOID, Op.RELU, Op.ROUND}) {
                Ops.unary(op, h.random(DType.FLOAT32, Shape.of(StridedLoop.CHUNK * 2 + 13), KernelHarness.Layout.DENSE, -5, 5));
            }
            // Several rows, each longer than a chunk, each cut into pieces (a broadcast row, a strided and a transposed operand).
            Shape rows = Shape.of(3, StridedLoop.CHUNK + 7);
            Tensor bias = h.random(DType.FLOAT32, Shape.of(1, StridedLoop.CHUNK + 7), KernelHarness.Layout.DENSE, -5, 5);
            for (KernelHarness.Layout layout : KernelHarness.Layout.values()) {
                Ops.binary(Op.ADD, h.random(DType.FLOAT32, rows, layout, -5, 5), bias);
                Ops.unary(Op.TANH, h.random(DType.FLOAT32, rows, layout, -5, 5));
            }
        }
        assertTrue(h.compared >= 20, "compared " + h.compared);
    }

    @Test
    void binaryOpsBroadcastAcrossDtypesAndLayouts() {
        try (var s = Dispatch.use(h)) {
            for (Op op : Op.values()) {
                if (op.kind() != Op.Kind.BINARY) continue;
                for (DType dt : DType.values()) {
                    boolean boolOk = op.isComparison() || op == Op.MAX || op == Op.MIN;
                    if (dt == DType.BOOL && !boolOk) continue;
                    for (int trial = 0; trial < 4; trial++) {
                        Shape shape = h.shape(4, 9);
                        Shape other = trial % 2 == 0 ? shape : broadcastable(shape);
                        double lo = op == Op.POW ? 0.1 : -5;
                        Tensor a = h.random(dt, shape, h.anyLayout(), lo, 5);
                        Tensor b = h.random(dt, other, h.anyLayout(), op == Op.POW ? -3 : -5, op == Op.POW ? 3 : 5);
                        if (trial == 3) Ops.binary(op, b, a);
                        else Ops.binary(op, a, b);
                    }
                }
            }
            // A scalar and a bias row on long rows: the broadcast fast paths and the parallel split.
            Tensor big = h.random(DType.FLOAT32, Shape.of(700, 129), KernelHarness.Layout.DENSE, -3, 3);
            Ops.binary(Op.ADD, big, h.random(DType.FLOAT32, Shape.of(129), KernelHarness.Layout.DENSE, -1, 1));
            Ops.binary(Op.MUL, big, h.random(DType.FLOAT32, Shape.of(700, 1), KernelHarness.Layout.DENSE, -1, 1));
            Ops.binary(Op.DIV, Ops.scalarLike(big, 3), big);
            Ops.binary(Op.GT, big, h.random(DType.FLOAT32, Shape.of(129), KernelHarness.Layout.DENSE, -1, 1));
        }
        assertTrue(h.compared > 100, "compared " + h.compared);
    }

    @Test
    void specialValuesInBinaryOpsAndComparisons() {
        float[] a = {Float.NaN, 1f, -0f, 0f, Float.POSITIVE_INFINITY, 2f, -3f, Float.NaN, 5f, 1f, 0f, -1f, 7f, 8f, 9f, 10f, 11f};
        float[] b = {1f, Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, 2f, 0f, Float.NaN, -5f, 0.5f, 0f, 0f, 7f, 8f, 9f, 10f, 12f};
        try (var s = Dispatch.use(h)) {
            Tensor ta = Tensor.wrap(HeapStorage.wrap(a), Shape.of(a.length));
            Tensor tb = Tensor.wrap(HeapStorage.wrap(b), Shape.of(b.length));
            for (Op op : Op.values()) if (op.kind() == Op.Kind.BINARY) Ops.binary(op, ta, tb);
        }
        assertTrue(h.compared >= 13);
    }

    @Test
    void whereSelectsForEveryDtype() {
        try (var s = Dispatch.use(h)) {
            for (DType dt : DType.values()) {
                for (int trial = 0; trial < 4; trial++) {
                    Shape shape = h.shape(3, 40);
                    Tensor c = h.random(DType.BOOL, trial == 0 ? shape : broadcastable(shape), h.anyLayout(), 0, 1);
                    Ops.where(c, h.random(dt, shape), h.random(dt, broadcastable(shape), h.anyLayout(), -3, 3));
                }
            }
        }
        assertTrue(h.compared >= 20);
    }

    @Test
    void castsBetweenEveryPairOfDtypes() {
        try (var s = Dispatch.use(h)) {
            for (DType from : DType.values()) {
                for (DType to : DType.values()) {
                    if (from == to) continue;
                    Tensor x = h.random(from, h.shape(3, 11), h.anyLayout(), -1e3, 1e3);
                    Ops.cast(x, to);
                }
            }
            float[] special = {Float.NaN, 3e9f, -3e9f, -0.7f, 0.7f, -0f, Float.POSITIVE_INFINITY};
            Tensor sp = Tensor.wrap(HeapStorage.wrap(special), Shape.of(special.length));
            for (DType to : DType.values()) Ops.cast(sp, to);
            long[] big = {(1L << 53) + 1, Long.MAX_VALUE, Long.MIN_VALUE, 16777217L, -16777217L};
            Tensor lb = Tensor.wrap(HeapStorage.wrap(big), Shape.of(big.length));
            for (DType to : DType.values()) Ops.cast(lb, to);
        }
        assertTrue(h.compared >= 25, "compared " + h.compared);
    }

    /** Float to int saturates at the integer's range and NaN gives 0 (Java's cast), on a strided view as on dense data. */
    @Test
    void castFromFloatSaturates() {
        float[] special = {Float.NaN, 3e9f, -3e9f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e19f, -2.5f};
        Tensor x = Tensor.wrap(HeapStorage.wrap(special), Shape.of(special.length));
        int[] ints = {0, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, -2};
        long[] longs = {0, 3_000_000_000L, -3_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, -2};
        assertArrayEquals(ints, Ops.cast(x, DType.INT32).toIntArray());
        assertArrayEquals(longs, Ops.cast(x, DType.INT64).toLongArray());
        assertArrayEquals(ints, Ops.cast(x.cast(DType.FLOAT64), DType.INT32).toIntArray());
        Tensor strided = dev.javelin.tensor.ArrayOps.stack(java.util.List.of(x, x), 1).slice(1, 1, 2).reshape(special.length);
        assertArrayEquals(ints, Ops.cast(strided, DType.INT32).toIntArray());
    }

    @Test
    void contiguousCopiesAnyView() {
        int views = 0; // random shapes may come out contiguous (rank 1, sizes 0 and 1): count the real copies
        try (var s = Dispatch.use(h)) {
            for (DType dt : DType.values()) {
                for (int trial = 0; trial < 4; trial++) {
                    Tensor x = h.random(dt, h.shape(4, 9), KernelHarness.Layout.values()[1 + trial % 3], -5, 5);
                    if (!x.isContiguous()) {
                        Ops.contiguous(x);
                        views++;
                    }
                }
            }
            Ops.contiguous(h.random(DType.FLOAT32, Shape.of(300, 257), KernelHarness.Layout.TRANSPOSED, -1, 1));
        }
        assertEquals(views + 1, h.compared, "every copy was compared with the reference backend");
    }

    @Test
    void transposedOperandsOfLargeTensorsTakeTheTiledPaths() {
        try (var s = Dispatch.use(h)) {
            Tensor t = h.random(DType.FLOAT32, Shape.of(300, 257), KernelHarness.Layout.TRANSPOSED, -2, 2);
            Tensor d = h.random(DType.FLOAT32, Shape.of(300, 257), KernelHarness.Layout.DENSE, -2, 2);
            Ops.unary(Op.EXP, t);
            Ops.unary(Op.NEG, t);
            Ops.binary(Op.ADD, t, d);
            Ops.binary(Op.POW, Ops.unary(Op.ABS, d), t);
            Ops.cast(t, DType.FLOAT64);
            // A batch of transposed matrices: the tiles also walk an outer dim.
            Tensor batch = Ops.transpose(h.random(DType.FLOAT32, Shape.of(3, 131, 200), KernelHarness.Layout.DENSE, -2, 2), 1, 2);
            Ops.contiguous(batch);
            Ops.unary(Op.TANH, batch);
            Ops.binary(Op.MUL, batch, h.random(DType.FLOAT32, Shape.of(200, 131), KernelHarness.Layout.DENSE, -2, 2));
        }
        assertTrue(h.compared >= 9, "compared " + h.compared);
    }

    @Test
    void operandsThatAreAllOneBroadcastElement() {
        try (var s = Dispatch.use(h)) {
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
                Tensor a = Ops.expand(h.random(dt, Shape.of(1, 1), KernelHarness.Layout.DENSE, -3, 3), Shape.of(5, 37));
                Tensor b = Ops.expand(h.random(dt, Shape.of(1), KernelHarness.Layout.DENSE, -3, 3), Shape.of(5, 37));
                for (Op op : new Op[] {Op.ADD, Op.MUL, Op.MAX, Op.LT, Op.EQ, Op.GE}) Ops.binary(op, a, b);
                Ops.unary(Op.NEG, a);
                Ops.where(Ops.binary(Op.LT, a, b), a, b);
            }
            Tensor f = Ops.expand(h.random(DType.FLOAT32, Shape.of(1), KernelHarness.Layout.DENSE, -3, 3), Shape.of(33));
            for (Op op : new Op[] {Op.EXP, Op.TANH, Op.ERF, Op.ROUND}) Ops.unary(op, f);
        }
        assertTrue(h.compared >= 30, "compared " + h.compared);
    }

    private Shape broadcastable(Shape target) {
        int drop = h.rng.nextInt(target.rank() + 1);
        int[] d = target.sub(drop, target.rank()).toArray();
        for (int i = 0; i < d.length; i++) if (h.rng.nextInt(3) == 0) d[i] = 1;
        return Shape.of(d);
    }

    /** Every op takes every dtype but bool (Ops casts integers of the float-only ops to float32); LOGICAL_NOT takes all. */
    private static boolean accepts(Op op, DType dt) {
        return op == Op.LOGICAL_NOT || dt != DType.BOOL;
    }
}
