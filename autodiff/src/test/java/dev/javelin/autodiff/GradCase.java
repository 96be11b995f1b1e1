package dev.javelin.autodiff;

import dev.javelin.tensor.Tensor;
import java.util.function.Function;

/** One gradient-check case: a named function of tensors and the inputs to check it at. */
record GradCase(String name, Function<Tensor[], Tensor> fn, Tensor... inputs) {
    /** Checks the case at the acceptance tolerance and remembers the error for the summary. */
    GradCheck.Report check() {
        GradCheck.Report r = GradCheck.check(fn, inputs);
        WorstError.note(name, r.maxRelativeError());
        return r.assertWithin(1e-6);
    }

    @Override
    public String toString() {
        return name;
    }
}
