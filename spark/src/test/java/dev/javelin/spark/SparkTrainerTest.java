package dev.javelin.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.highlevel.CompileOptions;
import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Input;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Seeds;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Two barrier workers on {@code local[2]} against one process with the same global batch. */
class SparkTrainerTest {
    static final int ROWS = 512, PER_WORKER = 32, EPOCHS = 2;

    static Model mlp() {
        Seeds.setGlobal(2024);
        Model m = new Sequential(Input.of(784), new Dense(32, "relu"), new Dense(10, "softmax"));
        m.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(2e-3).build())
                .loss("sparse_categorical_crossentropy").metrics("accuracy").build());
        return m;
    }

    static History distributed(Model model, Dataset<Row> data) {
        return SparkTrainer.builder().batchSize(PER_WORKER).epochs(EPOCHS).shuffle(false).verbose(0).build().fit(model, data);
    }

    /** The single-process reference: each step's batch is worker 0's rows of that step, then worker 1's. */
    static List<Batch> globalBatches(float[][] x, long[] y, int workers) {
        int shard = ROWS / workers, steps = shard / PER_WORKER;
        List<Batch> out = new ArrayList<>();
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            for (int s = 0; s < steps; s++) {
                int n = PER_WORKER * workers;
                float[] bx = new float[n * 784];
                long[] by = new long[n];
                int at = 0;
                for (int w = 0; w < workers; w++) {
                    for (int r = w * shard + s * PER_WORKER; r < w * shard + (s + 1) * PER_WORKER; r++, at++) {
                        System.arraycopy(x[r], 0, bx, at * 784, 784);
                        by[at] = y[r];
                    }
                }
                out.add(new Batch(List.of(Tensors.of(bx, n, 784)), List.of(Tensors.of(by)), null));
            }
        }
        return out;
    }

    @Test
    void twoWorkersFollowOneProcessWithTheGlobalBatchAndRepeatBitForBit() {
        float[][] x = SparkTestSession.mnistFeatures(ROWS);
        long[] y = SparkTestSession.mnistLabels(ROWS);
        Dataset<Row> data = SparkTestSession.frame(x, y, 2);

        Model single = mlp();
        List<Tensor> initial = single.getWeights();
        int steps = ROWS / 2 / PER_WORKER;
        History expected = single.fit(globalBatches(x, y, 2).iterator(),
                FitOptions.builder().epochs(EPOCHS).stepsPerEpoch(steps).verbose(0).build());

        Model first = mlp();
        first.setWeights(initial);
        History got = distributed(first, data);
        for (int i = 0; i < initial.size(); i++) {
            TensorAssert.assertClose(single.getWeights().get(i), first.getWeights().get(i), 1e-4, 1e-5);
        }
        for (String key : List.of("loss", "accuracy")) {
            for (int e = 0; e < EPOCHS; e++) {
                assertEquals(expected.history().get(key).get(e), got.history().get(key).get(e), 1e-4, key + " of epoch " + e);
            }
        }
        assertEquals((long) (EPOCHS * steps), (long) first.optimizer().iterations().stored().item(), "the driver's optimizer state");

        Model second = mlp();
        second.setWeights(initial);
        distributed(second, data);
        for (int i = 0; i < initial.size(); i++) {
            assertArrayEquals(first.getWeights().get(i).toFloatArray(), second.getWeights().get(i).toFloatArray(), 0f,
                    "two runs of the same job, weight " + i);
        }
    }

    @Test
    void unequalPartitionsRunTheSmallestOnesStepsOnEveryWorker() {
        float[][] x = SparkTestSession.mnistFeatures(80);
        long[] y = SparkTestSession.mnistLabels(80);
        // partition 0: rows 0..49, partition 1: rows 50..79; with 16 rows per worker an epoch is ceil(30 / 16) = 2 steps,
        // of 16 and then 14 rows from each partition's start (no shuffling)
        Dataset<Row> data = SparkTestSession.frame(java.util.Arrays.copyOfRange(x, 0, 50), java.util.Arrays.copyOfRange(y, 0, 50), 1)
                .union(SparkTestSession.frame(java.util.Arrays.copyOfRange(x, 50, 80), java.util.Arrays.copyOfRange(y, 50, 80), 1));
        Model single = mlp();
        List<Tensor> initial = single.getWeights();
        List<Batch> batches = new ArrayList<>();
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int[] range : new int[][] {{0, 16}, {16, 30}}) {
                int n = 2 * (range[1] - range[0]);
                float[] bx = new float[n * 784];
                long[] by = new long[n];
                int at = 0;
                for (int start : new int[] {0, 50}) {
                    for (int r = start + range[0]; r < start + range[1]; r++, at++) {
                        System.arraycopy(x[r], 0, bx, at * 784, 784);
                        by[at] = y[r];
                    }
                }
                batches.add(new Batch(List.of(Tensors.of(bx, n, 784)), List.of(Tensors.of(by)), null));
            }
        }
        single.fit(batches.iterator(), FitOptions.builder().epochs(2).stepsPerEpoch(2).verbose(0).build());

        Model distributed = mlp();
        distributed.setWeights(initial);
        SparkTrainer.builder().batchSize(16).epochs(2).shuffle(false).verbose(0).build().fit(distributed, data);
        assertEquals(4L, (long) distributed.optimizer().iterations().stored().item(), "2 epochs of 2 steps");
        for (int i = 0; i < initial.size(); i++) {
            TensorAssert.assertClose(single.getWeights().get(i), distributed.getWeights().get(i), 1e-4, 1e-5);
        }
    }
}
