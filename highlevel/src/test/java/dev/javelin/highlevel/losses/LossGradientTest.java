package dev.javelin.highlevel.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.javelin.autodiff.GradCheck;
import dev.javelin.autodiff.GradientTape;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import org.junit.jupiter.api.Test;

/** Every loss differentiates through the tape: checked against finite differences in float64. */
class LossGradientTest {
    private static final double TOL = 1e-6;

    /** Seeded normal values made on the host, so the check does not depend on a backend's random kernels. */
    private static Tensor normal(long seed, int... dims) {
        java.util.Random r = new java.util.Random(seed);
        double[] v = new double[(int) Shape.of(dims).size()];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return Tensors.of(v, dims);
    }

    @Test
    void crossEntropiesFromLogitsAndProbabilities() {
        Tensor logits = normal(1, 4, 5);
        Tensor labels = Tensors.of(new long[] {0, 3, 4, 1});
        GradCheck.check(x -> new SparseCategoricalCrossentropy(true).call(labels, x[0]), logits).assertWithin(TOL);
        GradCheck.check(x -> new SparseCategoricalCrossentropy(false).call(labels, NN.softmax(x[0], -1)), logits).assertWithin(TOL);
        Tensor soft = NN.softmax(normal(2, 4, 5), -1);
        GradCheck.check(x -> new CategoricalCrossentropy(true, 0.1).call(soft, x[0]), logits).assertWithin(TOL);
        GradCheck.check(x -> new CategoricalCrossentropy(false).call(soft, NN.softmax(x[0], -1)), logits).assertWithin(TOL);
        Tensor targets = normal(3, 4, 5).sigmoid();
        GradCheck.check(x -> new BinaryCrossentropy(true).call(targets, x[0]), logits).assertWithin(TOL);
        GradCheck.check(x -> new BinaryCrossentropy(false).call(targets, x[0].sigmoid()), logits).assertWithin(TOL);
    }

    @Test
    void regressionLosses() {
        Tensor t = normal(4, 3, 6);
        Tensor p = normal(5, 3, 6);
        GradCheck.check(x -> new MeanSquaredError().call(t, x[0]), p).assertWithin(TOL);
        GradCheck.check(x -> new MeanAbsoluteError().call(t, x[0]), p).assertWithin(TOL);
        GradCheck.check(x -> new Huber(0.7).call(t, x[0]), p).assertWithin(TOL);
    }

    @Test
    void sparseCrossEntropyGradientIsSoftmaxMinusOneHotOverBatch() {
        Tensor logits = Tensors.of(new double[][] {{2.0, 1.0, 0.1}, {0.5, -1.0, 3.0}});
        Tensor labels = Tensors.of(new long[] {0, 2});
        Tensor g;
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(logits);
            g = tape.gradient(new SparseCategoricalCrossentropy(true).call(labels, logits), logits)[0];
        }
        double[] p = NN.softmax(logits, -1).toDoubleArray();
        double[] expected = {(p[0] - 1) / 2, p[1] / 2, p[2] / 2, p[3] / 2, p[4] / 2, (p[5] - 1) / 2};
        assertArrayEquals(expected, g.toDoubleArray(), 1e-12);
    }
}
