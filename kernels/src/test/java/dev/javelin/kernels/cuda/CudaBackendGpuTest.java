package dev.javelin.kernels.cuda;

import static dev.javelin.testing.TensorAssert.assertClose;
import static dev.javelin.testing.TensorAssert.assertEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.IndexingOps;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.testing.RandomTensors;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Differential tests of the CUDA backend against the reference backend: random shapes (odd sizes,
 * 1, 0), non-contiguous and broadcast operands. Skipped (not failed) where no CUDA device is present.
 * The build also runs them on the emulated device ({@code -Djavelin.cuda.emulate=true}: the same
 * PTX in an interpreter), with smaller sizes where the interpreter would be slow.
 */
class CudaBackendGpuTest {
    private static final Device GPU = Device.cuda(0);
    private final RandomTensors rnd = new RandomTensors(7);
    private static final boolean EMULATED = CudaBackend.isEmulated();

    @BeforeEach
    void requireGpu() {
        Assumptions.assumeTrue(CudaBackend.probe(), () -> "no CUDA device: " + CudaBackend.unavailableReason());
    }

    @AfterAll
    static void report() {
        if (CudaBackend.probe()) System.err.println(CudaBackend.memoryReport(GPU));
    }

    /** f on the reference backend (host inputs) against f on the GPU (inputs moved there), compared on the host. */
    private static void check(List<Tensor> hostInputs, Function<List<Tensor>, Tensor> f, double rtol, double atol) {
        Tensor expected;
        Backends.prefer("reference");
        try {
            expected = f.apply(hostInputs);
        } finally {
            Backends.prefer(null);
        }
        Tensor actual = f.apply(hostInputs.stream().map(t -> t.to(GPU)).toList());
        assertEquals(GPU, actual.device());
        assertClose(expected, actual.to(Device.CPU), rtol, atol);
    }

    /** A GPU view with x's values laid out transposed: permute a dense reversed copy back. */
    private static Tensor transposedOnGpu(Tensor g) {
        int r = g.rank();
        int[] rev = new int[r];
        for (int i = 0; i < r; i++) rev[i] = r - 1 - i;
        return Ops.permute(Ops.contiguous(Ops.permute(g, rev)), rev);
    }

    @Test
    void unaryOpsOnRandomShapesAndLayouts() {
        for (Op op : Op.values()) {
            if (op.kind() != Op.Kind.UNARY || op == Op.LOGICAL_NOT) continue;
            for (int trial = 0; trial < 3; trial++) {
                Shape s = rnd.shape(4, 9);
                Tensor x = op == Op.LOG || op == Op.SQRT ? rnd.uniform(s, DType.FLOAT32, 0.01, 5) : rnd.uniform(s, DType.FLOAT32, -4, 4);
                check(List.of(x), in -> Ops.unary(op, in.get(0).device().equals(GPU) ? transposedOnGpu(in.get(0)) : in.get(0)), 2e-5, 2e-5);
            }
        }
    }

    @Test
    void binaryOpsBroadcastAcrossDtypes() {
        for (Op op : List.of(Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MAX, Op.MIN, Op.POW, Op.LT, Op.EQ, Op.GE)) {
            for (DType t : List.of(DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64)) {
                Shape s = rnd.shape(4, 7);
                Tensor a = op == Op.POW ? rnd.uniform(s, t, 0.5, 2) : rnd.uniform(s, t);
                Tensor b = rnd.uniform(rnd.broadcastableTo(s), t, op == Op.DIV ? 1 : -2, 2);
                check(List.of(a, b), in -> Ops.binary(op, in.get(0), in.get(1)), 2e-5, 2e-5);
            }
        }
    }

    @Test
    void reductionsOverRandomAxes() {
        for (Op op : List.of(Op.REDUCE_SUM, Op.REDUCE_MAX, Op.REDUCE_MIN, Op.ARGMAX, Op.ARGMIN)) {
            for (int trial = 0; trial < 4; trial++) {
                Shape s = rnd.shape(4, 40);
                boolean arg = op == Op.ARGMAX || op == Op.ARGMIN;
                int axis = rnd.nextInt(0, s.rank() - 1);
                if (op != Op.REDUCE_SUM && s.dim(axis) == 0) continue;
                if (op != Op.REDUCE_SUM && s.size() == 0) continue;
                Tensor x = rnd.uniform(s, DType.FLOAT32);
                int[] axes = arg || trial % 2 == 0 ? new int[] {axis} : new int[0];
                boolean keep = trial == 1;
                check(List.of(x), in -> Ops.reduce(op, in.get(0), axes, keep), 1e-5, 1e-4);
            }
        }
        Tensor big = rnd.uniform(Shape.of(EMULATED ? 40_001 : 300_001), DType.FLOAT32); // the two-pass split
        check(List.of(big), in -> Ops.reduce(Op.REDUCE_SUM, in.get(0), new int[] {0}, false), 1e-4, 1e-2);
    }

    @Test
    void matmulOddBatchedTransposedAndTf32() {
        int[][] shapes = EMULATED ? new int[][] {{1, 1, 1}, {5, 7, 3}, {67, 36, 68}, {3, 0, 4}}
                : new int[][] {{1, 1, 1}, {5, 7, 3}, {64, 64, 64}, {129, 65, 257}, {3, 0, 4}, {300, 513, 127}};
        for (int[] mkn : shapes) {
            Tensor a = rnd.uniform(Shape.of(mkn[0], mkn[1]), DType.FLOAT32);
            Tensor b = rnd.uniform(Shape.of(mkn[1], mkn[2]), DType.FLOAT32);
            check(List.of(a, b), in -> Ops.matmul(in.get(0), in.get(1)), 1e-4, 1e-4);
            check(List.of(a, Ops.contiguous(Ops.transpose(b, 0, 1))), in -> Ops.matmul(in.get(0), Ops.transpose(in.get(1), 0, 1)), 1e-4, 1e-4);
        }
        Tensor x = rnd.uniform(Shape.of(3, 17, 9), DType.FLOAT64);
        Tensor w = rnd.uniform(Shape.of(9, 5), DType.FLOAT64);
        check(List.of(x, w), in -> Ops.matmul(in.get(0), in.get(1)), 1e-12, 1e-12);
        CudaBackend.setMatmulPrecision(MatmulPrecision.TF32);
        try {
            Tensor a = rnd.uniform(Shape.of(200, 300), DType.FLOAT32);
            Tensor b = rnd.uniform(Shape.of(300, 100), DType.FLOAT32);
            check(List.of(a, b), in -> Ops.matmul(in.get(0), in.get(1)), 1e-2, 5e-2);
        } finally {
            CudaBackend.setMatmulPrecision(MatmulPrecision.FP32);
        }
    }

    /** float32 and float64 (the float64 GEMM), padded/strided/grouped/pointwise; float64 never goes to the host. */
    @Test
    void convolutionsForwardAndBackward() {
        OpAttrs.Conv[] convs = {new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1), new OpAttrs.Conv(2, 2, 1, 0, 0, 1, 2, 1, 2),
                new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1)};
        int[] k = {3, 3, 1};
        long hostBefore = convHostRuns();
        for (DType t : List.of(DType.FLOAT32, DType.FLOAT64)) {
            double tol = t == DType.FLOAT64 ? 1e-12 : 1e-4;
            for (int i = 0; i < convs.length; i++) {
                OpAttrs.Conv c = convs[i];
                Tensor x = rnd.uniform(Shape.of(2, 9, 11, 4), t);
                Tensor f = rnd.uniform(Shape.of(k[i], k[i], 4 / c.groups(), 6), t);
                Shape y = Ops.convOutputShape(x.shape(), f.shape(), c);
                Tensor dy = rnd.uniform(y, t);
                check(List.of(x, f), in -> Ops.conv2d(in.get(0), in.get(1), c), tol, tol);
                check(List.of(dy, f), in -> Ops.conv2dBackwardInput(in.get(0), in.get(1), x.shape(), c), tol, tol);
                check(List.of(x, dy), in -> Ops.conv2dBackwardFilter(in.get(0), in.get(1), f.shape(), c), tol, 10 * tol);
            }
        }
        assertEquals(hostBefore, convHostRuns(), "every convolution ran on the device");
    }

    private static long convHostRuns() {
        return CudaBackend.hostRuns(Op.CONV2D) + CudaBackend.hostRuns(Op.CONV2D_BACKWARD_INPUT) + CudaBackend.hostRuns(Op.CONV2D_BACKWARD_FILTER);
    }

    @Test
    void dataAndIndexOps() {
        Tensor x = rnd.uniform(Shape.of(4, 5, 3), DType.FLOAT32);
        check(List.of(x), in -> Ops.pad(in.get(0), new int[] {1, 0, 2}, new int[] {0, 3, 1}, new int[] {0, 1, 2}, -7), 0, 0);
        check(List.of(x), in -> Ops.cast(Ops.permute(in.get(0), 2, 0, 1), DType.INT32), 0, 0);
        check(List.of(x), in -> Ops.cast(in.get(0), DType.BOOL), 0, 0);
        Tensor idx = rnd.labels(Shape.of(4, 2, 3), 5, DType.INT64);
        check(List.of(x, idx), in -> IndexingOps.gather(in.get(0), 1, in.get(1)), 0, 0);
        Tensor src = rnd.uniform(Shape.of(4, 2, 3), DType.FLOAT32);
        check(List.of(x, idx, src), in -> IndexingOps.scatterAdd(in.get(0), 1, in.get(1), in.get(2)), 1e-6, 1e-6);
        Tensor bad = Tensors.of(new long[] {0, 9}).reshape(1, 2, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> IndexingOps.gather(x.to(GPU), 1, Ops.expand(bad.to(GPU), Shape.of(1, 2, 1))));
        Tensor img = rnd.uniform(Shape.of(2, 7, 7, 3), DType.FLOAT32);
        OpAttrs.Window w = new OpAttrs.Window(3, 3, 2, 2, 1, 1);
        check(List.of(img), in -> Ops.fold(Ops.unfold(in.get(0), w), w, img.shape()), 1e-6, 1e-6);
        Tensor seed = Tensors.scalar(1234, DType.INT64);
        check(List.of(seed), in -> Ops.randomUniform(Shape.of(1001), in.get(0)), 0, 0);
        check(List.of(seed), in -> Ops.randomNormal(Shape.of(77), in.get(0)), 0, 0);
    }

    @Test
    void scopesReleaseDeviceMemoryDeterministically() {
        CudaBackend.synchronize(GPU);
        Tensor kept;
        try (CudaScope scope = CudaScope.open()) {
            int n = EMULATED ? 100 : 1000;
            Tensor a = Tensors.ones(n, n).to(GPU);
            kept = scope.keep(a.mul(2.0).sum(0));
            assertTrue(scope.size() >= 2);
        }
        assertEqual(Tensors.full(Shape.of(kept.dim(0)), 2.0 * kept.dim(0), DType.FLOAT32), kept.to(Device.CPU));
        assertTrue(CudaBackend.memoryReport(GPU).contains("cached"), CudaBackend.memoryReport(GPU));
    }

    @Test
    void aShortConvnetTrainingRunMatchesTheCpu() {
        int steps = EMULATED ? 2 : 8;
        int batch = EMULATED ? 8 : 32;
        float[] cpu = MnistLikeStep.train(Device.CPU, steps, batch);
        float[] gpu = MnistLikeStep.train(GPU, steps, batch);
        for (int i = 0; i < cpu.length; i++) assertEquals(cpu[i], gpu[i], 1e-3 * Math.max(1, Math.abs(cpu[i])), "loss at step " + i);
        assertTrue(gpu[gpu.length - 1] < gpu[0], "the loss falls: " + java.util.Arrays.toString(gpu));
    }
}
