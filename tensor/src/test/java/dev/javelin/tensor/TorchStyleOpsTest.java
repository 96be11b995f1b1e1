package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The ops PyTorch and Keras users reach for (elementary functions, products and scans, sorting,
 * triangles, einsum, NLL): values against {@link Math} in float64 and float32, and against plain
 * loops; sorting's NaN and tie order as PyTorch's.
 */
class TorchStyleOpsTest {
    private static final double[] GRID = {-1e6, -300, -50, -20, -3.5, -2.5, -1, -0.7, -0.5, -0.49, -0.3, -1e-3, -1e-9, 0,
        1e-12, 1e-5, 0.1, 0.4142, 0.42, 0.6, 0.66, 0.67, 1, 1.5, 2.4, 2.42, 5, 10, 30, 80, 88, 200, 1e8};

    private static void assertCloseToMath(String what, UnaryOperator<Tensor> op, DoubleUnaryOperator math, double[] xs,
                                          double relTol64, double relTol32) {
        double[] got64 = op.apply(Tensors.of(xs)).toDoubleArray();
        float[] xs32 = new float[xs.length];
        for (int i = 0; i < xs.length; i++) xs32[i] = (float) xs[i];
        float[] got32 = op.apply(Tensors.of(xs32)).toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            double want = math.applyAsDouble(xs[i]);
            double want32 = math.applyAsDouble(xs32[i]);
            check(what + "(" + xs[i] + ") float64", want, got64[i], relTol64);
            if (Math.abs(want32) < Float.MAX_VALUE) check(what + "(" + xs32[i] + ") float32", want32, got32[i], relTol32);
        }
    }

    private static void check(String what, double want, double got, double relTol) {
        if (Double.isNaN(want) || Double.isInfinite(want)) {
            assertEquals(want, got, what);
            return;
        }
        assertTrue(Math.abs(got - want) <= relTol * Math.abs(want) + 1e-300, what + ": expected " + want + ", got " + got);
    }

    @Test
    void elementaryFunctionsMatchJavaMath() {
        double[] positive = {1e-30, 1e-5, 0.3, 1, 2, 8, 10, 1000, 1e20};
        assertCloseToMath("log2", MathOps::log2, x -> Math.log(x) / Math.log(2), positive, 1e-15, 3e-7);
        assertCloseToMath("log10", MathOps::log10, Math::log10, positive, 1e-15, 3e-7);
        assertCloseToMath("tan", MathOps::tan, Math::tan, new double[] {-1.5, -0.7, 0, 1e-8, 0.3, 1, 1.2, 3}, 1e-14, 1e-6);
        assertCloseToMath("atan", MathOps::atan, Math::atan, GRID, 4e-16, 3e-7);
        assertCloseToMath("sinh", MathOps::sinh, Math::sinh, GRID, 1e-15, 5e-7);
        assertCloseToMath("cosh", MathOps::cosh, Math::cosh, GRID, 1e-15, 5e-7);
        assertEquals(Double.NaN, MathOps.atan(Tensors.of(new double[] {Double.NaN})).item());
        assertEquals(Math.PI / 2, MathOps.atan(Tensors.of(new double[] {Double.POSITIVE_INFINITY})).item(), 1e-16);
        assertEquals(Float.POSITIVE_INFINITY, MathOps.sinh(Tensors.of(new float[] {100})).item());
        assertEquals(3.0, MathOps.log2(Tensors.of(new double[] {8})).item(), 1e-15);
    }

    @Test
    void atan2CoversEveryQuadrantAndTheAxes() {
        double[] ys = new double[GRID.length * GRID.length], xs = new double[ys.length];
        for (int i = 0; i < GRID.length; i++) {
            for (int j = 0; j < GRID.length; j++) {
                ys[i * GRID.length + j] = GRID[i];
                xs[i * GRID.length + j] = GRID[j];
            }
        }
        double[] got = MathOps.atan2(Tensors.of(ys), Tensors.of(xs)).toDoubleArray();
        for (int i = 0; i < ys.length; i++) {
            double want = ys[i] == 0 && xs[i] == 0 ? 0 : Math.atan2(ys[i], xs[i]);
            check("atan2(" + ys[i] + ", " + xs[i] + ")", want, got[i], 1e-15);
        }
        Tensor broadcast = MathOps.atan2(Tensors.of(new float[][] {{1}, {-1}}), Tensors.of(new float[] {-1, 1}));
        assertArrayEquals(new float[] {(float) (3 * Math.PI / 4), (float) (Math.PI / 4), (float) (-3 * Math.PI / 4), (float) (-Math.PI / 4)},
                broadcast.toFloatArray(), 1e-6f);
    }

    @Test
    void atan2ReadsSignedZerosAndInfinitiesAsIeeeAndPyTorchDo() {
        // atan2(0, -0) was 0 (PyTorch and Math.atan2: pi), atan2(inf, inf) NaN (pi/4), atan2(-0, -1) pi (-pi)
        double inf = Double.POSITIVE_INFINITY;
        double[] ys = {0, -0.0, 0, -0.0, -0.0, 0, inf, inf, -inf, -inf, 1, -1, inf, 2, Double.NaN};
        double[] xs = {-0.0, -0.0, 0, 0, -1, -1, inf, -inf, inf, -inf, -inf, inf, 3, -inf, inf};
        double[] got64 = MathOps.atan2(Tensors.of(ys), Tensors.of(xs)).toDoubleArray();
        float[] ys32 = new float[ys.length], xs32 = new float[xs.length];
        for (int i = 0; i < ys.length; i++) {
            ys32[i] = (float) ys[i];
            xs32[i] = (float) xs[i];
        }
        float[] got32 = MathOps.atan2(Tensors.of(ys32), Tensors.of(xs32)).toFloatArray();
        for (int i = 0; i < ys.length; i++) {
            double want = Math.atan2(ys[i], xs[i]);
            assertEquals(want, got64[i], 1e-15, "atan2(" + ys[i] + ", " + xs[i] + ") float64");
            assertEquals((float) want, got32[i], 1e-6f, "atan2(" + ys[i] + ", " + xs[i] + ") float32");
            assertEquals(Math.copySign(1, want), Math.copySign(1, got64[i]), "the sign of atan2(" + ys[i] + ", " + xs[i] + ")");
        }
        assertEquals(-0.0, MathOps.atan(Tensors.of(new double[] {-0.0})).item()); // its sign too
    }

    @Test
    void logaddexpIsStableAndHandlesInfinities() {
        double inf = Double.POSITIVE_INFINITY;
        Tensor a = Tensors.of(new double[] {1, 1000, -1000, -inf, inf, -inf, 0});
        Tensor b = Tensors.of(new double[] {2, 1000, -1001, -inf, inf, 3, Double.NaN});
        double[] got = MathOps.logaddexp(a, b).toDoubleArray();
        assertEquals(Math.log(Math.exp(1) + Math.exp(2)), got[0], 1e-15);
        assertEquals(1000 + Math.log(2), got[1], 1e-12);
        assertEquals(-1000 + Math.log1p(Math.exp(-1)), got[2], 1e-12);
        assertEquals(-inf, got[3]);
        assertEquals(inf, got[4]);
        assertEquals(3, got[5]);
        assertTrue(Double.isNaN(got[6]));
    }

    @Test
    void prodAndScansMatchPlainLoops() {
        SplittableRandom r = new SplittableRandom(7);
        for (int n : new int[] {0, 1, 2, 3, 5, 8, 13}) {
            double[] v = new double[2 * n * 3];
            for (int i = 0; i < v.length; i++) v[i] = r.nextInt(5) == 0 ? 0 : 0.5 + r.nextDouble();
            Tensor x = Tensors.of(v, 2, n, 3);
            double[] prod = MathOps.prod(x, new int[] {1}, false).toDoubleArray();
            double[] cumsum = MathOps.cumsum(x, 1).toDoubleArray(), cumprod = MathOps.cumprod(x, -2).toDoubleArray();
            for (int b = 0; b < 2; b++) {
                for (int c = 0; c < 3; c++) {
                    double p = 1, s = 0;
                    for (int i = 0; i < n; i++) {
                        int at = (b * n + i) * 3 + c;
                        p *= v[at];
                        s += v[at];
                        assertEquals(s, cumsum[at], 1e-12);
                        assertEquals(p, cumprod[at], 1e-12);
                    }
                    assertEquals(p, prod[b * 3 + c], 1e-12);
                }
            }
        }
        Tensor ints = Tensors.of(new int[] {1, 2, 3, 4}, 2, 2);
        assertEquals(DType.INT64, MathOps.prod(ints, null, false).dtype());
        assertEquals(24, MathOps.prod(ints, null, false).item());
        assertArrayEquals(new long[] {1, 2, 4, 6}, MathOps.cumsum(ints, 0).toLongArray());
        assertEquals(Shape.of(1, 1), MathOps.prod(ints, new int[] {0, 1}, true).shape());
    }

    @Test
    void sortIsStableAndPutsNanLastAsPyTorchDoes() {
        float nan = Float.NaN;
        Tensor x = Tensors.of(new float[] {3, nan, -0f, 1, 0, 3, Float.NEGATIVE_INFINITY, nan});
        assertArrayEquals(new long[] {6, 2, 4, 3, 0, 5, 1, 7}, ArrayOps.argsort(x, 0, false).toLongArray());
        assertArrayEquals(new long[] {1, 7, 0, 5, 3, 2, 4, 6}, ArrayOps.argsort(x, 0, true).toLongArray());
        Sorted s = ArrayOps.sort(Tensors.of(new float[][] {{2, 1, 3}, {0, 5, 4}}), 1, true);
        assertArrayEquals(new float[] {3, 2, 1, 5, 4, 0}, s.values().toFloatArray());
        assertArrayEquals(new long[] {2, 0, 1, 1, 2, 0}, s.indices().toLongArray());
        Sorted columns = ArrayOps.sort(Tensors.of(new int[] {5, 1, 2, 0}, 2, 2), 0, false);
        assertArrayEquals(new int[] {2, 0, 5, 1}, columns.values().toIntArray());
        Sorted top = ArrayOps.topk(Tensors.of(new float[] {1, 9, 4, 9, 7}), 3, 0, true);
        assertArrayEquals(new float[] {9, 9, 7}, top.values().toFloatArray());
        assertArrayEquals(new long[] {1, 3, 4}, top.indices().toLongArray());
        Sorted bottom = ArrayOps.topk(Tensors.of(new float[] {1, nan, 4, -2}), 2, -1, false);
        assertArrayEquals(new float[] {-2, 1}, bottom.values().toFloatArray());
        assertEquals(Shape.of(2, 0), ArrayOps.topk(Tensors.ones(2, 3), 0, 1, true).values().shape());
        assertThrows(IllegalArgumentException.class, () -> ArrayOps.topk(Tensors.ones(2, 3), 4, 1, true));
    }

    @Test
    void trilAndTriuKeepTheirDiagonals() {
        Tensor x = Tensors.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 4);
        assertArrayEquals(new float[] {1, 0, 0, 0, 5, 6, 0, 0, 9, 10, 11, 0}, ArrayOps.tril(x, 0).toFloatArray());
        assertArrayEquals(new float[] {1, 2, 0, 0, 5, 6, 7, 0, 9, 10, 11, 12}, ArrayOps.tril(x, 1).toFloatArray());
        assertArrayEquals(new float[] {0, 2, 3, 4, 0, 0, 7, 8, 0, 0, 0, 12}, ArrayOps.triu(x, 1).toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 0, 10, 11, 12}, ArrayOps.triu(x, -1).toFloatArray());
        assertEquals(Shape.of(2, 3, 4), ArrayOps.triu(x.unsqueeze(0).expand(2, 3, 4), 0).shape());
        assertThrows(IllegalArgumentException.class, () -> ArrayOps.tril(Tensors.ones(3), 0));
    }

    @Test
    void einsumMatchesExplicitContractions() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor a = random(r, 2, 3, 4), b = random(r, 2, 4, 5), m = random(r, 4, 4), v = random(r, 4);
        assertClose(a.matmul(b), Einsum.einsum("bij,bjk->bik", a, b));
        assertClose(a.matmul(b).permute(0, 2, 1), Einsum.einsum("bij,bjk->bki", a, b));
        assertClose(m.mul(Tensors.eye(4).cast(DType.FLOAT64)).sum(), Einsum.einsum("ii", m));
        assertClose(m.mul(Tensors.eye(4).cast(DType.FLOAT64)).sum(1), Einsum.einsum("ii->i", m));
        assertClose(m.mT(), Einsum.einsum("ij->ji", m));
        assertClose(v.unsqueeze(1).mul(v.unsqueeze(0)), Einsum.einsum("i,j->ij", v, v));
        assertClose(m.matmul(v).mul(v).sum(), Einsum.einsum("i,ij,j->", v, m, v));
        assertClose(a.sum(0, 2), Einsum.einsum("bij->i", a));
        assertClose(a.matmul(b).sum(0), Einsum.einsum("bij,bjk->ik", a, b));
        assertClose(m.matmul(m), Einsum.einsum("ij,jk", m, m)); // implicit output: i, k
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Einsum.einsum("ij,jk->ik", a, b));
        assertTrue(e.getMessage().contains("einsum"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Einsum.einsum("ij,jk->ik", m, b.slice(0, 0, 1).squeeze(0).slice(0, 0, 3)));
    }

    @Test
    void einsumTakesNumPysEllipsis() {
        // '...' used to fail as "operand 0 '...ij' has 5 letters"; PyTorch's results, as torch.einsum gives them
        SplittableRandom r = new SplittableRandom(5);
        Tensor a = random(r, 2, 3, 4), b = random(r, 2, 4, 5), w = random(r, 4, 5), one = random(r, 1, 3, 4), m = random(r, 2, 3, 3);
        assertClose(a.matmul(b), Einsum.einsum("...ij,...jk->...ik", a, b));
        assertClose(a.matmul(w), Einsum.einsum("...ij,jk", a, w)); // implicit output: the '...' axes first, then i, k
        assertClose(one.matmul(b), Einsum.einsum("...ij,...jk->...ik", one, b)); // a size-1 '...' axis broadcasts
        assertClose(a.mul(a).sum(2), Einsum.einsum("...d,...d->...", a, a));
        assertClose(a.sum(0), Einsum.einsum("i...->...", a));
        assertClose(m.mul(Tensors.eye(3).cast(DType.FLOAT64)).sum(2), Einsum.einsum("...ii->...i", m));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Einsum.einsum("...ij,...jk->...ik", a, random(r, 3, 4, 5)));
        assertTrue(e.getMessage().contains("do not broadcast"), e.getMessage());
    }

    @Test
    void nllLossPicksTheNegatedLogProbabilityAndArgmaxKeepsDims() {
        Tensor logits = Tensors.of(new float[][] {{2, 1, 0}, {0, 0, 3}});
        Tensor labels = Tensors.of(new int[] {0, 2});
        assertArrayEquals(NN.sparseCategoricalCrossEntropy(logits, labels, true).toFloatArray(),
                NN.nllLoss(NN.logSoftmax(logits, -1), labels).toFloatArray(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> NN.nllLoss(logits, Tensors.of(new float[] {0, 2})));
        assertEquals(Shape.of(2, 1), logits.argmax(1, true).shape());
        assertArrayEquals(new long[] {0, 2}, logits.argmax(-1, true).toLongArray());
    }

    private static Tensor random(SplittableRandom r, int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble() * 2 - 1;
        return Tensors.of(v, dims);
    }

    private static void assertClose(Tensor want, Tensor got) {
        assertEquals(want.shape(), got.shape());
        assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), 1e-12);
    }
}
