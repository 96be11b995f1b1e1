package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.IndexingOps;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.CounterRng;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PAD, FOLD, GATHER, SCATTER_ADD and the random ops against the reference (exact, except FOLD and
 * SCATTER_ADD float sums: 1e-5 relative), index errors, and random streams bit for bit.
 */
class DataKernelTest {
    private final KernelHarness h = new KernelHarness();

    @Test
    void padWithInteriorOnEveryDtypeAndLayout() {
        try (var s = Dispatch.use(h)) {
            for (DType dt : DType.values()) {
                for (int trial = 0; trial < 4; trial++) {
                    Tensor x = h.random(dt, h.shape(4, 6), h.anyLayout(), -9, 9);
                    int r = x.rank();
                    int[] lo = new int[r], hi = new int[r], in = new int[r];
                    for (int i = 0; i < r; i++) {
                        lo[i] = h.rng.nextInt(3);
                        hi[i] = h.rng.nextInt(3);
                        in[i] = h.rng.nextInt(2);
                    }
                    Ops.pad(x, lo, hi, in, dt == DType.BOOL ? 1 : -1.5);
                }
            }
        }
        assertTrue(h.compared >= 15);
    }

    @Test
    void float32PadWithoutInteriorOnEveryLayout() { // rows inside and outside x, strided x
        int before = h.compared;
        try (var s = Dispatch.use(h)) {
            for (int trial = 0; trial < 12; trial++) {
                Tensor x = h.random(DType.FLOAT32, h.shape(1 + trial % 4, 7), h.anyLayout(), -9, 9);
                int r = x.rank();
                int[] lo = new int[r], hi = new int[r];
                for (int i = 0; i < r; i++) {
                    lo[i] = h.rng.nextInt(3);
                    hi[i] = h.rng.nextInt(3);
                }
                Ops.pad(x, lo, hi, new int[r], trial % 2 == 0 ? 0 : -2.5);
            }
            Ops.pad(h.random(DType.FLOAT32, Shape.of(3, 4, 5, 32), h.anyLayout(), -1, 1), new int[4], new int[] {0, 0, 0, 1}, new int[4], 0);
        }
        assertTrue(h.compared - before >= 8); // a pad of nothing returns x without a call
    }

    @Test
    void foldSumsOverlappingWindowsBack() {
        try (var s = Dispatch.use(h)) {
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
                for (int trial = 0; trial < 4; trial++) {
                    int k = 1 + h.rng.nextInt(3), st = 1 + h.rng.nextInt(2), dil = 1 + h.rng.nextInt(2);
                    OpAttrs.Window w = new OpAttrs.Window(k, k, st, st, dil, dil);
                    Shape image = Shape.of(1 + h.rng.nextInt(3), 6 + h.rng.nextInt(5), 6 + h.rng.nextInt(5), 1 + h.rng.nextInt(33));
                    Tensor x = h.random(dt, image, h.anyLayout(), -3, 3);
                    Tensor win = Ops.unfold(x, w);
                    Ops.fold(win, w, image);                                   // a strided view in
                    Ops.fold(h.random(dt, win.shape(), h.anyLayout(), -3, 3), w, image);
                }
            }
        }
        assertTrue(h.compared >= 24);
    }

    @Test
    void gatherAndScatterAddAlongEachAxis() {
        try (var s = Dispatch.use(h)) {
            for (DType dt : DType.values()) {
                for (int trial = 0; trial < 5; trial++) {
                    Shape shape = Shape.of(1 + h.rng.nextInt(6), 1 + h.rng.nextInt(6), 1 + h.rng.nextInt(5));
                    int axis = h.rng.nextInt(3);
                    Tensor x = h.random(dt, shape, h.anyLayout(), -9, 9);
                    int[] id = shape.toArray();
                    for (int i = 0; i < 3; i++) if (i != axis) id[i] = 1 + h.rng.nextInt(id[i]);
                    id[axis] = 1 + h.rng.nextInt(7);
                    DType it = trial % 2 == 0 ? DType.INT64 : DType.INT32;
                    Tensor idx = h.random(it, Shape.of(id), h.anyLayout(), 0, shape.dim(axis) - 1e-9);
                    IndexingOps.gather(x, axis, idx);
                    IndexingOps.scatterAdd(x, axis, idx, h.random(dt, Shape.of(id), h.anyLayout(), -9, 9));
                }
            }
        }
        assertTrue(h.compared >= 50);
    }

    /**
     * An embedding's pattern: one index per row, expanded along the last axis (stride 0), so whole rows are
     * gathered and scattered; indices repeat, so rows sum in order; a size-1 row, a 3-d case, float32 and float64.
     */
    @Test
    void gatherAndScatterAddOfWholeRows() {
        try (var s = Dispatch.use(h)) {
            int[][] shapes = {{7, 5, 1}, {9, 4, 33}, {3, 6, 17}};
            for (int trial = 0; trial < 6; trial++) {
                int[] sh = shapes[trial % shapes.length];
                int vocab = sh[0], rows = sh[1], width = sh[2];
                DType dt = trial < 3 ? DType.FLOAT32 : DType.FLOAT64;
                Tensor table = h.random(dt, Shape.of(vocab, width), h.anyLayout(), -9, 9);
                Tensor ids = h.random(DType.INT32, Shape.of(rows, 1), KernelHarness.Layout.DENSE, 0, vocab - 1e-9);
                Tensor idx = Ops.expand(ids, Shape.of(rows, width));
                IndexingOps.gather(table, 0, idx);
                IndexingOps.scatterAdd(Ops.scalarLike(table, 0.0).expand(vocab, width), 0, idx, h.random(dt, Shape.of(rows, width), h.anyLayout(), -9, 9));
                // three axes, rows indexed along the middle one
                Tensor x3 = h.random(dt, Shape.of(2, vocab, width), h.anyLayout(), -9, 9);
                Tensor idx3 = Ops.expand(h.random(DType.INT64, Shape.of(2, rows, 1), KernelHarness.Layout.DENSE, 0, vocab - 1e-9), Shape.of(2, rows, width));
                IndexingOps.gather(x3, 1, idx3);
                IndexingOps.scatterAdd(x3, 1, idx3, h.random(dt, Shape.of(2, rows, width), h.anyLayout(), -9, 9));
            }
        }
        assertTrue(h.compared >= 24);
    }

    @Test
    void indexOutOfRangeNamesOpIndexAndSize() {
        Tensor x = Tensor.wrap(HeapStorage.wrap(new float[] {1, 2, 3, 4, 5, 6}), Shape.of(2, 3));
        Tensor bad = Tensor.wrap(HeapStorage.wrap(new long[] {0, 3}), Shape.of(2, 1));
        CpuBackend cpu = new CpuBackend();
        OpCall gather = new OpCall(Op.GATHER, List.of(x, bad), new OpAttrs.Axis(1), Shape.of(2, 1), DType.FLOAT32, x.device());
        var e = assertThrows(IndexOutOfBoundsException.class, () -> KernelHarness.run(cpu, gather));
        assertTrue(e.getMessage().contains("gather") && e.getMessage().contains("index 3") && e.getMessage().contains("size 3"), e.getMessage());
        Tensor neg = Tensor.wrap(HeapStorage.wrap(new int[] {-1, 0}), Shape.of(2, 1));
        Tensor src = Tensor.wrap(HeapStorage.wrap(new float[] {1, 1}), Shape.of(2, 1));
        OpCall scatter = new OpCall(Op.SCATTER_ADD, List.of(x, neg, src), new OpAttrs.Axis(1), x.shape(), DType.FLOAT32, x.device());
        var e2 = assertThrows(IndexOutOfBoundsException.class, () -> KernelHarness.run(cpu, scatter));
        assertTrue(e2.getMessage().contains("scatter_add") && e2.getMessage().contains("index -1"), e2.getMessage());
    }

    @Test
    void randomStreamsMatchCounterRngBitForBit() {
        long seed = h.rng.nextLong();
        Tensor seedTensor = Tensor.wrap(HeapStorage.wrap(new long[] {seed}), Shape.scalar());
        try (var s = Dispatch.use(h)) {
            Tensor u = Ops.randomUniform(Shape.of(3, 50_001), seedTensor);
            Tensor z = Ops.randomNormal(Shape.of(1001), seedTensor);
            float[] uf = u.toFloatArray(), zf = z.toFloatArray();
            for (int i = 0; i < uf.length; i += 7) assertEquals(Float.floatToIntBits(CounterRng.uniform(seed, i)), Float.floatToIntBits(uf[i]));
            for (int i = 0; i < zf.length; i++) assertEquals(Float.floatToIntBits(CounterRng.normal(seed, i)), Float.floatToIntBits(zf[i]));
            Ops.randomUniform(Shape.of(0, 4), seedTensor);
        }
        assertTrue(h.compared >= 3);
    }
}
