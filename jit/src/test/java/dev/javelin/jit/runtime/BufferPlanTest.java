package dev.javelin.jit.runtime;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.autodiff.GradientTape;
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
import java.util.List;
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

    /**
     * Backend ops other than contractions (here attention and its gradient, which accumulates into its output)
     * take planned memory of their exact size, zeroed: the second layer's gradient reuses the first one's buffer
     * while it still holds that gradient, and every call gives the eager bits.
     */
    @Test
    void backendOpsTakeZeroedPlannedBuffers() {
        Function<Tensor[], Tensor[]> twoLayers = a -> {
            try (GradientTape tape = GradientTape.record()) {
                tape.watch(a[0]);
                Tensor h = NN.scaledDotProductAttention(a[0], a[1], a[2], null, true).tanh();
                Tensor y = NN.scaledDotProductAttention(h, a[1], h, null, true);
                return new Tensor[] {tape.gradient(y.mul(a[3]).sum(), a[0])[0].mul(a[3])}; // the gradient itself does not leave
            }
        };
        Shape shape = Shape.of(2, 3, 19, 8);
        Tensor[] in = {TestTensors.uniform(shape, -1.5, 1.5, 11), TestTensors.uniform(shape, -1.5, 1.5, 12),
            TestTensors.uniform(shape, -1, 1, 13), TestTensors.uniform(shape, -1, 1, 14)};
        Graph g = Tracer.trace(twoLayers, in);
        Passes.optimize(g);
        Program p = new Program(g, Lowering.plan(g));
        List<Integer> backward = new java.util.ArrayList<>();
        for (int t = 0; t < p.steps().size(); t++) {
            PlanStep s = p.steps().get(t);
            if (s.node().isOp(Op.ATTENTION) || s.node().isOp(Op.ATTENTION_BACKWARD)) {
                assertTrue(BufferPlan.planned(s) && p.bufferOfStep(t) >= 0, "planned memory for " + Program.stepName(s));
            }
            if (s.node().isOp(Op.ATTENTION_BACKWARD)) backward.add(p.bufferOfStep(t));
        }
        assertEquals(2, backward.size());
        assertEquals(backward.get(0), backward.get(1), "the second gradient reuses the first one's buffer");
        Tensor expected = twoLayers.apply(in)[0];
        for (int call = 0; call < 3; call++) TensorAssert.assertEqual(expected, p.run(in)[0]);
    }
}
