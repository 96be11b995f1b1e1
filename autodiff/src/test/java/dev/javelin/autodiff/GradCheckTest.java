package dev.javelin.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker itself: it passes right rules, catches wrong ones, and checks variables as layers hold them. */
class GradCheckTest {
    @Test
    void catchesARuleThatIsOffByOneTenthOfAPercent() {
        Tensor x = Rand.normal(3, 4);
        var wrong = CustomGradient.wrap(xs -> xs[0].sin(), (g, xs, y) -> new Tensor[] {g.mul(xs[0].cos()).mul(1.001)});
        GradCheck.Report r = GradCheck.check(wrong::apply, x);
        assertTrue(r.maxRelativeError() > 5e-4 && r.maxRelativeError() < 2e-3, r.worst().toString());
        AssertionError e = assertThrows(AssertionError.class, () -> r.assertWithin(1e-6));
        assertTrue(e.getMessage().contains("relative error"), e.getMessage());
        assertTrue(GradCheck.check(xs -> xs[0].sin(), x).assertWithin(1e-9).maxRelativeError() < 1e-9);
    }

    @Test
    void catchesAGradientThatIgnoresOneInput() {
        Tensor a = Rand.normal(5, 3), b = Rand.normal(6, 3);
        var dropsB = CustomGradient.wrap(xs -> xs[0].mul(xs[1]), (g, xs, y) -> new Tensor[] {g.mul(xs[1]), null});
        GradCheck.Report r = GradCheck.check(dropsB::apply, a, b);
        assertEquals(1.0, r.worst().relativeError(), 1e-12); // the tape says 0 where the function moves
        assertEquals(1, r.worst().input());
    }

    @Test
    void aCheckOfTheGradientCatchesARuleThatIsRightOnlyToFirstOrder() {
        Tensor x = Rand.normal(8, 5);
        // the rule's value is right, but it hides x from the tape, so its own derivative is lost
        var sin = CustomGradient.wrap(xs -> xs[0].sin(), (g, xs, y) -> new Tensor[] {g.mul(Autodiff.stopGradient(xs[0]).cos())});
        GradCheck.check(sin::apply, x).assertWithin(1e-6);
        GradCheck.Report second = GradCheck.check(xs -> Autodiff.grad(ys -> sin.apply(ys).sum()).apply(xs)[0], x);
        assertTrue(second.maxRelativeError() > 0.5, second.worst().toString());
        GradCheck.check(xs -> Autodiff.grad(ys -> ys[0].sin().sum()).apply(xs)[0], x).assertWithin(1e-6);
    }

    @Test
    void reportsEveryInputAndDirection() {
        GradCheck.Options opts = new GradCheck.Options(3, 1e-5, 7);
        GradCheck.Report r = GradCheck.check(xs -> xs[0].mul(xs[1]).exp(), opts, Rand.normal(1, 2, 2), Rand.normal(2, 2),
                Tensors.of(new long[] {1}));
        assertEquals(6, r.comparisons().size()); // 2 floating inputs x 3 directions; the int64 input is skipped
        assertThrows(IllegalArgumentException.class, () -> new GradCheck.Options(0, 1e-5, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradCheck.Options(1, 0, 1));
    }

    @Test
    void checksTheVariablesALayerReads() {
        Tensor x = Rand.normal(1, 4, 3);
        Variable w = new Variable("w", Rand.normal(2, 3, 2), true);
        Variable b = new Variable("b", Rand.normal(3, 2), true);
        Tensor before = w.stored();
        GradCheck.Report r = GradCheck.checkVariables(() -> x.matmul(w.value()).add(b.value()).tanh(), List.of(w, b));
        r.assertWithin(1e-6);
        assertEquals(4, r.comparisons().size());
        assertTrue(w.stored() == before, "the variable was not restored after the check");
        WorstError.note("variables of a dense layer", r.maxRelativeError());
    }

    @Test
    void refusesVariablesItCannotCheck() {
        Variable f32 = new Variable("w32", Tensors.normal(Shape.of(2), 1), true);
        Variable frozen = new Variable("frozen", Rand.normal(1, 2), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.checkVariables(() -> f32.value().sum(), List.of(f32)));
        assertTrue(e.getMessage().contains("w32") && e.getMessage().contains("float64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradCheck.checkVariables(() -> frozen.value().sum(), List.of(frozen)));
        assertEquals(DType.FLOAT32, f32.dtype());
    }
}
