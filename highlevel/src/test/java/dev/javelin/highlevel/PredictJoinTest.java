package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.data.Dataset;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Embedding;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * predict joins its batches' outputs along the batch axis. Outputs whose other dimensions changed from batch to
 * batch (a Dataset map padding each batch to its own length) were copied row by row into the first batch's layout:
 * a [6, 8, 2] result whose rows mixed steps of different sequences and ended in zeros, without a word. A scalar per
 * batch failed with "Shape.dim: axis 0 is out of range for rank 0". Both are refused naming the output, as Keras's
 * concatenation refuses them. Found by the oracle10 new-user programs.
 */
class PredictJoinTest {
    @Test
    void batchesThatDisagreeAfterTheBatchAxisAreRefusedNamingTheOutput() {
        Model m = new Sequential(new InputLayer(new int[] {InputLayer.ANY}, DType.INT64, null), new Embedding(10, 3, false), new Dense(2));
        Tensor ids = Tensors.randint(Shape.of(6, 8), 1, 10, 1);
        int[] seen = {0};
        Dataset cropped = Dataset.fromTensors(ids).batch(3)
                .map(b -> seen[0]++ % 2 == 1 ? new Batch(List.of(b.x().slice(1, 0, 5)), List.of(), null) : b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(cropped));
        assertTrue(e.getMessage().contains("output 0 is [3, 5, 2] in batch 1 but [3, 8, 2] in batch 0"), e.getMessage());
        // batches that agree still join, with the rows of one large batch
        TensorAssert.assertEqual(m.predict(ids, 6), m.predict(Dataset.fromTensors(ids).batch(3)));
    }

    @Test
    void aScalarPerBatchIsRefusedNamingTheOutput() {
        Model m = new Sequential(new InputLayer(4), new Dense(2)) {
            @Override
            public List<Tensor> predictStep(Batch b) {
                return List.of(callOutputs(b.inputs(), false).get(0).sum());
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(Tensors.zeros(8, 4), 4));
        assertTrue(e.getMessage().contains("output 0 is a scalar"), e.getMessage());
    }
}
