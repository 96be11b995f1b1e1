package dev.javelin.kernels.cpu;

/**
 * Whether the Vector API ({@code jdk.incubator.vector}) is resolved in this JVM, which decides
 * between the vectorized float32 loops and the scalar fallback. Without the module the backend
 * still computes every op, only slower, and says once how to enable the fast path.
 *
 * <p>The system property {@code javelin.cpu.scalar=true} forces the scalar loops even when the
 * module is present (for comparing the two paths).
 *
 * <pre>{@code
 * if (!VectorSupport.enabled()) System.out.println("scalar CPU loops");
 * }</pre>
 */
public final class VectorSupport {
    private static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static final boolean ENABLED = PRESENT && !Boolean.getBoolean("javelin.cpu.scalar");
    private static volatile boolean logged;

    private VectorSupport() {}

    /** True when float32 kernels use {@code FloatVector} loops. */
    public static boolean enabled() {
        return ENABLED;
    }

    /** True when the incubator module is resolved at all. */
    public static boolean modulePresent() {
        return PRESENT;
    }

    /**
     * float32 lanes of the preferred vector: the width whose summation order a row reduction follows.
     * Without the module, 16 (AVX-512's), so the scalar kernels sum as such a machine's vectors do.
     */
    static int lanes() {
        return PRESENT ? dev.javelin.kernels.codegen.KernelSupport.S.length() : 16;
    }

    /**
     * Says once per JVM, as a warning, that the fast path is off and how to turn it on (an info line
     * when {@code javelin.cpu.scalar} forced it off). Called by the backend and by the JIT's planner.
     */
    public static synchronized void warnOnce() {
        if (logged) return;
        logged = true;
        System.Logger log = System.getLogger("dev.javelin.kernels.cpu");
        if (PRESENT) {
            log.log(System.Logger.Level.INFO, "javelin cpu-vector: scalar loops forced by -Djavelin.cpu.scalar=true");
        } else {
            log.log(System.Logger.Level.WARNING, "javelin cpu-vector: the Vector API module is not loaded, so CPU kernels, compiled"
                    + " functions (Jit.compile) and fit run scalar loops through the backend (several times slower). Enable the fast path by starting java with"
                    + " --add-modules jdk.incubator.vector (Maven Surefire/exec: add it to argLine / jvmArgs).");
        }
    }
}
