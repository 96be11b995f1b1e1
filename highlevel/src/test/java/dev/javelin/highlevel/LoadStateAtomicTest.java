package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.losses.SparseCategoricalCrossentropy;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.highlevel.optimizers.Optimizer;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loadState} checks the whole file against the model before it stores anything: a file whose optimizer
 * state or seed generators do not fit is refused with the model as it was (it replaced the weights, then failed,
 * leaving the new weights under the old optimizer's moments).
 */
class LoadStateAtomicTest {
    private static final Tensor X = Tensors.normal(Shape.of(12, 4), 1);
    private static final Tensor Y = Tensors.randint(Shape.of(12), 0, 3, 2);

    private static Model trained(Optimizer optimizer, Layer... middle) {
        List<Layer> layers = new ArrayList<>(List.of(new InputLayer(4), new Dense(5, "relu")));
        layers.addAll(List.of(middle));
        layers.add(new Dense(3, "softmax"));
        Model m = new Sequential(layers.toArray(Layer[]::new));
        m.compile(optimizer, new SparseCategoricalCrossentropy());
        m.fit(X, Y, FitOptions.builder().epochs(1).batchSize(4).verbose(0).build());
        return m;
    }

    private static List<float[]> values(List<Variable> vars) {
        List<float[]> out = new ArrayList<>();
        for (Variable v : vars) out.add(v.value().cast(DType.FLOAT32).toFloatArray());
        return out;
    }

    private static void assertUnchanged(List<float[]> before, List<Variable> vars) {
        List<float[]> after = values(vars);
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), after.get(i), vars.get(i).name());
    }

    @Test
    void anOptimizerStateOfAnotherKindLeavesTheModelAsItWas(@TempDir Path dir) throws IOException {
        Path adamFile = dir.resolve("adam.safetensors");
        trained(new Adam(0.01)).save(adamFile);
        Model m = trained(SGD.builder().learningRate(0.1).momentum(0.9).build());
        List<float[]> weights = values(m.weights()), slots = values(m.optimizer().variables());
        var e = assertThrows(IOException.class, () -> m.loadState(adamFile));
        assertTrue(e.getMessage().contains("optimizer"), e.getMessage());
        assertUnchanged(weights, m.weights());
        assertUnchanged(slots, m.optimizer().variables());
    }

    @Test
    void seedGeneratorsThatDoNotFitLeaveTheWeightsAsTheyWere(@TempDir Path dir) throws IOException {
        Path withDropout = dir.resolve("dropout.safetensors");
        trained(new Adam(0.01), new Dropout(0.5)).save(withDropout); // the same weights, one seed generator more
        Model m = trained(new Adam(0.01));
        List<float[]> weights = values(m.weights()), slots = values(m.optimizer().variables());
        var e = assertThrows(IOException.class, () -> m.loadState(withDropout));
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
        assertUnchanged(weights, m.weights());
        assertUnchanged(slots, m.optimizer().variables());
    }

    @Test
    void aFittingFileStillLoadsEveryPart(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.safetensors");
        Model saved = trained(new Adam(0.01));
        saved.save(file);
        Model m = trained(new Adam(0.01));
        m.loadState(file);
        assertUnchanged(values(saved.weights()), m.weights());
        assertUnchanged(values(saved.optimizer().variables()), m.optimizer().variables());
    }
}
