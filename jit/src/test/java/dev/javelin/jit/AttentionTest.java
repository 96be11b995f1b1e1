package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fused attention op (cpu-vector's tiled kernel) against the composed matmul-softmax-matmul, forward
 * and backward through the gradient tape, eagerly and compiled: random shapes around the tiles (T = 1,
 * T not a multiple of 64 or 128), heads 1 and 8, causal and padding masks, fully masked rows.
 */
class AttentionTest {
    /** {batch, heads, Tq, Tk, D, Dv, causal (1/0), padding mask (1/0)}. */
    private static final int[][] CASES = {
        {1, 1, 1, 1, 8, 8, 0, 0}, {2, 8, 1, 1, 4, 4, 1, 0}, {1, 1, 67, 67, 16, 16, 1, 0}, {2, 8, 33, 33, 8, 8, 0, 1},
        {1, 1, 130, 130, 32, 32, 1, 1}, {2, 1, 5, 140, 7, 9, 0, 1}, {1, 8, 2, 300, 16, 16, 0, 1}, {1, 2, 129, 60, 12, 12, 0, 0},
    };

    @Test
    void fusedMatchesComposedForwardAndBackward() {
        long seed = 1;
        for (int[] c : CASES) {
            Tensor[] in = inputs(c, seed++);
            boolean causal = c[6] == 1;
            Tensor mask = c[7] == 1 ? paddingMask(c[0], c[3]) : null;
            Tensor[] fused = valueAndGrads(in, mask, causal, true);
            Tensor[] composed = valueAndGrads(in, mask, causal, false);
            for (int i = 0; i < fused.length; i++) {
                TensorAssert.assertClose(composed[i], fused[i], 2e-4, 2e-5);
            }
        }
    }

    @Test
    void compiledStepUsesTheFusedOpAndMatchesEager() {
        int[] c = {2, 4, 70, 70, 16, 16, 1, 1};
        Tensor[] in = inputs(c, 42);
        Tensor mask = paddingMask(c[0], c[3]);
        Tensor[] eager = valueAndGrads(in, mask, true, true);
        CompiledFunction f = Jit.compile(a -> valueAndGrads(a, mask, true, true));
        Tensor[] jit = f.call(in);
        for (int i = 0; i < eager.length; i++) TensorAssert.assertClose(eager[i], jit[i], 1e-5, 1e-6);
        String plan = Jit.explain(a -> valueAndGrads(a, mask, true, true), in);
        assertFalse(plan.contains("reduce_max"), plan); // no softmax: the T x T scores are never formed
        assertEquals(1, count(plan, "<- B_attention "), plan);
        assertEquals(1, count(plan, "<- B_attention_backward "), plan);
    }

    /**
     * Heads split from one projection by slice, reshape and permute, and merged back for the next product: the fused
     * op's time-major results make the merges of its output and of dq, dk, dv views, and its backward reads the output gradient unpadded, so the compiled step has no copy and no pad.
     */
    @Test
    void headSplitsAndMergesAroundTheFusedOpAreViews() {
        Tensor[] in = {TestTensors.uniform(Shape.of(2, 9, 12), -1, 1, 1), TestTensors.uniform(Shape.of(12, 12), -0.5, 0.5, 2),
            TestTensors.uniform(Shape.of(12, 12), -0.5, 0.5, 3), TestTensors.uniform(Shape.of(12, 12), -0.5, 0.5, 4),
            TestTensors.uniform(Shape.of(18, 12), -1, 1, 5)};
        Tensor[] eager = projectedGrads(in, true), composed = projectedGrads(in, false);
        for (int i = 0; i < eager.length; i++) TensorAssert.assertClose(composed[i], eager[i], 2e-4, 2e-5);
        Tensor[] jit = Jit.compile(a -> projectedGrads(a, true)).call(in);
        for (int i = 0; i < eager.length; i++) TensorAssert.assertClose(eager[i], jit[i], 1e-5, 1e-6);
        String plan = Jit.explain(a -> projectedGrads(a, true), in);
        assertEquals(1, count(plan, "<- B_attention "), plan);
        assertFalse(plan.contains("<- E_copy"), plan);
        assertFalse(plan.contains("<- B_pad"), plan); // the backward reads the output gradient unpadded (a slice of a pad is simplified)
    }

    /** The merged attention output of x [2,9,12] through three heads of 4 (q, k, v each its own [12,12] projection, as MultiHeadAttention's), its sum against a weight, and the gradients of x and the projections. */
    private static Tensor[] projectedGrads(Tensor[] in, boolean fused) {
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(in[0], in[1], in[2], in[3]);
            Tensor[] qkv = new Tensor[3];
            for (int i = 0; i < 3; i++) qkv[i] = in[0].reshape(18, 12).matmul(in[1 + i]).reshape(2, 9, 3, 4).permute(0, 2, 1, 3);
            Tensor o = fused ? NN.scaledDotProductAttention(qkv[0], qkv[1], qkv[2], null, true)
                    : NN.scaledDotProductAttentionComposed(qkv[0], qkv[1], qkv[2], null, true, Double.NaN);
            Tensor merged = o.permute(0, 2, 1, 3).reshape(18, 12);
            Tensor loss = merged.mul(in[4]).sum();
            Tensor[] g = tape.gradient(loss, in[0], in[1], in[2], in[3]);
            return new Tensor[] {merged, g[0], g[1], g[2], g[3]};
        }
    }

    @Test
    void fullyMaskedRowsGiveZerosAndFiniteGradients() {
        int[] c = {1, 2, 6, 6, 4, 4, 1, 0};
        Tensor[] in = inputs(c, 7);
        // key 0 hidden from everyone: with the causal mask query 0 sees nothing
        Tensor mask = Tensors.of(new boolean[] {false, true, true, true, true, true}).reshape(1, 1, 1, 6);
        Tensor[] fused = valueAndGrads(in, mask, true, true);
        for (int ch = 0; ch < 4; ch++) assertEquals(0.0, fused[0].get(0, 1, 0, ch));
        for (Tensor t : fused) for (float x : t.toFloatArray()) assertFalse(Float.isNaN(x) || Float.isInfinite(x));
        Tensor[] composed = valueAndGrads(in, mask, true, false);
        for (int i = 0; i < fused.length; i++) TensorAssert.assertClose(composed[i], fused[i], 2e-4, 2e-5);
    }

    /** y and the gradients of sum(y * w) (w a fixed random weight) with respect to q, k and v. */
    private static Tensor[] valueAndGrads(Tensor[] in, Tensor mask, boolean causal, boolean fused) {
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(in[0], in[1], in[2]);
            Tensor y = fused ? NN.scaledDotProductAttention(in[0], in[1], in[2], mask, causal)
                    : NN.scaledDotProductAttentionComposed(in[0], in[1], in[2], mask, causal, Double.NaN);
            Tensor loss = y.mul(in[3]).sum();
            List<Tensor> g = List.of(tape.gradient(loss, in[0], in[1], in[2]));
            return new Tensor[] {y, g.get(0), g.get(1), g.get(2)};
        }
    }

    private static Tensor[] inputs(int[] c, long seed) {
        Shape q = Shape.of(c[0], c[1], c[2], c[4]), k = Shape.of(c[0], c[1], c[3], c[4]), v = Shape.of(c[0], c[1], c[3], c[5]);
        return new Tensor[] {
            TestTensors.uniform(q, -1.5, 1.5, seed * 10 + 1), TestTensors.uniform(k, -1.5, 1.5, seed * 10 + 2),
            TestTensors.uniform(v, -1, 1, seed * 10 + 3), TestTensors.uniform(Shape.of(c[0], c[1], c[2], c[5]), -1, 1, seed * 10 + 4)};
    }

    /** [B,1,1,Tk] bool: entry b hides its last b keys (never all of them). */
    private static Tensor paddingMask(int batch, int tk) {
        boolean[] m = new boolean[batch * tk];
        for (int b = 0; b < batch; b++) for (int j = 0; j < tk; j++) m[b * tk + j] = j < Math.max(1, tk - b * 3);
        return Tensors.of(m).reshape(batch, 1, 1, tk);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
