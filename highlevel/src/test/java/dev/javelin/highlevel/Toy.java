package dev.javelin.highlevel;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.testing.RandomTensors;

/** A small, learnable classification problem for training tests: 3 classes from 4 features. */
record Toy(Tensor x, Tensor y) {
    static Toy of(int n, long seed) {
        Tensor x = new RandomTensors(seed).uniform(Shape.of(n, 4), DType.FLOAT32, -1, 1);
        float[] xs = x.toFloatArray();
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            float a = xs[i * 4] + xs[i * 4 + 1];
            float b = xs[i * 4 + 2] - xs[i * 4 + 3];
            labels[i] = a > 0.3f ? 0 : b > 0 ? 1 : 2;
        }
        return new Toy(x, Tensor.wrap(HeapStorage.wrap(labels), Shape.of(n)));
    }
}
