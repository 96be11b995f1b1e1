package dev.javelin.jit.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A generated kernel called through method handles, so C2 never inlines it into the launcher's
 * loops. Why: a launcher call site that has seen one or two kernel classes is inlined
 * (monomorphic or bimorphic), and the kernels' bodies then share the launcher's compilation and
 * its node budget; past C2's NodeCountInliningCutoff the {@code VectorFunctions} calls inside stay
 * calls that box their vectors (a two-kernel tanh/sigmoid group ran 72 ms instead of 28). Compiled
 * on its own, each kernel keeps its whole budget. The call costs a few nanoseconds per chunk or row.
 */
final class OpaqueKernel implements FusedKernel {
    private static final MethodType RUN = MethodType.methodType(void.class, Object[].class, int[].class, int[][].class, int.class);
    private static final MethodType REDUCE = MethodType.methodType(float.class, Object[].class, int[].class, int[][].class, int.class);

    private final MethodHandle run, reduce;

    OpaqueKernel(MethodHandles.Lookup lookup, FusedKernel kernel) throws ReflectiveOperationException {
        run = lookup.findVirtual(kernel.getClass(), "run", RUN).bindTo(kernel);
        reduce = lookup.findVirtual(kernel.getClass(), "reduce", REDUCE).bindTo(kernel);
    }

    @Override
    public void run(Object[] arrays, int[] offsets, int[][] maps, int n) {
        try {
            run.invokeExact(arrays, offsets, maps, n);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public float reduce(Object[] arrays, int[] offsets, int[][] maps, int n) {
        try {
            return (float) reduce.invokeExact(arrays, offsets, maps, n);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
