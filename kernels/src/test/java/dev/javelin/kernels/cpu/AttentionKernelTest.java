package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.AttentionLayout;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import org.junit.jupiter.api.Test;

/**
 * The fused ATTENTION and ATTENTION_BACKWARD kernels against the reference's whole-row math: random
 * sizes around the tiles (T = 1, not a multiple of 64 or 128, Tq != Tk), heads 1 and 8, any operand
 * layout, causal and additive padding masks, fully masked rows, a decode step's row against the whole
 * forward's, and float64 (which runs the reference math); with a heads axis, the time-major results
 * against the batch-major ones, bit for bit.
 */
class AttentionKernelTest {
    private final KernelHarness h = new KernelHarness();

    @Test
    void forwardAndBackwardOverRandomShapesAndMasks() {
        try (var s = Dispatch.use(h)) {
            int[][] sizes = {{1, 1}, {1, 7}, {5, 5}, {65, 65}, {130, 129}, {64, 200}, {3, 300}, {200, 70}};
            for (int trial = 0; trial < sizes.length; trial++) {
                int tq = sizes[trial][0], tk = sizes[trial][1];
                int heads = trial % 2 == 0 ? 1 : 8, batch = 1 + trial % 2;
                int d = trial % 3 == 0 ? 16 : 1 + h.rng.nextInt(40), dv = trial % 4 == 1 ? d + 3 : d;
                boolean causal = trial % 3 == 1 && tq == tk;
                DType dt = trial == 2 ? DType.FLOAT64 : DType.FLOAT32;
                Tensor q = h.random(dt, Shape.of(batch, heads, tq, d), h.anyLayout(), -1, 1);
                Tensor k = h.random(dt, Shape.of(batch, heads, tk, d), h.anyLayout(), -1, 1);
                Tensor v = h.random(dt, Shape.of(batch, heads, tk, dv), h.anyLayout(), -1, 1);
                Tensor mask = trial % 2 == 1 ? paddingMask(dt, batch, tk) : null;
                check(q, k, v, mask, new OpAttrs.Attention(1 / Math.sqrt(d), causal));
            }
        }
        assertTrue(h.compared >= 16);
    }

    /** Head sizes that fill the tile products' 4-vector blocks and leave a tail (64, 80), causal and not, keys stored either way. */
    @Test
    void wideHeadsThroughTheFullBlocks() {
        try (var s = Dispatch.use(h)) {
            int[][] shapes = {{97, 97, 64, 64}, {150, 150, 80, 64}, {1, 150, 64, 80}, {33, 260, 80, 80}};
            for (int trial = 0; trial < shapes.length; trial++) {
                int tq = shapes[trial][0], tk = shapes[trial][1], d = shapes[trial][2], dv = shapes[trial][3];
                Tensor q = h.random(DType.FLOAT32, Shape.of(2, tq, d), h.anyLayout(), -1, 1);
                // even trials: keys stored transposed ([d][tk], row stride 1, as KvCache keeps them), read in place
                Tensor k = trial % 2 == 0 ? h.random(DType.FLOAT32, Shape.of(2, d, tk), KernelHarness.Layout.DENSE, -1, 1).permute(0, 2, 1)
                        : h.random(DType.FLOAT32, Shape.of(2, tk, d), h.anyLayout(), -1, 1);
                Tensor v = h.random(DType.FLOAT32, Shape.of(2, tk, dv), h.anyLayout(), -1, 1);
                check(q, k, v, null, new OpAttrs.Attention(1 / Math.sqrt(d), tq == tk));
            }
        }
        assertTrue(h.compared >= 8);
    }

    /**
     * Causal calls cut the queries into blocks of T/8 rows (16 to 64): T = 17 and 129 take 16-row blocks with a
     * short last one, 300 takes 32, 520 takes 64; plain (no mask) and with a padding mask, the char-GPT's head
     * size 32 among them.
     */
    @Test
    void causalQueryBlocksOfEachSize() {
        try (var s = Dispatch.use(h)) {
            int[] lengths = {17, 129, 300, 520};
            for (int trial = 0; trial < lengths.length; trial++) {
                int t = lengths[trial], d = trial == 1 ? 32 : 1 + h.rng.nextInt(40), batch = 2;
                DType dt = trial == 0 ? DType.FLOAT64 : DType.FLOAT32;
                Tensor q = h.random(dt, Shape.of(batch, 2, t, d), h.anyLayout(), -1, 1);
                Tensor k = h.random(dt, Shape.of(batch, 2, t, d), h.anyLayout(), -1, 1);
                Tensor v = h.random(dt, Shape.of(batch, 2, t, d), h.anyLayout(), -1, 1);
                Tensor mask = trial % 2 == 1 ? paddingMask(dt, batch, t) : null;
                check(q, k, v, mask, new OpAttrs.Attention(1 / Math.sqrt(d), true));
            }
        }
        assertTrue(h.compared >= 8);
    }

    /**
     * A decode step (one query row against the whole cache, keys stored transposed as KvCache keeps them) gives that
     * row of a whole causal forward bit for bit, its output and its logsumexp: a row's bits do not depend on how many
     * query rows the call has (300 keys: three key tiles, and a count a key split would once have cut).
     */
    @Test
    void aDecodeRowHasTheBitsOfThatRowOfTheWholeForward() {
        try (var s = Dispatch.use(h)) {
            int t = 300, d = 24;
            Tensor q = h.random(DType.FLOAT32, Shape.of(2, 3, t, d), h.anyLayout(), -1, 1);
            Tensor k = h.random(DType.FLOAT32, Shape.of(2, 3, d, t), KernelHarness.Layout.DENSE, -1, 1).permute(0, 1, 3, 2);
            Tensor v = h.random(DType.FLOAT32, Shape.of(2, 3, t, d), h.anyLayout(), -1, 1);
            OpAttrs.Attention attrs = new OpAttrs.Attention(1 / Math.sqrt(d), true);
            Tensor whole = SequenceOps.attention(q, k, v, null, attrs);
            for (int i : new int[] {t - 1, 130}) {
                Tensor keys = k.slice(2, 0, i + 1), values = v.slice(2, 0, i + 1);
                Tensor row = SequenceOps.attention(q.slice(2, i, i + 1), keys, values, null, new OpAttrs.Attention(attrs.scale(), false));
                assertSameBits(whole.slice(2, i, i + 1), row);
            }
        }
    }

    @Test
    void fullyMaskedRowsGiveZerosAndNoGradient() {
        try (var s = Dispatch.use(h)) {
            int tq = 70, tk = 9;
            Tensor q = h.random(DType.FLOAT32, Shape.of(2, tq, 8), KernelHarness.Layout.DENSE, -1, 1);
            Tensor k = h.random(DType.FLOAT32, Shape.of(2, tk, 8), KernelHarness.Layout.DENSE, -1, 1);
            Tensor v = h.random(DType.FLOAT32, Shape.of(2, tk, 8), KernelHarness.Layout.DENSE, -1, 1);
            double[] m = new double[tq * tk];
            for (int i = 0; i < tq; i++) for (int j = 0; j < tk; j++) if (i % 3 == 0 || j > 4) m[i * tk + j] = Double.NEGATIVE_INFINITY;
            Tensor out = check(q, k, v, Tensor.wrap(hostOf(m), Shape.of(tq, tk)).cast(DType.FLOAT32), new OpAttrs.Attention(0.5, false));
            for (int c = 0; c < 8; c++) assertEquals(0.0, out.get(0, 3, c));
            assertEquals(Double.NEGATIVE_INFINITY, out.get(1, 3, 8));
        }
    }

    /**
     * Runs the forward, then the backward at a random output gradient (its logsumexp column too), and again from a
     * strided copy of the forward's packed result (the same bits); with a heads axis, all again in the time-major layout.
     */
    private Tensor check(Tensor q, Tensor k, Tensor v, Tensor mask, OpAttrs.Attention attrs) {
        Tensor out = SequenceOps.attention(q, k, v, mask, attrs);
        Tensor g = h.random(out.dtype(), out.shape(), h.anyLayout(), -1, 1);
        Tensor grads = SequenceOps.attentionBackward(q, k, v, mask, out, g, attrs);
        assertSameBits(grads, SequenceOps.attentionBackward(q, k, v, mask, stridedCopy(out), g, attrs));
        if (q.rank() >= 3) sameBitsTimeMajor(q, k, v, mask, attrs, out, g, grads);
        return out;
    }

    /**
     * The time-major layout (results as [B...,T,H,width]) gives every value of the batch-major one, bit for bit, at the
     * place {@link AttentionLayout} says: the kernels sum in the same order whichever layout they write.
     */
    private void sameBitsTimeMajor(Tensor q, Tensor k, Tensor v, Tensor mask, OpAttrs.Attention attrs, Tensor out, Tensor g,
                                   Tensor grads) {
        OpAttrs.Attention timeMajor = new OpAttrs.Attention(attrs.scale(), attrs.causal(), true);
        AttentionLayout bm = AttentionLayout.of(q.shape(), k.shape(), v.shape(), false);
        AttentionLayout tm = AttentionLayout.of(q.shape(), k.shape(), v.shape(), true);
        Tensor out2 = SequenceOps.attention(q, k, v, mask, timeMajor);
        assertSameBits(bm.output(out), tm.output(out2));
        assertSameBits(bm.logsumexp(out), tm.logsumexp(out2));
        Tensor g2 = tm.packForward(bm.output(g), bm.logsumexp(g));
        Tensor grads2 = SequenceOps.attentionBackward(q, k, v, mask, out2, g2, timeMajor);
        assertSameBits(grads2, SequenceOps.attentionBackward(q, k, v, mask, stridedCopy(out2), g2, timeMajor));
        for (int part = 0; part < 3; part++) assertSameBits(bm.gradient(grads, part), tm.gradient(grads2, part));
    }

    /** t's values in storage whose last axis has stride 2: not contiguous. */
    private static Tensor stridedCopy(Tensor t) {
        double[] values = t.toDoubleArray();
        int[] strides = t.shape().contiguousStrides();
        for (int i = 0; i < strides.length; i++) strides[i] *= 2;
        var storage = dev.javelin.tensor.spi.HeapStorage.allocate(t.dtype(), 2 * values.length + 1);
        for (int i = 0; i < values.length; i++) storage.setDouble(2 * i, values[i]);
        return Tensor.wrap(storage, t.shape(), strides, 0);
    }

    private static void assertSameBits(Tensor expected, Tensor actual) {
        assertEquals(expected.shape(), actual.shape());
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), "seed " + KernelHarness.SEED);
    }

    /** [B,1,1,Tk]: 0 for real keys, -inf for the padding at the end of each sequence (entry b pads b+1 keys, at most Tk-1). */
    private static Tensor paddingMask(DType dt, int batch, int tk) {
        double[] m = new double[batch * tk];
        for (int b = 0; b < batch; b++) for (int j = Math.max(1, tk - b - 1); j < tk; j++) m[b * tk + j] = Double.NEGATIVE_INFINITY;
        return Tensor.wrap(hostOf(m), Shape.of(batch, 1, 1, tk)).cast(dt);
    }

    private static dev.javelin.tensor.spi.HeapStorage hostOf(double[] values) {
        var hs = dev.javelin.tensor.spi.HeapStorage.allocate(DType.FLOAT64, values.length);
        for (int i = 0; i < values.length; i++) hs.setDouble(i, values[i]);
        return hs;
    }
}
