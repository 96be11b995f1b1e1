package dev.javelin.kernels.cuda;

import static dev.javelin.tensor.DType.BOOL;
import static dev.javelin.tensor.DType.FLOAT32;
import static dev.javelin.tensor.DType.FLOAT64;
import static dev.javelin.tensor.DType.INT32;
import static dev.javelin.tensor.DType.INT64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.kernels.cuda.ptx.PtxasAssert;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Plans representative calls of every primitive against the recording "null device": checks the
 * planner's decisions and the arguments against each kernel's parameters, then assembles every
 * PTX it emitted with ptxas for sm_80 and sm_90.
 */
class CudaPlanTest {
    private static final Device GPU = Device.cuda(0);
    private final RecordingRunner r = new RecordingRunner();

    @AfterEach
    void resetPrecision() {
        CudaBackend.setMatmulPrecision(MatmulPrecision.FP32);
    }

    private Tensor out(DType t, Shape s) {
        return r.tensor(t, s.toArray());
    }

    private List<String> run(Op op, List<Tensor> in, OpAttrs attrs, Shape shape, DType dtype) {
        int before = r.launches.size();
        OpCall call = new OpCall(op, in, attrs, shape, dtype, GPU);
        assertTrue(CudaKernels.supports(call), () -> call + " should run as PTX");
        CudaKernels.execute(r, call, out(dtype, shape));
        return r.names().subList(before, r.names().size());
    }

    @Test
    void elementwiseCoalescesDenseOperandsToRankOneAndKeepsBroadcastDims() {
        Tensor a = r.tensor(FLOAT32, 4, 5, 6);
        Tensor b = r.tensor(FLOAT32, 4, 5, 6);
        assertEquals(List.of("E_add_f32_f32_v4_cc"), run(Op.ADD, List.of(a, b), OpAttrs.NONE, a.shape(), FLOAT32),
                "dense operands coalesce to rank 1 and take the v4 kernel");
        Tensor scalar = r.view(FLOAT32, 1, new int[] {4, 5, 6}, new int[] {0, 0, 0}, 0);
        assertEquals(List.of("E_sub_f32_f32_v4_cb"), run(Op.SUB, List.of(a, scalar), OpAttrs.NONE, a.shape(), FLOAT32));
        Tensor small = r.tensor(FLOAT32, 7);
        assertEquals(List.of("E_neg_f32_r1"), run(Op.NEG, List.of(small), OpAttrs.NONE, small.shape(), FLOAT32), "too small for v4");
        Tensor row = r.view(FLOAT32, 6, new int[] {4, 5, 6}, new int[] {0, 0, 1}, 0); // [6] broadcast over [4,5]
        assertEquals(List.of("E_mul_f32_f32_r2"), run(Op.MUL, List.of(a, row), OpAttrs.NONE, a.shape(), FLOAT32));
        Tensor t = r.view(FLOAT32, 120, new int[] {6, 5, 4}, new int[] {1, 6, 30}, 0); // a full transpose
        assertEquals(List.of("E_exp_f32_r3"), run(Op.EXP, List.of(t), OpAttrs.NONE, t.shape(), FLOAT32));
        Tensor cond = r.tensor(BOOL, 4, 5, 6);
        run(Op.WHERE, List.of(cond, a, b), OpAttrs.NONE, a.shape(), FLOAT32);
        run(Op.LT, List.of(a, b), OpAttrs.NONE, a.shape(), BOOL);
        run(Op.CAST, List.of(a), OpAttrs.NONE, a.shape(), INT64);
        run(Op.CONTIGUOUS, List.of(t), OpAttrs.NONE, t.shape(), FLOAT32);
        Tensor odd = r.view(INT32, 200, new int[] {7, 1, 3}, new int[] {9, 0, 2}, 5);
        run(Op.ABS, List.of(odd), OpAttrs.NONE, odd.shape(), INT32);
        assertEquals(List.of(), run(Op.NEG, List.of(r.tensor(FLOAT32, 0, 3)), OpAttrs.NONE, Shape.of(0, 3), FLOAT32), "empty: no launch");
        PtxasAssert.assemble("plan_elementwise", r.entries());
    }

    @Test
    void float64TranscendentalsGoToTheHostAndConvolutionsStay() {
        Tensor x = r.tensor(FLOAT64, 3);
        assertFalse(CudaKernels.supports(new OpCall(Op.EXP, List.of(x), OpAttrs.NONE, x.shape(), FLOAT64, GPU)));
        assertTrue(CudaKernels.supports(new OpCall(Op.SQRT, List.of(x), OpAttrs.NONE, x.shape(), FLOAT64, GPU)));
        assertTrue(CudaKernels.supports(new OpCall(Op.RANDOM_NORMAL, List.of(r.tensor(INT64)), OpAttrs.NONE, Shape.of(3), FLOAT32, GPU)));
        assertTrue(CudaKernels.supports(new OpCall(Op.CONV2D, List.of(r.tensor(FLOAT64, 1, 3, 3, 1), r.tensor(FLOAT64, 1, 1, 1, 1)),
                new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1), Shape.of(1, 3, 3, 1), FLOAT64, GPU)), "float64 convolutions on the float64 GEMM");
        assertFalse(CudaKernels.supports(new OpCall(Op.CONV2D, List.of(r.tensor(INT32, 1, 3, 3, 1), r.tensor(INT32, 1, 1, 1, 1)),
                new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1), Shape.of(1, 3, 3, 1), INT32, GPU)));
    }

    @Test
    void reductionsPickThreadBlockOrSplitKernels() {
        Tensor x = r.tensor(FLOAT32, 40, 7);
        assertEquals(List.of("r_reduce_sum_f32_k1_r1_thr"), reduce(Op.REDUCE_SUM, x, false, 1));
        Tensor tall = r.tensor(FLOAT32, 300, 5);
        assertEquals(List.of("r_reduce_max_f32_k1_r1_blk"), reduce(Op.REDUCE_MAX, tall, true, 0));
        Tensor longRow = r.tensor(FLOAT32, 200_000);
        assertEquals(List.of("r_reduce_sum_f32_k1_r1_blk", "r_reduce_sum_f32_k1_r1_thr"), reduce(Op.REDUCE_SUM, longRow, false, 0),
                "one long row: partial sums by many blocks, then one pass over them");
        reduce(Op.ARGMAX, r.tensor(FLOAT32, 6, 200), false, 1);
        reduce(Op.ARGMIN, r.tensor(INT64, 6, 20), true, 0);
        reduce(Op.REDUCE_MIN, r.tensor(BOOL, 3, 4, 5), false, 0, 2);
        reduce(Op.REDUCE_SUM, r.tensor(INT64, 2, 3, 4, 5), false, 1, 3);
        reduce(Op.REDUCE_SUM, r.tensor(FLOAT64, 0, 3), false, 0);
        PtxasAssert.assemble("plan_reductions", r.entries());
    }

    private List<String> reduce(Op op, Tensor x, boolean keep, int... axes) {
        Shape s = Ops.reducedShape(x.shape(), axes, keep);
        DType t = op == Op.ARGMAX || op == Op.ARGMIN ? INT64 : x.dtype();
        return run(op, List.of(x), new OpAttrs.Reduce(axes, keep), s, t);
    }

    @Test
    void matmulUsesOperandsInPlaceWhenRowsAreContiguousAndCopiesOtherwise() {
        Tensor a = r.tensor(FLOAT32, 5, 7);
        Tensor b = r.tensor(FLOAT32, 7, 3);
        assertEquals(List.of("gemm_f32_64x64x16_s"), run(Op.MATMUL, List.of(a, b), OpAttrs.NONE, Shape.of(5, 3), FLOAT32));
        Tensor big = r.tensor(FLOAT32, 4, 1024, 1024); // 256 tiles of 128: enough to fill a GPU
        assertEquals(List.of("gemm_f32_128x128x8_v4"), run(Op.MATMUL, List.of(big, big), OpAttrs.NONE, big.shape(), FLOAT32));
        Tensor bt = r.view(FLOAT32, 21, new int[] {7, 3}, new int[] {1, 7}, 0); // a transposed view
        assertEquals(List.of("E_copy_f32_r2", "gemm_f32_64x64x16_s"), run(Op.MATMUL, List.of(a, bt), OpAttrs.NONE, Shape.of(5, 3), FLOAT32));
        Tensor shared = r.view(FLOAT32, 64, new int[] {3, 8, 8}, new int[] {0, 8, 1}, 0); // batch-broadcast weights
        Tensor xs = r.tensor(FLOAT32, 3, 16, 8);
        assertEquals(List.of("gemm_f32_64x64x16_v4"), run(Op.MATMUL, List.of(xs, shared), OpAttrs.NONE, Shape.of(3, 16, 8), FLOAT32));
        Tensor d = r.tensor(FLOAT64, 4, 4);
        assertEquals(List.of("gemm_f64_naive"), run(Op.MATMUL, List.of(d, d), OpAttrs.NONE, d.shape(), FLOAT64));
        CudaBackend.setMatmulPrecision(MatmulPrecision.TF32);
        assertEquals(List.of("gemm_tf32_mma_64x64x8"), run(Op.MATMUL, List.of(a, b), OpAttrs.NONE, Shape.of(5, 3), FLOAT32));
        PtxasAssert.assemble("plan_matmul", r.entries());
    }

    @Test
    void convolutionsRunAsIm2colGemmAndFold() {
        OpAttrs.Conv same = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1);
        OpAttrs.Conv grouped = new OpAttrs.Conv(2, 2, 1, 0, 0, 1, 2, 1, 2);
        OpAttrs.Conv pointwise = new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1);
        Tensor x = r.tensor(FLOAT32, 2, 9, 9, 4);
        for (OpAttrs.Conv c : List.of(same, grouped, pointwise)) {
            int kh = c == pointwise ? 1 : 3;
            Tensor f = r.tensor(FLOAT32, kh, kh, 4 / c.groups(), 8);
            Shape y = Ops.convOutputShape(x.shape(), f.shape(), c);
            List<String> fwd = run(Op.CONV2D, List.of(x, f), c, y, FLOAT32);
            assertEquals(c == pointwise, !fwd.contains("im2col_f32"), "only the pointwise conv skips im2col: " + fwd);
            Tensor dy = r.tensor(FLOAT32, y.toArray());
            List<String> bi = run(Op.CONV2D_BACKWARD_INPUT, List.of(dy, f), c, x.shape(), FLOAT32);
            assertTrue(bi.get(bi.size() - 1).equals("fold_f32"), bi.toString());
            run(Op.CONV2D_BACKWARD_FILTER, List.of(x, dy), c, f.shape(), FLOAT32);
        }
        OpAttrs.Window w = new OpAttrs.Window(2, 2, 2, 2, 1, 1);
        Tensor win = r.view(FLOAT64, 2 * 9 * 9 * 4, new int[] {2, 4, 4, 2, 2, 4}, new int[] {324, 72, 8, 36, 4, 1}, 0);
        assertEquals(List.of("fold_f64"), run(Op.FOLD, List.of(win), w, Shape.of(2, 9, 9, 4), FLOAT64));
        PtxasAssert.assemble("plan_conv", r.entries());
    }

    @Test
    void padGatherScatterAndRandomPlan() {
        Tensor x = r.tensor(FLOAT32, 3, 4);
        OpAttrs.Pad p = new OpAttrs.Pad(new int[] {1, 0}, new int[] {0, 2}, new int[] {0, 1}, -1.5);
        run(Op.PAD, List.of(x), p, Shape.of(4, 13), FLOAT32);
        Tensor bools = r.tensor(BOOL, 2, 2);
        run(Op.PAD, List.of(bools), new OpAttrs.Pad(new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, 1), Shape.of(4, 4), BOOL);
        Tensor idx = r.tensor(INT64, 3, 2);
        List<String> g = run(Op.GATHER, List.of(x, idx), new OpAttrs.Axis(1), idx.shape(), FLOAT32);
        assertEquals(2, g.size(), "the error word is zeroed, then the gather runs: " + g);
        assertEquals("gather_f32_i64_r2", g.get(1));
        Tensor src = r.tensor(FLOAT32, 3, 2);
        Tensor idx32 = r.tensor(INT32, 3, 2);
        List<String> sc = run(Op.SCATTER_ADD, List.of(x, idx32, src), new OpAttrs.Axis(1), x.shape(), FLOAT32);
        assertEquals("E_copy_f32_r1", sc.get(0), "the base is copied, then the atomics add");
        assertTrue(sc.get(sc.size() - 1).startsWith("scatter_add_f32_i32"));
        run(Op.RANDOM_UNIFORM, List.of(r.tensor(INT64)), OpAttrs.NONE, Shape.of(1000), FLOAT32);
        run(Op.RANDOM_NORMAL, List.of(r.tensor(INT64)), OpAttrs.NONE, Shape.of(1000), FLOAT32);
        PtxasAssert.assemble("plan_index", r.entries());
    }
}
