package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.TensorAssert;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A dynamic-batch function called with many batch sizes: a row-wise one is served from a bounded
 * set of padded power-of-two programs and its memory stays flat; one that mixes rows keeps exact
 * programs, and every cache and log stays bounded either way.
 */
class DynamicBatchBucketsTest {
    private static final Variable W = new Variable("w", TestTensors.uniform(Shape.of(16, 8), -0.5, 0.5, 11), true);
    private static final Variable B = new Variable("b", TestTensors.uniform(Shape.of(8), -0.5, 0.5, 12), true);
    /** A dense layer with a softmax: rows stay apart. */
    private static final Function<Tensor[], Tensor[]> DENSE =
            a -> new Tensor[] {a[0].matmul(W.value()).add(B.value()).tanh().softmax(-1)};

    private static Tensor x(int rows, long seed) {
        return TestTensors.uniform(Shape.of(rows, 16), -1, 1, seed);
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void thousandBatchSizesCompileABoundedNumberOfProgramsWithFlatHeap() {
        CompiledFunction f = Jit.compile(DENSE, JitOptions.dynamicBatch());
        List<Integer> sizes = new ArrayList<>();
        for (int n = 1; n <= 1000; n++) sizes.add(n);
        Collections.shuffle(sizes, new Random(42));
        long heapAt250 = 0;
        for (int i = 0; i < sizes.size(); i++) {
            int n = sizes.get(i);
            Tensor in = x(n, n);
            Tensor out = f.call(in)[0];
            assertEquals(Shape.of(n, 8), out.shape());
            if (i % 97 == 0) TensorAssert.assertClose(DENSE.apply(new Tensor[] {in})[0], out, 1e-5, 1e-5);
            if (i == 249) heapAt250 = usedHeapAfterGc();
        }
        long heapAt1000 = usedHeapAfterGc();
        assertTrue(f.padsBatch());
        // buckets 1, 2, 4, ..., 1024 (11) plus the first call's own size: ceil(log2 1000) + 2 = 12
        assertTrue(f.compilations() <= 12, "programs built: " + f.compilations());
        assertTrue(f.recompileReasons().size() <= CompiledFunction.REASONS_KEPT);
        long growth = heapAt1000 - heapAt250;
        System.out.printf("[dynamic batch] 1000 distinct batch sizes: %d programs; used heap after GC %.1f MB at call 250, %.1f MB at call 1000%n",
                f.compilations(), heapAt250 / 1e6, heapAt1000 / 1e6);
        assertTrue(growth < 16_000_000, "heap grew by " + growth + " bytes between call 250 and call 1000");
    }

    @Test
    void aFunctionThatMixesRowsKeepsExactProgramsAndABoundedLog() {
        // the mean over the batch: padding would change it, so every size gets its own exact program
        Function<Tensor[], Tensor[]> mean = a -> new Tensor[] {a[0].mean(0).mul(2.0)};
        CompiledFunction f = Jit.compile(mean, JitOptions.dynamicBatch().withCacheSize(4));
        for (int n = 1; n <= 100; n++) {
            Tensor in = x(n, n);
            TensorAssert.assertClose(mean.apply(new Tensor[] {in})[0], f.call(in)[0], 1e-5, 1e-5);
        }
        assertFalse(f.padsBatch());
        assertEquals(100, f.compilations());
        assertEquals(CompiledFunction.REASONS_KEPT, f.recompileReasons().size());
        assertEquals(99 - CompiledFunction.REASONS_KEPT, f.droppedReasons());
    }

    @Test
    void aFunctionOfTheBatchSizeItselfIsCaughtByTheFirstPaddedRun() {
        // row-wise in structure, but it bakes x.dim(0) into a constant: padding would change it
        Function<Tensor[], Tensor[]> scaled = a -> new Tensor[] {a[0].mul((double) a[0].dim(0))};
        CompiledFunction f = Jit.compile(scaled, JitOptions.dynamicBatch());
        for (int n : new int[] {8, 5, 6, 3, 8, 7}) {
            Tensor in = x(n, n);
            TensorAssert.assertClose(scaled.apply(new Tensor[] {in})[0], f.call(in)[0], 1e-6, 1e-6);
        }
        assertFalse(f.padsBatch(), "the check against the op-by-op run turned padding off");
    }

    @Test
    void bucketsArePowersOfTwo() {
        assertEquals(1, CompiledFunction.bucketOf(1));
        assertEquals(2, CompiledFunction.bucketOf(2));
        assertEquals(4, CompiledFunction.bucketOf(3));
        assertEquals(1024, CompiledFunction.bucketOf(1000));
        assertEquals(1024, CompiledFunction.bucketOf(1024));
        assertEquals(1 << 30, CompiledFunction.bucketOf((1 << 29) + 1));
    }
}
