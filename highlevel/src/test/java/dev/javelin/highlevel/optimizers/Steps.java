package dev.javelin.highlevel.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;

/** Runs two optimizer steps on w0 = [1, -2] (float64) with gradients [0.5, -1] then [0.1, 0.3]. */
final class Steps {
    static final double[] W0 = {1.0, -2.0};
    static final double[][] GRADS = {{0.5, -1.0}, {0.1, 0.3}};

    private Steps() {}

    static Variable weight() {
        return new Variable("w", Tensors.of(W0.clone()), true);
    }

    /** Applies the two gradients and checks the weight after each against {@code expected[step]}. */
    static void check(Optimizer opt, double[][] expected, double tol) {
        Variable w = weight();
        for (int s = 0; s < 2; s++) {
            opt.apply(List.of(w), List.of(Tensors.of(GRADS[s].clone())));
            assertArrayEquals(expected[s], w.stored().toDoubleArray(), tol, "after step " + (s + 1));
        }
    }

    static Tensor t(double... v) {
        return Tensors.of(v);
    }
}
