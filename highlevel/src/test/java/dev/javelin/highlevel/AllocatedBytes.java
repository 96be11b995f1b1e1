package dev.javelin.highlevel;

import java.lang.reflect.Method;

/**
 * Bytes allocated by the current thread so far (HotSpot's {@code ThreadMXBean} extension), for
 * tests that bound the memory a load may use. Reached by reflection: the module under test does
 * not read {@code java.management}, and a test should not make it.
 */
final class AllocatedBytes {
    private static final Object BEAN;
    private static final Method CURRENT;

    static {
        try {
            BEAN = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            CURRENT = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private AllocatedBytes() {}

    static long ofThisThread() {
        try {
            return (long) CURRENT.invoke(BEAN);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
