package dev.javelin.highlevel.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Input;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.losses.BinaryCrossentropy;
import dev.javelin.highlevel.losses.CategoricalCrossentropy;
import dev.javelin.highlevel.losses.MeanSquaredError;
import dev.javelin.highlevel.losses.SparseCategoricalCrossentropy;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private static final Tensor SCORES = Tensors.of(new float[][] {{0.1f, 0.7f, 0.2f}, {0.5f, 0.3f, 0.2f}, {0.3f, 0.3f, 0.4f}});

    @Test
    void sparseCategoricalAccuracyAccumulatesOverBatches() {
        Metric m = new SparseCategoricalAccuracy();
        m.updateState(Tensors.of(new long[] {1, 0, 0}), SCORES);   // 2 of 3
        assertEquals(2.0 / 3, m.result(), 1e-12);
        m.updateState(Tensors.of(new long[] {2}), SCORES.narrow(0, 2, 1)); // 1 of 1
        assertEquals(3.0 / 4, m.result(), 1e-12);
        m.updateState(Tensors.of(new int[] {0, 1, 2}).reshape(3, 1), SCORES); // [batch, 1] int32: 1 of 3
        assertEquals(4.0 / 7, m.result(), 1e-12);
        m.reset();
        assertEquals(0.0, m.result());
        assertEquals("sparse_categorical_accuracy", m.name());
    }

    @Test
    void tiesGoToTheFirstMaximumLikeArgmax() {
        Metric m = new SparseCategoricalAccuracy();
        m.updateState(Tensors.of(new long[] {0}), Tensors.of(new float[][] {{0.5f, 0.5f}}));
        assertEquals(1.0, m.result());
    }

    @Test
    void categoricalAndBinaryAndExactAccuracy() {
        Metric c = new CategoricalAccuracy();
        c.updateState(Tensors.of(new float[][] {{0, 1, 0}, {0, 0, 1}, {0, 0, 1}}), SCORES);
        assertEquals(2.0 / 3, c.result(), 1e-12);
        Metric b = new BinaryAccuracy();
        b.updateState(Tensors.of(new float[] {1, 0, 1, 0}), Tensors.of(new float[] {0.9f, 0.7f, 0.5f, 0.1f}));
        assertEquals(0.5, b.result(), 1e-12); // 0.5 is not above the threshold
        Metric a = new Accuracy();
        a.updateState(Tensors.of(new int[] {1, 2, 3}), Tensors.of(new int[] {1, 2, 0}));
        assertEquals(2.0 / 3, a.result(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> a.updateState(Tensors.of(new int[] {1}), Tensors.of(new int[] {1, 2})));
    }

    @Test
    void topK() {
        Metric top2 = new TopKCategoricalAccuracy(2);
        // targets 1, 2, 0: first (in), third (out), tied for second with class 1 (in, as in_top_k counts ties)
        top2.updateState(Tensors.of(new float[][] {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}}), SCORES);
        assertEquals(2.0 / 3, top2.result(), 1e-12);
        Metric sparse = TopKCategoricalAccuracy.sparse(1);
        sparse.updateState(Tensors.of(new long[] {1, 0, 2}), SCORES);
        assertEquals(1.0, sparse.result(), 1e-12);
    }

    @Test
    void regressionMetrics() {
        Tensor t = Tensors.of(new float[][] {{1, 2}, {3, -1}});
        Tensor p = Tensors.of(new float[][] {{1.5f, 0}, {3, 2}});
        Metric mse = new dev.javelin.highlevel.metrics.MeanSquaredError();
        mse.updateState(t, p);
        assertEquals(3.3125, mse.result(), 1e-9);
        Metric mae = new MeanAbsoluteError();
        mae.updateState(t, p);
        assertEquals(1.375, mae.result(), 1e-9);
    }

    @Test
    void precisionAndRecall() {
        Metric p = new Precision();
        Metric r = new Recall();
        Tensor t = Tensors.of(new float[] {1, 0, 1, 1, 0});
        Tensor s = Tensors.of(new float[] {0.8f, 0.6f, 0.2f, 0.9f, 0.1f}); // TP 2, FP 1, FN 1
        p.updateState(t, s);
        r.updateState(t, s);
        assertEquals(2.0 / 3, p.result(), 1e-12);
        assertEquals(2.0 / 3, r.result(), 1e-12);
        r.updateState(Tensors.of(new float[] {1}), Tensors.of(new float[] {0.4f}));
        assertEquals(2.0 / 4, r.result(), 1e-12);
        Metric empty = new Precision();
        assertEquals(0.0, empty.result());
    }

    @Test
    void meanWeightsByBatchSize() {
        Mean loss = new Mean("loss");
        loss.update(0.7, 128);
        loss.update(0.5, 32);
        assertEquals((0.7 * 128 + 0.5 * 32) / 160, loss.result(), 1e-6, "float32 state, as Keras's");
        loss.reset();
        loss.update(Tensors.of(new float[] {1, 2, 3}));
        assertEquals(2.0, loss.result(), 1e-12);
    }

    @Test
    void accuracyResolvesByLossThenByShapes() {
        assertInstanceOf(SparseCategoricalAccuracy.class, Metrics.get("accuracy", new SparseCategoricalCrossentropy()));
        assertInstanceOf(CategoricalAccuracy.class, Metrics.get("accuracy", new CategoricalCrossentropy()));
        assertInstanceOf(BinaryAccuracy.class, Metrics.get("acc", new BinaryCrossentropy()));
        assertEquals("accuracy", Metrics.get("accuracy", new SparseCategoricalCrossentropy()).name());
        Metric inferred = Metrics.get("accuracy", new MeanSquaredError());
        inferred.updateState(Tensors.of(new long[] {1, 0, 0}), SCORES);
        assertEquals(2.0 / 3, inferred.result(), 1e-12);
        Metric binary = Metrics.get("accuracy");
        binary.updateState(Tensors.of(new float[] {1, 0}).reshape(2, 1), Tensors.of(new float[] {0.9f, 0.8f}).reshape(2, 1));
        assertEquals(0.5, binary.result(), 1e-12);
        assertInstanceOf(Precision.class, Metrics.get("precision"));
        assertInstanceOf(dev.javelin.highlevel.metrics.MeanSquaredError.class, Metrics.get("mse"));
        assertThrows(IllegalArgumentException.class, () -> Metrics.get("auc"));
    }

    @Test
    void aMetricAskedForByAStringIsNamedByIt() {
        // Keras 3: metrics=["mae"] logs "mae" and "val_mae", which EarlyStopping("val_mae") watches; Javelin logged
        // mean_absolute_error, so such a monitor found nothing and training never stopped early
        for (String n : new String[] {"mae", "mse", "mean_absolute_error", "MeanSquaredError", "binary_accuracy", "precision", "recall",
                "sparse_categorical_accuracy", "categorical_accuracy", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"}) {
            assertEquals(n, Metrics.get(n).name());
        }
        assertEquals("mean_absolute_error", new dev.javelin.highlevel.metrics.MeanAbsoluteError().name(), "the class keeps Keras's name");
        Model m = new Sequential(Input.of(4), new Dense(1));
        m.compile("sgd", "mse", "mae");
        Tensor x = Tensors.normal(dev.javelin.tensor.Shape.of(16, 4), 1);
        var h = m.fit(x, x.sum(new int[] {1}, true), FitOptions.builder().batchSize(8).epochs(1).validationSplit(0.25).verbose(0).build());
        assertEquals(java.util.List.of("loss", "mae", "val_loss", "val_mae"), java.util.List.copyOf(h.history().keySet()));
    }

    @Test
    void aUsersOwnMetric() {
        Metric maxError = new Metric("max_error") {
            private double max;

            @Override
            public void updateState(Tensor yTrue, Tensor yPred) {
                for (double e : yPred.sub(yTrue).abs().toDoubleArray()) max = Math.max(max, e);
            }

            @Override
            public double result() {
                return max;
            }

            @Override
            public void reset() {
                max = 0;
            }
        };
        maxError.updateState(Tensors.of(new float[] {1, 2}), Tensors.of(new float[] {1.5f, 5}));
        assertEquals(3.0, maxError.result(), 1e-12);
        assertEquals("max_error=3.0", maxError.toString());
    }
}
