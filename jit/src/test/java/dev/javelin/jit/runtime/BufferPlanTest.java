package dev.javelin.jit.runtime;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.jit.TestTensors;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.passes.Passes;
import dev.javelin.jit.plan.Lowering;
import dev.javelin.jit.plan.BufferPlan;
import dev.javelin.jit.plan.PlanStep;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.TensorAssert;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Buffer planning: intermediates share memory by liveness; what leaves the program never does. */
class BufferPlanTest {
    private static final Function<Tensor[], Tensor[]> CHAIN = a -> {
        Tensor h = a[0];
        for (int i = 0; i < 4; i++) h = h.matmul(a[1]).tanh(); // GEMM, kernel, GEMM, kernel, ...
        return new Tensor[] {h};
    };

    @Test
    void aChainOfKernelsReusesTwoBuffers() {
        Tensor x = TestTensors.uniform(Shape.of(16, 16), -1, 1, 1), w = TestTensors.uniform(Shape.of(16, 16), -0.3, 0.3, 2);
        Graph g = Tracer.trace(CHAIN, x, w);
        Passes.optimize(g);
        Program p = new Program(g, Lowering.plan(g));
        long planned = p.steps().stream().filter(BufferPlan::planned).count();
        assertEquals(8, planned, "four GEMMs and four tanh kernels");
        assertEquals(4, p.gemmEpilogueCount(), "each tanh runs on the GEMM's finished blocks");
        assertEquals(2, p.bufferTypes().size(), "each GEMM writes into its tanh's memory (only the tanh reads the product), and a GEMM "
                + "still reads its operand while its epilogue writes: the epilogue's output cannot take that operand's buffer, so two "
                + "buffers alternate (the last output is fresh)");
        Tensor first = p.run(new Tensor[] {x, w})[0];
        Tensor second = p.run(new Tensor[] {x, w})[0];
        assertNotSame(first.storage(), second.storage(), "outputs are never pooled memory");
        TensorAssert.assertClose(CHAIN.apply(new Tensor[] {x, w})[0], first, 1e-5, 1e-5);
        TensorAssert.assertEqual(first, second);
    }

    @Test
    void aValueReadLaterKeepsItsBuffer() {
        Function<Tensor[], Tensor[]> skip = a -> {
            Tensor h1 = a[0].matmul(a[1]).tanh();
            Tensor h2 = h1.matmul(a[1]).tanh();
            Tensor h3 = h2.matmul(a[1]).tanh();
            return new Tensor[] {h3.add(h1)}; // h1 lives across the whole chain
        };
        Tensor x = TestTensors.uniform(Shape.of(8, 8), -1, 1, 3), w = TestTensors.uniform(Shape.of(8, 8), -0.5, 0.5, 4);
        Graph g = Tracer.trace(skip, x, w);
        Passes.optimize(g);
        Program p = new Program(g, Lowering.plan(g));
        assertTrue(p.steps().stream().anyMatch(s -> s instanceof PlanStep.Kernel));
        TensorAssert.assertClose(skip.apply(new Tensor[] {x, w})[0], p.run(new Tensor[] {x, w})[0], 1e-5, 1e-5);
        assertEquals(2, p.bufferTypes().size(), "h1 and h2 take a buffer each (every product is written into its tanh's memory): "
                + "h1's is not reused while h2 and h3 are computed");
    }

    /** Convolutions write into planned buffers too; reused memory (holding the last call's values) changes no bit. */
    @Test
    void convolutionsTakePlannedBuffers() {
        Function<Tensor[], Tensor[]> net = a -> {
            Tensor h = NN.conv2d(a[0], a[1], 1, "same").tanh();
            h = NN.conv2d(h, a[2], 1, "valid"); // alone: no kernel after it in this step's run
            h = NN.conv2d(h.mul(h), a[2], 1, "same").tanh();
            return new Tensor[] {h.sum(1, 2)};
        };
        Tensor x = TestTensors.uniform(Shape.of(2, 9, 9, 3), -1, 1, 5);
        Tensor f1 = TestTensors.uniform(Shape.of(3, 3, 3, 4), -0.5, 0.5, 6), f2 = TestTensors.uniform(Shape.of(3, 3, 4, 4), -0.5, 0.5, 7);
        Graph g = Tracer.trace(net, x, f1, f2);
        Passes.optimize(g);
        Program p = new Program(g, Lowering.plan(g));
        long convs = p.steps().stream().filter(s -> s.node().isOp(Op.CONV2D)).count();
        assertEquals(3, convs);
        assertEquals(3, p.steps().stream().filter(s -> s.node().isOp(Op.CONV2D) && BufferPlan.planned(s)).count(), "every convolution writes planned memory");
        Tensor expected = net.apply(new Tensor[] {x, f1, f2})[0];
        for (int call = 0; call < 3; call++) TensorAssert.assertClose(expected, p.run(new Tensor[] {x, f1, f2})[0], 1e-5, 1e-5);
    }
}
