package dev.javelin.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import org.junit.jupiter.api.Test;

/**
 * Gradients of gradients through the fused attention ({@link dev.javelin.tensor.Op#ATTENTION_BACKWARD}'s
 * rule) against the same penalty differentiated through the composed attention, in float64.
 */
class AttentionSecondOrderTest {
    private static final double TOL = 1e-10;

    private interface Attention {
        Tensor apply(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal);
    }

    /**
     * A gradient penalty: the squared gradient of {@code sum(w ∘ attention(q, k, v))} with respect to q,
     * k and v, differentiated once more with respect to q, k and v.
     */
    private static double[][] penaltyGradients(Attention attention, Tensor mask, boolean causal) {
        Tensor q = Rand.normal(1, 2, 5, 3), k = Rand.normal(2, 2, 4, 3), v = Rand.normal(3, 2, 4, 2);
        Tensor w = Rand.normal(4, 2, 5, 2);
        try (GradientTape outer = GradientTape.record()) {
            outer.watch(q, k, v);
            Tensor[] first;
            try (GradientTape inner = GradientTape.record()) {
                inner.watch(q, k, v);
                first = inner.gradient(attention.apply(q, k, v, mask, causal).mul(w).sum(), q, k, v);
            }
            Tensor penalty = first[0].mul(first[0]).sum().add(first[1].mul(first[1]).sum()).add(first[2].mul(first[2]).sum());
            Tensor[] second = outer.gradient(penalty, q, k, v);
            return new double[][] {second[0].toDoubleArray(), second[1].toDoubleArray(), second[2].toDoubleArray()};
        }
    }

    private static void assertFusedMatchesComposed(Tensor mask, boolean causal) {
        double[][] fused = penaltyGradients(NN::scaledDotProductAttention, mask, causal);
        double[][] composed = penaltyGradients((q, k, v, m, c) -> NN.scaledDotProductAttentionComposed(q, k, v, m, c, Double.NaN),
                mask, causal);
        for (int i = 0; i < 3; i++) assertArrayEquals(composed[i], fused[i], TOL, "d penalty / d " + "qkv".charAt(i));
    }

    @Test
    void unmasked() {
        assertFusedMatchesComposed(null, false);
    }

    @Test
    void causal() {
        assertFusedMatchesComposed(null, true);
    }

    /** A bool padding mask whose second query row sees no key: that row's output and gradients are zero. */
    @Test
    void paddingMaskWithAFullyMaskedRow() {
        boolean[] m = new boolean[5 * 4];
        for (int i = 0; i < m.length; i++) m[i] = (i % 4) != 3;
        for (int j = 0; j < 4; j++) m[4 + j] = false;
        Tensor mask = Tensors.of(m).reshape(5, 4);
        assertFusedMatchesComposed(mask, false);
    }

    @Test
    void additiveFloatMask() {
        assertFusedMatchesComposed(Rand.normal(5, 5, 4).cast(DType.FLOAT64), true);
    }
}
