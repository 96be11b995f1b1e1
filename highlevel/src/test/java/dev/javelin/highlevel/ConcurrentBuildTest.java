package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model without an InputLayer is built by its first call: concurrent first calls must build it
 * once; on a compiled model they also share one compiled predict step.
 */
class ConcurrentBuildTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 20;

    @TempDir
    Path dir;

    @Test
    void concurrentFirstCallsBuildOnce() throws Exception {
        Tensor x = new RandomTensors(3).uniform(Shape.of(5, 6), DType.FLOAT32);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Model cold = new Sequential(new Dense(16, "relu"), new Dropout(0.1), new Dense(3));
                if (round % 2 == 1) cold.compile("sgd", "mse"); // odd rounds: predict runs the compiled step
                CyclicBarrier start = new CyclicBarrier(THREADS);
                List<Future<float[]>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    boolean viaPredict = t % 2 == 0;
                    results.add(pool.submit(() -> {
                        start.await();
                        return (viaPredict ? cold.predict(x, 2) : cold.apply(x)).toFloatArray();
                    }));
                }
                float[] first = results.get(0).get(30, TimeUnit.SECONDS);
                for (Future<float[]> r : results) assertArrayEquals(first, r.get(30, TimeUnit.SECONDS), "round " + round);
                assertEquals(4, cold.weights().size(), "round " + round + ": weights " + cold.weights());
                assertEquals(6L * 16 + 16 + 16 * 3 + 3, cold.countParams(), "round " + round);
                cold.save(dir.resolve("m" + round + ".javelin")); // a model built twice could not be saved
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
