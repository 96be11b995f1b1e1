package dev.javelin.autodiff;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Checks the tape's gradients against central finite differences in float64.
 *
 * <p>For a function {@code f} of tensors, a random cotangent {@code u} of the output's shape turns
 * it into the scalar {@code L(x) = sum(f(x) * u)}. For each floating input and each of a few random
 * directions {@code v}, the tape's answer {@code <dL/dx_i, v>} (a vector-Jacobian product) is
 * compared with the fourth-order central difference
 * {@code (8 (L(x_i + h v) - L(x_i - h v)) - (L(x_i + 2h v) - L(x_i - 2h v))) / 12h}, whose truncation
 * error ({@code h^4}) is negligible at the default {@code h = 1e-5} and whose rounding error is about
 * 1e-11 of the output's scale (the two-point formula needs {@code h} ten times smaller for the same
 * truncation error, and its rounding error is then ten times larger). The differences are taken
 * element by element before they are summed. The relative error of one comparison is
 * {@code |analytic - numeric| / max(|analytic|, |numeric|, 1e-10)}; the floor lets two zeros agree.
 * Floating inputs are cast to float64 first (a float64 input is used as given, so a non-contiguous
 * view stays one); integer and bool inputs (indices, labels) are passed through unperturbed.
 * Everything is seeded: a check is reproducible.
 *
 * <pre>{@code
 * Tensor x = Tensors.normal(Shape.of(3, 4), 7).cast(DType.FLOAT64);
 * GradCheck.Report r = GradCheck.check(xs -> NN.softmax(xs[0], -1), x);
 * r.assertWithin(1e-6);                 // throws AssertionError with the worst comparison
 * System.out.println(r.maxRelativeError());
 * }</pre>
 *
 * <p>The function may run tapes of its own: checking {@code x -> <grad f(x), w>} checks the
 * Hessian-vector products of {@code f}, that is, the rules of the rules. A check run inside
 * {@link Autodiff#noGrad()} sees no ops and fails.
 *
 * <p>Keep inputs away from kinks and jumps (relu and abs at 0, ties of max, round at half-integers)
 * by more than {@code 2h |v|}: with a few hundred random normal values and the default step that
 * holds with high probability, and a fixed seed makes a passing check pass every time.
 */
public final class GradCheck {
    private GradCheck() {}

    /**
     * @param directions random directions per input
     * @param step       the finite-difference step {@code h}
     * @param seed       seeds the cotangent and the directions
     */
    public record Options(int directions, double step, long seed) {
        public static final Options DEFAULT = new Options(2, 1e-5, 20261123L);

        public Options {
            if (directions < 1 || !(step > 0)) {
                throw new IllegalArgumentException("GradCheck.Options: expected directions >= 1 and step > 0, got "
                        + directions + " and " + step);
            }
        }
    }

    /** One comparison: input {@code input} along random direction number {@code direction}. */
    public record Comparison(int input, int direction, double analytic, double numeric, double relativeError) {
        @Override
        public String toString() {
            return String.format("input %d, direction %d: tape %.12g, finite difference %.12g, relative error %.3g",
                    input, direction, analytic, numeric, relativeError);
        }
    }

    /** All comparisons of one check. */
    public record Report(List<Comparison> comparisons) {
        public Report {
            comparisons = List.copyOf(comparisons);
        }

        /** The largest relative error (0 when there was nothing to compare). */
        public double maxRelativeError() {
            double m = 0;
            for (Comparison c : comparisons) m = Math.max(m, Double.isNaN(c.relativeError()) ? Double.POSITIVE_INFINITY : c.relativeError());
            return m;
        }

        /** The comparison with the largest relative error, or null when there is none. */
        public Comparison worst() {
            Comparison w = null;
            for (Comparison c : comparisons) {
                if (w == null || !(c.relativeError() <= w.relativeError())) w = c;
            }
            return w;
        }

        /**
         * Returns this report when every relative error is at most {@code tolerance}.
         *
         * @throws AssertionError naming the worst comparison otherwise
         */
        public Report assertWithin(double tolerance) {
            if (!(maxRelativeError() <= tolerance)) {
                throw new AssertionError("GradCheck: relative error " + maxRelativeError() + " exceeds " + tolerance
                        + "; worst: " + worst());
            }
            return this;
        }
    }

    /** {@link #check(Function, Options, Tensor...)} with {@link Options#DEFAULT}. */
    public static Report check(Function<Tensor[], Tensor> fn, Tensor... inputs) {
        return check(fn, Options.DEFAULT, inputs);
    }

    /** Compares the tape's gradients of {@code fn} at {@code inputs} with finite differences. */
    public static Report check(Function<Tensor[], Tensor> fn, Options options, Tensor... inputs) {
        Objects.requireNonNull(fn, "fn");
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            xs[i] = inputs[i].dtype().isFloating() ? inputs[i].cast(DType.FLOAT64) : inputs[i];
        }
        SplittableRandom rng = new SplittableRandom(options.seed());
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(xs);
            Tensor y = floatingOutput(fn.apply(xs.clone()));
            double[] u = normals(rng, y.size());
            Tensor[] grads = tape.gradient(y, xs, dense(u, y.shape(), y));
            return compare((i, xi) -> {
                Tensor[] args = xs.clone();
                args[i] = xi;
                return fn.apply(args);
            }, xs, grads, u, options, rng);
        }
    }

    /** {@link #checkVariables(Supplier, Options, List)} with {@link Options#DEFAULT}. */
    public static Report checkVariables(Supplier<Tensor> fn, List<Variable> variables) {
        return checkVariables(fn, Options.DEFAULT, variables);
    }

    /**
     * Compares the tape's gradients with respect to {@code variables} (trainable, float64, read by {@code fn}
     * while it runs, as a layer reads its weights) with finite differences. Each variable is
     * perturbed through {@link Variable#assign} and restored afterwards.
     *
     * <pre>{@code
     * Variable w = new Variable("w", Tensors.normal(Shape.of(4, 3), 1).cast(DType.FLOAT64), true);
     * GradCheck.checkVariables(() -> x.matmul(w.value()).tanh(), List.of(w)).assertWithin(1e-6);
     * }</pre>
     *
     * @throws IllegalArgumentException for a variable that is not trainable or not float64 (finite differences need it)
     */
    public static Report checkVariables(Supplier<Tensor> fn, Options options, List<Variable> variables) {
        Objects.requireNonNull(fn, "fn");
        Tensor[] values = new Tensor[variables.size()];
        for (int i = 0; i < values.length; i++) {
            Variable v = variables.get(i);
            if (!v.trainable()) {
                throw new IllegalArgumentException("GradCheck.checkVariables: variable '" + v.name() + "' is not trainable, so no "
                        + "tape watches it");
            }
            if (v.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("GradCheck.checkVariables: variable '" + v.name() + "' is " + v.dtype()
                        + v.shape() + "; finite differences need float64 (create the weights as float64 for the check)");
            }
            values[i] = v.stored();
        }
        SplittableRandom rng = new SplittableRandom(options.seed());
        try (GradientTape tape = GradientTape.record()) {
            Tensor y = floatingOutput(fn.get());
            double[] u = normals(rng, y.size());
            Tensor[] grads = tape.gradient(y, variables, dense(u, y.shape(), y)).toArray(Tensor[]::new);
            return compare((i, xi) -> {
                Variable v = variables.get(i);
                v.assign(xi);
                try {
                    return fn.get();
                } finally {
                    v.assign(values[i]);
                }
            }, values, grads, u, options, rng);
        }
    }

    /** Evaluates the checked function with its input number {@code i} replaced by {@code xi}. */
    private interface Perturbed {
        Tensor apply(int i, Tensor xi);
    }

    private static Tensor floatingOutput(Tensor y) {
        if (!y.dtype().isFloating()) {
            throw new IllegalArgumentException("GradCheck: the function must return a floating tensor, got " + y.dtype() + y.shape());
        }
        return y;
    }

    private static Report compare(Perturbed fn, Tensor[] xs, Tensor[] grads, double[] u, Options options, SplittableRandom rng) {
        List<Comparison> out = new ArrayList<>();
        double h = options.step();
        for (int d = 0; d < options.directions(); d++) {
            for (int i = 0; i < xs.length; i++) {
                if (!xs[i].dtype().isFloating()) continue;
                double[] v = normals(rng, xs[i].size());
                double analytic = dot(grads[i].toDoubleArray(), v);
                double[] base = xs[i].toDoubleArray();
                double[] p1 = outputs(fn, xs[i], i, shifted(base, v, h)), m1 = outputs(fn, xs[i], i, shifted(base, v, -h));
                double[] p2 = outputs(fn, xs[i], i, shifted(base, v, 2 * h)), m2 = outputs(fn, xs[i], i, shifted(base, v, -2 * h));
                double numeric = 0; // difference per element before summing, so the sum does not cancel large terms
                for (int k = 0; k < u.length; k++) numeric += (8 * (p1[k] - m1[k]) - (p2[k] - m2[k])) * u[k];
                numeric /= 12 * h;
                double scale = Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), 1e-10);
                out.add(new Comparison(i, d, analytic, numeric, Math.abs(analytic - numeric) / scale));
            }
        }
        return new Report(out);
    }

    /**
     * The function's elements with input {@code i} set to {@code xi}. Observers are not paused: the
     * checker's own tape has given its gradient by now, and a function that runs a tape inside (a
     * gradient penalty, a Hessian-vector product) must still see its ops recorded.
     */
    private static double[] outputs(Perturbed fn, Tensor like, int i, double[] xi) {
        return fn.apply(i, dense(xi, like.shape(), like)).toDoubleArray();
    }

    private static double[] shifted(double[] base, double[] v, double h) {
        double[] out = new double[base.length];
        for (int k = 0; k < out.length; k++) out[k] = base[k] + h * v[k];
        return out;
    }

    private static double[] normals(SplittableRandom rng, long n) {
        double[] out = new double[Math.toIntExact(n)];
        for (int k = 0; k < out.length; k++) out[k] = gaussian(rng);
        return out;
    }

    /** Box-Muller: SplittableRandom has no nextGaussian of its own that is stable across JDKs. */
    private static double gaussian(SplittableRandom rng) {
        double a = 1.0 - rng.nextDouble();
        double b = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * b);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) s += a[k] * b[k];
        return s;
    }

    /** A dense float64 tensor on {@code like}'s device. */
    private static Tensor dense(double[] values, Shape shape, Tensor like) {
        return Tensor.wrap(HeapStorage.wrap(values), shape).to(like.device());
    }
}
