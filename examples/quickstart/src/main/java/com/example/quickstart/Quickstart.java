package com.example.quickstart;

import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * What an outside project does in its first minutes with Javelin: a compiled function, and a
 * Keras-style model trained, evaluated, saved and loaded. Exits with status 1 if the model does
 * not learn the task, so CI can run it.
 */
public final class Quickstart {
    public static void main(String[] args) throws Exception {
        // A compiled function: traced, fused and generated on the first call.
        CompiledFunction f = Jit.compile(a -> new Tensor[] {a[0].mul(a[1]).add(1.0).tanh()});
        Tensor y0 = f.call(Tensors.of(new float[] {1, 2, 3}), Tensors.of(new float[] {0.5f, -1, 0}))[0];
        System.out.println("compiled function: " + y0);

        // Three Gaussian blobs in the plane, one class each.
        int n = 600;
        float[] points = new float[n * 2];
        long[] labels = new long[n];
        Random random = new Random(7);
        float[][] centers = {{-2, 0}, {2, 0}, {0, 2.5f}};
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            labels[i] = c;
            points[2 * i] = centers[c][0] + (float) random.nextGaussian() * 0.7f;
            points[2 * i + 1] = centers[c][1] + (float) random.nextGaussian() * 0.7f;
        }
        Tensor x = Tensors.of(points, n, 2);
        Tensor y = Tensors.of(labels, n);

        Model model = new Sequential(new InputLayer(2), new Dense(16, "relu"), new Dense(3, "softmax"));
        model.summary();
        model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
        model.fit(x, y, 32, 8);
        Map<String, Double> result = model.evaluate(x, y);
        System.out.println("evaluate: " + result);

        Path file = Files.createTempFile("quickstart", ".safetensors");
        model.save(file);
        Model loaded = Model.load(file);
        Map<String, Double> reloaded = loaded.evaluate(x, y);
        Files.delete(file);
        System.out.printf("quickstart accuracy: %.4f (after save and load: %.4f)%n", result.get("accuracy"), reloaded.get("accuracy"));
        if (result.get("accuracy") < 0.9 || !result.get("accuracy").equals(reloaded.get("accuracy"))) {
            System.err.println("quickstart: the model did not learn the blobs, or loading changed it");
            System.exit(1);
        }
    }
}
