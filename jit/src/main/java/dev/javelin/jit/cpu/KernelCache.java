package dev.javelin.jit.cpu;

import dev.javelin.kernels.codegen.CpuCodegen;
import dev.javelin.kernels.ir.KernelIR;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generated kernels shared by every program, keyed by {@link KernelIR#key()} (the kernel's structure,
 * not its shape): a new shape of a known function, or another function with the same fused chain,
 * generates nothing. Bounded (least recently used out); a dropped kernel's hidden class unloads once
 * no program uses it. Thread-safe.
 */
public final class KernelCache {
    /** Kernels kept at most. */
    public static final int CAPACITY = 1024;
    private static final Map<String, CpuCodegen.Generated> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CpuCodegen.Generated> eldest) {
            return size() > CAPACITY;
        }
    };
    private static final AtomicLong GENERATED = new AtomicLong();

    private KernelCache() {}

    /** The kernel for {@code ir}, generated on first use; {@code fresh[0]} tells whether it was generated now. */
    public static CpuCodegen.Generated get(KernelIR ir, boolean[] fresh) {
        String key = ir.key();
        synchronized (CACHE) {
            CpuCodegen.Generated g = CACHE.get(key);
            if (g != null) return g;
        }
        CpuCodegen.Generated g = CpuCodegen.compile(ir); // outside the lock: generation may take milliseconds
        synchronized (CACHE) {
            CpuCodegen.Generated raced = CACHE.putIfAbsent(key, g);
            if (raced != null) return raced;
        }
        GENERATED.incrementAndGet();
        if (fresh != null) fresh[0] = true;
        return g;
    }

    /** Kernels generated since start. */
    public static long generated() {
        return GENERATED.get();
    }

    /** Drops every kernel (their classes unload once unused): for tests and memory pressure. */
    public static void clear() {
        synchronized (CACHE) {
            CACHE.clear();
        }
    }
}
