package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.LayerRegistry;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras's {@code axis} of LayerNormalization (any non-batch axes, e.g. {@code [1, 2, 3]} over a whole
 * image) and BatchNormalization (e.g. 1 for PyTorch's channels-first {@code [N, C, L]}), against a
 * float64 computation of Keras's definitions; only the last axis was taken before.
 */
class NormalizationAxesTest {
    private static final double EPS = 1e-3;

    /** Keras's layer normalization over {@code axes} of a row-major [d0, d1, d2, ...] array, in float64. */
    private static double[] layerNorm(float[] x, int[] dims, boolean[] over, float[] gamma, float[] beta) {
        int n = x.length;
        double[] y = new double[n];
        int[] strides = new int[dims.length];
        for (int i = dims.length - 1, s = 1; i >= 0; s *= dims[i], i--) strides[i] = s;
        for (int i = 0; i < n; i++) {
            // the group of i: same index on the axes not normalized; gamma's index: its index on the others
            double sum = 0, sq = 0;
            int count = 0;
            for (int j = 0; j < n; j++) if (sameGroup(i, j, dims, strides, over)) { sum += x[j]; count++; }
            double mean = sum / count;
            for (int j = 0; j < n; j++) if (sameGroup(i, j, dims, strides, over)) sq += (x[j] - mean) * (x[j] - mean);
            int p = 0;
            for (int a = 0; a < dims.length; a++) if (over[a]) p = p * dims[a] + (i / strides[a]) % dims[a];
            y[i] = (x[i] - mean) / Math.sqrt(sq / count + EPS) * gamma[p] + beta[p];
        }
        return y;
    }

    private static boolean sameGroup(int i, int j, int[] dims, int[] strides, boolean[] over) {
        for (int a = 0; a < dims.length; a++) if (!over[a] && (i / strides[a]) % dims[a] != (j / strides[a]) % dims[a]) return false;
        return true;
    }

    private static void assertClose(double[] expected, float[] got, double tol) {
        assertEquals(expected.length, got.length);
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], tol, "element " + i);
    }

    @Test
    void layerNormalizationOverAnyAxesAsKeras() {
        int[][] dims = {{3, 4, 5, 6}, {2, 5, 3}, {2, 3, 4, 5}};
        int[][] axes = {{1, 2, 3}, {1}, {-3, -2}};
        for (int c = 0; c < dims.length; c++) {
            Tensor x = Tensors.normal(Shape.of(dims[c]), 3, 2, 10 + c);
            LayerNormalization ln = new LayerNormalization(axes[c], EPS, true, true, null);
            ln.apply(x); // builds
            boolean[] over = new boolean[dims[c].length];
            int params = 1;
            for (int a : axes[c]) {
                int r = a < 0 ? a + dims[c].length : a;
                over[r] = true;
                params *= dims[c][r];
            }
            Tensor gamma = Tensors.normal(Shape.of(ln.weights().get(0).shape().toArray()), 20 + c);
            Tensor beta = Tensors.normal(Shape.of(ln.weights().get(1).shape().toArray()), 30 + c);
            assertEquals(params, gamma.size());
            ln.weights().get(0).assign(gamma);
            ln.weights().get(1).assign(beta);
            double[] expected = layerNorm(x.toFloatArray(), dims[c], over, gamma.toFloatArray(), beta.toFloatArray());
            assertClose(expected, ln.apply(x).toFloatArray(), 2e-5);
            LayerNormalization again = (LayerNormalization) LayerRegistry.fromEntry(Bidirectional.entry(ln));
            assertEquals(ln.getConfig().get("axis"), again.getConfig().get("axis"));
        }
    }

    @Test
    void theLastAxisGivesTheDefaultLayersBits() {
        Tensor x = Tensors.normal(Shape.of(4, 7, 9), 5);
        LayerNormalization byDefault = new LayerNormalization();
        LayerNormalization given = new LayerNormalization(new int[] {2}, EPS, true, true, null);
        assertArrayEquals(byDefault.apply(x).toFloatArray(), given.apply(x).toFloatArray());
        Map<String, Object> keras = new LinkedHashMap<>();
        keras.put("axis", List.of(1, 2));
        LayerNormalization fromKeras = LayerNormalization.fromConfig(keras);
        fromKeras.apply(x);
        assertEquals(Shape.of(7, 9), fromKeras.weights().get(0).shape());
    }

    @Test
    void batchNormalizationOnAChannelsFirstAxisAsKeras() {
        int n = 4, ch = 3, len = 5;
        Tensor x = Tensors.normal(Shape.of(n, ch, len), 1, 3, 7);
        BatchNormalization bn = new BatchNormalization(1, 0.9, EPS, true, true, null);
        bn.apply(x);
        Tensor gamma = Tensors.normal(Shape.of(ch), 8), beta = Tensors.normal(Shape.of(ch), 9);
        bn.weights().get(0).assign(gamma);
        bn.weights().get(1).assign(beta);
        float[] xs = x.toFloatArray(), g = gamma.toFloatArray(), b = beta.toFloatArray();
        double[] mean = new double[ch], var = new double[ch];
        for (int c = 0; c < ch; c++) {
            for (int i = 0; i < n; i++) for (int t = 0; t < len; t++) mean[c] += xs[(i * ch + c) * len + t] / (n * len);
            for (int i = 0; i < n; i++) for (int t = 0; t < len; t++) var[c] += Math.pow(xs[(i * ch + c) * len + t] - mean[c], 2) / (n * len);
        }
        double[] train = new double[xs.length], infer = new double[xs.length];
        double[] movingMean = new double[ch], movingVar = new double[ch];
        for (int c = 0; c < ch; c++) {
            movingMean[c] = 0.1 * mean[c];
            movingVar[c] = 0.9 + 0.1 * var[c];
        }
        for (int i = 0; i < n; i++) for (int c = 0; c < ch; c++) for (int t = 0; t < len; t++) {
            int k = (i * ch + c) * len + t;
            train[k] = (xs[k] - mean[c]) / Math.sqrt(var[c] + EPS) * g[c] + b[c];
            infer[k] = (xs[k] - movingMean[c]) / Math.sqrt(movingVar[c] + EPS) * g[c] + b[c];
        }
        assertClose(train, bn.apply(x, true).toFloatArray(), 2e-5);
        assertClose(movingMean, bn.movingMean().value().toFloatArray(), 1e-6);
        assertClose(movingVar, bn.movingVariance().value().toFloatArray(), 1e-5);
        assertClose(infer, bn.apply(x, false).toFloatArray(), 2e-5);
        BatchNormalization again = (BatchNormalization) LayerRegistry.fromEntry(Bidirectional.entry(bn));
        assertEquals(1, again.getConfig().get("axis"));
    }

    @Test
    void axesOffTheInputAreRefusedNamingTheLayer() {
        Tensor x = Tensors.zeros(2, 3, 4);
        IllegalArgumentException ln = assertThrows(IllegalArgumentException.class,
                () -> new LayerNormalization(new int[] {0}, EPS, true, true, "ln0").apply(x));
        assertTrue(ln.getMessage().contains("ln0 (LayerNormalization): axis [0]") && ln.getMessage().contains("rank 3"), ln.getMessage());
        IllegalArgumentException bn = assertThrows(IllegalArgumentException.class,
                () -> new BatchNormalization(3, 0.99, EPS, true, true, "bn3").apply(x));
        assertTrue(bn.getMessage().contains("bn3 (BatchNormalization): axis 3") && bn.getMessage().contains("rank 3"), bn.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LayerNormalization(new int[] {1, -2}, EPS, true, true, null).apply(x));
    }
}
