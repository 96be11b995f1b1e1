package dev.javelin.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker that dies on the first attempt: the job restarts from the checkpoint and ends as if nothing happened. */
class FaultRecoveryTest {
    /** Counts the faults injected (the listener runs in the executor, which local mode keeps in this JVM). */
    static final AtomicInteger FAULTS = new AtomicInteger();

    private static SparkTrainer.Builder trainer(Path dir) {
        return SparkTrainer.builder().batchSize(16).epochs(2).seed(5).verbose(0)
                .checkpointDir(dir.toUri().toString()).checkpointEvery(2);
    }

    @Test
    void aWorkerFaultResumesFromTheLastCheckpointAndEndsWithTheSameWeights(@TempDir Path tmp) throws Exception {
        float[][] x = SparkTestSession.mnistFeatures(192);
        long[] y = SparkTestSession.mnistLabels(192);
        Dataset<Row> data = SparkTestSession.frame(x, y, 2);

        Model clean = SparkTrainerTest.mlp();
        List<Tensor> initial = clean.getWeights();
        History cleanHistory = trainer(tmp.resolve("clean")).build().fit(clean, data);

        Model faulty = SparkTrainerTest.mlp();
        faulty.setWeights(initial);
        FAULTS.set(0);
        History faultyHistory = trainer(tmp.resolve("faulty")).workerListener((rank, attempt, step) -> {
            if (rank == 1 && attempt == 0 && step == 3) {
                FAULTS.incrementAndGet();
                throw new IllegalStateException("injected fault after step 3");
            }
        }).build().fit(faulty, data);

        assertEquals(1, FAULTS.get(), "the fault was injected once");
        for (int i = 0; i < initial.size(); i++) {
            assertArrayEquals(clean.getWeights().get(i).toFloatArray(), faulty.getWeights().get(i).toFloatArray(), 0f, "weight " + i);
        }
        assertEquals(cleanHistory.history(), faultyHistory.history(), "the epochs' loss and accuracy");
        assertTrue(Files.exists(tmp.resolve("faulty").resolve("LATEST")));
    }
}
