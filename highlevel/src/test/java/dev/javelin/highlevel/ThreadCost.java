package dev.javelin.highlevel;

import java.lang.reflect.Method;

/**
 * What the current thread has used so far: bytes allocated and CPU time (HotSpot's
 * {@code ThreadMXBean} extension), for tests that bound or report the cost of a load. Reached by
 * reflection: the module under test does not read {@code java.management}, and a test should not
 * make it.
 */
final class ThreadCost {
    private static final Object BEAN;
    private static final Method ALLOCATED;
    private static final Method CPU;

    static {
        try {
            BEAN = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
            CPU = Class.forName("java.lang.management.ThreadMXBean").getMethod("getCurrentThreadCpuTime");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ThreadCost() {}

    /** Bytes this thread has allocated since it started. */
    static long allocatedBytes() {
        return call(ALLOCATED);
    }

    /** CPU time this thread has used, in nanoseconds (unlike wall time, not stretched by other processes). */
    static long cpuNanos() {
        return call(CPU);
    }

    private static long call(Method m) {
        try {
            return (long) m.invoke(BEAN);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
