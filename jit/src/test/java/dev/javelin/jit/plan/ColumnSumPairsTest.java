package dev.javelin.jit.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.jit.Jit;
import dev.javelin.jit.TestTensors;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.passes.Passes;
import dev.javelin.jit.runtime.Program;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backends;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A bias gradient (dY summed over its rows) beside its weight gradient {@code xᵀ·dY} is computed by the weight
 * gradient's GEMM as a row of ones ({@link ColumnSumPairs}, {@link Plan.WithColumnSums}): the plan says so, and
 * both results keep eager's bits, call after call, whether the sum was traced before or after the product and
 * whether dY reaches the product through a view. A sum that computes on dY, sums another value or another
 * axis, or is read before the product runs, or whose product has an epilogue, stays a kernel of its own.
 * Under the reference backend the same program gives the reference's bits.
 */
class ColumnSumPairsTest {
    @AfterEach
    void restoreBackend() {
        Backends.prefer(null);
    }

    private static Program compile(Function<Tensor[], Tensor[]> f, Tensor... args) {
        Graph g = Tracer.trace(f, args);
        Passes.optimize(g);
        return new Program(Planner.plan(g));
    }

    private static long pairs(Program p) {
        return p.plan().runs().stream().filter(r -> r instanceof Plan.WithColumnSums).count();
    }

    private static void assertEagerBits(Program p, Function<Tensor[], Tensor[]> f, Tensor[] args, String what) {
        Tensor[] eager = f.apply(args);
        for (int call = 0; call < 2; call++) {
            Tensor[] got = p.run(args);
            for (int i = 0; i < eager.length; i++) {
                assertArrayEquals(eager[i].toFloatArray(), got[i].toFloatArray(), what + ", output " + i + ", call " + call);
            }
        }
    }

    @Test
    void aBiasGradientIsTheRowOfOnesOfItsWeightGradientsGemm() {
        int[][] shapes = {{1, 1, 1}, {7, 5, 3}, {130, 33, 70}, {300, 64, 129}, {4096, 128, 128}, {0, 5, 4}};
        long seed = 1;
        for (int[] s : shapes) {
            int rows = s[0], in = s[1], out = s[2];
            Tensor x = TestTensors.uniform(Shape.of(rows, in), -1, 1, seed++), dy = TestTensors.uniform(Shape.of(rows, out), -1, 1, seed++);
            Tensor dy3 = TestTensors.uniform(Shape.of(2, rows, out), -1, 1, seed++), x3 = TestTensors.uniform(Shape.of(2, rows, in), -1, 1, seed++);
            List<Function<Tensor[], Tensor[]>> fns = List.of(
                    a -> new Tensor[] {a[0].mT().matmul(a[1]), a[1].sum(new int[] {0}, true)},     // product traced first
                    a -> new Tensor[] {a[1].sum(0), a[0].mT().matmul(a[1])},                       // sum traced first
                    a -> new Tensor[] {a[0].reshape(-1, in).mT().matmul(a[1].reshape(-1, out)),   // dY [2, rows, out] through a view,
                            a[1].sum(new int[] {0, 1}, false)});                                   // summed over two axes
            Tensor[][] args = {{x, dy}, {x, dy}, {x3, dy3}};
            for (int i = 0; i < fns.size(); i++) {
                Program p = compile(fns.get(i), args[i]);
                String what = rows + "x" + in + "x" + out + " function " + i;
                if (rows > 0 && out > 1) {
                    assertEquals(1, pairs(p), what + ": " + p.plan().decisions());
                    assertTrue(p.plan().decisions().stream().anyMatch(d -> d.startsWith("column sums: %") && d.contains("row of ones")),
                            what + ": " + p.plan().decisions());
                }
                assertEagerBits(p, fns.get(i), args[i], what);
            }
        }
    }

    @Test
    void explainShowsThePair() {
        Function<Tensor[], Tensor[]> f = a -> new Tensor[] {a[0].mT().matmul(a[1]), a[1].sum(0)};
        String plan = Jit.explain(f, TestTensors.uniform(Shape.of(64, 24), 1L), TestTensors.uniform(Shape.of(64, 40), 2L));
        assertTrue(plan.lines().anyMatch(l -> l.strip().startsWith("column sums: %") && l.contains("matmul [24, 40]")), plan);
    }

    @Test
    void otherSumsStayKernelsOfTheirOwn() {
        Tensor x = TestTensors.uniform(Shape.of(90, 24), -1, 1, 40), dy = TestTensors.uniform(Shape.of(90, 36), -1, 1, 41);
        Tensor other = TestTensors.uniform(Shape.of(90, 36), -1, 1, 42);
        List<Function<Tensor[], Tensor[]>> fns = List.of(
                a -> new Tensor[] {a[0].mT().matmul(a[1]), a[1].mul(2.0).sum(0)},                    // computes on dY first
                a -> new Tensor[] {a[0].mT().matmul(a[1]), a[2].sum(0)},                             // sums another value
                a -> new Tensor[] {a[0].mT().matmul(a[1]), a[1].sum(1)},                             // sums along the rows
                a -> new Tensor[] {a[0].mT().matmul(a[1].slice(1, 2, 30)), a[1].sum(0)},             // B is part of dY
                a -> new Tensor[] {a[1].sum(0), a[0].mT().matmul(a[1]).mul(2.0)},                    // the product keeps its epilogue
                a -> {                                                                               // read before the product runs
                    Tensor s = a[1].sum(0);
                    Tensor u = a[2].add(s).mT().matmul(a[2]);
                    return new Tensor[] {u, a[0].mT().matmul(a[1]), s};
                });
        for (int i = 0; i < fns.size(); i++) {
            Program p = compile(fns.get(i), x, dy, other);
            assertEquals(0, pairs(p), "function " + i + ": " + p.plan().decisions());
            assertEagerBits(p, fns.get(i), new Tensor[] {x, dy, other}, "function " + i);
        }
    }

    @Test
    void theReferenceBackendRunsTheSameProgramAsItsOwnOps() {
        Function<Tensor[], Tensor[]> f = a -> new Tensor[] {a[0].mT().matmul(a[1]), a[1].sum(new int[] {0}, true)};
        Tensor[] args = {TestTensors.uniform(Shape.of(77, 31), 5L), TestTensors.uniform(Shape.of(77, 45), 6L)};
        Program p = compile(f, args);
        assertEquals(1, pairs(p), p.plan().decisions().toString());
        Backends.prefer("reference");
        Tensor[] eager = f.apply(args), compiled = p.run(args);
        for (int i = 0; i < eager.length; i++) assertArrayEquals(eager[i].toFloatArray(), compiled[i].toFloatArray(), "output " + i);
    }
}
