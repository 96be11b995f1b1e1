package dev.javelin.jit.cpu;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.jit.Jit;
import dev.javelin.kernels.codegen.TieredKernel;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * A row group run through its one generated class ({@link GeneratedRowGroup}) gives the bits of the
 * eager ops and of the same program with every kernel in the interpreter's tier (which runs the group
 * member by member), at one and two threads, on rows of every kind: none, one, an odd number, more than
 * one parallel chunk; and blocks of one long run.
 */
class GeneratedRowGroupTest {
    /** Functions of an input and a row-wide parameter (their results in order) whose compiled plans hold row groups of each kind. */
    private static Map<String, BiFunction<Tensor, Tensor, Tensor[]>> functions() {
        Map<String, BiFunction<Tensor, Tensor, Tensor[]>> f = new LinkedHashMap<>();
        f.put("layer norm (a member of one value per row)", (x, g) -> {
            Tensor mean = x.sum(new int[] {-1}, true).div(x.dim(-1));
            Tensor c = x.sub(mean);
            Tensor var = c.mul(c).sum(new int[] {-1}, true).div(x.dim(-1));
            Tensor rstd = var.add(1e-5).sqrt().reciprocal(); // kept, as a layer norm keeps it for its gradient
            return new Tensor[] {c.mul(rstd).mul(g).add(g.mul(0.5)), rstd};
        });
        f.put("softmax (a scratch row in the output's row)", (x, g) -> new Tensor[] {x.mul(g).softmax(-1)});
        f.put("log-softmax and a second reduction", (x, g) -> new Tensor[] {x.logSoftmax(-1).add(x.mul(g).sum(new int[] {-1}, true))});
        f.put("transcendental chain (blocks of one long run)", (x, g) -> new Tensor[] {x.tanh().mul(x.sigmoid()).add(x.mul(g).exp().log()).erf()});
        return f;
    }

    @Test
    void generatedGroupsGiveTheEagerAndInterpretedBits() {
        int[][] shapes = {{0, 37}, {1, 37}, {7, 37}, {33, 129}, {600, 130}, {3, 1}, {5, 2049}};
        TieredKernel.Policy before = TieredKernel.policy();
        int threadsBefore = CpuThreads.threads();
        long runsBefore = GeneratedRowGroup.runs();
        boolean generatedBefore = Launcher.generatedRowGroups;
        Launcher.generatedRowGroups = true; // off by default (Launcher's note): this test is about the generated class
        try {
            for (var f : functions().entrySet()) {
                for (int[] dims : shapes) {
                    Shape shape = Shape.of(dims);
                    Tensor x = Tensors.uniform(shape, -3, 3, 11L * dims[0] + dims[1]);
                    Tensor g = Tensors.uniform(Shape.of(dims[1]), 0.5, 1.5, 7L + dims[1]);
                    String what = f.getKey() + " on " + shape;
                    TieredKernel.setPolicy(TieredKernel.Policy.VECTOR);
                    Tensor[] eager = f.getValue().apply(x, g);
                    for (int threads = 1; threads <= 2; threads++) {
                        CpuThreads.setThreads(threads);
                        for (TieredKernel.Policy p : new TieredKernel.Policy[] {TieredKernel.Policy.INTERPRETER, TieredKernel.Policy.VECTOR}) {
                            TieredKernel.setPolicy(p);
                            Tensor[] compiled = Jit.compile(a -> f.getValue().apply(a[0], a[1])).call(x, g);
                            for (int i = 0; i < eager.length; i++) {
                                assertSameBits(what + ", result " + i + ", " + p + ", " + threads + " threads", eager[i].toFloatArray(), compiled[i].toFloatArray());
                            }
                        }
                    }
                }
            }
        } finally {
            TieredKernel.setPolicy(before);
            CpuThreads.setThreads(threadsBefore);
            Launcher.generatedRowGroups = generatedBefore;
        }
        assertTrue(GeneratedRowGroup.runs() > runsBefore, "no row group ran through its generated class");
    }

    private static void assertSameBits(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]), a = Float.floatToRawIntBits(actual[i]);
            if (e != a && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                fail(what + " at " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
    }
}
