package dev.javelin.kernels.cuda;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Storage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An arena for device memory: every {@link CudaStorage} allocated on this thread while the scope
 * is open is closed when the scope closes, except what {@link #keep} takes out (it moves to the
 * enclosing scope, if any). Scopes nest.
 *
 * <pre>{@code
 * Tensor loss;
 * try (CudaScope scope = CudaScope.open()) {
 *     Tensor h = x.matmul(w).relu();      // temporaries: freed at the end of the block
 *     loss = scope.keep(h.sum());          // survives the scope
 * }
 * }</pre>
 */
public final class CudaScope implements AutoCloseable {
    private static final ThreadLocal<Deque<CudaScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Map<CudaStorage, Boolean> owned = new IdentityHashMap<>();
    private boolean closed;

    private CudaScope() {}

    /** Opens a scope on this thread; close it with try-with-resources. */
    public static CudaScope open() {
        CudaScope s = new CudaScope();
        STACK.get().push(s);
        return s;
    }

    /** Called by the backend for every new storage: the innermost open scope of this thread takes it. */
    static void register(CudaStorage storage) {
        CudaScope s = STACK.get().peek();
        if (s != null) s.owned.put(storage, Boolean.TRUE);
    }

    /** Takes {@code t}'s storage out of this scope (into the enclosing one) and returns {@code t}. */
    public Tensor keep(Tensor t) {
        Storage st = t.storage();
        if (st instanceof CudaStorage cs && owned.remove(cs) != null) {
            Deque<CudaScope> stack = STACK.get();
            boolean next = false;
            for (CudaScope s : stack) { // innermost first
                if (next) {
                    s.owned.put(cs, Boolean.TRUE);
                    break;
                }
                next = s == this;
            }
        }
        return t;
    }

    /** Number of storages this scope will close. */
    public int size() {
        return owned.size();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Deque<CudaScope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("CudaScope: closed out of order (an inner scope is still open)");
        }
        stack.pop();
        List<CudaStorage> all = new ArrayList<>(owned.keySet());
        owned.clear();
        for (CudaStorage s : all) s.close();
    }
}
