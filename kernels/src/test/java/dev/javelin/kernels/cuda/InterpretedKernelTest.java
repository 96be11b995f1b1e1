package dev.javelin.kernels.cuda;

import static dev.javelin.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.kernels.cuda.ptx.SgemmPtx;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.testing.RandomTensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generated PTX run by {@link PtxInterpreter} against the reference backend where the planner
 * tests do not reach: every float transcendental's range reduction and polynomial (the hardware's
 * approximate instructions are exact in the interpreter, so this checks Javelin's part of the
 * accuracy), NaN rules of MAX/MIN/ARGMAX, and each SGEMM tile and load variant.
 */
class InterpretedKernelTest {
    private final RandomTensors rnd = new RandomTensors(5);
    private final EmulatedRunner emu = new EmulatedRunner(true);

    private Tensor run(Op op, List<Tensor> host, OpAttrs attrs, Shape shape, DType dtype) {
        List<Tensor> dev = host.stream().map(emu::upload).toList();
        Tensor out = emu.output(dtype, shape);
        CudaKernels.execute(emu, new OpCall(op, dev, attrs, shape, dtype, Device.cuda(0)), out);
        return emu.download(out);
    }

    private static Tensor reference(Op op, List<Tensor> host, OpAttrs attrs, Shape shape, DType dtype) {
        Tensor expected = Tensor.wrap(HeapStorage.allocate(dtype, shape.sizeAsInt()), shape);
        Backends.reference().execute(new OpCall(op, host, attrs, shape, dtype, Device.CPU), expected);
        return expected;
    }

    private static Tensor of(float... v) {
        return Tensor.wrap(HeapStorage.wrap(v), Shape.of(v.length));
    }

    @Test
    void float32TranscendentalsMatchTheReference() {
        float[] special = {0f, -0f, 1f, -1f, 1e-30f, 1e-5f, 0.4999f, 0.5f, 2.5f, 3.5f, -2.5f, 10f, -10f, 80f, -80f, 88.7f, -103f,
                Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, 1.0001f, 0.9999f, 100f, 1234.5f};
        for (Op op : List.of(Op.EXP, Op.LOG, Op.SQRT, Op.SIN, Op.COS, Op.TANH, Op.SIGMOID, Op.ERF, Op.RECIPROCAL, Op.RELU,
                Op.SIGN, Op.FLOOR, Op.CEIL, Op.ROUND, Op.NEG, Op.ABS)) {
            Tensor x = of(special);
            Tensor r = rnd.uniform(Shape.of(301), DType.FLOAT32, op == Op.LOG ? 0 : -20, 20);
            for (Tensor in : List.of(x, r)) {
                Tensor expected = reference(op, List.of(in), OpAttrs.NONE, in.shape(), DType.FLOAT32);
                double atol = op == Op.SIN || op == Op.COS ? 2e-6 : 1e-7;
                assertClose(expected, run(op, List.of(in), OpAttrs.NONE, in.shape(), DType.FLOAT32), 2e-6, atol);
            }
        }
        assertTrue(emu.names.contains("E_exp_f32_v4_c") && emu.names.contains("E_exp_f32_r1"),
                "both the v4 path (with a tail: 301 elements) and the strided path ran: " + emu.names);
    }

    /**
     * One IR for both devices: each float32 transcendental's PTX is rendered from the same
     * decomposition as the CPU backend's generated kernels, and the interpreter rounds every
     * instruction as the hardware does (fma once), so the GPU's bits are the CPU's.
     */
    @Test
    void float32TranscendentalsGiveTheCpuBackendsBits() {
        // the scalar fallback (no Vector API) computes with its own loops, not the generated kernels
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.javelin.kernels.cpu.VectorSupport.enabled(), "the CPU backend runs scalar loops");
        float[] special = {0f, -0f, 1e-30f, 0.5f, -2.5f, 10f, 80f, -80f, 88.7f, -103f, Float.NaN, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.MIN_VALUE, 1234.5f, -40000f, 3e30f, -7.729179E28f}; // the last two: sin's large-argument path
        for (Op op : List.of(Op.EXP, Op.LOG, Op.SIN, Op.COS, Op.TANH, Op.SIGMOID, Op.ERF, Op.RECIPROCAL, Op.RELU, Op.SIGN)) {
            for (Tensor in : List.of(of(special), rnd.uniform(Shape.of(203), DType.FLOAT32, op == Op.LOG ? 0 : -30, 30))) {
                float[] cpu = dev.javelin.tensor.Ops.unary(op, in).toFloatArray();
                float[] gpu = run(op, List.of(in), OpAttrs.NONE, in.shape(), DType.FLOAT32).toFloatArray();
                for (int i = 0; i < cpu.length; i++) {
                    int e = i;
                    org.junit.jupiter.api.Assertions.assertEquals(Float.floatToIntBits(cpu[i]), Float.floatToIntBits(gpu[i]),
                            () -> op.label() + "(" + in.toFloatArray()[e] + "): cpu " + cpu[e] + ", ptx " + gpu[e]);
                }
            }
        }
    }

    @Test
    void powFollowsMathPowIncludingSignsAndSpecialCases() {
        Tensor a = of(2f, -2f, -2f, 0f, 0f, 1f, Float.NaN, -8f, 0.5f, 3f, 10f, -1f);
        Tensor b = of(3f, 3f, 2f, 2f, -1f, Float.NaN, 0f, 1f / 3, -2.5f, 0.5f, -3f, 1e9f);
        Tensor expected = reference(Op.POW, List.of(a, b), OpAttrs.NONE, a.shape(), DType.FLOAT32);
        assertClose(expected, run(Op.POW, List.of(a, b), OpAttrs.NONE, a.shape(), DType.FLOAT32), 2e-6, 1e-7);
    }

    @Test
    void nanPropagatesThroughMaxMinAndWinsArgmax() {
        Tensor x = Tensor.wrap(HeapStorage.wrap(new float[] {1, Float.NaN, 3, 7, 2, 7, Float.NaN, 0, -1, -1, -5, -5}), Shape.of(3, 4));
        Tensor y = of(0, 0, Float.NaN, 9, 1, 1, 1, 1, 1, 1, 1, 1).reshape(3, 4);
        assertClose(reference(Op.MAX, List.of(x, y), OpAttrs.NONE, x.shape(), DType.FLOAT32),
                run(Op.MAX, List.of(x, y), OpAttrs.NONE, x.shape(), DType.FLOAT32), 0, 0);
        for (Op op : List.of(Op.REDUCE_MAX, Op.REDUCE_MIN, Op.ARGMAX, Op.ARGMIN)) {
            DType t = op == Op.ARGMAX || op == Op.ARGMIN ? DType.INT64 : DType.FLOAT32;
            for (int axis : new int[] {0, 1}) {
                OpAttrs.Reduce attrs = new OpAttrs.Reduce(new int[] {axis}, false);
                Shape s = dev.javelin.tensor.Ops.reducedShape(x.shape(), new int[] {axis}, false);
                assertClose(reference(op, List.of(x), attrs, s, t), run(op, List.of(x), attrs, s, t), 0, 0);
            }
        }
        Tensor wide = rnd.uniform(Shape.of(2, 1000), DType.FLOAT32); // long rows: the block kernel's shuffles
        OpAttrs.Reduce attrs = new OpAttrs.Reduce(new int[] {1}, true);
        for (Op op : List.of(Op.ARGMAX, Op.ARGMIN, Op.REDUCE_SUM)) {
            DType t = op == Op.REDUCE_SUM ? DType.FLOAT32 : DType.INT64;
            assertClose(reference(op, List.of(wide), attrs, Shape.of(2, 1), t), run(op, List.of(wide), attrs, Shape.of(2, 1), t), 1e-5, 1e-4);
        }
    }

    @Test
    void randomNormalIsBitExactWithCounterRng() {
        for (long seed : new long[] {0, 42, -7, Long.MAX_VALUE}) {
            Tensor s = Tensor.wrap(HeapStorage.wrap(new long[] {seed}), Shape.scalar());
            Shape shape = Shape.of(4099);
            Tensor expected = reference(Op.RANDOM_NORMAL, List.of(s), OpAttrs.NONE, shape, DType.FLOAT32);
            assertClose(expected, run(Op.RANDOM_NORMAL, List.of(s), OpAttrs.NONE, shape, DType.FLOAT32), 0, 0);
        }
    }

    @Test
    void tf32TensorCoreKernelComputesTheProductToTf32Accuracy() {
        CudaBackend.setMatmulPrecision(MatmulPrecision.TF32);
        try {
            Tensor a = rnd.uniform(Shape.of(70, 37), DType.FLOAT32);
            Tensor b = rnd.uniform(Shape.of(37, 45), DType.FLOAT32);
            Tensor expected = reference(Op.MATMUL, List.of(a, b), OpAttrs.NONE, Shape.of(70, 45), DType.FLOAT32);
            assertClose(expected, run(Op.MATMUL, List.of(a, b), OpAttrs.NONE, Shape.of(70, 45), DType.FLOAT32), 1e-2, 2e-2);
            assertTrue(emu.names.contains("gemm_tf32_mma_64x64x8"), emu.names.toString());
        } finally {
            CudaBackend.setMatmulPrecision(MatmulPrecision.FP32);
        }
    }

    @Test
    void everySgemmTileAndLoadVariantComputesTheProduct() {
        int m = 131, n = 68, k = 36; // partial tiles in every direction; N and K multiples of 4 for the v4 loads
        Tensor a = rnd.uniform(Shape.of(m, k), DType.FLOAT32);
        Tensor b = rnd.uniform(Shape.of(k, n), DType.FLOAT32);
        Tensor expected = reference(Op.MATMUL, List.of(a, b), OpAttrs.NONE, Shape.of(m, n), DType.FLOAT32);
        Tensor da = emu.upload(a);
        Tensor db = emu.upload(b);
        for (SgemmPtx.Tile tile : List.of(SgemmPtx.LARGE, SgemmPtx.SMALL)) {
            for (boolean vec : new boolean[] {true, false}) {
                Tensor out = emu.output(DType.FLOAT32, Shape.of(m, n));
                String name = SgemmPtx.name(tile, vec);
                emu.launch(new Launch(name, SgemmPtx.kernel(tile, vec), (n + tile.bn() - 1) / tile.bn(), (m + tile.bm() - 1) / tile.bm(), 1,
                        SgemmPtx.THREADS, 0, List.of(CudaKernels.address(da, false), CudaKernels.address(db, false),
                        CudaKernels.address(out, true), m, n, k, k, n, n, 0, 0, 0)));
                assertClose(expected, emu.download(out), 1e-5, 1e-5);
            }
        }
    }

    /** ptxas refuses a repeated parameter name; the interpreter, which binds parameters by name, refuses it too rather than aliasing them. */
    @Test
    void aParameterDeclaredTwiceIsRefused() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new PtxProgram(".visible .entry twice(\n\t.param .u64 out,\n\t.param .u64 out\n)\n{\n\tret;\n}\n"));
        org.junit.jupiter.api.Assertions.assertEquals("PTX entry twice: parameter out is declared twice", e.getMessage());
    }
}
