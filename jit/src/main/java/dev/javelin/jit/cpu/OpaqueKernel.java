package dev.javelin.jit.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A generated kernel called through a method handle, so C2 never inlines it into a launcher's
 * loop. Why: a launcher call site that has seen one or two kernel classes inlines them
 * (monomorphic, bimorphic); the kernels then share the launcher's compilation and its node budget,
 * and past C2's NodeCountInliningCutoff the {@code VectorFunctions} calls and even the accumulator
 * constants inside stay calls that box their vectors. Measured: a two-kernel tanh/sigmoid block
 * group 72 ms instead of 28; a softmax row group with its exp and sum in one kernel 27 ms instead
 * of 18 (1 thread). Behind a method handle every kernel is compiled on its own. The handle adds
 * two frames of inlining depth, so the helpers kernels call stay shallow
 * ({@code KernelSupport.lanes_sum} writes its tree out rather than calling down two levels: a row
 * sum passed C2's MaxInlineLevel that way and ran 45 times slower).
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
