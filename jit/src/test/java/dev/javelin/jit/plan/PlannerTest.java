package dev.javelin.jit.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.jit.Jit;
import dev.javelin.jit.TestTensors;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.passes.Passes;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The plan is data: its runs cover every step once, in order, and every decision is written down. */
class PlannerTest {
    private static Plan plan(Function<Tensor[], Tensor[]> f, Tensor... args) {
        Graph g = Tracer.trace(f, args);
        Passes.optimize(g);
        return Planner.plan(g);
    }

    /** Each step belongs to exactly one run, and the runs come in step order. */
    private static void assertRunsCoverSteps(Plan p) {
        int next = 0;
        for (Plan.Run r : p.runs()) {
            assertEquals(next, r.first(), "runs in order, no gaps: " + p.runs());
            assertTrue(r.end() > r.first());
            next = r.end();
        }
        assertEquals(p.steps().size(), next);
    }

    @Test
    void aDenseLayerThenSoftmaxIsAnEpilogueAndARowGroup() {
        Tensor x = TestTensors.uniform(Shape.of(16, 12), 1L), w = TestTensors.uniform(Shape.of(12, 10), 2L);
        Tensor b = TestTensors.uniform(Shape.of(10), 3L), w2 = TestTensors.uniform(Shape.of(10, 7), 4L);
        Function<Tensor[], Tensor[]> f = a -> new Tensor[] {NN.softmax(a[0].matmul(a[1]).add(a[2]).relu().matmul(a[3]), 1)};
        Plan p = plan(f, x, w, b, w2);
        assertRunsCoverSteps(p);
        assertInstanceOf(Plan.WithEpilogue.class, p.runs().get(0), p.runs().toString());
        assertInstanceOf(Plan.Alone.class, p.runs().get(1), "the second matmul's next kernel is in a row group");
        Plan.RowGroup g = assertInstanceOf(Plan.RowGroup.class, p.runs().get(2));
        assertEquals(3, g.members().size(), "max, exp(x - max) summed as it is stored, divide");
        assertTrue(g.members().get(1).folded() >= 0 && g.members().get(1).scratch(), g.members().toString());
        List<String> d = p.decisions();
        assertTrue(d.stream().anyMatch(s -> s.startsWith("epilogue: ") && s.contains("E_add_relu")), d.toString());
        assertTrue(d.stream().anyMatch(s -> s.startsWith("no epilogue for ") && s.endsWith("the next kernel runs in a row group")), d.toString());
        assertTrue(d.stream().anyMatch(s -> s.startsWith("row group (16 rows of 7)")), d.toString());
        assertTrue(d.stream().anyMatch(s -> s.startsWith("one pass: ")), d.toString());
        assertTrue(d.stream().anyMatch(s -> s.contains("leaves the program")), d.toString());
        assertTrue(d.stream().anyMatch(s -> s.startsWith("kernel ") && s.contains("its loop computes") && s.contains(" add") && s.contains(" relu")
                && s.contains("stored because backend op")), "why the epilogue's value is stored: the next matmul reads it\n" + d);
        assertTrue(d.stream().anyMatch(s -> s.startsWith("backend ") && s.contains("matmul: no generated code")), d.toString());
        String explained = Jit.explain(f, x, w, b, w2);
        for (String line : d) assertTrue(explained.contains(line), "explain shows every decision: " + line);
    }

    @Test
    void aBufferFreedByAnEarlierRunIsReused() {
        Tensor x = TestTensors.uniform(Shape.of(64), 5L);
        Plan p = plan(a -> {
            Tensor t = a[0].mul(a[0]).sum(new int[] {0}, true); // each reduction is a kernel of its own
            Tensor u = a[0].sub(t).sum(new int[] {0}, true);
            Tensor v = a[0].mul(u).sum(new int[] {0}, true);
            return new Tensor[] {a[0].add(v).sum(new int[] {0}, true)};
        }, x);
        assertRunsCoverSteps(p);
        assertTrue(p.decisions().stream().anyMatch(s -> s.startsWith("buffer: ") && s.contains("reuses buffer 0")), p.decisions().toString());
        assertEquals(2, p.buffers().slots(), "t is dead once u is computed: v takes t's buffer");
    }
}
