package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.MaxPooling2D;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.VectorSupport;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Compiled functions and a jitted {@code fit} work whether or not the JVM has the Vector API. The
 * default test run has it (generated kernels); the {@code vector-fallback} Surefire execution starts
 * a JVM without {@code --add-modules jdk.incubator.vector} and sets {@code javelin.test.expectVector=false},
 * where the same calls must run their steps through the backend instead of failing to load kernels.
 */
class VectorFallbackTest {
    private static final boolean EXPECT_VECTOR = Boolean.parseBoolean(System.getProperty("javelin.test.expectVector", "true"));

    @Test
    void compiledFunctionRunsWithOrWithoutTheVectorApi() {
        assertEquals(EXPECT_VECTOR, VectorSupport.modulePresent(), "jdk.incubator.vector resolved");
        Function<Tensor[], Tensor[]> fn = a -> new Tensor[] {a[0].matmul(a[1]).add(a[0].sum(new int[] {1}, true)).tanh().mul(a[0].sigmoid().sum())};
        Tensor x = new RandomTensors(5).uniform(Shape.of(7, 7), DType.FLOAT32, -1, 1);
        Tensor w = new RandomTensors(6).uniform(Shape.of(7, 7), DType.FLOAT32, -1, 1);
        CompiledFunction f = Jit.compile(fn);
        assertArrayEquals(fn.apply(new Tensor[] {x, w})[0].toFloatArray(), f.call(x, w)[0].toFloatArray(), 1e-5f);
        Matcher kernels = Pattern.compile("(\\d+) generated kernels").matcher(Jit.explain(fn, x, w));
        assertTrue(kernels.find());
        int generated = Integer.parseInt(kernels.group(1));
        assertTrue(EXPECT_VECTOR ? generated > 0 : generated == 0, "generated kernels: " + generated);
    }

    @Test
    void jittedFitTrainsWithOrWithoutTheVectorApi() {
        Tensor x = new RandomTensors(1).uniform(Shape.of(24, 8, 8, 1), DType.FLOAT32, 0, 1);
        Tensor y = new RandomTensors(2).labels(Shape.of(24), 3, DType.INT64);
        long compilationsBefore = Jit.stats().compilations();
        History jitted = train(true, x, y);
        assertTrue(Jit.stats().compilations() > compilationsBefore, "fit compiled its step");
        History eager = train(false, x, y);
        List<Double> a = eager.history().get("loss"), b = jitted.history().get("loss");
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-4, "loss, epoch " + i);
        assertTrue(b.get(b.size() - 1) < b.get(0), "the loss falls: " + b);
    }

    private static History train(boolean jit, Tensor x, Tensor y) {
        Seeds.setGlobal(3);
        Model m = new Sequential(new InputLayer(8, 8, 1), new Conv2D(4, 3, "relu"), new MaxPooling2D(2), new Flatten(),
                new Dense(3, "softmax"));
        m.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(0.02).build())
                .loss(Losses.get("sparse_categorical_crossentropy")).metrics("accuracy").jitCompile(jit).build());
        return m.fit(x, y, FitOptions.builder().batchSize(8).epochs(3).seed(4).verbose(0).build());
    }
}
