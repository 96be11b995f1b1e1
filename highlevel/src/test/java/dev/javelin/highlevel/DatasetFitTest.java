package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.callbacks.LambdaCallback;
import dev.javelin.highlevel.callbacks.ProgbarLogger;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.data.Dataset;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** fit/evaluate/predict on a Dataset and on an iterator of batches, prefetched on another thread. */
class DatasetFitTest {
    private static Model model() {
        Seeds.setGlobal(51);
        Model m = new Sequential(Input.of(4), new Dense(6, "tanh"), new Dense(3, "softmax"));
        m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
        return m;
    }

    private static void assertSameWeights(Model a, Model b) {
        List<Variable> wa = a.weights(), wb = b.weights();
        for (int i = 0; i < wa.size(); i++) assertArrayEquals(wa.get(i).stored().toFloatArray(), wb.get(i).stored().toFloatArray());
    }

    @Test
    void aDatasetTrainsLikeTheSameTensorsWithValidationAndCallbacks() {
        Toy data = Toy.of(40, 1);
        Toy val = Toy.of(12, 2);
        Set<String> readers = ConcurrentHashMap.newKeySet();
        Dataset train = Dataset.fromTensors(data.x(), data.y()).batch(16).map(b -> {
            readers.add(Thread.currentThread().getName());
            return b;
        });
        int[] batchEnds = {0};
        Model fromDataset = model();
        History hd = fromDataset.fit(train, FitOptions.builder().epochs(3).verbose(0)
                .validationData(Dataset.fromTensors(val.x(), val.y()).batch(5))
                .callbacks(LambdaCallback.builder().onBatchEnd((i, logs) -> batchEnds[0]++).build()).build());
        Model fromTensors = model();
        History ht = fromTensors.fit(data.x(), data.y(), FitOptions.builder().batchSize(16).epochs(3).shuffle(false).verbose(0)
                .validationData(val.x(), val.y()).build());

        assertSameWeights(fromTensors, fromDataset);
        assertEquals(ht.history().get("loss"), hd.history().get("loss"));
        assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy"), List.copyOf(hd.history().keySet()));
        assertEquals(ht.history().get("val_accuracy"), hd.history().get("val_accuracy"));
        assertEquals(9, batchEnds[0], "3 batches in each of 3 epochs");
        assertEquals(Set.of("javelin-prefetch"), readers, "batches are read on the prefetch thread");

        Map<String, Double> ed = fromDataset.evaluate(Dataset.fromTensors(val.x(), val.y()).batch(5));
        Map<String, Double> et = fromDataset.evaluate(val.x(), val.y(), 5);
        assertEquals(et, ed);
        assertArrayEquals(fromDataset.predict(val.x(), 5).toFloatArray(), fromDataset.predict(Dataset.fromTensors(val.x()).batch(5)).toFloatArray());
    }

    @Test
    void anIteratorOfBatchesGivesStepsPerEpochBatchesEachEpoch() {
        Toy data = Toy.of(48, 3);
        Dataset d = Dataset.fromTensors(data.x(), data.y()).batch(16);
        List<Batch> all = new ArrayList<>();
        for (int e = 0; e < 2; e++) for (Batch b : d.epoch(e)) all.add(b);
        Model fromIterator = model();
        History hi = fromIterator.fit(all.iterator(), FitOptions.builder().epochs(2).stepsPerEpoch(3).verbose(0).build());
        Model fromDataset = model();
        fromDataset.fit(d, FitOptions.builder().epochs(2).verbose(0).build());
        assertSameWeights(fromDataset, fromIterator);
        assertEquals(List.of(0, 1), hi.epoch());

        Iterator<Batch> short_ = List.of(all.get(0), all.get(1)).iterator();
        Model m = model();
        History h = m.fit(short_, FitOptions.builder().epochs(5).stepsPerEpoch(1).verbose(0).build());
        assertEquals(List.of(0, 1), h.epoch(), "training stops when the iterator runs dry");
        assertEquals(2, m.evaluate(List.of(all.get(2), all.get(3), all.get(4)).iterator(), 2).size(), "loss and accuracy");
    }

    @Test
    void theProgressBarCountsAnIteratorOfUnknownLength() {
        Toy data = Toy.of(32, 5);
        List<Batch> batches = new ArrayList<>();
        for (Batch b : Dataset.fromTensors(data.x(), data.y()).batch(8)) batches.add(b);
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        ProgbarLogger bar = new ProgbarLogger(ProgbarLogger.Mode.LINES, new java.io.PrintStream(text, true));
        model().fit(batches.iterator(), FitOptions.builder().epochs(3).verbose(0).callbacks(bar).build());
        String out = text.toString();
        assertTrue(out.contains("Epoch 1/3") && out.contains("4/4 [") && !out.contains("-1"), out);
    }

    @Test
    void aFailingPipelineFailsFitWithItsError() {
        Toy data = Toy.of(32, 4);
        Dataset broken = Dataset.fromTensors(data.x(), data.y()).batch(8).map(b -> {
            if (b.x().get(0, 0) > 10) return b;
            throw new IllegalStateException("augmentation failed");
        });
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> model().fit(broken, FitOptions.builder().epochs(1).verbose(0).build()));
        assertTrue(e.getMessage().contains("augmentation failed"), e.getMessage());
    }
}
