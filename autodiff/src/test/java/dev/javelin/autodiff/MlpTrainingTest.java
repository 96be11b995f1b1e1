package dev.javelin.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Dispatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * End to end: a 2-layer tanh MLP fitted by plain gradient descent, every gradient from the tape,
 * on a fixed random regression problem (the targets come from a random "teacher" network).
 */
class MlpTrainingTest {
    private static final int N = 64, IN = 8, HIDDEN = 16, STEPS = 200;
    private static final double LR = 0.1;

    private static Tensor forward(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        return x.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
    }

    @Test
    void sgdOnATapeLowersTheLossTenfold() {
        Tensor x = Tensors.normal(Shape.of(N, IN), 1);
        Tensor y = forward(x, Tensors.normal(Shape.of(IN, HIDDEN), 0, 0.6, 2), Tensors.normal(Shape.of(HIDDEN), 0, 0.2, 3),
                Tensors.normal(Shape.of(HIDDEN, 1), 0, 0.6, 4), Tensors.scalar(0.1));
        Variable w1 = new Variable("w1", Tensors.normal(Shape.of(IN, HIDDEN), 0, 0.3, 5), true);
        Variable b1 = new Variable("b1", Tensors.zeros(HIDDEN), true);
        Variable w2 = new Variable("w2", Tensors.normal(Shape.of(HIDDEN, 1), 0, 0.3, 6), true);
        Variable b2 = new Variable("b2", Tensors.zeros(1), true);
        List<Variable> params = List.of(w1, b1, w2, b2);
        double expectedFirst = mseByHand(x, y, w1.stored(), b1.stored(), w2.stored(), b2.stored());

        double[] losses = new double[STEPS + 1];
        for (int step = 0; step <= STEPS; step++) {
            try (GradientTape tape = GradientTape.record()) {
                Tensor err = forward(x, w1.value(), b1.value(), w2.value(), b2.value()).sub(y);
                Tensor loss = err.mul(err).sum().div((double) N);
                losses[step] = loss.item();
                if (step == STEPS) break;
                List<Tensor> grads = tape.gradient(loss, params);
                try (Dispatch.Scope s = Autodiff.noGrad()) {
                    for (int i = 0; i < params.size(); i++) {
                        Variable p = params.get(i);
                        p.assign(p.value().sub(grads.get(i).mul(LR)));
                    }
                }
            }
        }
        System.out.printf("[autodiff] MLP loss: step 0 %.6f, step 50 %.6f, step 100 %.6f, step 200 %.6f (%.1fx lower)%n",
                losses[0], losses[50], losses[100], losses[STEPS], losses[0] / losses[STEPS]);
        assertEquals(expectedFirst, losses[0], 1e-5 * expectedFirst, "the first loss is the model's true MSE");
        for (int step = 20; step <= STEPS; step += 20) {
            assertTrue(losses[step] < losses[step - 20], "loss went up between steps " + (step - 20) + " and " + step);
        }
        assertTrue(losses[STEPS] * 10 <= losses[0], "loss fell from " + losses[0] + " only to " + losses[STEPS]);
    }

    /** The same MSE in plain double loops: an independent check that the loss the tape differentiates is right. */
    private static double mseByHand(Tensor x, Tensor y, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        double[] xs = x.toDoubleArray(), ys = y.toDoubleArray(), a = w1.toDoubleArray(), c = b1.toDoubleArray();
        double[] v = w2.toDoubleArray();
        double d = b2.toDoubleArray()[0], total = 0;
        for (int n = 0; n < N; n++) {
            double out = d;
            for (int h = 0; h < HIDDEN; h++) {
                double pre = c[h];
                for (int i = 0; i < IN; i++) pre += xs[n * IN + i] * a[i * HIDDEN + h];
                out += Math.tanh(pre) * v[h];
            }
            total += (out - ys[n]) * (out - ys[n]);
        }
        return total / N;
    }
}
