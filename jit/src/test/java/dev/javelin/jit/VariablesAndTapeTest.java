package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.TensorAssert;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Variables as program inputs and outputs, gradient tapes inside traced functions, the NaN check. */
class VariablesAndTapeTest {
    @Test
    void variablesAreReadAtEachCallAndWrittenBack() {
        Variable v = new Variable("acc", Tensors.zeros(3), false);
        CompiledFunction f = Jit.compile(a -> {
            Tensor next = v.value().add(a[0]);
            v.assign(next);
            return new Tensor[] {next.mul(2.0)};
        });
        Tensor one = Tensors.ones(3);
        f.call(one);
        Tensor out = f.call(one)[0];
        assertArrayEquals(new float[] {2, 2, 2}, v.stored().toFloatArray());
        assertArrayEquals(new float[] {4, 4, 4}, out.toFloatArray());
        assertEquals(1, f.compilations());
    }

    /** A whole SGD step (forward, tape backward, update) traced into one program matches eager. */
    @Test
    void aTrainStepWithAGradientTapeMatchesEager() {
        Tensor x = TestTensors.uniform(Shape.of(16, 8), -1, 1, 1);
        Tensor labels = Tensors.of(new int[] {0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2, 1, 0, 2, 1}, 16);
        Variable[] eager = weights(), jit = weights();
        Function<Variable[], Function<Tensor[], Tensor[]>> step = w -> a -> {
            try (GradientTape tape = GradientTape.record()) {
                Tensor h = a[0].matmul(w[0].value()).add(w[1].value()).relu();
                Tensor loss = NN.sparseCategoricalCrossEntropy(h.matmul(w[2].value()), a[1], true);
                List<Tensor> g = tape.gradient(loss, List.of(w));
                for (int i = 0; i < w.length; i++) w[i].assign(w[i].value().sub(g.get(i).mul(0.1)));
                return new Tensor[] {loss};
            }
        };
        CompiledFunction compiled = Jit.compile(step.apply(jit));
        Function<Tensor[], Tensor[]> plain = step.apply(eager);
        for (int it = 0; it < 3; it++) {
            Tensor le = plain.apply(new Tensor[] {x, labels})[0];
            Tensor lj = compiled.call(x, labels)[0];
            TensorAssert.assertClose(le, lj, 1e-4, 1e-5);
        }
        for (int i = 0; i < 3; i++) TensorAssert.assertClose(eager[i].stored(), jit[i].stored(), 1e-4, 1e-5);
        assertEquals(1, compiled.compilations());
    }

    private static Variable[] weights() {
        return new Variable[] {
            new Variable("w1", TestTensors.uniform(Shape.of(8, 12), -0.5, 0.5, 2), true),
            new Variable("b1", Tensors.zeros(12), true),
            new Variable("w2", TestTensors.uniform(Shape.of(12, 3), -0.5, 0.5, 3), true)};
    }

    @Test
    void underAnOuterTapeTheFunctionRunsEagerlySoTheTapeSeesIt() {
        Tensor x = TestTensors.uniform(Shape.of(3), 1, 2, 9);
        CompiledFunction f = Jit.compile(a -> new Tensor[] {a[0].mul(a[0]).sum()});
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor y = f.call(x)[0];
            TensorAssert.assertClose(x.mul(2.0), tape.gradient(y, x)[0], 1e-6, 1e-6);
        }
        assertEquals(0, f.compilations());
    }

    @Test
    void nanCheckNamesTheFirstOpThatMadeANaN() {
        CompiledFunction f = Jit.compile(a -> new Tensor[] {a[0].mul(2.0).log().add(1.0)}, JitOptions.nanCheck());
        assertDoesNotThrow(() -> f.call(Tensors.ones(4)));
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> f.call(Tensors.of(new float[] {1, -1, 2, 3})));
        assertTrue(e.getMessage().contains("log("), e.getMessage());
    }

    @Test
    void explainShowsGraphsPassesAndKernels() {
        String s = Jit.explain(a -> new Tensor[] {a[0].mul(1.0).exp().sum(new int[] {1}, false)}, Tensors.ones(4, 5));
        assertTrue(s.contains("== traced graph"), s);
        assertTrue(s.contains("algebraic-simplification"), s);
        assertTrue(s.contains("R_sum_exp_4x5"), s);
    }
}
