package dev.javelin.jit.runtime;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.jit.TestTensors;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.passes.Passes;
import dev.javelin.jit.plan.Lowering;
import dev.javelin.jit.plan.BufferPlan;
import dev.javelin.jit.plan.PlanStep;
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
        assertEquals(3, p.bufferTypes().size(), "each value dies at its next run, but a GEMM still reads its operand while its "
                + "epilogue writes: the epilogue's output cannot take that operand's buffer, so three buffers rotate (the last output is fresh)");
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
        assertEquals(3, p.bufferTypes().size(), "h1's buffer is not reused while h2 and h3 are computed");
    }
}
