package dev.javelin.jit.ptx;

import static dev.javelin.tensor.DType.FLOAT32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.passes.Passes;
import dev.javelin.jit.plan.Lowering;
import dev.javelin.jit.plan.PlanStep;
import dev.javelin.kernels.cuda.CudaBackend;
import dev.javelin.kernels.cuda.Launch;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.testing.TensorAssert;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.Backends;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JIT's fused kernels as PTX, executed: each traced program's kernels are rendered, launched on
 * the GPU, or where there is none on the CUDA backend's emulated device (the PTX runs in an
 * interpreter), and their result compared with the same function run eagerly on the CPU. Proves the renderer and the adapter compute what the
 * fusion pass grouped, without a GPU.
 */
class EmulatedFusedKernelTest {
    private static final Device GPU = Device.cuda(0);

    /** On a machine with a GPU the kernels run there; elsewhere on the emulated device. */
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

    /** Runs every kernel of f's plan on the emulated GPU and compares the program's output with eager f on the CPU. */
    private static void check(Function<Tensor[], Tensor[]> f, Tensor... args) {
        Graph g = Tracer.trace(f, args);
        Passes.optimize(g);
        List<PlanStep> steps = Lowering.plan(g);
        assertTrue(steps.stream().allMatch(s -> s instanceof PlanStep.Kernel), "only fused kernels in this program: " + steps);
        Map<Node, Tensor> values = new IdentityHashMap<>();
        Tensor last = null;
        for (PlanStep s : steps) {
            PlanStep.Kernel k = (PlanStep.Kernel) s;
            int slots = k.leaves().size() + 1;
            long[] addresses = new long[slots];
            for (int i = 0; i < k.leaves().size(); i++) {
                Node leaf = k.leaves().get(i);
                Tensor v = values.computeIfAbsent(leaf, n -> switch (n.kind()) {
                    case ARGUMENT -> args[n.inputIndex()].to(GPU);
                    case CONSTANT -> n.constant().to(GPU);
                    default -> throw new IllegalStateException("leaf " + n + " was not computed by an earlier kernel");
                });
                addresses[i] = CudaBackend.devicePointer(v);
            }
            Node node = k.node();
            Tensor out = Tensor.wrap(Backends.forDevice(GPU).allocate(node.dtype(), node.shape().sizeAsInt(), GPU), node.shape());
            addresses[slots - 1] = CudaBackend.devicePointer(out);
            Launch launch = KernelIrAdapter.launch(k, addresses, new int[slots]);
            if (launch != null) CudaBackend.launch(GPU, launch);
            values.put(node, out);
            last = out;
        }
        Tensor expected = f.apply(args)[0];
        assertEquals(expected.shape(), last.shape());
        TensorAssert.assertClose(expected, last.to(Device.CPU), 2e-5, 2e-5);
    }

    @Test
    void elementwiseChainWithBroadcasts() {
        check(a -> new Tensor[] {a[0].mul(a[1]).add(2.0).tanh().mul(a[0].sigmoid()).relu()}, data(1, 8, 33), data(2, 33));
    }

    @Test
    void aKernelWithSeveralResultsStoresEachFromOneLoop() {
        // c' = sigmoid(z) * c + tanh(z), stored with the gate and the candidate: rendered from the IR the CPU runs
        List<KernelIR.Load> two = List.of(new KernelIR.Load(FLOAT32, KernelIR.Access.CONTIGUOUS), new KernelIR.Load(FLOAT32, KernelIR.Access.CONTIGUOUS));
        KernelIR ir = KernelIR.multiOutput("E_cell", two, List.of(Instr.load(0, FLOAT32), Instr.op(Op.SIGMOID, List.of(0), FLOAT32),
                Instr.op(Op.TANH, List.of(0), FLOAT32), Instr.load(1, FLOAT32), Instr.op(Op.MUL, List.of(1, 3), FLOAT32),
                Instr.op(Op.ADD, List.of(4, 2), FLOAT32)), List.of(1, 2, 5));
        int n = 1000;
        Tensor z = data(7, n), c = data(8, n);
        Tensor[] outs = new Tensor[3];
        List<Object> args = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
            outs[j] = Tensor.wrap(Backends.forDevice(GPU).allocate(DType.FLOAT32, n, GPU), Shape.of(n));
            args.addAll(List.of(CudaBackend.devicePointer(outs[j]), 0, 1));
        }
        args.add(n);
        for (Tensor in : new Tensor[] {z.to(GPU), c.to(GPU)}) args.addAll(List.of(CudaBackend.devicePointer(in), 0, 1));
        String entry = PtxRenderer.elementwise(ir, 1);
        String name = entry.substring(entry.indexOf(".entry ") + 7, entry.indexOf('('));
        CudaBackend.launch(GPU, new Launch(name, entry, (n + PtxRenderer.BLOCK - 1) / PtxRenderer.BLOCK, 1, 1, PtxRenderer.BLOCK, 0, args));
        Tensor gate = z.sigmoid(), cand = z.tanh();
        Tensor[] expected = {gate, cand, gate.mul(c).add(cand)};
        for (int j = 0; j < 3; j++) TensorAssert.assertClose(expected[j], outs[j].to(Device.CPU), 2e-6, 2e-6);
    }

    @Test
    void softmaxAsThreeFusedKernels() {
        check(a -> new Tensor[] {NN.softmax(a[0], 1)}, data(3, 8, 33));
    }

    @Test
    void columnAndFullReductionsWithPrologues() {
        check(a -> new Tensor[] {a[0].exp().sum(new int[] {0}, false)}, data(4, 9, 17));
        check(a -> new Tensor[] {a[0].mul(a[0]).sum(new int[] {0, 1}, false)}, data(5, 7, 300));
        check(a -> new Tensor[] {a[0].max(new int[] {1}, true)}, data(6, 5, 260));
    }
}
