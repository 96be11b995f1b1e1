package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.OpObserver;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompositesTest {
    private final Tensor x = Tensors.of(new float[][] {{1, 2, 3, 4}, {2, 4, 6, 8}});

    @Test
    void meanVarStdOverAxes() {
        assertArrayEquals(new float[] {2.5f, 5}, x.mean(1).toFloatArray());
        assertEquals(3.75, x.mean().item());
        assertArrayEquals(new float[] {1.25f, 5}, x.var(new int[] {-1}, 0, false).toFloatArray());
        assertArrayEquals(new float[] {5f / 3, 20f / 3}, x.var(new int[] {1}, 1, false).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {(float) Math.sqrt(1.25), (float) Math.sqrt(5)}, x.std(new int[] {1}, 0, false).toFloatArray(), 1e-6f);
        assertEquals(DType.FLOAT32, Tensors.of(new int[] {1, 2}).mean().dtype());
        assertEquals(Shape.of(2, 1), x.mean(new int[] {1}, true).shape());
    }

    @Test
    void logsumexpIsStableForLargeAndInfiniteInputs() {
        Tensor big = Tensors.of(new float[] {1000, 1000, Float.NEGATIVE_INFINITY});
        assertEquals(1000 + Math.log(2), big.logsumexp(0).item(), 1e-3);
        Tensor allNegInf = Tensors.of(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY});
        assertEquals(Double.NEGATIVE_INFINITY, allNegInf.logsumexp().item());
    }

    @Test
    void overAnEmptyAxisLogsumexpIsMinusInfinityAndSoftmaxIsEmpty() {
        // PyTorch's answers; these used to fail on the stabilizing max ("cannot reduce the empty axis")
        Tensor empty = Tensors.zeros(3, 0);
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
                empty.logsumexp(1).toFloatArray());
        assertEquals(Shape.of(3, 0), NN.softmax(empty, -1).shape());
        assertEquals(Shape.of(3, 0), NN.logSoftmax(empty, 1).shape());
        assertEquals(Shape.of(0, 4), NN.softmax(Tensors.zeros(0, 4), -1).shape());
        assertEquals(Shape.of(1, 0), MathOps.logsumexp(Tensors.zeros(2, 0), new int[] {0}, true).shape());
    }

    @Test
    void softmaxRowsSumToOneAndLogSoftmaxMatchesItsLog() {
        Tensor logits = Tensors.of(new float[][] {{1000, 0, -1000}, {1, 2, 3}});
        Tensor p = logits.softmax(-1);
        assertArrayEquals(new float[] {1, 1}, p.sum(1).toFloatArray(), 1e-6f);
        assertEquals(1.0, p.get(0, 0), 0);
        Tensor lp = logits.logSoftmax(1);
        assertEquals(-2000.0, lp.get(0, 2), 1e-3, "no -inf where log(softmax) would underflow");
        assertArrayEquals(p.slice(0, 1, 2).log().toFloatArray(), lp.slice(0, 1, 2).toFloatArray(), 1e-6f);
    }

    @Test
    void activationsMatchTheirDefinitions() {
        double[] v = {-3, -0.5, 0, 0.5, 3};
        Tensor t = Tensors.of(v);
        double[] gelu = t.gelu().toDoubleArray(), silu = t.silu().toDoubleArray(), sp = t.softplus().toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            double phi = 0.5 * (1 + dev.javelin.tensor.spi.SpecialFunctions.erf(v[i] / Math.sqrt(2)));
            assertEquals(v[i] * phi, gelu[i], 1e-15);
            assertEquals(v[i] / (1 + Math.exp(-v[i])), silu[i], 1e-15);
            assertEquals(Math.log1p(Math.exp(v[i])), sp[i], 1e-15);
        }
        assertEquals(100.0, Tensors.of(new double[] {100}).softplus().item(), 1e-12, "no overflow");
        assertEquals(-0.5 * 0.2, NN.leakyRelu(Tensors.of(new double[] {-0.5}), 0.2).item(), 1e-15);
        assertEquals(2 * (Math.exp(-1) - 1), NN.elu(Tensors.of(new double[] {-1}), 2).item(), 1e-15);
    }

    /**
     * expm1 and log1p are finite wherever their value is: Kahan's and Goldberg's corrections multiplied
     * x by a factor as large as the result before dividing, so expm1 overflowed to infinity from
     * x = 85.4 in float32 (705 in float64) and log1p from x = 4.8e36 (2.5e305), where the values are
     * about 1e37 and 85. Checked against Math within 3 ulp at the top of each range.
     */
    @Test
    void expm1AndLog1pAreFiniteWhereverTheirValueIs() {
        float[] up = {85.5f, 86.69159f, 88.155556f, 88.72283f};
        float[] em = Tensors.of(up).expm1().toFloatArray();
        for (int i = 0; i < up.length; i++) {
            double want = Math.expm1(up[i]);
            assertEquals(want, em[i], 3 * Math.ulp((float) want), "float32 expm1(" + up[i] + ")");
        }
        float[] big = {4.8193956e36f, 1e37f, 1e38f, Float.MAX_VALUE};
        float[] lp = Tensors.of(big).log1p().toFloatArray();
        for (int i = 0; i < big.length; i++) {
            double want = Math.log1p(big[i]);
            assertEquals(want, lp[i], 3 * Math.ulp((float) want), "float32 log1p(" + big[i] + ")");
        }
        double[] up64 = {704.0, 705.5, 709.78};
        double[] em64 = Tensors.of(up64).expm1().toDoubleArray();
        for (int i = 0; i < up64.length; i++) assertEquals(Math.expm1(up64[i]), em64[i], 3 * Math.ulp(Math.expm1(up64[i])), "float64 expm1(" + up64[i] + ")");
        double[] big64 = {2.6e305, 1e307, Double.MAX_VALUE};
        double[] lp64 = Tensors.of(big64).log1p().toDoubleArray();
        for (int i = 0; i < big64.length; i++) assertEquals(Math.log1p(big64[i]), lp64[i], 3 * Math.ulp(Math.log1p(big64[i])), "float64 log1p(" + big64[i] + ")");
        assertEquals(Float.POSITIVE_INFINITY, Tensors.of(new float[] {89f, Float.POSITIVE_INFINITY}).expm1().toFloatArray()[0]);
        assertEquals(Float.POSITIVE_INFINITY, Tensors.of(new float[] {Float.POSITIVE_INFINITY}).log1p().toFloatArray()[0]);
    }

    @Test
    void clampSquareRsqrtSumToShape() {
        assertArrayEquals(new float[] {2, 2, 3, 3}, x.slice(0, 0, 1).clamp(2, 3).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> x.clamp(3, 2));
        assertArrayEquals(new float[] {1, 4, 9, 16}, x.slice(0, 0, 1).square().toFloatArray());
        assertEquals(0.5, Tensors.of(new float[] {4}).rsqrt().item());
        Tensor g = Tensors.ones(2, 3, 4);
        Tensor s = MathOps.sumToShape(g, Shape.of(3, 1));
        assertEquals(Shape.of(3, 1), s.shape());
        assertArrayEquals(new float[] {8, 8, 8}, s.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> MathOps.sumToShape(g, Shape.of(2, 1)));
    }

    @Test
    void logicalHelpers() {
        Tensor a = Tensors.of(new boolean[] {true, true, false});
        Tensor b = Tensors.of(new boolean[] {true, false, false});
        assertArrayEquals(new boolean[] {true, false, false}, MathOps.logicalAnd(a, b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, false}, MathOps.logicalOr(a, b).toBooleanArray());
        assertTrue(MathOps.any(a, null, false).toBooleanArray()[0]);
        assertFalse(MathOps.all(a, null, false).toBooleanArray()[0]);
        assertArrayEquals(new boolean[] {false, true, false, false},
                MathOps.isNan(Tensors.of(new float[] {1, Float.NaN, Float.POSITIVE_INFINITY, 0})).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false, true},
                MathOps.isFinite(Tensors.of(new float[] {1, Float.NaN, Float.POSITIVE_INFINITY, 0})).toBooleanArray());
    }

    @Test
    void layerNormNormalizesEachRow() {
        Tensor y = NN.layerNorm(x, new int[] {-1}, null, null, 0);
        assertArrayEquals(new float[] {0, 0}, y.mean(1).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {1, 1}, y.var(new int[] {1}, 0, false).toFloatArray(), 1e-5f);
        Tensor scaled = NN.layerNorm(x, new int[] {1}, Tensors.full(Shape.of(4), 2, DType.FLOAT32), Tensors.ones(4), 0);
        assertArrayEquals(y.mul(2.0).add(1.0).toFloatArray(), scaled.toFloatArray(), 1e-6f);
    }

    @Test
    void crossEntropiesAgreeWithEachOther() {
        Tensor logits = Tensors.of(new float[][] {{2, 1, 0.1f}, {0.5f, 2.5f, -1}});
        Tensor labels = Tensors.of(new long[] {0, 1});
        Tensor sparse = NN.sparseCategoricalCrossEntropy(logits, labels, true);
        Tensor dense = NN.categoricalCrossEntropy(logits, ArrayOps.oneHot(labels, 3), true);
        assertArrayEquals(sparse.toFloatArray(), dense.toFloatArray(), 1e-6f);
        Tensor fromProbs = NN.sparseCategoricalCrossEntropy(logits.softmax(-1), labels.cast(DType.INT32), false);
        assertArrayEquals(sparse.toFloatArray(), fromProbs.toFloatArray(), 1e-5f);
        assertEquals(-Math.log(Math.exp(2) / (Math.exp(2) + Math.exp(1) + Math.exp(0.1f))), sparse.get(0), 1e-6);
        Tensor bce = NN.binaryCrossEntropy(Tensors.of(new float[] {0}), Tensors.of(new float[] {1}), true);
        assertEquals(Math.log(2), bce.item(), 1e-6);
        assertEquals(bce.item(), NN.binaryCrossEntropy(Tensors.of(new float[] {0.5f}), Tensors.of(new float[] {1}), false).item(), 1e-6);
    }

    @Test
    void crossEntropyRejectsBadLabels() {
        Tensor logits = Tensors.zeros(2, 3);
        var dtype = assertThrows(IllegalArgumentException.class,
                () -> NN.sparseCategoricalCrossEntropy(logits, Tensors.zeros(2), true));
        assertEquals("sparseCategoricalCrossEntropy: labels must be int32 or int64, got float32[2]", dtype.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NN.sparseCategoricalCrossEntropy(logits, Tensors.of(new long[] {0, 1, 2}), true));
        var range = assertThrows(IndexOutOfBoundsException.class,
                () -> NN.sparseCategoricalCrossEntropy(logits, Tensors.of(new long[] {0, 3}), true));
        assertTrue(range.getMessage().startsWith("gather: index 3 is out of range"), range.getMessage());
    }

    @Test
    void poolingOfAKnownImage() {
        Tensor img = Tensors.arange(0, 16, 1).reshape(1, 4, 4, 1);
        assertArrayEquals(new float[] {5, 7, 13, 15}, NN.maxPool2d(img, new int[] {2, 2}, null, "valid").toFloatArray());
        assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, NN.avgPool2d(img, new int[] {2, 2}, null, "valid").toFloatArray());
        // 3x3 'same' stride 1 at the corner averages only the 4 real pixels (0, 1, 4, 5).
        Tensor avg = NN.avgPool2d(img, new int[] {3, 3}, new int[] {1, 1}, "same");
        assertEquals(2.5, avg.get(0, 0, 0, 0), 1e-6);
        Tensor neg = img.neg();
        assertEquals(0.0, NN.maxPool2d(neg, new int[] {3, 3}, new int[] {1, 1}, "same").get(0, 0, 0, 0), 0, "-inf padding never wins");
        var e = assertThrows(IllegalArgumentException.class, () -> NN.maxPool2d(Tensors.zeros(4, 4), new int[] {2, 2}, null, "valid"));
        assertEquals("maxPool2d: expected NHWC input [N,H,W,C], got [4, 4]", e.getMessage());
    }

    @Test
    void dropoutIsSeededAndKeepsTheExpectation() {
        Tensor ones = Tensors.ones(100, 100);
        Tensor seed = Tensors.scalar(11, DType.INT64);
        Tensor a = NN.dropout(ones, 0.3, seed), b = NN.dropout(ones, 0.3, seed);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        assertEquals(1.0, a.mean().item(), 0.03);
        float[] v = a.toFloatArray();
        for (float f : v) assertTrue(f == 0 || Math.abs(f - 1 / 0.7f) < 1e-6);
        assertTrue(NN.dropout(ones, 0, seed) == ones);
        assertThrows(IllegalArgumentException.class, () -> NN.dropout(ones, 1, seed));
    }

    @Test
    void compositesReachTheSeamAsPrimitivesTheTapeCanSee() {
        Set<Op> seen = EnumSet.noneOf(Op.class);
        List<OpCall> calls = new ArrayList<>();
        OpObserver observer = (call, result) -> {
            seen.add(call.op());
            calls.add(call);
        };
        try (var scope = Dispatch.observe(observer)) {
            NN.maxPool2d(Tensors.ones(1, 4, 4, 1), new int[] {3, 3}, new int[] {1, 1}, "same");
            NN.softmax(Tensors.ones(2, 3), -1);
        }
        assertTrue(seen.containsAll(Set.of(Op.PAD, Op.UNFOLD, Op.REDUCE_MAX, Op.EXP, Op.REDUCE_SUM, Op.DIV)), seen.toString());
        assertFalse(calls.isEmpty());
    }
}
