package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.javelin.highlevel.CompileOptions;
import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The layers Keras 3 marks {@code supports_masking} pass an {@code Embedding(mask_zero)} mask on: the
 * activation layers, Identity, Rescaling, Unit/GroupNormalization and BatchNormalization, which in
 * training also leaves the masked steps out of its batch statistics (Keras's {@code _moments} with a
 * mask). They dropped it, so a recurrent layer after them ran over the padding. Found by the oracle10
 * Keras-habit programs.
 */
class MaskPassingLayersTest {
    private static final List<Supplier<Layer>> PASSING = List.of(ReLU::new, LeakyReLU::new, ELU::new,
            () -> new PReLU(new dev.javelin.highlevel.initializers.Zeros(), null, new int[] {1}, null), Identity::new,
            () -> new Rescaling(0.5, 0.1), UnitNormalization::new, () -> new GroupNormalization(2), BatchNormalization::new);

    @Test
    void aRecurrentLayerAfterThemSkipsThePadding() {
        Tensor padded = Tensors.of(new long[] {3, 1, 4, 0, 0, 2, 7, 0, 0, 0}, 2, 5);
        for (Supplier<Layer> make : PASSING) {
            Embedding embedding = new Embedding(10, 4, true);
            Layer middle = make.get();
            LSTM lstm = new LSTM(3);
            Tensor h = middle.apply(embedding.apply(padded), false);
            assertNotNull(Masks.of(h), middle.getClass().getSimpleName() + " dropped the mask");
            Tensor out = lstm.apply(h);
            if (middle instanceof GroupNormalization) continue; // its statistics span the steps, padding included, as Keras's
            // each row alone, unpadded: the same last output
            for (int row = 0; row < 2; row++) {
                int length = row == 0 ? 3 : 2;
                Tensor ids = padded.slice(0, row, row + 1).slice(1, 0, length);
                Tensor alone = lstm.apply(middle.apply(embedding.apply(ids), false));
                TensorAssert.assertClose(alone, out.slice(0, row, row + 1), 1e-6, 1e-7); // (per step: the padding alone changes nothing)
            }
        }
    }

    @Test
    void batchNormalizationTrainsOnTheRealStepsOnly() {
        Tensor padded = Tensors.of(new long[] {3, 1, 4, 0, 2, 7, 0, 0}, 2, 4);
        Embedding embedding = new Embedding(10, 3, true);
        BatchNormalization bn = new BatchNormalization();
        Tensor x = embedding.apply(padded);
        Tensor y = bn.apply(x, true);
        assertArrayEquals(Masks.of(x).toBooleanArray(), Masks.of(y).toBooleanArray());
        // Keras: mean and variance over the 5 real steps; moving = 0.99 * initial + 0.01 * batch
        double[] v = x.cast(DType.FLOAT64).toDoubleArray();
        boolean[] real = Masks.of(x).toBooleanArray();
        for (int c = 0; c < 3; c++) {
            double sum = 0, sq = 0;
            int n = 0;
            for (int s = 0; s < 8; s++) if (real[s]) { sum += v[s * 3 + c]; n++; }
            double mean = sum / (n + 1e-7);
            for (int s = 0; s < 8; s++) if (real[s]) sq += (v[s * 3 + c] - mean) * (v[s * 3 + c] - mean);
            assertEquals(0.01 * mean, bn.movingMean().value().toDoubleArray()[c], 1e-7);
            assertEquals(0.99 + 0.01 * sq / (n + 1e-7), bn.movingVariance().value().toDoubleArray()[c], 1e-7);
        }
    }

    @Test
    void aMaskedBatchNormalizationTrainsCompiledAsOpByOp() {
        Tensor ids = Tensors.of(new long[] {3, 1, 4, 0, 0, 2, 7, 0, 0, 0, 5, 5, 5, 5, 1, 9, 8, 0, 0, 0}, 4, 5);
        Tensor y = Tensors.of(new long[] {0, 1, 1, 0});
        List<List<Tensor>> weights = new java.util.ArrayList<>();
        for (boolean compiled : new boolean[] {true, false}) {
            Layer.resetNames();
            Model m = new Sequential(new InputLayer(new int[] {5}, DType.INT64, null), new Embedding(10, 4, true),
                    new BatchNormalization(), new ReLU(), new LSTM(3), new Dense(2, "softmax"));
            m.setWeights(weightsOf(m, 21));
            m.compile(CompileOptions.builder().optimizer(new SGD(0.1)).loss(Losses.get("sparse_categorical_crossentropy"))
                    .jitCompile(compiled).build());
            m.fit(ids, y, FitOptions.builder().batchSize(2).epochs(2).shuffle(false).verbose(0).build());
            weights.add(m.getWeights());
        }
        for (int i = 0; i < weights.get(0).size(); i++) TensorAssert.assertEqual(weights.get(1).get(i), weights.get(0).get(i));
    }

    private static List<Tensor> weightsOf(Model m, long seed) {
        List<Tensor> w = new java.util.ArrayList<>();
        for (Tensor t : m.getWeights()) w.add(Tensors.normal(t.shape(), 0.0, 0.3, seed++).abs().add(0.05)); // (moving variances stay > 0)
        return w;
    }
}
