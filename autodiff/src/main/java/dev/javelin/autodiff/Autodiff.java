package dev.javelin.autodiff;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The functional side of autodiff (JAX style) and the tape controls that are not a tape.
 *
 * <pre>{@code
 * Function<Tensor[], Tensor> f = xs -> xs[0].sin().mul(xs[1]).sum();
 * ValueAndGrad vg = Autodiff.valueAndGrad(f).apply(new Tensor[] {x, y});
 * Tensor[] dxdy = Autodiff.grad(f).apply(new Tensor[] {x, y});
 * Tensor c = Autodiff.stopGradient(x.mul(2)); // a constant to every tape
 * try (var scope = Autodiff.noGrad()) { ... }  // nothing here is recorded
 * }</pre>
 */
public final class Autodiff {
    private Autodiff() {}

    /**
     * {@code fn} turned into a function that returns its value and its gradients with respect to the
     * arguments at {@code argnums} (all arguments when none are given). A non-scalar value is
     * differentiated as its sum; integer and bool arguments get null. Nesting works: the gradient
     * function can itself be differentiated.
     */
    public static Function<Tensor[], ValueAndGrad> valueAndGrad(Function<Tensor[], Tensor> fn, int... argnums) {
        Objects.requireNonNull(fn, "fn");
        int[] chosen = argnums.clone();
        return args -> {
            int[] which = chosen.length > 0 ? chosen : allIndices(args.length);
            Tensor[] sources = new Tensor[which.length];
            for (int i = 0; i < which.length; i++) {
                if (which[i] < 0 || which[i] >= args.length) {
                    throw new IllegalArgumentException("Autodiff.valueAndGrad: argnum " + which[i] + " is out of range for "
                            + args.length + " arguments");
                }
                sources[i] = args[which[i]];
            }
            try (GradientTape tape = GradientTape.record()) {
                tape.watch(sources);
                Tensor value = fn.apply(args.clone());
                return new ValueAndGrad(value, tape.gradient(value, sources));
            }
        };
    }

    /** Like {@link #valueAndGrad} but returns only the gradients. */
    public static Function<Tensor[], Tensor[]> grad(Function<Tensor[], Tensor> fn, int... argnums) {
        Function<Tensor[], ValueAndGrad> vg = valueAndGrad(fn, argnums);
        return args -> vg.apply(args).grads();
    }

    /** {@code x}'s value as a tensor no tape traces back through (its gradient is cut here). */
    public static Tensor stopGradient(Tensor x) {
        try (Dispatch.Scope hidden = Dispatch.pauseObservers()) {
            return freshView(x);
        }
    }

    /**
     * A scope in which no tape records anything (inference, optimizer updates). Nests.
     *
     * <pre>{@code
     * try (Dispatch.Scope s = Autodiff.noGrad()) { w.assign(w.value().sub(g.mul(lr))); }
     * }</pre>
     */
    public static Dispatch.Scope noGrad() {
        return Dispatch.pauseObservers();
    }

    /**
     * A new tensor object with {@code x}'s value (a same-shape EXPAND: a free view in the eager
     * engine, a no-op node under tracing). {@code Ops.expand} returns {@code x} itself for the same
     * shape, so the call is built here: tapes know tensors by identity, and this one must be new.
     */
    static Tensor freshView(Tensor x) {
        return Dispatch.apply(new OpCall(Op.EXPAND, List.of(x), OpAttrs.NONE, x.shape(), x.dtype(), x.device()));
    }

    private static int[] allIndices(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        return all;
    }
}
