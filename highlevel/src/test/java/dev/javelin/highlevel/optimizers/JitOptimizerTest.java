package dev.javelin.highlevel.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.highlevel.losses.MeanSquaredError;
import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * An optimizer's apply() traced into a compiled train step gives what it gives eagerly, with one
 * compilation for every step: nothing of the state (step count, learning rate, slots) is baked
 * into the program as a constant.
 */
class JitOptimizerTest {
    private static Tensor random(long seed, int... dims) {
        Random r = new Random(seed);
        float[] v = new float[dims[0] * dims[1]];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Tensors.of(v, dims);
    }

    /** A linear model with its own weights and optimizer, and a train step over (x, y). */
    private record Setup(List<Variable> vars, Optimizer opt) {
        Tensor step(Tensor x, Tensor y) {
            try (GradientTape tape = GradientTape.record()) {
                Tensor l = new MeanSquaredError().call(y, x.matmul(vars.get(0).value()).add(vars.get(1).value()));
                opt.apply(vars, tape.gradient(l, vars));
                return l;
            }
        }
    }

    private static Setup setup(Supplier<Optimizer> opt) {
        return new Setup(List.of(new Variable("w", Tensors.zeros(4, 1), true), new Variable("b", Tensors.zeros(1), true)), opt.get());
    }

    private static void compareEagerAndCompiled(Supplier<Optimizer> make) {
        Tensor x = random(1, 16, 4);
        Tensor y = random(2, 16, 1);
        Setup eager = setup(make);
        Setup jitted = setup(make);
        CompiledFunction step = Jit.compile(a -> new Tensor[] {jitted.step(a[0], a[1])});
        for (int i = 0; i < 6; i++) {
            if (i == 3 && eager.opt.schedule() == null) {
                eager.opt.setLearningRate(eager.opt.learningRate() / 2);
                jitted.opt.setLearningRate(jitted.opt.learningRate() / 2);
            }
            double le = eager.step(x, y).item();
            double lj = step.call(x, y)[0].item();
            assertEquals(le, lj, 1e-5 * Math.max(1, Math.abs(le)), "loss at step " + i);
        }
        for (int v = 0; v < 2; v++) {
            assertArrayEquals(eager.vars.get(v).stored().toFloatArray(), jitted.vars.get(v).stored().toFloatArray(), 1e-5f);
        }
        List<Variable> ev = eager.opt.variables();
        List<Variable> jv = jitted.opt.variables();
        assertEquals(ev.size(), jv.size());
        for (int i = 0; i < ev.size(); i++) {
            assertArrayEquals(ev.get(i).stored().toDoubleArray(), jv.get(i).stored().toDoubleArray(), 1e-5, ev.get(i).name());
        }
        assertEquals(6, jitted.opt.iterations().stored().item());
        assertEquals(1, step.compilations(), "one program serves every step");
    }

    @Test
    void adam() {
        compareEagerAndCompiled(() -> Adam.builder().learningRate(0.05).amsgrad(true).clipNorm(5).build());
    }

    @Test
    void sgdWithNesterovMomentumAndASchedule() {
        compareEagerAndCompiled(() -> SGD.builder().momentum(0.9).nesterov(true)
                .learningRate(new CosineDecay(0.05, 5, 0.1, 0.1, 2)).build());
    }

    @Test
    void adamWRmspropAdagrad() {
        compareEagerAndCompiled(() -> AdamW.builder().learningRate(0.05).weightDecay(0.1).globalClipNorm(1).build());
        compareEagerAndCompiled(() -> RMSprop.builder().learningRate(0.01).momentum(0.5).centered(true).build());
        compareEagerAndCompiled(() -> Adagrad.builder().learningRate(0.1).clipValue(0.5).build());
    }
}
