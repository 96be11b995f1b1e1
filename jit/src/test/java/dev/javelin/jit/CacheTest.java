package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.TensorAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The program cache: what compiles, what does not, and that calls from several threads are safe. */
class CacheTest {
    private static final Function<Tensor[], Tensor[]> FN =
            a -> new Tensor[] {a[0].mul(a[1]).add(0.5).tanh().sum(new int[] {1}, false)};

    private static Tensor x(int rows, long seed) {
        return TestTensors.uniform(Shape.of(rows, 24), -1, 1, seed);
    }

    @Test
    void secondCallCompilesNothing() {
        CompiledFunction f = Jit.compile(FN);
        Tensor a = x(16, 1), b = x(16, 2);
        Tensor first = f.call(a, b)[0];
        JitStats before = Jit.stats();
        Tensor second = f.call(a, b)[0];
        JitStats after = Jit.stats();
        assertEquals(1, f.compilations());
        assertEquals(before.compilations(), after.compilations());
        assertEquals(before.traces(), after.traces());
        assertEquals(before.kernelsGenerated(), after.kernelsGenerated());
        assertEquals(before.cacheHits() + 1, after.cacheHits());
        TensorAssert.assertEqual(first, second);
        TensorAssert.assertClose(FN.apply(new Tensor[] {a, b})[0], second, 1e-5, 1e-5);
    }

    @Test
    void aNewShapeCompilesOnceAndSaysWhy() {
        CompiledFunction f = Jit.compile(FN);
        f.call(x(16, 1), x(16, 2));
        f.call(x(9, 3), x(9, 4));
        f.call(x(9, 5), x(9, 6));
        assertEquals(2, f.compilations());
        List<String> reasons = f.recompileReasons();
        assertEquals(1, reasons.size());
        assertTrue(reasons.get(0).contains("arg 0: float32[16, 24]@cpu -> float32[9, 24]@cpu"), reasons.get(0));
        assertTrue(reasons.get(0).startsWith("recompiling"), reasons.get(0));
    }

    @Test
    void dynamicBatchReusesEveryKernel() {
        CompiledFunction f = Jit.compile(FN, JitOptions.dynamicBatch());
        f.call(x(64, 1), x(64, 2));
        long kernels = Jit.stats().kernelsGenerated();
        Tensor a = x(7, 3), b = x(7, 4);
        Tensor last = f.call(a, b)[0];
        assertEquals(kernels, Jit.stats().kernelsGenerated(), "the smaller batch generates no code");
        assertTrue(f.recompileReasons().get(0).startsWith("re-planned for a new batch size"), f.recompileReasons().toString());
        TensorAssert.assertClose(FN.apply(new Tensor[] {a, b})[0], last, 1e-5, 1e-5);
    }

    @Test
    void concurrentCallsAreSafeAndCompileEachSignatureOnce() throws Exception {
        CompiledFunction f = Jit.compile(FN);
        Tensor[][] inputs = {{x(32, 1), x(32, 2)}, {x(5, 3), x(5, 4)}};
        Tensor[] expected = {FN.apply(inputs[0])[0], FN.apply(inputs[1])[0]};
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int which = t % 2;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        TensorAssert.assertClose(expected[which], f.call(inputs[which])[0], 1e-5, 1e-5);
                    }
                }));
            }
            for (Future<?> fu : futures) fu.get();
        } finally {
            pool.shutdown();
        }
        assertEquals(2, f.compilations());
    }

    @Test
    void theCacheIsBounded() {
        CompiledFunction f = Jit.compile(FN, JitOptions.defaults().withCacheSize(2));
        for (int rows : new int[] {3, 4, 5, 3}) f.call(x(rows, rows), x(rows, rows + 1));
        assertEquals(4, f.compilations(), "shape 3 was dropped when 5 came, so it compiles again");
    }
}
