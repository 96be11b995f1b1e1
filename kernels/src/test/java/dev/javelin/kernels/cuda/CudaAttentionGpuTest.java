package dev.javelin.kernels.cuda;

import static dev.javelin.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.kernels.cuda.ptx.PtxasAssert;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.testing.RandomTensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ATTENTION and ATTENTION_BACKWARD on the CUDA backend ({@code AttentionPtx}: a block per query or
 * key row, an online softmax) against the CPU backend: batch-major and time-major layouts, causal and
 * additive masks (broadcast over heads, with fully masked rows, which give zeros and no gradient),
 * T = 1, Tq ≠ Tk, more keys than one tile, time-major operands read as views. Runs on the emulated
 * device in the build (surefire execution {@code cuda-emulated}); its kernels then go through ptxas.
 */
class CudaAttentionGpuTest {
    private static final Device GPU = Device.cuda(0);
    private final RandomTensors rnd = new RandomTensors(21);

    @BeforeEach
    void requireGpu() {
        Assumptions.assumeTrue(CudaBackend.probe(), () -> "no CUDA device: " + CudaBackend.unavailableReason());
    }

    @Test
    void forwardAndBackwardMatchTheCpu() {
        long hostBefore = CudaBackend.hostRuns(Op.ATTENTION) + CudaBackend.hostRuns(Op.ATTENTION_BACKWARD);
        // {batch dims..., tq, tk, d, dv}, causal, masked, time-major
        check(new int[] {2}, 5, 7, 3, 4, false, false, false);
        check(new int[] {1}, 1, 1, 4, 2, true, false, false);
        check(new int[] {2, 3}, 6, 6, 4, 3, false, true, true);
        check(new int[] {1, 2}, 9, 9, 5, 3, true, true, true);
        check(new int[] {}, 3, 150, 2, 3, false, false, false); // more keys than one tile: the online softmax rescales
        assertEquals(hostBefore, CudaBackend.hostRuns(Op.ATTENTION) + CudaBackend.hostRuns(Op.ATTENTION_BACKWARD),
                "attention ran on the device, not on the host");
        if (CudaBackend.isEmulated()) {
            List<String> entries = PtxCache.entries().entrySet().stream().filter(e -> e.getKey().startsWith("attention_"))
                    .map(Map.Entry::getValue).toList();
            assertTrue(entries.size() >= 6, "forward and both backward kernels, several variants: " + entries.size());
            PtxasAssert.assemble("attention", entries);
        }
    }

    private void check(int[] batch, int tq, int tk, int d, int dv, boolean causal, boolean masked, boolean timeMajor) {
        String label = "batch " + java.util.Arrays.toString(batch) + " tq=" + tq + " tk=" + tk + " causal=" + causal + " masked=" + masked
                + " timeMajor=" + timeMajor;
        boolean longRows = tk > dev.javelin.kernels.cuda.ptx.AttentionPtx.BLOCK;
        Tensor q = rnd.uniform(shape(batch, tq, d), DType.FLOAT32, longRows ? 0.5 : -1, 1);
        Tensor k = rnd.uniform(shape(batch, tk, d), DType.FLOAT32, -1, 1);
        if (longRows) { // scores that grow along the keys: the row's max moves into a later tile, which must rescale the earlier ones
            float[] ramp = new float[tk];
            for (int j = 0; j < tk; j++) ramp[j] = j / 40f;
            k = k.add(dev.javelin.tensor.Tensors.of(ramp).reshape(tk, 1));
        }
        Tensor v = rnd.uniform(shape(batch, tk, dv), DType.FLOAT32, -1, 1);
        Tensor mask = masked ? mask(batch, tq, tk) : null;
        OpAttrs.Attention attrs = new OpAttrs.Attention(1 / Math.sqrt(d), causal, timeMajor);
        Tensor expected = SequenceOps.attention(q, k, v, mask, attrs);
        Tensor g = rnd.uniform(expected.shape(), DType.FLOAT32, -1, 1);
        Tensor expectedGrads = SequenceOps.attentionBackward(q, k, v, mask, expected, g, attrs);

        // on the device, time-major calls read heads-first views of [B,T,H,D] storage, as the layers do
        Tensor qg = timeMajor ? headsFirst(q) : q.to(GPU), kg = timeMajor ? headsFirst(k) : k.to(GPU), vg = timeMajor ? headsFirst(v) : v.to(GPU);
        Tensor mg = mask == null ? null : mask.to(GPU); // the op broadcasts it over the heads: stride 0 on the device
        Tensor actual = SequenceOps.attention(qg, kg, vg, mg, attrs);
        Tensor actualGrads = SequenceOps.attentionBackward(qg, kg, vg, mg, expected.to(GPU), g.to(GPU), attrs);
        try {
            assertClose(expected, actual.to(Device.CPU), 1e-4, 1e-5);
            assertClose(expectedGrads, actualGrads.to(Device.CPU), 1e-4, 1e-4);
        } catch (AssertionError e) {
            throw new AssertionError(label + ": " + e.getMessage(), e);
        }
    }

    private static Shape shape(int[] batch, int rows, int width) {
        int[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = width;
        return Shape.of(s);
    }

    /** [B,H,T,W] values on the device as a view of dense [B,T,H,W] storage. */
    private static Tensor headsFirst(Tensor x) {
        return Ops.permute(Ops.permute(x, 0, 2, 1, 3).to(GPU).contiguous(), 0, 2, 1, 3);
    }

    /** An additive mask [B,1,Tq,Tk] (one for every head) of 0 and -inf, row 1 of the first example all -inf. */
    private Tensor mask(int[] batch, int tq, int tk) {
        int[] s = batch.clone();
        s[s.length - 1] = 1;
        Shape shape = shape(s, tq, tk);
        Tensor coin = rnd.uniform(shape, DType.FLOAT32, 0, 1);
        HeapStorage h = HeapStorage.allocate(DType.FLOAT32, shape.sizeAsInt());
        float[] c = coin.toFloatArray();
        for (int e = 0; e < c.length; e++) {
            boolean fullyMasked = e / tk == 1;
            h.setDouble(e, fullyMasked || c[e] < 0.3 ? Double.NEGATIVE_INFINITY : c[e] - 0.5);
        }
        return Tensor.wrap(h, shape);
    }
}
