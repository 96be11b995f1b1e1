package dev.javelin.jit.ptx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.kernels.cuda.CudaBackend;
import dev.javelin.kernels.cuda.PtxCache;
import dev.javelin.kernels.cuda.ptx.PtxModule;
import dev.javelin.kernels.cuda.ptx.Ptxas;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.IndexingOps;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.GcSettle;
import dev.javelin.testing.TensorAssert;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code Jit.compile} on CUDA tensors: the program's kernels are PTX rendered from the same plan and
 * kernel IR as the CPU's, its contractions the CUDA backend's kernels, its buffers the caching
 * allocator's. Runs on a GPU where there is one, else on the emulated device (the PTX in an
 * interpreter), and compares every result with the same function compiled for the CPU. Shapes are
 * tiny: the interpreter runs each thread in turn.
 */
class CudaProgramTest {
    private static final Device GPU = Device.cuda(0);

    @BeforeAll
    static void deviceOrEmulation() {
        if (!CudaBackend.probe()) System.setProperty("javelin.cuda.emulate", "true");
        Assumptions.assumeTrue(CudaBackend.probe(), () -> "no CUDA device and no emulation: " + CudaBackend.unavailableReason());
    }

    private static Tensor data(int seed, int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[s.sizeAsInt()];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 0.37 + seed) * 2;
        return Tensors.of(v, dims);
    }

    /**
     * Compiles {@code f} for the CPU and for the GPU, runs both twice (the second call reuses the
     * program) and compares; {@code bits} asks for the exact bits (no reduction, whose order differs).
     * Returns the GPU function.
     */
    private static CompiledFunction same(Function<Tensor[], Tensor[]> f, boolean bits, Tensor... args) {
        CompiledFunction cpu = Jit.compile(f), gpu = Jit.compile(f);
        Tensor[] onGpu = new Tensor[args.length];
        for (int i = 0; i < args.length; i++) onGpu[i] = args[i].to(GPU);
        for (int call = 0; call < 2; call++) {
            Tensor[] expected = cpu.call(args), actual = gpu.call(onGpu);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(GPU, actual[i].device(), "results stay on the device");
                if (bits) assertArrayEquals(expected[i].toFloatArray(), actual[i].to(Device.CPU).toFloatArray(), 0f, "output " + i);
                else TensorAssert.assertClose(expected[i], actual[i].to(Device.CPU), 1e-5, 1e-5);
            }
        }
        assertEquals(1, gpu.compilations(), "one program, reused");
        return gpu;
    }

    private static String explain(Function<Tensor[], Tensor[]> f, Tensor... args) {
        Tensor[] onGpu = new Tensor[args.length];
        for (int i = 0; i < args.length; i++) onGpu[i] = args[i].to(GPU);
        return Jit.explain(f, onGpu);
    }

    @Test
    void elementwiseChainsWithBroadcastsAreOneKernelWithTheCpusBits() {
        Function<Tensor[], Tensor[]> f = a -> new Tensor[] {
                a[0].mul(a[1]).add(2.0).tanh().mul(a[0].sigmoid()).add(a[0].mul(0.7071).erf()).relu(),
                a[0].exp().sub(a[1].sin()).div(a[1].cos().abs().add(1.0)).log()};
        Tensor x = data(1, 5, 33), w = data(2, 33);
        same(f, true, x, w);
        String plan = explain(f, x, w);
        assertTrue(plan.contains("E_"), "fused kernels in the CUDA plan:\n" + plan);
        assertTrue(!plan.contains("B_tanh") && !plan.contains("B_exp"), "no op runs on its own:\n" + plan);
    }

    @Test
    void reductionsRowGroupsAndColumnSums() {
        same(a -> new Tensor[] {NN.softmax(a[0], 1), NN.logSoftmax(a[0], 1)}, false, data(3, 6, 37));
        assertTrue(PtxCache.entries().keySet().stream().anyMatch(n -> n.startsWith("G_")), "a row group ran as one kernel: "
                + PtxCache.entries().keySet());
        same(a -> new Tensor[] {NN.softmax(a[0], 2)}, false, data(16, 2, 3, 300)); // rows longer than the block, two kept dimensions
        same(a -> new Tensor[] {a[0].exp().sum(new int[] {0}, false), a[0].mul(a[0]).sum(new int[] {0, 1}, false),
                a[0].max(new int[] {1}, true)}, false, data(4, 9, 70));
        Function<Tensor[], Tensor[]> layerNorm = a -> {
            Tensor mean = a[0].mean(new int[] {1}, true);
            Tensor c = a[0].sub(mean);
            return new Tensor[] {c.div(c.mul(c).mean(new int[] {1}, true).add(1e-5).sqrt())};
        };
        same(layerNorm, false, data(5, 4, 300));
        same(CudaProgramTest::layerNormAndScale, false, data(19, 3, 5, 37)); // the scale per row inside the group, two kept dimensions
        String plan = explain(CudaProgramTest::layerNormAndScale, data(19, 3, 5, 37));
        assertTrue(plan.contains("E_div_add_sqrt_reciprocal_3x5x1 + E_div_sub_mul_add") && plan.contains("%1..%25: one kernel G_sum_sum_div_sub_mul_div_add_sqrt"),
                "the per-row scale is a member of the group, which runs as one kernel:\n" + plan);
    }

    /** Layer norm with its per-row scale kept: a member of the row group with one position per row. */
    private static Tensor[] layerNormAndScale(Tensor[] a) {
        Tensor c = a[0].sub(a[0].mean(new int[] {-1}, true));
        Tensor scale = c.mul(c).mean(new int[] {-1}, true).add(1e-5).sqrt().reciprocal();
        return new Tensor[] {c.mul(scale).add(0.5), scale};
    }

    /** The epilogue runs in the GEMM's store: a broadcast bias, a dense residual over one flat run, both tile variants. */
    @Test
    void gemmWithItsEpilogueInTheStoreAndABatchedProduct() {
        Function<Tensor[], Tensor[]> dense = a -> new Tensor[] {a[0].matmul(a[1]).add(a[2]).relu()};
        same(dense, false, data(6, 7, 19), data(7, 19, 13), data(8, 13));
        String plan = explain(dense, data(6, 7, 19), data(7, 19, 13), data(8, 13));
        assertTrue(plan.contains("epilogue:"), "the plan gives the GEMM its epilogue:\n" + plan);
        assertTrue(plan.contains("== on the device") && plan.contains("in the GEMM's store"), "explain says how the GPU runs it:\n" + plan);
        assertTrue(PtxCache.entries().keySet().stream().anyMatch(n -> n.startsWith("gemm_f32_") && n.contains("_ep1_")),
                "a GEMM with the epilogue in its store, and not the product, ran: " + PtxCache.entries().keySet());
        assertTrue(plan.contains("only the epilogue's result is stored"), "nothing else reads the product:\n" + plan);
        // the product read beyond its epilogue (a result of the program too): the GEMM stores it beside the epilogue's result
        Function<Tensor[], Tensor[]> both = a -> {
            Tensor c = a[0].matmul(a[1]);
            return new Tensor[] {c.add(a[2]).relu(), c};
        };
        same(both, false, data(6, 7, 19), data(7, 19, 13), data(8, 13));
        assertTrue(PtxCache.entries().keySet().stream().anyMatch(n -> n.startsWith("gemm_f32_") && n.contains("_ep1c_")),
                "a GEMM storing its product and its epilogue's result ran: " + PtxCache.entries().keySet());
        if (CudaBackend.isEmulated()) { // the two programs store the same but the product: 7 x 13 floats
            assertEquals(7 * 13 * 4, storedByACall(both, data(6, 7, 19), data(7, 19, 13), data(8, 13))
                    - storedByACall(dense, data(6, 7, 19), data(7, 19, 13), data(8, 13)), "bytes the product adds");
        }
        assertTrue(!explain(both, data(6, 7, 19), data(7, 19, 13), data(8, 13)).contains("only the epilogue's result"));
        // N and K multiples of four: the v4 variant, with a residual read densely at each (row, column)
        same(a -> new Tensor[] {a[0].matmul(a[1]).mul(0.5).add(a[2]).sigmoid()}, false, data(11, 5, 8), data(12, 8, 12), data(13, 5, 12));
        same(a -> new Tensor[] {a[0].matmul(a[1]).mul(0.5).tanh()}, false, data(9, 2, 5, 6), data(10, 2, 6, 3));
    }

    /** The bytes the kernels of one call of {@code f} (compiled, on the device) store, after a first call compiled it. */
    private static long storedByACall(Function<Tensor[], Tensor[]> f, Tensor... args) {
        CompiledFunction g = Jit.compile(f);
        Tensor[] onGpu = new Tensor[args.length];
        for (int i = 0; i < args.length; i++) onGpu[i] = args[i].to(GPU);
        g.call(onGpu);
        long before = CudaBackend.storedBytes(GPU);
        g.call(onGpu);
        return CudaBackend.storedBytes(GPU) - before;
    }

    /** Convolutions with their epilogue: in the GEMM's store (strided, unpadded), and after it where the GEMM cannot (two groups). */
    @Test
    void convolutionsWithTheirEpilogue() {
        OpAttrs.Conv strided = new OpAttrs.Conv(2, 2, 0, 0, 0, 0, 1, 1, 1), grouped = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 2);
        same(a -> new Tensor[] {Ops.conv2d(a[0], a[1], strided).add(a[2]).relu()}, false, data(17, 2, 7, 7, 3), data(18, 3, 3, 3, 4),
                data(19, 4));
        same(a -> new Tensor[] {Ops.conv2d(a[0], a[1], grouped).add(a[2]).tanh()}, false, data(20, 2, 5, 5, 4), data(21, 3, 3, 2, 6),
                data(22, 6));
    }

    /** Every buffer a run makes goes back to the caching allocator when the run ends, but its outputs: memory stays flat over calls. */
    @Test
    void eachRunHandsItsIntermediatesBack() {
        CompiledFunction f = Jit.compile(a -> new Tensor[] {NN.softmax(a[0].matmul(a[1]).add(1.0).tanh(), 1).sum(new int[] {1}, false)});
        Tensor x = data(23, 6, 9).to(GPU), w = data(24, 9, 5).to(GPU);
        f.call(x, w)[0].storage().close(); // compiles; the allocator's blocks come into use
        long before = liveBlocks();
        for (int i = 0; i < 3; i++) f.call(x, w)[0].storage().close();
        assertTrue(liveBlocks() <= before, "live blocks " + before + " -> " + liveBlocks() + ": " + CudaBackend.memoryReport(GPU));
        // a run that fails half way (an index out of range) hands back what it made too
        CompiledFunction bad = Jit.compile(a -> new Tensor[] {IndexingOps.gather(a[0].exp(), 1, a[1]).mul(2.0)});
        Tensor idx = Ops.unsqueeze(Tensors.of(new long[] {0, 1, 9, 2, 3, 4}), 1).to(GPU);
        bad.call(x, Ops.unsqueeze(Tensors.of(new long[] {0, 1, 4, 2, 3, 4}), 1).to(GPU))[0].storage().close(); // compiles it
        long beforeFailure = liveBlocks();
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> bad.call(x, idx));
        assertTrue(liveBlocks() <= beforeFailure, "live blocks " + beforeFailure + " -> " + liveBlocks() + " after a failed run");
    }

    /**
     * {@link CompiledFunction#release}: the program's device copies of its constants go back to the allocator at once
     * (with the result's {@code Tensor.release}, allocated bytes return to what they were), and the next call compiles anew.
     */
    @Test
    void releasingAProgramGivesItsConstantsBackAndTheNextCallCompilesAgain() {
        Tensor hostTable = data(25, 5, 9);
        // a device constant the trace captures, laid out transposed: the program keeps a dense copy of its own
        Tensor table = Ops.transpose(hostTable.to(GPU), 0, 1);
        Tensor x = data(26, 6, 9), xg = x.to(GPU);
        Tensor expected = x.matmul(Ops.transpose(hostTable, 0, 1)).tanh();
        CompiledFunction g = Jit.compile(a -> new Tensor[] {a[0].matmul(table).tanh()});
        java.util.function.LongSupplier allocated = () -> CudaBackend.memoryAllocated(GPU);
        long before = GcSettle.settled(allocated); // what earlier tests dropped is gone first; g, x and table stay reachable
        Tensor first = g.call(xg)[0];
        TensorAssert.assertClose(expected, first.to(Device.CPU), 1e-5, 1e-5);
        first.release();
        assertTrue(GcSettle.settled(allocated) >= before + 9 * 5 * 4, "the program holds its constant: " + CudaBackend.memoryReport(GPU));
        g.release();
        assertEquals(before, GcSettle.settled(allocated), "released: " + CudaBackend.memoryReport(GPU));
        Tensor again = g.call(xg)[0];
        TensorAssert.assertClose(expected, again.to(Device.CPU), 1e-5, 1e-5);
        assertEquals(2, g.compilations(), "compiled again after the release");
        again.release();
        g.release();
        assertEquals(before, GcSettle.settled(allocated), "released again: " + CudaBackend.memoryReport(GPU));
        assertArrayEquals(hostTable.toFloatArray(), table.to(Device.CPU).transpose(0, 1).contiguous().toFloatArray(), 0f,
                "the caller's own constant is untouched");
    }

    private static long liveBlocks() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("in (\\d+) blocks \\(peak").matcher(CudaBackend.memoryReport(GPU));
        assertTrue(m.find(), CudaBackend.memoryReport(GPU));
        return Long.parseLong(m.group(1));
    }

    /** A convnet train step (forward, tape backward, SGD update on variables) compiled once and run on the device. */
    @Test
    void aConvnetTrainStepMatchesTheCpu() {
        Tensor x = data(11, 4, 6, 6, 1).mul(0.5);
        Tensor labels = Ops.unsqueeze(Tensors.of(new long[] {0, 2, 1, 2}), 1);
        Variable[] cpu = weights(Device.CPU), gpu = weights(GPU);
        CompiledFunction onCpu = Jit.compile(trainStep(cpu)), onGpu = Jit.compile(trainStep(gpu));
        Tensor xg = x.to(GPU), lg = labels.to(GPU);
        long kernelsBefore = PtxCache.size();
        for (int step = 0; step < 3; step++) {
            float lc = (float) onCpu.call(x, labels)[0].item();
            float lgpu = (float) onGpu.call(xg, lg)[0].to(Device.CPU).item();
            assertEquals(lc, lgpu, 1e-4, "loss at step " + step);
        }
        assertEquals(1, onGpu.compilations(), "one compiled program per step");
        assertTrue(PtxCache.size() > kernelsBefore || onGpu.lastCompileNanos() > 0, "the step generated PTX");
        for (int i = 0; i < cpu.length; i++) {
            assertEquals(GPU, gpu[i].stored().device(), "weights stay on the device");
            TensorAssert.assertClose(cpu[i].stored(), gpu[i].stored().to(Device.CPU), 1e-4, 1e-5);
        }
    }

    private static Function<Tensor[], Tensor[]> trainStep(Variable[] w) {
        OpAttrs.Conv same = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1);
        return a -> {
            try (GradientTape tape = GradientTape.record()) {
                Tensor h = Ops.conv2d(a[0], w[0].value(), same).add(w[1].value()).relu();
                Tensor pooled = NN.maxPool2d(h, new int[] {2, 2}, new int[] {2, 2}, "valid");
                Tensor logits = pooled.reshape(4, 3 * 3 * 3).matmul(w[2].value());
                Tensor logp = NN.logSoftmax(logits, 1);
                Tensor loss = IndexingOps.gather(logp, 1, a[1]).mean(new int[] {0, 1}, false).mul(-1.0);
                List<Tensor> g = tape.gradient(loss, List.of(w));
                for (int i = 0; i < w.length; i++) w[i].assign(w[i].value().sub(g.get(i).mul(0.2)));
                return new Tensor[] {loss};
            }
        };
    }

    private static Variable[] weights(Device d) {
        return new Variable[] {new Variable("filter", data(12, 3, 3, 1, 3).mul(0.3).to(d), true),
                new Variable("bias", data(13, 3).mul(0.1).to(d), true),
                new Variable("dense", data(14, 27, 3).mul(0.2).to(d), true)};
    }

    /**
     * Every PTX entry this process generated (the programs' fused kernels, planned here without
     * running them, and the backend kernels the other tests launched) assembles with ptxas for sm_80
     * and sm_90: the check of the generated code that needs no GPU.
     */
    @Test
    void everyGeneratedKernelAssemblesForSm80AndSm90() {
        Assumptions.assumeTrue(Ptxas.find() != null, "ptxas is not on the PATH: the generated PTX is not assembled here");
        Tensor x = data(1, 5, 33), w = data(2, 33);
        explain(a -> new Tensor[] {a[0].mul(a[1]).add(2.0).tanh().mul(a[0].sigmoid()).add(a[0].erf()).relu(),
                a[0].exp().sub(a[1].sin()).div(a[1].cos().abs().add(1.0)).log(), NN.softmax(a[0], 1),
                a[0].exp().sum(new int[] {0}, false), a[0].max(new int[] {1}, true)}, x, w);
        explain(a -> new Tensor[] {a[0].matmul(a[1]).add(a[2]).relu()}, data(6, 7, 19), data(7, 19, 13), data(8, 13));
        explain(CudaProgramTest::layerNormAndScale, data(19, 3, 5, 37));
        explain(trainStep(weights(GPU)), data(11, 4, 6, 6, 1), Ops.unsqueeze(Tensors.of(new long[] {0, 2, 1, 2}), 1));
        Map<String, String> entries = PtxCache.entries();
        assertTrue(entries.keySet().stream().anyMatch(n -> n.startsWith("E_") && n.matches(".*_[0-9a-f]{16}$")),
                "the programs' fused kernels were rendered: " + entries.keySet());
        PtxModule module = new PtxModule(PtxModule.SM_80);
        entries.values().forEach(module::add);
        for (String arch : List.of("sm_80", "sm_90")) {
            String error = Ptxas.assemble(module.text(), arch);
            assertNull(error, () -> entries.size() + " kernels for " + arch + ": " + error);
        }
    }

    @Test
    void dtypeAndShapeMismatchesStillNameTheOp() {
        Tensor x = data(15, 3, 4).to(GPU);
        Tensor y = Tensors.zeros(Shape.of(5), DType.FLOAT32).to(GPU);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Jit.compile(a -> new Tensor[] {a[0].add(a[1])}).call(x, y));
        assertTrue(e.getMessage().contains("add"), e.getMessage());
    }
}
