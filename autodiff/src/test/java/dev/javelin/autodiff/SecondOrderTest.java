package dev.javelin.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.javelin.tensor.NN;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Gradients of gradients: nested tapes against closed-form second (and third) derivatives. */
class SecondOrderTest {
    private static final double TOL = 1e-12;
    private static final Tensor X = Tensors.of(new double[] {-1.7, -0.4, 0.0, 0.3, 1.2, 2.5});

    /** d²/dx² of sum(f(x)) with nested tapes: the diagonal of the Hessian of an elementwise f. */
    private static double[] secondDerivative(Function<Tensor, Tensor> f, Tensor x) {
        try (GradientTape outer = GradientTape.record()) {
            outer.watch(x);
            Tensor dx;
            try (GradientTape inner = GradientTape.record()) {
                inner.watch(x);
                dx = inner.gradient(f.apply(x).sum(), x)[0];
            }
            return outer.gradient(dx.sum(), x)[0].toDoubleArray();
        }
    }

    private static double[] map(Tensor x, DoubleUnaryOperator f) {
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = f.applyAsDouble(v[i]);
        return v;
    }

    @Test
    void tanh() {
        assertArrayEquals(map(X, v -> -2 * Math.tanh(v) * (1 - Math.tanh(v) * Math.tanh(v))),
                secondDerivative(Tensor::tanh, X), TOL);
    }

    @Test
    void sin() {
        assertArrayEquals(map(X, v -> -Math.sin(v)), secondDerivative(Tensor::sin, X), TOL);
    }

    @Test
    void cube() {
        assertArrayEquals(map(X, v -> 6 * v), secondDerivative(x -> x.mul(x).mul(x), X), TOL);
        assertArrayEquals(map(X, v -> 6 * v), secondDerivative(x -> x.pow(3.0), X), TOL);
    }

    @Test
    void thirdDerivativeOfCubeThroughTheFunctionalApi() {
        Function<Tensor[], Tensor> cube = xs -> xs[0].mul(xs[0]).mul(xs[0]).sum();
        Function<Tensor[], Tensor> first = xs -> Autodiff.grad(cube).apply(xs)[0].sum();
        Function<Tensor[], Tensor> second = xs -> Autodiff.grad(first).apply(xs)[0].sum();
        double[] third = Autodiff.grad(second).apply(new Tensor[] {X})[0].toDoubleArray();
        assertArrayEquals(map(X, v -> 6), third, TOL);
    }

    /**
     * The Hessian of softmax cross-entropy with respect to the logits is diag(p) - p pᵀ, whatever the
     * label: checked row by row as Hessian-vector products against the unit vectors.
     */
    @Test
    void softmaxCrossEntropy() {
        double[] z = {0.3, -1.2, 2.0, 0.7, -0.1};
        Tensor logits = Tensors.of(z, 1, 5);
        Tensor labels = Tensors.of(new long[] {2});
        double max = 2.0, sum = 0;
        double[] p = new double[5];
        for (int i = 0; i < 5; i++) sum += Math.exp(z[i] - max);
        for (int i = 0; i < 5; i++) p[i] = Math.exp(z[i] - max) / sum;
        for (int j = 0; j < 5; j++) {
            double[] unit = new double[5];
            unit[j] = 1;
            double[] row;
            try (GradientTape outer = GradientTape.record()) {
                outer.watch(logits);
                Tensor dz;
                try (GradientTape inner = GradientTape.record()) {
                    inner.watch(logits);
                    Tensor loss = NN.sparseCategoricalCrossEntropy(logits, labels, true).sum();
                    dz = inner.gradient(loss, logits)[0];
                }
                row = outer.gradient(dz.mul(Tensors.of(unit, 1, 5)).sum(), logits)[0].toDoubleArray();
            }
            double[] expected = new double[5];
            for (int i = 0; i < 5; i++) expected[i] = (i == j ? p[i] : 0) - p[i] * p[j];
            assertArrayEquals(expected, row, TOL, "Hessian row " + j);
        }
    }
}
