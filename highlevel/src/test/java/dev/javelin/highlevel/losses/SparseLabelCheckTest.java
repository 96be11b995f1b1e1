package dev.javelin.highlevel.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.CompileOptions;
import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Input;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.RandomTensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Float sparse labels that are NaN or not whole numbers are an error naming the loss, not a silently truncated class. */
class SparseLabelCheckTest {
    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, 1.5, -0.25, Double.POSITIVE_INFINITY})
    void badFloatLabelsAreRejectedEagerly(double bad) {
        Tensor logits = new RandomTensors(1).normal(Shape.of(3, 4));
        Tensor labels = Tensors.of(new float[] {0, (float) bad, 2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SparseCategoricalCrossentropy(true).call(labels, logits));
        assertTrue(e.getMessage().startsWith("SparseCategoricalCrossentropy: labels must be whole class numbers"), e.getMessage());
        // whole-number floats are still accepted, as Keras accepts them
        Tensor good = Tensors.of(new float[] {0, 3, 2});
        assertEquals(Shape.scalar(), new SparseCategoricalCrossentropy(true).call(good, logits).shape());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void fitRejectsBadLabelsBeforeAnyStep(boolean jit) {
        Model m = new Sequential(Input.of(4), new Dense(3));
        m.compile(CompileOptions.builder().optimizer(new SGD(0.1)).loss(new SparseCategoricalCrossentropy(true)).jitCompile(jit).build());
        Tensor x = new RandomTensors(2).normal(Shape.of(6, 4));
        Tensor y = Tensors.of(new double[] {0, 1, 2, Double.NaN, 1, 0});
        float[] before = m.weights().get(0).value().toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.fit(x, y, FitOptions.builder().batchSize(2).epochs(1).verbose(0).build()));
        assertTrue(e.getMessage().contains("SparseCategoricalCrossentropy"), e.getMessage());
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(m.weights().get(0).value().toFloatArray()),
                "no step ran");
        assertThrows(IllegalArgumentException.class, () -> m.evaluate(x, y));
    }
}
