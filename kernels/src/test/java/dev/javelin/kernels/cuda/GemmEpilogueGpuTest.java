package dev.javelin.kernels.cuda;

import static dev.javelin.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.kernels.cuda.ptx.PtxasAssert;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.testing.RandomTensors;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A GEMM with its epilogue in the store ({@link CudaBackend#contractWithEpilogue}): {@code act(C + bias) + residual}
 * for matmuls of odd sizes (the scalar and the v4 kernel) and a convolution over a batch of images (two row
 * dimensions), against the CPU. Each case runs twice, with an output for the product and without one: the
 * epilogue's result has the same bits both ways, and on the emulated device the kernels store exactly
 * M·N floats fewer without it (the interpreter counts every {@code st.global}).
 */
class GemmEpilogueGpuTest {
    private static final Device GPU = Device.cuda(0);
    private final RandomTensors rnd = new RandomTensors(29);

    @BeforeEach
    void requireGpu() {
        Assumptions.assumeTrue(CudaBackend.probe(), () -> "no CUDA device: " + CudaBackend.unavailableReason());
    }

    /** {m, k, n}: the scalar kernel at odd sizes, the v4 kernel (k and n multiples of four), single rows and columns. */
    private static final int[][] MATMULS = {{7, 19, 13}, {5, 8, 12}, {1, 1, 1}, {3, 4, 1}, {1, 9, 6}};
    private static final Op[] ACTIVATIONS = {Op.RELU, Op.TANH, Op.SIGMOID, Op.ERF};

    @Test
    void matmulEpiloguesMatchTheCpuAndStoreTheProductOnlyWhenAsked() {
        for (int i = 0; i < MATMULS.length; i++) {
            int m = MATMULS[i][0], k = MATMULS[i][1], n = MATMULS[i][2];
            Op act = ACTIVATIONS[i % ACTIVATIONS.length];
            Tensor x = rnd.normal(Shape.of(m, k)), w = rnd.normal(Shape.of(k, n)), b = rnd.normal(Shape.of(n));
            // the residual is read through a transpose on odd cases: a column stride other than one
            boolean transposed = i % 2 == 0;
            Tensor resDense = rnd.normal(transposed ? Shape.of(n, m) : Shape.of(m, n));
            Tensor res = transposed ? Ops.transpose(resDense, 0, 1) : resDense;
            Tensor c = Ops.matmul(x, w);
            Tensor expected = Ops.unary(act, c.add(b)).add(res);
            Tensor xg = x.to(GPU), wg = w.to(GPU), bg = b.to(GPU), rg = resDense.to(GPU);
            OpCall call = new OpCall(Op.MATMUL, List.of(xg, wg), OpAttrs.NONE, Shape.of(m, n), DType.FLOAT32, GPU);
            GemmEpilogue.Operand residual = transposed ? new GemmEpilogue.Operand(rg, 0, m, new int[] {1})
                    : new GemmEpilogue.Operand(rg, 0, 1, new int[] {n});
            String what = act + " at " + m + "x" + k + "x" + n;
            check(what, call, c, expected, out -> new GemmEpilogue(body(act),
                    Arrays.asList(null, new GemmEpilogue.Operand(bg, 0, 1, new int[] {0}), residual), new int[] {m}, out));
        }
        assembleEpilogueKernels();
    }

    @Test
    void convolutionOverABatchWithTwoRowDimensions() {
        OpAttrs.Conv same = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1);
        int images = 2, h = 4, wd = 3, cin = 3, cout = 5, pixels = h * wd;
        Tensor x = rnd.normal(Shape.of(images, h, wd, cin)), f = rnd.normal(Shape.of(3, 3, cin, cout)), b = rnd.normal(Shape.of(cout));
        Tensor res = rnd.normal(Shape.of(images, h, wd, cout));
        Tensor c = Ops.conv2d(x, f, same);
        Tensor expected = Ops.unary(Op.TANH, c.add(b)).add(res);
        Tensor xg = x.to(GPU), fg = f.to(GPU), bg = b.to(GPU), rg = res.to(GPU);
        OpCall call = new OpCall(Op.CONV2D, List.of(xg, fg), same, c.shape(), DType.FLOAT32, GPU);
        check("conv2d tanh", call, c, expected, out -> new GemmEpilogue(body(Op.TANH),
                Arrays.asList(null, new GemmEpilogue.Operand(bg, 0, 1, new int[] {0, 0}),
                        new GemmEpilogue.Operand(rg, 0, 1, new int[] {pixels * cout, cout})), new int[] {images, pixels}, out));
        assembleEpilogueKernels();
    }

    @Test
    void aProductOutputOfAnotherShapeIsRefused() {
        Tensor xg = rnd.normal(Shape.of(3, 4)).to(GPU), wg = rnd.normal(Shape.of(4, 5)).to(GPU);
        OpCall call = new OpCall(Op.MATMUL, List.of(xg, wg), OpAttrs.NONE, Shape.of(3, 5), DType.FLOAT32, GPU);
        Tensor u = fresh(Shape.of(3, 5));
        GemmEpilogue e = new GemmEpilogue(body(Op.RELU), Arrays.asList(null, new GemmEpilogue.Operand(u, 0, 0, new int[] {0}),
                new GemmEpilogue.Operand(u, 0, 0, new int[] {0})), new int[] {3}, u);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> CudaBackend.contractWithEpilogue(call, fresh(Shape.of(5, 3)), e));
        assertTrue(error.getMessage().contains("matmul") && error.getMessage().contains("[3, 5]"), error.getMessage());
    }

    private void check(String what, OpCall call, Tensor product, Tensor expected, java.util.function.Function<Tensor, GemmEpilogue> epilogue) {
        Tensor withC = fresh(call.shape()), u1 = fresh(call.shape()), u2 = fresh(call.shape());
        long before = storedBytes();
        assertTrue(CudaBackend.contractWithEpilogue(call, withC, epilogue.apply(u1)), what + ": taken");
        long stored = storedBytes() - before;
        before = storedBytes();
        assertTrue(CudaBackend.contractWithEpilogue(call, null, epilogue.apply(u2)), what + ": taken without the product");
        long storedAlone = storedBytes() - before;
        assertClose(product, withC.to(Device.CPU), 1e-5, 1e-5);
        assertClose(expected, u1.to(Device.CPU), 1e-5, 1e-5);
        assertArrayEquals(u1.to(Device.CPU).toFloatArray(), u2.to(Device.CPU).toFloatArray(), 0f, what + ": the same bits with or without C");
        if (CudaBackend.isEmulated()) {
            assertEquals(call.shape().size() * 4, stored - storedAlone, what + ": bytes stored with C " + stored + ", without " + storedAlone);
            assertEquals(call.shape().size() * 4, storedAlone - (call.op() == Op.CONV2D ? im2colBytes(call) : 0), what + ": U alone");
        }
    }

    /** What the convolution's im2col writes before its GEMM: one float per (output pixel, filter tap, input channel). */
    private static long im2colBytes(OpCall call) {
        Shape f = call.input(1).shape();
        return call.shape().size() / call.shape().dim(3) * f.dim(0) * f.dim(1) * f.dim(2) * 4;
    }

    /** Every GEMM-with-epilogue kernel these tests generated assembles with ptxas for sm_80 and sm_90. */
    private static void assembleEpilogueKernels() {
        PtxasAssert.assemble("gemm epilogues", PtxCache.entries().entrySet().stream().filter(e -> e.getKey().contains("_ep"))
                .map(java.util.Map.Entry::getValue).toList());
    }

    private static Tensor fresh(Shape s) {
        return Tensor.wrap(Backends.forDevice(GPU).allocate(DType.FLOAT32, s.sizeAsInt(), GPU), s);
    }

    private static long storedBytes() {
        return CudaBackend.storedBytes(GPU);
    }

    /** {@code act(C + bias) + residual}: slot 0 reads C, slot 1 the bias, slot 2 the residual. */
    private static KernelIR body(Op act) {
        DType f = DType.FLOAT32;
        return new KernelIR("E_add_" + act.label() + "_add", KernelIR.Mode.ELEMENTWISE, null,
                List.of(new KernelIR.Load(f, KernelIR.Access.CONTIGUOUS), new KernelIR.Load(f, KernelIR.Access.STRIDED),
                        new KernelIR.Load(f, KernelIR.Access.STRIDED)),
                List.of(KernelIR.Instr.load(0, f), KernelIR.Instr.load(1, f), KernelIR.Instr.load(2, f),
                        KernelIR.Instr.op(Op.ADD, List.of(0, 1), f), KernelIR.Instr.op(act, List.of(3), f),
                        KernelIR.Instr.op(Op.ADD, List.of(4, 2), f)), f);
    }
}
