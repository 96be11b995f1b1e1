package dev.javelin.autodiff;

import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.OpObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records the ops run on this thread while it is open and computes gradients from them, as
 * TensorFlow's {@code tf.GradientTape} does.
 *
 * <pre>{@code
 * Variable w = new Variable("w", Tensors.of(new double[] {1, 2}), true);
 * Tensor x = Tensors.of(new double[] {3, 4});
 * try (GradientTape tape = GradientTape.record()) {
 *     tape.watch(x);
 *     Tensor loss = w.value().mul(x).sum();
 *     List<Tensor> dw = tape.gradient(loss, List.of(w)); // [3, 4]
 * }
 * }</pre>
 *
 * <p>What is recorded: every op (seen at the dispatch seam through {@link Dispatch#observe}) with a
 * floating result and at least one input that is watched or was itself recorded. Tensors are known
 * by identity, so an engine must hand back a new tensor object for each op it runs (the eager,
 * symbolic and tracing engines do). Trainable variables read while recording are watched
 * automatically; {@link #watch} adds any other tensor. Integer and bool tensors get no gradient.
 *
 * <p>Higher-order gradients: nest tapes. The backward pass runs ordinary ops, so an outer tape
 * records what an inner tape's {@link #gradient} computes; a tape never records its own backward ops.
 *
 * <p>A tape belongs to the thread that opened it. A non-persistent tape answers one {@code gradient}
 * call and then releases everything it kept; {@link #recordPersistent()} makes one that can be
 * asked again (and keeps its recording until it is garbage).
 */
public final class GradientTape implements AutoCloseable {
    private final boolean persistent;
    private final Map<Tensor, Node> producers = new IdentityHashMap<>();
    private final Set<Tensor> watched = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Variable, List<Tensor>> reads = new IdentityHashMap<>();
    /** Which variable each read tensor object stands for: one object, one variable. */
    private final Map<Tensor, Variable> readOf = new IdentityHashMap<>();
    private final Recorder recorder = new Recorder();
    private final Dispatch.Scope registration;
    private boolean closed;
    private boolean computing; // true while this tape runs its own backward pass
    private boolean released;

    private GradientTape(boolean persistent) {
        this.persistent = persistent;
        this.registration = Dispatch.observe(recorder);
    }

    /** Starts recording on this thread: a tape that answers one {@link #gradient} call. */
    public static GradientTape record() {
        return new GradientTape(false);
    }

    /** Starts recording on this thread: a tape that can be asked for gradients any number of times. */
    public static GradientTape recordPersistent() {
        return new GradientTape(true);
    }

    public boolean isPersistent() {
        return persistent;
    }

    /**
     * Tracks {@code t} so that gradients with respect to it can be asked for. Integer and bool
     * tensors are ignored: they get no gradient.
     */
    public void watch(Tensor t) {
        requireUsable("watch");
        if (t.dtype().isFloating()) watched.add(t);
    }

    /** Tracks every tensor given (see {@link #watch(Tensor)}). */
    public void watch(Tensor... ts) {
        for (Tensor t : ts) watch(t);
    }

    /**
     * The gradient of {@code target} with respect to each source, in order. A non-scalar target is
     * treated as its sum (every element seeded with one). A floating source the target does not
     * depend on, or that was neither watched nor computed on this tape, gets zeros of its shape; an
     * integer or bool source gets null.
     *
     * @throws IllegalArgumentException when the target is not floating
     * @throws IllegalStateException    on a non-persistent tape that already gave its gradient
     */
    public Tensor[] gradient(Tensor target, Tensor... sources) {
        return gradient(target, sources, null);
    }

    /**
     * The vector-Jacobian product: the gradient of {@code sum(target * seed)} with respect to each
     * source. {@code seed} has the target's shape; null means ones.
     */
    public Tensor[] gradient(Tensor target, Tensor[] sources, Tensor seed) {
        requireUsable("gradient");
        if (!target.dtype().isFloating()) {
            throw new IllegalArgumentException("GradientTape.gradient: the target must be floating, got " + target.dtype()
                    + target.shape());
        }
        if (seed != null && !seed.shape().equals(target.shape())) {
            throw new IllegalArgumentException("GradientTape.gradient: seed " + seed.shape() + " must have the target's shape "
                    + target.shape());
        }
        Tensor start = seed == null ? Ops.expand(Ops.scalarLike(target, 1.0), target.shape()) : seed.cast(target.dtype());
        computing = true;
        try {
            List<Tensor> traced = new ArrayList<>(); // an unwatched leaf is a constant, even where it meets a watched tensor
            for (Tensor s : sources) if (tracks(s)) traced.add(s);
            Map<Tensor, Tensor> grads = Backprop.run(producers, target, start, traced);
            Tensor[] out = new Tensor[sources.length];
            for (int i = 0; i < sources.length; i++) {
                Tensor s = sources[i];
                if (!s.dtype().isFloating()) continue;
                Tensor gs = grads.get(s);
                out[i] = gs != null ? gs : Rules.zerosLike(s);
            }
            return out;
        } finally {
            computing = false;
            if (!persistent) release();
        }
    }

    /**
     * The gradient of {@code target} with respect to each variable, in order: the gradient of the
     * tensor(s) its reads returned while this tape recorded (summed when read as several tensors),
     * zeros for a variable that was not read, null for a non-floating one.
     */
    public List<Tensor> gradient(Tensor target, List<Variable> variables) {
        return gradient(target, variables, null);
    }

    /** The vector-Jacobian product with respect to variables: {@link #gradient(Tensor, List)} of {@code sum(target * seed)}. */
    public List<Tensor> gradient(Tensor target, List<Variable> variables, Tensor seed) {
        requireUsable("gradient");
        List<Tensor> sources = new ArrayList<>();
        int[] first = new int[variables.size() + 1];
        for (int v = 0; v < variables.size(); v++) {
            first[v] = sources.size();
            sources.addAll(reads.getOrDefault(variables.get(v), List.of()));
        }
        first[variables.size()] = sources.size();
        Tensor[] g = gradient(target, sources.toArray(Tensor[]::new), seed);
        List<Tensor> out = new ArrayList<>(variables.size());
        for (int v = 0; v < variables.size(); v++) {
            Variable var = variables.get(v);
            Tensor sum = null;
            for (int i = first[v]; i < first[v + 1]; i++) sum = sum == null ? g[i] : sum.add(g[i]);
            if (sum == null && var.dtype().isFloating()) sum = Rules.zerosLike(var.stored());
            out.add(sum);
        }
        return out;
    }

    /** Stops recording; gradients can still be asked for after the tape is closed. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            registration.close();
        }
    }

    private void requireUsable(String what) {
        if (released) {
            throw new IllegalStateException("GradientTape." + what + ": a non-persistent tape gives its gradient once and then "
                    + "releases what it recorded; use GradientTape.recordPersistent() to ask more than once");
        }
    }

    private void release() {
        released = true;
        producers.clear();
        watched.clear();
        reads.clear();
        readOf.clear();
        close();
    }

    private boolean recording() {
        return !closed && !computing && !released;
    }

    private boolean tracks(Tensor t) {
        return watched.contains(t) || producers.containsKey(t);
    }

    private boolean anyTracked(List<Tensor> inputs) {
        for (Tensor t : inputs) if (tracks(t)) return true;
        return false;
    }

    /** Records a custom-gradient node (called by {@link CustomGradient}). */
    void recordCustom(List<Tensor> inputs, Tensor result, CustomGradient.Backward rule) {
        if (recording() && result.dtype().isFloating() && anyTracked(inputs) && !inputs.contains(result)) {
            producers.put(result, new Node.CustomNode(List.copyOf(inputs), result, rule));
        }
    }

    /** The tapes recording on this thread right now (none inside a no-grad scope). */
    static List<GradientTape> active() {
        List<GradientTape> out = new ArrayList<>();
        for (OpObserver o : Dispatch.observers()) {
            if (o instanceof Recorder r && r.tape().recording()) out.add(r.tape());
        }
        return out;
    }

    /** The observer registered at the dispatch seam; kept separate so the tape's API stays small. */
    final class Recorder implements OpObserver {
        GradientTape tape() {
            return GradientTape.this;
        }

        @Override
        public void onOp(OpCall call, Tensor result) {
            if (!recording() || !result.dtype().isFloating() || !anyTracked(call.inputs())) return;
            for (Tensor in : call.inputs()) if (in == result) return; // an engine handed back its input: nothing to record
            producers.put(result, new Node.OpNode(call, result));
        }

        @Override
        public Tensor onRead(Variable variable, Tensor value) {
            if (!recording() || !value.dtype().isFloating()) return value;
            Variable owner = readOf.putIfAbsent(value, variable);
            if (owner != null && owner != variable && value.storage() != null) {
                // two variables hold one tensor object: this read gets its own object over the same
                // memory, or the two would share one gradient
                value = Tensor.wrap(value.storage(), value.shape(), value.strides(), value.offset());
                readOf.put(value, variable);
            }
            watched.add(value);
            List<Tensor> seen = reads.computeIfAbsent(variable, v -> new ArrayList<>(1));
            for (Tensor t : seen) if (t == value) return value;
            seen.add(value);
            return value;
        }
    }
}
