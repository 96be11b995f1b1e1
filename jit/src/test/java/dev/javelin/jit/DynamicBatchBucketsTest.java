package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.SequenceOps;
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
 * A dynamic-batch function called with many batch sizes: a row-wise one (also when the batch moves
 * through transposes and merged axes, as in exported attention) is served from a bounded set of
 * padded power-of-two programs and its memory stays flat; one that mixes rows keeps exact programs,
 * and every cache and log stays bounded either way.
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

    /** Attention as exported transformers write it: the batch moves off axis 0 and into merged axes. */
    private static final Variable WQ = new Variable("wq", TestTensors.uniform(Shape.of(8, 8), -0.5, 0.5, 13), true);

    private static Tensor attentionLikeExport(Tensor x) {
        int b = x.dim(0), t = x.dim(1), e = x.dim(2), heads = 2, d = e / heads;
        Tensor seqFirst = x.permute(1, 0, 2);                                        // [T, B, E]
        Tensor q = seqFirst.reshape(t * b, e).matmul(WQ.value()).reshape(t, b * heads, d); // [T, B*H, D]
        Tensor perHead = q.permute(1, 0, 2);                                         // [B*H, T, D]
        Tensor mixed = perHead.matmul(perHead.mT()).softmax(-1).matmul(perHead);     // within each (row, head)
        return mixed.permute(1, 0, 2).reshape(t, b, e).permute(1, 0, 2).add(x);      // back to [B, T, E]
    }

    @Test
    void rowsAreFollowedThroughTransposesAndMergedAxes() {
        Function<Tensor[], Tensor[]> fn = a -> new Tensor[] {attentionLikeExport(a[0])};
        CompiledFunction f = Jit.compile(fn, JitOptions.dynamicBatch());
        for (int n : new int[] {1, 2, 3, 5, 7, 8, 13}) {
            Tensor in = TestTensors.uniform(Shape.of(n, 5, 8), -1, 1, n);
            TensorAssert.assertClose(fn.apply(new Tensor[] {in})[0], f.call(in)[0], 1e-5, 1e-5);
        }
        assertTrue(f.padsBatch());
        assertTrue(f.compilations() <= 5, "programs for 1, 2, 4, 8, 16: " + f.compilations() + " " + f.recompileReasons());
    }

    /** A fused LSTM over [B, 6, 3] inputs, h0 and c0 zero: every example runs its own loop. */
    private static Tensor lstm(Tensor x, Tensor mask) {
        int n = x.dim(0), steps = x.dim(1);
        Tensor projected = x.reshape(n * steps, 3).matmul(LSTM_KERNEL.value()).reshape(n, steps, 16);
        Tensor zero = Ops.expand(Ops.scalarLike(x, 0), Shape.of(n, 4));
        return SequenceOps.recurrence(projected, LSTM_RECURRENT.value(), List.of(zero, zero), mask,
                new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.LSTM, false, false)).slice(2, 0, 4);
    }

    private static final Variable LSTM_KERNEL = new Variable("k", TestTensors.uniform(Shape.of(3, 16), -0.5, 0.5, 13), true);
    private static final Variable LSTM_RECURRENT = new Variable("u", TestTensors.uniform(Shape.of(4, 16), -0.5, 0.5, 14), true);

    @Test
    void aFusedRecurrenceIsServedFromPaddedPowerOfTwoPrograms() {
        Function<Tensor[], Tensor[]> fn = a -> new Tensor[] {lstm(a[0], a[1])};
        CompiledFunction f = Jit.compile(fn, JitOptions.dynamicBatch());
        List<Integer> sizes = new ArrayList<>();
        for (int n = 1; n <= 40; n++) sizes.add(n);
        Collections.shuffle(sizes, new Random(7));
        for (int n : sizes) {
            Tensor in = TestTensors.uniform(Shape.of(n, 6, 3), -1, 1, n);
            Tensor mask = TestTensors.uniform(Shape.of(n, 6), -1, 1, 100 + n).gt(-0.5); // about one step in four masked
            Tensor out = f.call(in, mask)[0];
            assertEquals(Shape.of(n, 6, 4), out.shape());
            if (n % 7 == 0) TensorAssert.assertClose(fn.apply(new Tensor[] {in, mask})[0], out, 1e-5, 1e-5);
        }
        assertTrue(f.padsBatch());
        // buckets 1, 2, 4, ..., 64 (7) plus the first call's own size
        assertTrue(f.compilations() <= 8, "programs built for 40 batch sizes: " + f.compilations() + " " + f.recompileReasons());
    }

    @Test
    void aMergedAxisThatIsReducedMixesRows() {
        // [B, T, E] -> [T * B, E] summed over its first axis: every row of the result sees every batch row
        Function<Tensor[], Tensor[]> fn = a -> new Tensor[] {a[0].permute(1, 0, 2).reshape(a[0].dim(1) * a[0].dim(0), a[0].dim(2)).sum(0)
                .reshape(1, a[0].dim(2)).expand(a[0].dim(0), a[0].dim(2)).add(a[0].sum(1))};
        CompiledFunction f = Jit.compile(fn, JitOptions.dynamicBatch());
        for (int n : new int[] {2, 3, 5}) {
            Tensor in = TestTensors.uniform(Shape.of(n, 5, 8), -1, 1, n);
            TensorAssert.assertClose(fn.apply(new Tensor[] {in})[0], f.call(in)[0], 1e-5, 1e-5);
        }
        assertFalse(f.padsBatch());
        assertEquals(3, f.compilations());
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
