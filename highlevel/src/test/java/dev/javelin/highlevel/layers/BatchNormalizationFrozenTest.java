package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.javelin.highlevel.CompileOptions;
import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keras's transfer-learning rule: a BatchNormalization frozen with {@code setTrainable(false)} (a
 * pretrained base under a new head) runs in inference mode even in training, normalizing with its moving
 * statistics and leaving them as they are. It normalized with each batch's statistics and kept updating
 * the moving ones, so fine-tuning a frozen base changed it. Found by the oracle10 new-user programs.
 */
class BatchNormalizationFrozenTest {
    private static float[] stats(BatchNormalization bn) {
        float[] m = bn.movingMean().value().toFloatArray(), v = bn.movingVariance().value().toFloatArray();
        float[] both = Arrays.copyOf(m, m.length + v.length);
        System.arraycopy(v, 0, both, m.length, v.length);
        return both;
    }

    private static Tensor x() {
        return Tensors.normal(Shape.of(48, 6), 0.0, 3.0, 11).add(2.0);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aFrozenBaseKeepsItsStatisticsAndNormalizesWithThem(boolean compiled) {
        BatchNormalization bn = new BatchNormalization();
        Model base = new Sequential(new InputLayer(6), new Dense(5), bn);
        Model model = new Sequential(new InputLayer(6), base, new Dense(3, "softmax"));
        model.compile(CompileOptions.builder().optimizer(new Adam(0.01)).loss(Losses.get("sparse_categorical_crossentropy"))
                .jitCompile(compiled).build());
        Tensor y = Tensors.randint(Shape.of(48), 0, 3, 12);
        model.fit(x(), y, FitOptions.builder().epochs(1).batchSize(16).verbose(0).build()); // trains the statistics
        float[] learned = stats(bn);
        List<Tensor> baseWeights = base.getWeights();
        base.setTrainable(false);
        // frozen: training-mode calls give inference-mode outputs
        Tensor probe = x().slice(0, 0, 16);
        TensorAssert.assertEqual(base.call(probe, false), base.call(probe, true));
        float[] headBefore = model.layers().get(1).weights().get(0).value().toFloatArray();
        model.fit(x(), y, FitOptions.builder().epochs(2).batchSize(16).verbose(0).build());
        assertArrayEquals(learned, stats(bn), "the moving statistics of a frozen BatchNormalization stay");
        List<Tensor> after = base.getWeights();
        for (int i = 0; i < after.size(); i++) TensorAssert.assertEqual(baseWeights.get(i), after.get(i));
        assertFalse(Arrays.equals(headBefore, model.layers().get(1).weights().get(0).value().toFloatArray()), "the head trains");
    }
}
