package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.javelin.tensor.Tensor;
import dev.javelin.testing.TensorAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import dev.javelin.tensor.spi.Backends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Compiles random op graphs ({@link RandomGraphs}) and compares every output with eager execution on
 * the reference backend (the compiled program runs on the default backend: its fused kernels and its
 * backend's contractions are what is checked).
 * A failure prints the graph's seed and the smallest failing subgraph: the first value that differs,
 * with only the steps it depends on, ready to paste into a regression test.
 */
class DifferentialTest {
    static final long MASTER_SEED = 20_261_123L;
    static final int GRAPHS = 1000;
    static final double RTOL = 2e-3, ATOL = 2e-3;

    @AfterAll
    static void restoreBackend() {
        Backends.prefer(null);
    }

    @Test
    void compiledGraphsMatchEager() {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < GRAPHS && failures.size() < 3; i++) {
            long seed = MASTER_SEED + i;
            RandomGraphs.Recipe recipe = RandomGraphs.generate(seed);
            String problem = compare(recipe);
            if (problem != null) failures.add(minimize(recipe) + "\n  " + problem);
        }
        System.out.println("differential: " + GRAPHS + " graphs from master seed " + MASTER_SEED + "; " + Jit.stats());
        if (!failures.isEmpty()) {
            fail(failures.size() + " graph(s) differ from eager (master seed " + MASTER_SEED + "):\n" + String.join("\n\n", failures));
        }
    }

    /** Null when the compiled graph matches eager execution, else what differs. */
    static String compare(RandomGraphs.Recipe recipe) {
        Function<Tensor[], Tensor[]> fn = recipe.function();
        try {
            // eager on the oracle; compiled on the default backend, the one that runs generated kernels
            // (under the reference backend a program runs op by op, which would test no fusion)
            Backends.prefer("reference");
            Tensor[] expected = fn.apply(recipe.args());
            Backends.prefer(null);
            Tensor[] actual = Jit.compile(fn).call(recipe.args());
            assertEquals(expected.length, actual.length, "output count");
            for (int o = 0; o < expected.length; o++) {
                assertEquals(expected[o].dtype(), actual[o].dtype(), "dtype of output " + o);
                TensorAssert.assertClose(expected[o], actual[o], RTOL, ATOL);
            }
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e.toString();
        }
    }

    /** The first value of the recipe whose compiled result differs, as a recipe of its own. */
    static String minimize(RandomGraphs.Recipe recipe) {
        int total = recipe.args().length + recipe.steps().size();
        for (int v = recipe.args().length; v < total; v++) {
            RandomGraphs.Recipe sub = recipe.only(v);
            String p = compare(sub);
            if (p != null) return "minimized " + sub + "\n  " + p;
        }
        return recipe.toString();
    }
}
