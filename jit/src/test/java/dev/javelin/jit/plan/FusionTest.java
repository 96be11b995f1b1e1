package dev.javelin.jit.plan;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.Decompositions;
import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.passes.Passes;
import dev.javelin.jit.runtime.Program;
import dev.javelin.autodiff.GradientTape;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What fusion must group into one loop, and where it must stop. */
class FusionTest {
    private static final Tensor X = dev.javelin.jit.TestTensors.uniform(Shape.of(8, 33), 2L);

    private static List<PlanStep> plan(Function<Tensor[], Tensor[]> f, Tensor... args) {
        Graph g = Tracer.trace(f, args);
        Passes.optimize(g);
        return Lowering.plan(g);
    }

    private static long kernels(List<PlanStep> steps) {
        return steps.stream().filter(s -> s instanceof PlanStep.Kernel).count();
    }

    @Test
    void elementwiseChainWithBroadcastsIsOneLoop() {
        Tensor bias = dev.javelin.jit.TestTensors.uniform(Shape.of(33), 3L);
        List<PlanStep> steps = plan(a -> new Tensor[] {a[0].mul(a[1]).add(2.0).tanh().mul(a[0].abs()).relu()}, X, bias);
        assertEquals(1, steps.size());
        PlanStep.Kernel k = (PlanStep.Kernel) steps.get(0);
        assertEquals(KernelIR.Mode.ELEMENTWISE, k.ir().mode());
        assertTrue(k.ir().name().startsWith("E_mul_add_tanh_abs"), k.ir().name());
        assertEquals(KernelIR.Access.BROADCAST, k.ir().loads().get(2).access(), "the scalar 2.0 is read once");
    }

    @Test
    void softmaxIsOneRowGroupWithTheExponentialInAScratchRow() {
        Graph g = Tracer.trace(a -> new Tensor[] {NN.softmax(a[0], 1)}, X);
        Passes.optimize(g);
        Program p = new Program(g, Lowering.plan(g));
        List<PlanStep> steps = p.steps();
        List<KernelIR.Mode> modes = steps.stream().map(s -> ((PlanStep.Kernel) s).ir().mode()).toList();
        assertEquals(List.of(KernelIR.Mode.REDUCE_ROW, KernelIR.Mode.ELEMENTWISE, KernelIR.Mode.REDUCE_ROW,
                KernelIR.Mode.ELEMENTWISE), modes, "max, exp(x - max), sum, divide");
        assertEquals(4, p.rowGroups().end()[0], "all four run row by row: x is read from memory once");
        assertTrue(p.rowGroups().scratch()[1], "exp(x - max) is computed once into a one-row scratch buffer");
        assertFalse(p.rowGroups().scratch()[3], "the result leaves the program");
        assertEquals(List.of("R_max_8x33 + R_sum_and_sub_exp_8x33 (scratch) + E_div_8x33"), p.describeRowGroups(),
                "exp(x - max) is summed as it is stored: three passes over each row");
    }

    @Test
    void rowGroupsWhoseScratchLivesInTheResultRowMatchEager() {
        // softmax: exp(x - max) is written into the result row and divided there in place;
        // layer norm and a softmax-weighted sum exercise groups with other shapes of readers
        Tensor x = dev.javelin.jit.TestTensors.uniform(Shape.of(37, 1003), -6, 6, 9L);
        List<Function<Tensor[], Tensor[]>> fns = List.of(
                a -> new Tensor[] {NN.softmax(a[0], 1)},
                a -> new Tensor[] {NN.softmax(a[0], 1).mul(a[0]).sum(new int[] {1}, true)},
                a -> new Tensor[] {NN.logSoftmax(a[0], 1)},
                a -> new Tensor[] {a[0].sub(a[0].max(new int[] {1}, true)).exp().mul(2.0)});
        for (Function<Tensor[], Tensor[]> f : fns) {
            Tensor expected = f.apply(new Tensor[] {x})[0];
            Tensor actual = dev.javelin.jit.Jit.compile(f).call(x)[0];
            dev.javelin.testing.TensorAssert.assertClose(expected, actual, 1e-5, 1e-6);
        }
    }

    /** Layer norm with its per-row scale kept (as a train step keeps it for the backward): a value per row. */
    static Tensor[] layerNormAndScale(Tensor x) {
        int last = x.rank() - 1;
        Tensor mean = x.mean(new int[] {last}, true);
        Tensor centered = x.sub(mean);
        Tensor scale = centered.mul(centered).mean(new int[] {last}, true).add(1e-5).sqrt().reciprocal();
        return new Tensor[] {centered.mul(scale).mul(1.5).add(0.25), scale};
    }

    @Test
    void aValuePerRowJoinsTheRowGroupOfItsRows() {
        Graph g = Tracer.trace(a -> layerNormAndScale(a[0]), X);
        Passes.optimize(g);
        Program p = new Program(g, Lowering.plan(g));
        assertEquals(List.of("R_sum_8x33 + R_sum_div_sub_mul_8x33 + E_div_add_sqrt_reciprocal_8x1 + E_div_sub_mul_add_8x33"), p.describeRowGroups(),
                "the scale [8, 1], one position per row, runs inside the group: each row read from memory once\n" + p.plan().decisions());
    }

    @Test
    void aValuePerRowInsideARowGroupMatchesEager() {
        // odd rows, two kept dimensions, rows of one, a single row: the per-row member loops over one position;
        // one kept dimension with more rows than a block and a partial last block: the group runs blocks of rows member by member
        for (Shape shape : List.of(Shape.of(3, 5, 37), Shape.of(6, 1), Shape.of(1, 19), Shape.of(2, 4, 1), Shape.of(1, 1),
                Shape.of(37, 19), Shape.of(300, 128), Shape.of(4, 0))) {
            Tensor x = dev.javelin.jit.TestTensors.uniform(shape, -3, 3, shape.size());
            Tensor[] expected = layerNormAndScale(x), actual = dev.javelin.jit.Jit.compile(a -> layerNormAndScale(a[0])).call(x);
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(expected[i].toFloatArray(), actual[i].toFloatArray(), 0f, shape + " output " + i);
            }
        }
    }

    @Test
    void aCheapPrologueIsRecomputedInsideTheReduction() {
        List<PlanStep> steps = plan(a -> new Tensor[] {a[0].sub(1.0).mul(a[0]).sum(new int[] {1}, true).add(a[0].sub(1.0))}, X);
        assertEquals(2, kernels(steps), steps.toString());
        assertTrue(((PlanStep.Kernel) steps.get(0)).ir().name().startsWith("R_sum_sub_mul"), steps.toString());
    }

    @Test
    void aReductionUsedTwiceIsComputedOnce() {
        List<PlanStep> steps = plan(a -> {
            Tensor s = a[0].sum(new int[] {1}, true);
            return new Tensor[] {a[0].div(s), a[0].mul(s).exp()};
        }, X);
        long reductions = steps.stream().filter(s -> s instanceof PlanStep.Kernel k && k.ir().reduceOp() == Op.REDUCE_SUM).count();
        assertEquals(1, reductions, "the sum is stored and read by both consumers, never recomputed");
        assertEquals(3, kernels(steps));
    }

    @Test
    void cheapSharedValuesAreRecomputedExpensiveOnesStored() {
        List<PlanStep> cheap = plan(a -> {
            Tensor t = a[0].add(1.0);
            return new Tensor[] {t.mul(2.0).sum(), t.neg().sum()};
        }, X);
        assertEquals(2, kernels(cheap), "x + 1 is inlined into both reductions");
        List<PlanStep> costly = plan(a -> {
            Tensor t = a[0].exp().sin().cos().sqrt().sin();
            return new Tensor[] {t.mul(2.0).sum(), t.neg().sum()};
        }, X);
        assertEquals(3, kernels(costly), "five transcendentals are computed once and stored");
    }

    @Test
    void transcendentalsFuseUntilTheLoopBodyLimit() {
        List<PlanStep> three = plan(a -> new Tensor[] {a[0].mul(a[0]).add(2.0).tanh().mul(a[0].sigmoid()).mul(a[0].neg().exp())}, X);
        assertEquals(1, kernels(three), "decomposed transcendentals are plain arithmetic in the loop: any few fuse");
        List<PlanStep> erfLog = plan(a -> new Tensor[] {a[0].abs().log().add(a[0].exp()).erf().mul(a[0].tanh())}, X);
        assertEquals(1, kernels(erfLog), "erf and log fuse like any other op");
        assertEquals(1, kernels(plan(a -> new Tensor[] {a[0].gelu()}, X)), "GELU (erf) is one loop");
        List<PlanStep> long12 = plan(a -> new Tensor[] {longChain(a[0], a[0])}, X);
        assertEquals(2, kernels(long12), "more tanh than one loop body holds: two loops");
        for (PlanStep s : long12) {
            if (s instanceof PlanStep.Kernel k) {
                int size = Decompositions.apply(k.ir()).body().size();
                assertTrue(size <= Fusion.HEAVY_BUDGET + 40, k.ir().name() + " holds " + size + " instructions");
            }
        }
    }

    /**
     * Thousands of cheap ops (adds, relus: no decomposition) count against the loop body limit too: as
     * nothing, they made one kernel of 6000 ops (an ONNX file's chain), whose lowering overflowed the stack.
     */
    @Test
    void aChainOfThousandsOfCheapOpsSplitsIntoLoopsWithinTheLimit() {
        Tensor a = dev.javelin.jit.TestTensors.uniform(Shape.of(33), 7L).sub(0.5);
        Function<Tensor[], Tensor[]> f = t -> {
            Tensor y = t[0];
            for (int i = 0; i < 6000; i++) y = i % 2 == 0 ? y.add(t[1]) : y.relu();
            return new Tensor[] {y};
        };
        List<PlanStep> steps = plan(f, X, a);
        assertTrue(kernels(steps) >= 6000 / Fusion.HEAVY_BUDGET, kernels(steps) + " kernels");
        for (PlanStep s : steps) {
            if (s instanceof PlanStep.Kernel k) {
                int size = Decompositions.apply(k.ir()).body().size();
                assertTrue(size <= Fusion.HEAVY_BUDGET + 40, k.ir().name() + " holds " + size + " instructions");
            }
        }
        assertArrayEquals(f.apply(new Tensor[] {X, a})[0].toFloatArray(), dev.javelin.jit.Jit.compile(f).call(X, a)[0].toFloatArray(),
                "bit-identical to eager");
    }

    /** y = x, then y = tanh(y) + a one time more than one loop body holds (so: two loops). */
    private static Tensor longChain(Tensor x, Tensor a) {
        Tensor y = x;
        for (int i = 0; i <= Fusion.HEAVY_BUDGET / Decompositions.size(Op.TANH); i++) y = y.tanh().add(a);
        return y;
    }

    @Test
    void aLongChainSplitByTheHeavyLimitRunsBlockByBlockWithItsIntermediateInScratch() {
        // odd length: blocks of RowGroups.BLOCK positions, the last one partial, each with a masked tail
        Tensor x = dev.javelin.jit.TestTensors.uniform(Shape.of(3 * 2048 + 37), 4L);
        Tensor a = dev.javelin.jit.TestTensors.uniform(Shape.of(3 * 2048 + 37), 5L);
        Function<Tensor[], Tensor[]> f = t -> new Tensor[] {longChain(t[0], t[1])};
        Graph g = Tracer.trace(f, x, a);
        Passes.optimize(g);
        Program p = new Program(g, Lowering.plan(g));
        assertEquals(2, kernels(p.steps()));
        assertEquals(2, p.rowGroups().end()[0], "both kernels run block by block");
        assertTrue(p.rowGroups().scratch()[0], "the first half of the chain lives in a cache-resident block, not in memory");
        float[] expected = f.apply(new Tensor[] {x, a})[0].toFloatArray();
        float[] actual = dev.javelin.jit.Jit.compile(f).call(x, a)[0].toFloatArray();
        assertArrayEquals(expected, actual, "bit-identical to eager");
        Tensor small = dev.javelin.jit.TestTensors.uniform(Shape.of(100), 6L);
        Graph sg = Tracer.trace(f, small, small);
        Passes.optimize(sg);
        assertEquals(1, new Program(sg, Lowering.plan(sg)).rowGroups().end()[0], "one block or less: no group");
    }

    /**
     * A comparison's bool value that several members of a row group read lives in a scratch row of its own dtype
     * (log-sigmoid's gradient over 2^14 positions or more threw ClassCastException: the row was a float[]).
     */
    @Test
    void aBoolValueInAScratchRowKeepsItsDtype() {
        Tensor x = dev.javelin.jit.TestTensors.uniform(Shape.of(4 * 2048 + 37), -6, 6, 7L);
        Function<Tensor[], Tensor[]> f = t -> {
            try (GradientTape tape = GradientTape.record()) {
                tape.watch(t[0]);
                Tensor y = NN.logSigmoid(t[0]);
                return new Tensor[] {y, tape.gradient(y.sum(), t[0])[0]};
            }
        };
        Graph g = Tracer.trace(f, x);
        Passes.optimize(g);
        Program p = new Program(g, Lowering.plan(g));
        boolean boolScratch = false;
        for (int t = 0; t < p.steps().size(); t++) boolScratch |= p.rowGroups().scratch()[t] && p.steps().get(t).node().dtype() == DType.BOOL;
        assertTrue(boolScratch, "a bool member in a scratch row: " + p.describeRowGroups());
        Tensor[] expected = f.apply(new Tensor[] {x});
        dev.javelin.jit.CompiledFunction c = dev.javelin.jit.Jit.compile(f);
        for (int call = 0; call < 100; call++) { // past the members' tier-up: the group's generated class runs it too
            Tensor[] actual = c.call(x);
            for (int i = 0; i < 2; i++) assertArrayEquals(expected[i].toFloatArray(), actual[i].toFloatArray(), "call " + call + ": eager's bits");
        }
    }

    @Test
    void biasAndActivationRunAsTheGemmsEpilogueAndMatchEager() {
        Tensor x = dev.javelin.jit.TestTensors.uniform(Shape.of(70, 33), 11L);
        Tensor w = dev.javelin.jit.TestTensors.uniform(Shape.of(33, 45), 12L);
        Tensor b = dev.javelin.jit.TestTensors.uniform(Shape.of(45), 13L);
        List<Function<Tensor[], Tensor[]>> fns = List.of(
                a -> new Tensor[] {a[0].matmul(a[1]).add(a[2]).relu()},            // rows kept: the bias broadcasts
                a -> new Tensor[] {a[0].matmul(a[1]).tanh().mul(2.0)},             // one flat run
                a -> new Tensor[] {a[0].matmul(a[1]).add(a[0].matmul(a[1]).mul(a[2]))}); // C read twice
        for (Function<Tensor[], Tensor[]> f : fns) {
            Graph g = Tracer.trace(f, x, w, b);
            Passes.optimize(g);
            Program p = new Program(g, Lowering.plan(g));
            assertEquals(1, p.gemmEpilogueCount(), p.steps().toString());
            float[] expected = f.apply(new Tensor[] {x, w, b})[0].toFloatArray();
            assertArrayEquals(expected, p.run(new Tensor[] {x, w, b})[0].toFloatArray(), "bit-identical to eager");
        }
        // a convolution's bias and activation: the cpu-vector backend's tiles hand over their rows
        Tensor img = dev.javelin.jit.TestTensors.uniform(Shape.of(5, 11, 9, 3), 14L);
        Tensor filter = dev.javelin.jit.TestTensors.uniform(Shape.of(3, 3, 3, 8), 15L);
        Tensor bias = dev.javelin.jit.TestTensors.uniform(Shape.of(8), 16L);
        for (int kh : new int[] {1, 3}) { // 1x1 runs as one GEMM, 3x3 as im2col tiles with short-K row kernels
            Tensor fk = kh == 1 ? dev.javelin.jit.TestTensors.uniform(Shape.of(1, 1, 3, 8), 17L) : filter;
            Function<Tensor[], Tensor[]> conv = a -> new Tensor[] {NN.conv2d(a[0], a[1], new int[] {1, 1}, "same", new int[] {1, 1}, 1).add(a[2]).relu()};
            Graph cg = Tracer.trace(conv, img, fk, bias);
            Passes.optimize(cg);
            Program cp = new Program(cg, Lowering.plan(cg));
            assertEquals(1, cp.gemmEpilogueCount(), cp.steps().toString());
            assertArrayEquals(conv.apply(new Tensor[] {img, fk, bias})[0].toFloatArray(), cp.run(new Tensor[] {img, fk, bias})[0].toFloatArray(),
                    "conv epilogue bit-identical to eager, " + kh + "x" + kh);
        }
        // a batch: one shared weight folds into one GEMM with the epilogue on its blocks; a weight per batch runs it after
        Tensor xs = dev.javelin.jit.TestTensors.uniform(Shape.of(3, 23, 33), 18L);
        Tensor ws = dev.javelin.jit.TestTensors.uniform(Shape.of(3, 33, 45), 19L);
        for (Tensor weight : new Tensor[] {w, ws}) {
            Function<Tensor[], Tensor[]> f = a -> new Tensor[] {a[0].matmul(a[1]).add(a[2]).relu()};
            Graph bg = Tracer.trace(f, xs, weight, b);
            Passes.optimize(bg);
            Program bp = new Program(bg, Lowering.plan(bg));
            assertEquals(1, bp.gemmEpilogueCount(), bp.steps().toString());
            assertArrayEquals(f.apply(new Tensor[] {xs, weight, b})[0].toFloatArray(), bp.run(new Tensor[] {xs, weight, b})[0].toFloatArray(),
                    "batched epilogue bit-identical to eager, weight " + weight.shape());
        }
        Graph g = Tracer.trace(a -> new Tensor[] {NN.softmax(a[0].matmul(a[1]), 1)}, x, w, b);
        Passes.optimize(g);
        assertEquals(0, new Program(g, Lowering.plan(g)).gemmEpilogueCount(), "a row group keeps its kernels together");
    }

    @Test
    void matmulRunsOnTheBackendAndItsEpilogueIsOneLoop() {
        Tensor w = dev.javelin.jit.TestTensors.uniform(Shape.of(33, 5), 4L);
        Tensor b = dev.javelin.jit.TestTensors.uniform(Shape.of(5), 5L);
        List<PlanStep> steps = plan(a -> new Tensor[] {a[0].matmul(a[1]).add(a[2]).relu()}, X, w, b);
        assertEquals(2, steps.size(), steps.toString());
        assertInstanceOf(PlanStep.Backend.class, steps.get(0));
        assertEquals(Op.MATMUL, steps.get(0).node().op());
        assertTrue(((PlanStep.Kernel) steps.get(1)).ir().name().startsWith("E_add_relu"));
    }

    @Test
    void aReshapeOfATransposeIsCopiedDenseFirst() {
        List<PlanStep> steps = plan(a -> new Tensor[] {a[0].exp().mT().reshape(-1).add(1.0)}, X);
        assertEquals(2, kernels(steps), "exp(x)^T is stored densely, then the reshape is a free view:\n" + steps);
    }

    @Test
    void columnReductionLoopsOverTheKeptAxis() {
        List<PlanStep> steps = plan(a -> new Tensor[] {a[0].sum(0)}, X);
        PlanStep.Kernel k = (PlanStep.Kernel) steps.get(0);
        assertEquals(KernelIR.Mode.REDUCE_COLUMNS, k.ir().mode());
        assertEquals(33, k.launch().n());
        assertArrayEquals(new int[] {8}, k.launch().reducedDims());
    }

    /**
     * A backend op reading a reshape of a permuted value (the head merge before an attention block's output
     * projection): a generated kernel copies the permuted value into planned memory, and the reshape is a view
     * of that copy; before, the eager engine copied it into a new array at every call.
     */
    @Test
    void aReshapeOfAPermutedValueReadByABackendOpIsCopiedByAKernel() {
        Tensor heads = dev.javelin.jit.TestTensors.uniform(Shape.of(2, 3, 5, 4), 4L);
        Tensor w = dev.javelin.jit.TestTensors.uniform(Shape.of(12, 7), 5L);
        Function<Tensor[], Tensor[]> merge = a -> new Tensor[] {a[0].mul(2.0).permute(0, 2, 1, 3).reshape(10, 12).matmul(a[1])};
        Graph g = Tracer.trace(merge, heads, w);
        Passes.optimize(g);
        Program p = new Program(g, Lowering.plan(g));
        List<PlanStep> steps = p.steps();
        PlanStep.Kernel copy = (PlanStep.Kernel) steps.stream().filter(s -> s instanceof PlanStep.Kernel).findFirst().orElseThrow();
        assertEquals(Shape.of(2, 5, 3, 4), copy.node().shape(), "the permuted value, stored densely by the kernel");
        assertTrue(steps.stream().filter(s -> s instanceof PlanStep.View).allMatch(s -> s.node().isOp(Op.RESHAPE)), steps.toString());
        dev.javelin.testing.TensorAssert.assertEqual(merge.apply(new Tensor[] {heads, w})[0], p.run(new Tensor[] {heads, w})[0]);
    }
}
