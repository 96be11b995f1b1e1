package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.initializers.RandomNormal;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Embedding;
import dev.javelin.highlevel.losses.SparseCategoricalCrossentropy;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import org.junit.jupiter.api.Test;

/** Errors that point at the user's code: bad labels, null initializers, NaN during training. */
class UserErrorsTest {
    @Test
    void anOutOfRangeLabelNamesTheLossAndTheLabels() {
        Toy data = Toy.of(16, 1);
        long[] labels = data.y().toLongArray();
        labels[5] = 7; // 3 classes
        Tensor bad = Tensors.of(labels);
        for (boolean jit : new boolean[] {true, false}) {
            Model m = new Sequential(Input.of(4), new Dense(3, "softmax"));
            m.compile(CompileOptions.builder().optimizer("sgd").loss("sparse_categorical_crossentropy").jitCompile(jit).build());
            var e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(data.x(), bad, FitOptions.builder().batchSize(16).shuffle(false).verbose(0).build()));
            String msg = e.getMessage();
            assertTrue(msg.contains("sparse_categorical_crossentropy") && msg.contains("label 7") && msg.contains("[0, 3)")
                    && msg.contains("int64[16]"), "jit " + jit + ": " + msg);
            assertFalse(msg.toLowerCase().contains("gather"), msg);
        }
    }

    @Test
    void aNullInitializerIsRejectedWhereTheLayerIsMade() {
        var dense = assertThrows(IllegalArgumentException.class, () -> new Dense(3, null, true, null, new Zeros(), null, null, null));
        assertTrue(dense.getMessage().contains("Dense") && dense.getMessage().contains("kernel_initializer"), dense.getMessage());
        var conv = assertThrows(IllegalArgumentException.class, () -> new Conv2D(2, new int[] {3, 3}, new int[] {1, 1}, "valid",
                new int[] {1, 1}, 1, null, true, new Zeros(), null, null, null, null));
        assertTrue(conv.getMessage().contains("bias_initializer"), conv.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Embedding(10, 4, null, null));
    }

    @Test
    void nullMetricsMeanNoneAndANullMetricIsNamed() {
        // GptModel's Javadoc wrote compile(optimizer, loss, null): a NullPointerException from List.of
        Toy data = Toy.of(8, 2);
        Model m = new Sequential(Input.of(4), new Dense(3, "softmax"));
        m.compile(new SGD(), new SparseCategoricalCrossentropy(), (Object[]) null);
        assertTrue(m.evaluate(data.x(), data.y()).keySet().equals(java.util.Set.of("loss")));
        var e = assertThrows(IllegalArgumentException.class, () -> m.compile("sgd", "mse", "accuracy", null));
        assertTrue(e.getMessage().contains("metric is null"), e.getMessage());
    }

    @Test
    void theNanCheckFromCompileNamesTheOp() {
        Toy data = Toy.of(8, 2);
        Tensor huge = data.x().mul(1e20); // times weights of about 1e20: infinity in the first matmul
        for (boolean jit : new boolean[] {true, false}) {
            Model m = new Sequential(Input.of(4),
                    new Dense(8, "relu", true, new RandomNormal(0, 1e20, 1L), new Zeros(), null, null, null), new Dense(3, "softmax"));
            m.compile(CompileOptions.builder().optimizer("sgd").loss("sparse_categorical_crossentropy").jitCompile(jit)
                    .nanCheck(true).build());
            var e = assertThrows(ArithmeticException.class,
                    () -> m.fit(huge, data.y(), FitOptions.builder().batchSize(8).verbose(0).build()));
            assertTrue(e.getMessage().contains("matmul"), "jit " + jit + ": " + e.getMessage());
        }
    }
}
