package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.metrics.BinaryAccuracy;
import dev.javelin.highlevel.metrics.Metrics;
import dev.javelin.highlevel.metrics.Precision;
import dev.javelin.highlevel.metrics.Recall;
import dev.javelin.highlevel.metrics.SparseCategoricalAccuracy;
import dev.javelin.highlevel.metrics.TopKCategoricalAccuracy;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compiled model's metric objects come back from its file with their options, as Keras's compile_config keeps
 * them: they were saved by name, so a loaded model's sparse top-3 accuracy was a top-5 one and a Precision at 0.3
 * one at 0.5 (same names, other values), and a metric under a name of its own failed the first evaluate.
 */
class SavedMetricsTest {
    private static final Tensor X = Tensors.normal(Shape.of(30, 4), 1);

    @Test
    void metricOptionsSurviveSaveAndLoad(@TempDir Path dir) throws IOException {
        Tensor labels = Tensors.randint(Shape.of(30), 0, 6, 2);
        Model m = new Sequential(new InputLayer(4), new Dense(6, "softmax"));
        m.compile(CompileOptions.builder().optimizer("adam").loss("sparse_categorical_crossentropy")
                .metrics(TopKCategoricalAccuracy.sparse(2), TopKCategoricalAccuracy.sparse("top3", 3), new SparseCategoricalAccuracy("acc"))
                .weightedMetrics(TopKCategoricalAccuracy.sparse(4)).build());
        Path file = dir.resolve("m.safetensors");
        m.save(file);
        Map<String, Double> expected = m.evaluate(X, labels);
        assertEquals(expected, Model.load(file).evaluate(X, labels));
        assertTrue(expected.get("sparse_top_k_categorical_accuracy") < expected.get("top3"), expected.toString());

        Tensor multiLabel = Tensors.uniform(Shape.of(30, 6), 0, 1, 3).gt(0.5).cast(DType.FLOAT32);
        Model b = new Sequential(new InputLayer(4), new Dense(6, "sigmoid"));
        b.compile(CompileOptions.builder().optimizer("adam").loss("binary_crossentropy")
                .metrics(new Precision("precision", 0.3), new Recall("r7", 0.7), new BinaryAccuracy("binary_accuracy", 0.2), "accuracy").build());
        b.save(file);
        assertEquals(b.evaluate(X, multiLabel), Model.load(file).evaluate(X, multiLabel));
    }

    @Test
    void configsRebuildTheBuiltInMetricsAndRefuseOthers() {
        var p = (Precision) Metrics.fromConfig("Precision", Map.of("name", "p", "threshold", 0.25));
        assertEquals(Map.of("name", "p", "threshold", 0.25), p.getConfig());
        var top = TopKCategoricalAccuracy.sparse("t", 3);
        assertEquals("SparseTopKCategoricalAccuracy", top.className());
        assertEquals(top.getConfig(), Metrics.fromConfig(top.className(), top.getConfig()).getConfig());
        var e = assertThrows(IllegalArgumentException.class, () -> Metrics.fromConfig("Precision", Map.of("name", "p", "top_k", 1)));
        assertTrue(e.getMessage().contains("top_k"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metrics.fromConfig("AUC", Map.of("name", "auc")));
    }
}
