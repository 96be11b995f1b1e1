package dev.javelin.tensor.spi;

import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.List;

/**
 * The thread's engine and observers. {@link dev.javelin.tensor.Ops} calls {@link #apply} for every
 * primitive; the JIT swaps the engine with {@link #use}; a tape registers with {@link #observe}.
 *
 * <pre>{@code
 * try (Dispatch.Scope s = Dispatch.use(new SymbolicEngine())) {
 *     Tensor y = x.matmul(w); // only shapes flow
 * }
 * }</pre>
 */
public final class Dispatch {
    /** Restores what was active before, when closed. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }

    private static final ThreadLocal<Engine> ENGINE = ThreadLocal.withInitial(() -> EagerEngine.INSTANCE);
    private static final ThreadLocal<List<OpObserver>> OBSERVERS = ThreadLocal.withInitial(ArrayList::new);
    private static final ThreadLocal<int[]> PAUSED = ThreadLocal.withInitial(() -> new int[1]);

    private Dispatch() {}

    /** The engine active on this thread (eager unless a scope installed another). */
    public static Engine engine() {
        return ENGINE.get();
    }

    /** Makes {@code engine} active on this thread until the scope closes. */
    public static Scope use(Engine engine) {
        Engine previous = ENGINE.get();
        ENGINE.set(engine);
        return () -> ENGINE.set(previous);
    }

    /** Adds an observer on this thread until the scope closes. */
    public static Scope observe(OpObserver observer) {
        List<OpObserver> list = OBSERVERS.get();
        list.add(observer);
        return () -> list.remove(observer);
    }

    /** Hides ops from every observer until the scope closes (a no-grad scope). Nests. */
    public static Scope pauseObservers() {
        int[] paused = PAUSED.get();
        paused[0]++;
        return () -> paused[0]--;
    }

    /** The observers that currently see ops, innermost last. */
    public static List<OpObserver> observers() {
        return PAUSED.get()[0] > 0 ? List.of() : List.copyOf(OBSERVERS.get());
    }

    /** Runs a checked primitive through the active engine and shows it to the observers. */
    public static Tensor apply(OpCall call) {
        Tensor result = ENGINE.get().execute(call);
        List<OpObserver> list = OBSERVERS.get();
        if (!list.isEmpty() && PAUSED.get()[0] == 0) {
            for (OpObserver o : List.copyOf(list)) o.onOp(call, result);
        }
        return result;
    }

    /** Called by {@link Variable#value()}: the engine's view of the variable, shown to observers. */
    public static Tensor read(Variable v) {
        Tensor t = ENGINE.get().read(v);
        List<OpObserver> list = OBSERVERS.get();
        if (!list.isEmpty() && PAUSED.get()[0] == 0 && v.trainable()) {
            for (OpObserver o : List.copyOf(list)) t = o.onRead(v, t);
        }
        return t;
    }
}
