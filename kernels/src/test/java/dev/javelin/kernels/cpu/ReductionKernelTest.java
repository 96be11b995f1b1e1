package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reductions against the reference on random shapes, axes, layouts and dtypes, including long
 * blocked reductions and pooling-style reductions over UNFOLD windows. Tolerance: max, min and the
 * arg ops exact; float32 sums within 1e-5 relative + 8e-6 * sqrt(reduced count) absolute (the
 * reference sums in double).
 */
class ReductionKernelTest {
    private final KernelHarness h = new KernelHarness();

    @Test
    void everyReductionOverRandomAxesLayoutsAndDtypes() {
        try (var s = Dispatch.use(h)) {
            for (Op op : new Op[] {Op.REDUCE_SUM, Op.REDUCE_MAX, Op.REDUCE_MIN, Op.ARGMAX, Op.ARGMIN}) {
                for (DType dt : DType.values()) {
                    for (int trial = 0; trial < 6; trial++) {
                        Shape shape = h.shape(4, 12);
                        int[] axes = randomAxes(shape, op == Op.ARGMAX || op == Op.ARGMIN);
                        if (op != Op.REDUCE_SUM && hasEmpty(shape, axes)) continue; // no identity: Ops rejects it
                        Ops.reduce(op, h.random(dt, shape, h.anyLayout(), -50, 50), axes, h.rng.nextBoolean());
                    }
                }
            }
        }
        assertTrue(h.compared > 100, "compared " + h.compared);
    }

    @Test
    void longReductionsUseBlocksAndStayAccurate() {
        try (var s = Dispatch.use(h)) {
            Tensor flat = h.random(DType.FLOAT32, Shape.of(200_003), KernelHarness.Layout.DENSE, -1, 1);
            for (Op op : new Op[] {Op.REDUCE_SUM, Op.REDUCE_MAX, Op.REDUCE_MIN, Op.ARGMAX}) Ops.reduce(op, flat, new int[] {0}, false);
            Tensor tall = h.random(DType.FLOAT32, Shape.of(40_001, 3), KernelHarness.Layout.DENSE, -1, 1);
            Ops.reduce(Op.REDUCE_SUM, tall, new int[] {0}, false);          // column sums: rows accumulate, blocked
            Ops.reduce(Op.REDUCE_MAX, tall, new int[] {0}, true);
            Tensor rows = h.random(DType.FLOAT32, Shape.of(513, 1000), KernelHarness.Layout.TRANSPOSED, -1, 1);
            Ops.reduce(Op.REDUCE_SUM, rows, new int[] {1}, false);          // strided rows
            Ops.reduce(Op.REDUCE_SUM, rows, new int[] {0, 1}, false);
            Tensor cube = h.random(DType.FLOAT32, Shape.of(7, 300, 33), KernelHarness.Layout.STRIDED, -1, 1);
            Ops.reduce(Op.REDUCE_SUM, cube, new int[] {0, 2}, false);
            Ops.reduce(Op.REDUCE_SUM, cube, new int[] {0, 1}, false);
        }
        assertTrue(h.compared >= 10);
    }

    @Test
    void poolingReductionsOverUnfoldWindows() {
        try (var s = Dispatch.use(h)) {
            for (int trial = 0; trial < 6; trial++) {
                int c = trial == 0 ? 32 : 1 + h.rng.nextInt(20);
                Tensor x = h.random(DType.FLOAT32, Shape.of(1 + h.rng.nextInt(3), 5 + h.rng.nextInt(9), 5 + h.rng.nextInt(9), c),
                        trial % 2 == 0 ? KernelHarness.Layout.DENSE : h.anyLayout(), -3, 3);
                int k = 2 + h.rng.nextInt(2), stride = 1 + h.rng.nextInt(2);
                Tensor win = Ops.unfold(x, new OpAttrs.Window(k, k, stride, stride, 1, 1));
                Ops.reduce(Op.REDUCE_MAX, win, new int[] {3, 4}, false);
                Ops.reduce(Op.REDUCE_SUM, win, new int[] {3, 4}, false);
            }
        }
        assertTrue(h.compared >= 12);
    }

    @Test
    void nanPropagatesThroughMaxAndWinsArgmax() {
        float[] v = {1f, 3f, Float.NaN, 2f, 5f, -1f, 4f, 0f, 9f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, Float.NaN, 1f, 1f};
        try (var s = Dispatch.use(h)) {
            Tensor x = Tensor.wrap(HeapStorage.wrap(v), Shape.of(4, 5));
            for (Op op : new Op[] {Op.REDUCE_MAX, Op.REDUCE_MIN, Op.ARGMAX, Op.ARGMIN, Op.REDUCE_SUM}) {
                Ops.reduce(op, x, new int[] {1}, false);
                Ops.reduce(op, x, new int[] {0}, false);
            }
        }
        assertTrue(h.compared >= 10);
    }

    private int[] randomAxes(Shape shape, boolean one) {
        if (one) return new int[] {h.rng.nextInt(shape.rank())};
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < shape.rank(); i++) if (h.rng.nextBoolean()) axes.add(i);
        if (axes.isEmpty()) axes.add(h.rng.nextInt(shape.rank()));
        return axes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean hasEmpty(Shape shape, int[] axes) {
        for (int a : axes) if (shape.dim(a) == 0) return true;
        return false;
    }
}
