package dev.javelin.jit.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.jit.TestTensors;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.passes.Passes;
import dev.javelin.jit.runtime.Program;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A matmul whose result only its epilogue reads is written into the epilogue's output and rewritten
 * there block by block ({@link Plan.WithEpilogue#inPlace}): the same bits as eager, on any shape and
 * operand layout, call after call; a product that anything else reads keeps a buffer of its own.
 */
class InPlaceEpilogueTest {
    /** A program and the run of its first product when that product has an epilogue, else null. */
    private record Compiled(Program program, Plan.WithEpilogue run) {}

    private static Compiled compile(Function<Tensor[], Tensor[]> f, Tensor... args) {
        Graph g = Tracer.trace(f, args);
        Passes.optimize(g);
        Program p = new Program(Planner.plan(g));
        Plan.WithEpilogue first = p.plan().runs().stream().filter(r -> r instanceof Plan.WithEpilogue).map(r -> (Plan.WithEpilogue) r)
                .findFirst().orElse(null);
        boolean firstProduct = first != null && p.steps().stream().filter(st -> st.node().isOp(Op.MATMUL)).findFirst().orElseThrow()
                == p.steps().get(first.contraction());
        return new Compiled(p, firstProduct ? first : null);
    }

    /** Eager's bits, on the first call and on a second one that reuses the program's buffers. */
    private static void assertEagerBits(Compiled c, Function<Tensor[], Tensor[]> f, Tensor[] args, String what) {
        Tensor[] eager = f.apply(args);
        for (int call = 0; call < 2; call++) {
            Tensor[] got = c.program().run(args);
            for (int i = 0; i < eager.length; i++) {
                assertArrayEquals(eager[i].toFloatArray(), got[i].toFloatArray(), what + ", output " + i + ", call " + call);
            }
        }
    }

    @Test
    void aProductOnlyItsEpilogueReadsIsComputedInItsOutput() {
        int[][] mkn = {{1, 1, 1}, {1, 7, 5}, {37, 19, 45}, {64, 128, 33}, {130, 70, 257}, {9, 600, 40}, {0, 5, 4}, {6, 0, 3}};
        long seed = 1;
        for (int[] s : mkn) {
            int m = s[0], k = s[1], n = s[2];
            Tensor x = TestTensors.uniform(Shape.of(m, k), -1, 1, seed++), xt = TestTensors.uniform(Shape.of(k, m), -1, 1, seed++);
            Tensor w = TestTensors.uniform(Shape.of(k, n), -1, 1, seed++), wt = TestTensors.uniform(Shape.of(n, k), -1, 1, seed++);
            Tensor b = TestTensors.uniform(Shape.of(n), -1, 1, seed++);
            // a bias over kept rows, then an activation as one flat run; each feeds another product (an internal buffer)
            List<Function<Tensor[], Tensor[]>> fns = List.of(
                    a -> new Tensor[] {a[0].matmul(a[1]).add(a[2]).relu().matmul(a[1].mT())},
                    a -> new Tensor[] {a[0].matmul(a[1]).tanh().mul(2.0)},
                    a -> new Tensor[] {a[0].mT().matmul(a[1].mT()).add(a[2])});
            Tensor[][] args = {{x, w, b}, {x, w, b}, {xt, wt, b}};
            for (int i = 0; i < fns.size(); i++) {
                Compiled c = compile(fns.get(i), args[i]);
                if (c.run() == null) { // the plan gives a product of a single row or column no epilogue
                    assertTrue(m <= 1 || n <= 1, "m=" + m + " k=" + k + " n=" + n + ": " + c.program().plan().decisions());
                    assertEagerBits(c, fns.get(i), args[i], "m=" + m + " k=" + k + " n=" + n + " function " + i + ", no epilogue");
                    continue;
                }
                assertTrue(c.run().inPlace(), "in place: " + c.program().plan().decisions());
                assertTrue(c.program().plan().decisions().stream().anyMatch(d -> d.startsWith("in place: %")
                        && d.contains("its epilogue rewrites block by block")), c.program().plan().decisions().toString());
                assertEagerBits(c, fns.get(i), args[i], "m=" + m + " k=" + k + " n=" + n + " function " + i);
            }
        }
    }

    @Test
    void aBatchOverASharedWeightRunsInPlace() {
        Tensor x = TestTensors.uniform(Shape.of(3, 23, 33), -1, 1, 50), w = TestTensors.uniform(Shape.of(33, 45), -1, 1, 51);
        Tensor perBatch = TestTensors.uniform(Shape.of(3, 33, 45), -1, 1, 52), b = TestTensors.uniform(Shape.of(45), -1, 1, 53);
        Function<Tensor[], Tensor[]> f = a -> new Tensor[] {a[0].matmul(a[1]).add(a[2]).relu().matmul(a[1].mT())};
        for (Tensor weight : new Tensor[] {w, perBatch}) {
            Compiled c = compile(f, x, weight, b);
            assertTrue(c.run() != null && c.run().inPlace(), c.program().plan().decisions().toString());
            assertEagerBits(c, f, new Tensor[] {x, weight, b}, "weight " + weight.shape());
        }
    }

    @Test
    void aProductReadElsewhereOrReturnedKeepsItsOwnBuffer() {
        Tensor x = TestTensors.uniform(Shape.of(40, 24), -1, 1, 60), w = TestTensors.uniform(Shape.of(24, 36), -1, 1, 61);
        Tensor b = TestTensors.uniform(Shape.of(36), -1, 1, 62);
        List<Function<Tensor[], Tensor[]>> fns = List.of(
                a -> { // a later product reads the pre-activation too (as a GELU's backward does)
                    Tensor c = a[0].matmul(a[1]);
                    return new Tensor[] {c.add(a[2]).tanh().matmul(a[1].mT()).add(c.matmul(a[1].mT()))};
                },
                a -> { // the product leaves the program
                    Tensor c = a[0].matmul(a[1]);
                    return new Tensor[] {c.add(a[2]).tanh(), c};
                });
        for (Function<Tensor[], Tensor[]> f : fns) {
            Compiled c = compile(f, x, w, b);
            assertTrue(c.run() != null && !c.run().inPlace(), c.program().plan().decisions().toString());
            assertEagerBits(c, f, new Tensor[] {x, w, b}, "not in place");
        }
    }
}
