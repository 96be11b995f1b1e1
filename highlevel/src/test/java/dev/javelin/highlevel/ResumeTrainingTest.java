package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.highlevel.optimizers.ExponentialDecay;
import dev.javelin.highlevel.optimizers.RMSprop;
import dev.javelin.highlevel.optimizers.Optimizer;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.RandomTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving a compiled model keeps what training needs (optimizer state, Dropout's seed state): fit, save, load, fit again is the same as never stopping. */
class ResumeTrainingTest {
    @TempDir
    Path dir;

    private final Tensor x = new RandomTensors(1).uniform(Shape.of(40, 6, 6, 1), DType.FLOAT32, 0, 1);
    private final Tensor y = new RandomTensors(2).labels(Shape.of(40), 3, DType.INT64);

    private static Model compiled(Optimizer optimizer, boolean jit) {
        Seeds.setGlobal(21);
        Model m = new Sequential(new InputLayer(6, 6, 1), new Conv2D(3, 3, "relu"), new Flatten(), new Dropout(0.3),
                new Dense(3, "softmax"));
        m.compile(CompileOptions.builder().optimizer(optimizer).loss(Losses.get("sparse_categorical_crossentropy"))
                .metrics("accuracy").jitCompile(jit).build());
        return m;
    }

    private void fit(Model m, int from, int to) {
        m.fit(x, y, FitOptions.builder().batchSize(16).epochs(to).initialEpoch(from).seed(5).verbose(0).build());
    }

    private void resumeIsBitIdentical(Optimizer straight, Optimizer interrupted, boolean jit) throws IOException {
        Model reference = compiled(straight, jit);
        fit(reference, 0, 4);

        Model first = compiled(interrupted, jit);
        fit(first, 0, 2);
        Path file = dir.resolve("half.safetensors");
        first.save(file);
        Model resumed = Model.load(file);
        assertEquals(first.optimizer().getConfig(), resumed.optimizer().getConfig());
        assertEquals(6L, resumed.optimizer().iterations().stored().toLongArray()[0], "2 epochs of 3 steps");
        fit(resumed, 2, 4);

        assertEquals(reference.optimizer().iterations().stored().toLongArray()[0], resumed.optimizer().iterations().stored().toLongArray()[0]);
        for (int i = 0; i < reference.weights().size(); i++) {
            assertArrayEquals(reference.weights().get(i).stored().toFloatArray(), resumed.weights().get(i).stored().toFloatArray(),
                    reference.weights().get(i).name() + " after 2 + 2 epochs vs 4");
        }
        List<Variable> a = reference.optimizer().variables(), b = resumed.optimizer().variables();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).stored().toDoubleArray(), b.get(i).stored().toDoubleArray(), a.get(i).name());
    }

    @Test
    void jittedAdamResumesBitIdentically() throws IOException {
        resumeIsBitIdentical(Adam.builder().learningRate(0.01).build(), Adam.builder().learningRate(0.01).build(), true);
    }

    @Test
    void eagerRmspropWithAScheduleResumesBitIdentically() throws IOException {
        resumeIsBitIdentical(RMSprop.builder().learningRate(new ExponentialDecay(0.01, 2, 0.5, false)).momentum(0.5).build(),
                RMSprop.builder().learningRate(new ExponentialDecay(0.01, 2, 0.5, false)).momentum(0.5).build(), false);
    }

    @Test
    void loadWithoutCompileAndAnUncompiledModel() throws IOException {
        Model m = compiled(Adam.builder().learningRate(0.01).build(), true);
        fit(m, 0, 1);
        m.optimizer().setLearningRate(0.003);
        Path file = dir.resolve("m.safetensors");
        m.save(file);
        assertNull(Model.load(file, false).optimizer());
        Model back = Model.load(file);
        assertEquals(0.003, back.optimizer().learningRate(), 1e-9);
        assertEquals(List.of("loss", "accuracy"), List.copyOf(back.evaluate(x, y).keySet()));

        Seeds.setGlobal(21);
        Model plain = new Sequential(new InputLayer(6, 6, 1), new Conv2D(3, 3, "relu"), new Flatten(), new Dense(3, "softmax"));
        plain.save(file);
        assertNull(Model.load(file).optimizer(), "saved uncompiled, loaded uncompiled");
    }

    @Test
    void aMultiOutputCompileStateComesBack() throws IOException {
        Tensor in = Input.of(4);
        Tensor h = new Dense(8, "tanh").apply(in);
        Model m = new Model(List.of(in), List.of(new Dense(3, "softmax", true, new GlorotUniform(), new Zeros(), null, null, "digit").apply(h),
                new Dense(1, null, true, new GlorotUniform(), new Zeros(), null, null, "size").apply(h)), null);
        CompileOptions options = CompileOptions.builder().optimizer(Adam.builder().learningRate(0.01).build())
                .losses(Map.of("digit", "sparse_categorical_crossentropy", "size", "mse")).lossWeights(Map.of("size", 0.5))
                .metrics("mae").outputMetrics(List.of(List.of("accuracy"), List.of())).jitCompile(false).nanCheck(true).build();
        m.compile(options);
        Path file = dir.resolve("two.safetensors");
        m.save(file);
        Model back = Model.load(file);
        assertEquals(CompileConfig.of(options), CompileConfig.of(back.trainer.compileOptions()));
    }

    @Test
    void weightsOnlyFilesAndGetSetWeights() throws IOException {
        Model trained = compiled(Adam.builder().learningRate(0.01).build(), true);
        fit(trained, 0, 1);
        Model other = compiled(Adam.builder().build(), true);
        other.setWeights(trained.getWeights());
        assertArrayEquals(trained.predict(x).toFloatArray(), other.predict(x).toFloatArray());

        Path weights = dir.resolve("w.safetensors");
        Path full = dir.resolve("full.safetensors");
        trained.saveWeights(weights);
        trained.save(full);
        for (Path p : List.of(weights, full)) { // a model file's optimizer tensors are not weights
            Model fresh = compiled(Adam.builder().build(), true);
            fresh.loadWeights(p);
            assertArrayEquals(trained.predict(x).toFloatArray(), fresh.predict(x).toFloatArray(), p.toString());
        }

        List<Tensor> wrong = trained.getWeights().subList(1, trained.weights().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.setWeights(wrong));
        assertTrue(e.getMessage().contains("setWeights") && e.getMessage().contains("conv2d"), e.getMessage());
    }

    static final class TwoDense extends Model {
        final Dense hidden = new Dense(5, "relu");
        final Dense out = new Dense(2);

        @Override
        public Tensor call(Tensor in, boolean training) {
            return out.apply(hidden.apply(in, training), training);
        }
    }

    @Test
    void subclassedModelBuildLeavesItBuiltForLoadWeights() throws IOException {
        TwoDense a = new TwoDense();
        assertFalse(a.isBuilt());
        a.build(Shape.of(1, 4));
        assertTrue(a.isBuilt());
        assertEquals(4, a.weights().size());
        Path file = dir.resolve("sub.safetensors");
        a.saveWeights(file);
        TwoDense b = new TwoDense();
        b.build(Shape.of(1, 4));
        b.loadWeights(file);
        Tensor in = new RandomTensors(3).uniform(Shape.of(7, 4), DType.FLOAT32, -1, 1);
        assertArrayEquals(a.call(in, false).toFloatArray(), b.call(in, false).toFloatArray());
        assertInstanceOf(List.class, b.getWeights());
    }
}
