package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import org.junit.jupiter.api.Test;

/**
 * {@code fit(x, null)}, as Keras's {@code fit(x)}: a NullPointerException with no message (from
 * {@code List.of(null)}); now no targets, which the built-in loss refuses by name and a trainStep
 * override that needs none (an autoencoder-like objective) trains on. Found by the oracle10 misuse programs.
 */
class NullTargetsTest {
    private static Tensor x() {
        return Tensors.normal(Shape.of(12, 3), 5);
    }

    @Test
    void theBuiltInLossRefusesMissingTargetsByName() {
        Model m = new Sequential(new InputLayer(3), new Dense(2));
        m.compile("sgd", "mse");
        IllegalArgumentException fit = assertThrows(IllegalArgumentException.class, () -> m.fit(x(), null, 4, 1));
        assertTrue(fit.getMessage().contains("y is null"), fit.getMessage());
        IllegalArgumentException eval = assertThrows(IllegalArgumentException.class, () -> m.evaluate(x(), null));
        assertTrue(eval.getMessage().contains("y is null"), eval.getMessage());
    }

    @Test
    void aTrainStepThatNeedsNoTargetsTrainsWithoutThem() {
        Model m = new Sequential(new InputLayer(3), new Dense(3)) {
            @Override
            public Tensor trainStep(Batch b) {
                GradientTape tape = GradientTape.record();
                Tensor loss;
                try {
                    Tensor diff = callOutputs(b.inputs(), true).get(0).sub(b.inputs().get(0)); // reconstruct the input
                    loss = diff.mul(diff).mean();
                } finally {
                    tape.close();
                }
                optimizer().apply(trainableVariables(), tape.gradient(loss, trainableVariables()));
                return loss;
            }
        };
        m.compile("sgd", "mse");
        var h = m.fit(x(), null, FitOptions.builder().batchSize(4).epochs(3).verbose(0).build());
        assertEquals(3, h.history().get("loss").size());
        assertTrue(h.history().get("loss").get(2) < h.history().get("loss").get(0), h.toString());
    }
}
