package dev.javelin.highlevel.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.highlevel.CompileOptions;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Embedding;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Metrics over padded sequences count the real steps only, as Keras 3's {@code MeanMetricWrapper}
 * (the mask weighs each step; a weighted metric's step also by its sample weight), compiled and op by op.
 */
class MaskedMetricsTest {
    private static final int N = 4, T = 6, CLASSES = 4;
    private static final int[] LENGTHS = {6, 3, 1, 0};

    @Test
    void accuracyOfAPaddedBatchIsOverItsRealSteps() {
        Random r = new Random(5);
        long[] ids = new long[N * T], labels = new long[N * T];
        for (int i = 0; i < N; i++) for (int t = 0; t < LENGTHS[i]; t++) ids[i * T + t] = 1 + r.nextInt(8);
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(CLASSES);
        float[] weights = {1, 2, 0.5f, 3};
        Tensor x = Tensors.of(ids, N, T), y = Tensors.of(labels, N, T), w = Tensors.of(weights);
        for (boolean jit : new boolean[] {true, false}) {
            Model m = new Sequential(new InputLayer(new int[] {T}, DType.INT64, null), new Embedding(9, 3, true),
                    new Dense(CLASSES, "softmax"));
            m.compile(CompileOptions.builder().optimizer("sgd").loss("sparse_categorical_crossentropy").metrics("accuracy")
                    .weightedMetrics("accuracy").jitCompile(jit).build());
            float[] p = m.predict(x).toFloatArray();
            double hits = 0, steps = 0, weightedHits = 0, weightedSteps = 0;
            for (int i = 0; i < N; i++) {
                for (int t = 0; t < LENGTHS[i]; t++) {
                    int at = i * T + t, best = 0;
                    for (int c = 1; c < CLASSES; c++) if (p[at * CLASSES + c] > p[at * CLASSES + best]) best = c;
                    double hit = best == labels[at] ? 1 : 0;
                    hits += hit;
                    steps++;
                    weightedHits += hit * weights[i];
                    weightedSteps += weights[i];
                }
            }
            assertEquals(hits / steps, m.evaluate(x, y, 64).get("accuracy"), 1e-6, "jit " + jit);
            Map<String, Double> withWeights = m.evaluate(x, y, w, 64);
            assertEquals(weightedHits / weightedSteps, withWeights.get("weighted_accuracy"), 1e-6, "jit " + jit + ", weighted");
            assertEquals(hits / steps, withWeights.get("accuracy"), 1e-6, "jit " + jit + ": a plain metric ignores the weights, as Keras's");
        }
    }
}
