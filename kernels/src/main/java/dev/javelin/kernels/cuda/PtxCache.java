package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.ptx.PtxModule;
import dev.javelin.tensor.spi.Debug;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Generated PTX entries by kernel name. Names encode everything a generator specializes on (op,
 * dtypes, rank, tile sizes), so a name is generated once per process; {@code JAVELIN_DEBUG=2}
 * prints each module as it is first written.
 *
 * <pre>{@code
 * String entry = PtxCache.entry(name, () -> ElementwisePtx.kernel(name, ir, rank));
 * }</pre>
 */
public final class PtxCache {
    private static final Map<String, String> ENTRIES = new ConcurrentHashMap<>();
    private static final int DEBUG = Debug.level();

    private PtxCache() {}

    /** The entry named {@code name}, generating it on first use. */
    public static String entry(String name, Supplier<String> generator) {
        return ENTRIES.computeIfAbsent(name, n -> {
            String e = generator.get();
            if (DEBUG >= 2) System.err.println("[javelin] cuda PTX " + n + ":\n" + new PtxModule(PtxModule.SM_80).add(e).text());
            return e;
        });
    }

    /** Every entry generated so far in this process, by kernel name (a copy): what a PTX check assembles. */
    public static Map<String, String> entries() {
        return new java.util.TreeMap<>(ENTRIES);
    }

    /** Number of distinct kernels generated so far. */
    public static int size() {
        return ENTRIES.size();
    }
}
