package dev.javelin.jit.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A generated kernel called through a method handle, so C2 does not inline it into the launcher's
 * loop together with the other members of its group. Why: a call site that has seen two kernel
 * classes inlines both (bimorphic); they then share one compilation's node budget, and past C2's
 * NodeCountInliningCutoff the {@code VectorFunctions} calls inside stay calls that box their
 * vectors (a two-kernel tanh/sigmoid block group ran 72 ms instead of 28). Behind a method handle
 * each kernel is compiled on its own. Used for block groups only: through a handle a row sum ran
 * 45 times slower (the handle's frames add inlining depth to its lane sum), and a softmax row
 * group of 64 x 4096 took 0.39 instead of 0.28 ms.
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
