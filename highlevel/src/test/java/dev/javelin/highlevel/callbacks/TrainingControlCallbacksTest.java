package dev.javelin.highlevel.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.CompileOptions;
import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Seeds;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.RandomTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TerminateOnNaN, LearningRateScheduler and BackupAndRestore in real fits. */
class TrainingControlCallbacksTest {
    @TempDir
    Path dir;

    private final Tensor x = new RandomTensors(1).uniform(Shape.of(40, 4), DType.FLOAT32, -1, 1);
    private final Tensor y = new RandomTensors(2).labels(Shape.of(40), 3, DType.INT64);

    private static Model model(dev.javelin.highlevel.optimizers.Optimizer optimizer) {
        Seeds.setGlobal(9);
        Model m = new Sequential(new InputLayer(4), new Dense(6, "tanh"), new Dropout(0.2), new Dense(3, "softmax"));
        m.compile(CompileOptions.builder().optimizer(optimizer).loss(Losses.get("sparse_categorical_crossentropy")).metrics("accuracy").build());
        return m;
    }

    @Test
    void terminateOnNaNStopsAfterTheBatchWithANaNLoss() {
        float[] data = x.toFloatArray();
        data[20 * 4] = Float.NaN; // row 20: the third batch of 8 when not shuffled
        Tensor bad = Tensors.of(data, 40, 4);
        Model m = model(SGD.builder().learningRate(0.1).build());
        History h = m.fit(bad, y, FitOptions.builder().batchSize(8).epochs(4).shuffle(false).verbose(0)
                .callbacks(new TerminateOnNaN()).build());
        assertEquals(3L, m.optimizer().iterations().stored().toLongArray()[0], "batches 0, 1 and 2 ran, no more");
        assertEquals(1, h.history().get("loss").size());
        assertTrue(Double.isNaN(h.history().get("loss").get(0)));
    }

    @Test
    void learningRateSchedulerSetsTheRateEachEpoch() {
        Model m = model(SGD.builder().learningRate(0.5).build());
        List<Double> seen = new java.util.ArrayList<>();
        Callback probe = new Callback() {
            @Override
            public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
                if (batch == 0) seen.add(model().optimizer().learningRate());
            }
        };
        History h = m.fit(x, y, FitOptions.builder().batchSize(8).epochs(3).verbose(0)
                .callbacks(new LearningRateScheduler((epoch, lr) -> epoch == 0 ? 0.1 : lr * 0.5), probe).build());
        assertEquals(3, seen.size());
        assertEquals(0.1, seen.get(0), 1e-7);
        assertEquals(0.05, seen.get(1), 1e-7);
        assertEquals(0.025, seen.get(2), 1e-7);
        assertEquals(seen.get(2), h.history().get("learning_rate").get(2), 1e-12);
        Model sched = model(Adam.builder().learningRate(new dev.javelin.highlevel.optimizers.ExponentialDecay(0.1, 1, 0.5, false)).build());
        assertThrows(IllegalStateException.class, () -> sched.fit(x, y, FitOptions.builder().epochs(1).verbose(0)
                .callbacks(new LearningRateScheduler((e, lr) -> 0.1)).build()));
    }

    @Test
    void backupAndRestoreResumesACrashedFitBitIdentically() throws IOException {
        Model reference = model(Adam.builder().learningRate(0.02).build());
        reference.fit(x, y, FitOptions.builder().batchSize(8).epochs(5).seed(3).verbose(0).build());

        Path backup = dir.resolve("backup");
        Model crashed = model(Adam.builder().learningRate(0.02).build());
        Callback crash = new Callback() {
            @Override
            public void onEpochBegin(int epoch, Map<String, Double> logs) {
                if (epoch == 3) throw new IllegalStateException("simulated crash");
            }
        };
        assertThrows(IllegalStateException.class, () -> crashed.fit(x, y, FitOptions.builder().batchSize(8).epochs(5).seed(3).verbose(0)
                .callbacks(new BackupAndRestore(backup), crash).build()));
        assertEquals(List.of("epoch-2.safetensors"), files(backup), "the newest backup only");

        Model restarted = model(Adam.builder().learningRate(0.02).build()); // a new process would build it afresh
        History h = restarted.fit(x, y, FitOptions.builder().batchSize(8).epochs(5).seed(3).verbose(0)
                .callbacks(new BackupAndRestore(backup)).build());
        assertEquals(2, h.history().get("loss").size(), "epochs 3 and 4 only");
        assertEquals(reference.optimizer().iterations().stored().toLongArray()[0], restarted.optimizer().iterations().stored().toLongArray()[0]);
        for (int i = 0; i < reference.weights().size(); i++) {
            assertArrayEquals(reference.weights().get(i).stored().toFloatArray(), restarted.weights().get(i).stored().toFloatArray(),
                    reference.weights().get(i).name());
        }
        assertEquals(List.of(), files(backup), "a completed fit deletes its backup");
    }

    private static List<String> files(Path d) throws IOException {
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
