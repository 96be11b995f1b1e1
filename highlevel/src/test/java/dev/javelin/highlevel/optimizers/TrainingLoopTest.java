package dev.javelin.highlevel.optimizers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.highlevel.losses.MeanSquaredError;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every optimizer, driven by tape gradients, fits a small linear regression. */
class TrainingLoopTest {
    private static double fit(Optimizer opt, int steps) {
        java.util.Random r = new java.util.Random(11);
        float[] xs = new float[32 * 3];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextGaussian();
        Tensor x = Tensors.of(xs, 32, 3);
        Tensor trueW = Tensors.of(new float[][] {{1.5f}, {-2f}, {0.5f}});
        Tensor y = x.matmul(trueW).add(0.25);
        Variable w = new Variable("w", Tensors.zeros(3, 1), true);
        Variable b = new Variable("b", Tensors.zeros(1), true);
        List<Variable> vars = List.of(w, b);
        Supplier<Tensor> loss = () -> new MeanSquaredError().call(y, x.matmul(w.value()).add(b.value()));
        for (int i = 0; i < steps; i++) {
            try (GradientTape tape = GradientTape.record()) {
                Tensor l = loss.get();
                opt.apply(vars, tape.gradient(l, vars));
            }
        }
        return loss.get().item();
    }

    @Test
    void everyOptimizerReducesTheLoss() {
        double start = fit(new SGD(0.0), 1);
        for (Optimizer opt : new Optimizer[] {
            new SGD(0.1), SGD.builder().learningRate(0.05).momentum(0.9).nesterov(true).build(), new Adam(0.1),
            Adam.builder().learningRate(0.1).amsgrad(true).clipNorm(1.0).build(), new AdamW(0.1, 0.001),
            new RMSprop(0.05), new Adagrad(0.5)}) {
            double end = fit(opt, 60);
            assertTrue(end < start * 0.05, opt.getClass().getSimpleName() + ": loss " + start + " -> " + end);
        }
    }
}
