package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import dev.javelin.testing.TensorAssert;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code computeGradients} + {@code applyGradients} is one {@code fit} step split in two (the data-parallel hook). */
class SplitTrainStepTest {
    private static Model mlp(boolean jit) {
        Seeds.setGlobal(11);
        Model m = new Sequential(Input.of(6), new Dense(8, "relu"), new Dense(3, "softmax"));
        m.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(0.01).build())
                .loss("sparse_categorical_crossentropy").metrics("accuracy").jitCompile(jit).build());
        return m;
    }

    @Test
    void gradientsThenUpdateFollowTrainOnBatch() {
        for (boolean jit : new boolean[] {true, false}) {
            Model whole = mlp(jit), split = mlp(jit);
            RandomTensors r = new RandomTensors(5);
            for (int step = 0; step < 4; step++) {
                Tensor x = r.normal(Shape.of(7, 6));
                Tensor y = r.labels(Shape.of(7), 3, DType.INT64);
                double expectedLoss = whole.trainOnBatch(x, y).get("loss");
                StepGradients g = split.computeGradients(new Batch(List.of(x), List.of(y), null));
                assertEquals(expectedLoss, g.loss().item(), 1e-6, "loss, jit " + jit);
                assertEquals(split.trainableVariables().size(), g.gradients().size());
                split.applyGradients(g.gradients());
            }
            for (int i = 0; i < whole.getWeights().size(); i++) {
                TensorAssert.assertClose(whole.getWeights().get(i), split.getWeights().get(i), 1e-5, 1e-6);
            }
            assertEquals(4L, (long) split.optimizer().iterations().stored().item());
        }
    }

    @Test
    void aNullGradientLeavesItsVariableAloneInTheCompiledUpdate() {
        Seeds.setGlobal(3);
        Model m = new Sequential(Input.of(4), new Dense(5, "relu"), new Dense(2)) {
            @Override
            public StepGradients gradientStep(Batch b) { // an override that freezes the last bias by giving it no gradient
                StepGradients g = super.gradientStep(b);
                List<Tensor> grads = new java.util.ArrayList<>(g.gradients());
                grads.set(grads.size() - 1, null);
                return new StepGradients(g.loss(), grads);
            }
        };
        m.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(0.1).build()).loss("mse").build());
        RandomTensors r = new RandomTensors(2);
        List<Tensor> before = m.getWeights();
        for (int step = 0; step < 2; step++) {
            StepGradients g = m.computeGradients(new Batch(List.of(r.normal(Shape.of(3, 4))), List.of(r.normal(Shape.of(3, 2))), null));
            assertNull(g.gradients().get(3));
            m.applyGradients(g.gradients());
        }
        TensorAssert.assertEqual(before.get(3), m.getWeights().get(3));
        assertNotEquals(before.get(2).toFloatArray()[0], m.getWeights().get(2).toFloatArray()[0]);
    }

    @Test
    void applyGradientsChecksTheCount() {
        Model m = mlp(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.applyGradients(List.of()));
        assertEquals(m.name() + ".applyGradients: 0 gradients for 4 trainable variables", e.getMessage());
    }
}
