package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.MaxPooling2D;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** compile(jitCompile=true) trains like eager: same losses, metrics and weights within float tolerance. */
class JitTrainingTest {
    private static Model convnet() {
        Seeds.setGlobal(11);
        return new Sequential(new InputLayer(10, 10, 1), new Conv2D(4, 3, "relu"), new MaxPooling2D(2), new Flatten(),
                new Dropout(0.3), new Dense(3, "softmax"));
    }

    private static History train(Model m, boolean jit, Tensor x, Tensor y) {
        m.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(0.01).build())
                .loss(Losses.get("sparse_categorical_crossentropy")).metrics("accuracy").jitCompile(jit).build());
        return m.fit(x, y, FitOptions.builder().batchSize(16).epochs(3).seed(3).verbose(0).build()); // 40 rows: a last batch of 8
    }

    @Test
    void jittedFitMatchesEager() {
        Tensor x = new RandomTensors(1).uniform(Shape.of(40, 10, 10, 1), DType.FLOAT32, 0, 1);
        Tensor y = new RandomTensors(2).labels(Shape.of(40), 3, DType.INT64);
        Model eager = convnet();
        History he = train(eager, false, x, y);
        Model jitted = convnet();
        History hj = train(jitted, true, x, y);
        for (String k : List.of("loss", "accuracy")) {
            List<Double> a = he.history().get(k);
            List<Double> b = hj.history().get(k);
            for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-4, k + " epoch " + i);
        }
        for (int i = 0; i < eager.weights().size(); i++) {
            assertArrayEquals(eager.weights().get(i).stored().toFloatArray(), jitted.weights().get(i).stored().toFloatArray(), 1e-4f,
                    eager.weights().get(i).name());
        }
        assertArrayEquals(eager.predict(x).toFloatArray(), jitted.predict(x).toFloatArray(), 1e-4f);
        Map<String, Double> ee = eager.evaluate(x, y, 16);
        Map<String, Double> ej = jitted.evaluate(x, y, 16);
        assertEquals(ee.get("loss"), ej.get("loss"), 1e-4);
        // train (16, 8), test (16, 8), predict (32, 8): one program per step kind and batch size, no more
        assertTrue(jitted.trainer.jitCompilations() <= 6, "compilations: " + jitted.trainer.jitCompilations());
        assertTrue(jitted.trainer.jitCompilations() >= 3);
    }

    /** On the CPU, {@link Model#release} only drops the compiled steps: the model predicts the same and trains on, compiling again. */
    @Test
    void releasingACpuModelDropsItsProgramsAndItKeepsWorking() {
        Tensor x = new RandomTensors(5).uniform(Shape.of(24, 10, 10, 1), DType.FLOAT32, 0, 1);
        Tensor y = new RandomTensors(6).labels(Shape.of(24), 3, DType.INT64);
        Model m = convnet();
        train(m, true, x, y);
        float[] before = m.predict(x).toFloatArray();
        long compiled = m.trainer.jitCompilations();
        m.release();
        assertArrayEquals(before, m.predict(x).toFloatArray(), 0f, "the weights are the GC's on the CPU: untouched");
        m.fit(x, y, FitOptions.builder().batchSize(16).epochs(1).seed(4).verbose(0).build());
        assertTrue(m.trainer.jitCompilations() > 0 && m.trainer.jitCompilations() <= compiled,
                "compiled again from nothing: " + m.trainer.jitCompilations() + " programs (" + compiled + " before the release)");
    }
}
