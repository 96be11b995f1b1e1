package dev.javelin.autodiff;

import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules of the rules: for every primitive and composite case, {@code x -> <grad L(x), w>} (with
 * {@code L = sum(f(x) * c)} for fixed random {@code c} and {@code w}) is itself checked against
 * finite differences, so every backward pass is checked to differentiate correctly once more, as
 * nested tapes (higher-order gradients) need.
 */
class HessianVectorGradCheckTest {
    static List<GradCase> cases() {
        List<GradCase> out = new ArrayList<>();
        for (GradCase c : PrimitiveGradientTest.cases()) {
            // the fused attention op is first-order only (its backward op has no rule); the composed attention
            // has every order. The fused recurrence's backward differentiates its own math (RecurrenceBackwardRule).
            if (!c.name().contains("attention")) out.add(hvp(c));
        }
        for (GradCase c : CompositeGradientTest.cases()) out.add(hvp(c));
        return out;
    }

    /** {@code x -> sum_i <dL/dx_i, w_i>}: its gradient is the Hessian of L applied to w. */
    private static GradCase hvp(GradCase c) {
        Function<Tensor[], Tensor> fn = xs -> {
            try (GradientTape inner = GradientTape.record()) {
                inner.watch(xs);
                Tensor y = c.fn().apply(xs);
                Tensor[] g = inner.gradient(y, xs, Rand.normal(99, y.shape().toArray()).cast(y.dtype()));
                Tensor sum = null;
                for (int i = 0; i < xs.length; i++) {
                    if (g[i] == null) continue;
                    Tensor term = g[i].mul(Rand.normal(100 + i, xs[i].shape().toArray())).sum();
                    sum = sum == null ? term : sum.add(term);
                }
                return sum;
            }
        };
        return new GradCase("Hessian-vector product of " + c.name(), fn, c.inputs());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void secondDerivativesMatchFiniteDifferences(GradCase c) {
        c.check();
    }

    @AfterAll
    static void summary() {
        System.out.println("[autodiff] " + WorstError.summary());
    }
}
