package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.HostBuffers;
import dev.javelin.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A compiled fit takes the memory of the weights and optimizer state it replaced back for later
 * steps (nothing in the trainer reads them between steps), and a weight a callback or the user
 * takes during training keeps its values.
 */
class CompiledFitMemoryTest {
    private static Model mlp() {
        Seeds.setGlobal(5);
        return new Sequential(new InputLayer(12), new Dense(16, "relu"), new Dense(3, "softmax"));
    }

    @Test
    void compiledStepsReuseTheMemoryOfReplacedWeightsAndKeepHeldOnes() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "without the Vector API a jitted fit runs op by op");
        Tensor x = new RandomTensors(1).uniform(Shape.of(64, 12), DType.FLOAT32, -1, 1);
        Tensor y = new RandomTensors(2).labels(Shape.of(64), 3, DType.INT64);
        Model m = mlp();
        m.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(0.01).build())
                .loss("sparse_categorical_crossentropy").jitCompile(true).build());
        FitOptions options = FitOptions.builder().batchSize(16).epochs(2).seed(3).verbose(0).build();
        long before = HostBuffers.reuses();
        m.fit(x, y, options);
        long reused = HostBuffers.reuses() - before;
        // 8 steps, 4 weights and 8 moments written each: after the first two steps each write reuses an array
        assertTrue(reused >= 6 * 12, "arrays reused over 8 compiled steps: " + reused + "; " + HostBuffers.report());
        List<float[]> seen = new ArrayList<>();
        List<Tensor> held = new ArrayList<>();
        for (Variable w : m.weights()) {
            held.add(w.value());
            seen.add(w.value().toFloatArray());
        }
        m.fit(x, y, options);
        for (int i = 0; i < held.size(); i++) assertArrayEquals(seen.get(i), held.get(i).toFloatArray(), "a held weight changed");
    }
}
