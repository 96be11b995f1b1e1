package dev.javelin.kernels.codegen;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A generated kernel called through a method handle, so C2 never inlines it into a launcher's
 * loop. Why: a launcher call site that has seen one or two kernel classes inlines them
 * (monomorphic, bimorphic); the kernels then share the launcher's compilation and its node budget.
 * Measured when kernels still called helper methods for their transcendentals: a two-kernel
 * tanh/sigmoid block group 72 ms instead of 28, a softmax row group 27 ms instead of 18 (1 thread),
 * because past C2's NodeCountInliningCutoff those calls stayed calls that boxed their vectors. Now
 * every instruction is a Vector API intrinsic written into the kernel, which C2 delays rather than
 * refuses past that cutoff; the handle is kept so that each kernel is still compiled on its own,
 * within its own node budget (not re-measured without it: see perf/NOTES.md).
 */
final class OpaqueKernel implements FusedKernel {
    private static final MethodType RUN = MethodType.methodType(void.class, Object[].class, int[].class, int[][].class, int.class);
    private static final MethodType ROWS = MethodType.methodType(void.class, Object[].class, int[].class, int[][].class, int.class, int[].class, int.class);
    private static final MethodType REDUCE = MethodType.methodType(float.class, Object[].class, int[].class, int[][].class, int.class);
    private static final MethodType REDUCE_ROWS = MethodType.methodType(void.class, Object[].class, int[].class, int[][].class, int[].class,
            int[].class, int.class, float[].class);

    private final MethodHandle run, rows, reduce, reduceRows;

    OpaqueKernel(MethodHandles.Lookup lookup, FusedKernel kernel) throws ReflectiveOperationException {
        run = lookup.findVirtual(kernel.getClass(), "run", RUN).bindTo(kernel);
        rows = lookup.findVirtual(kernel.getClass(), "runRows", ROWS).bindTo(kernel);
        reduce = lookup.findVirtual(kernel.getClass(), "reduce", REDUCE).bindTo(kernel);
        reduceRows = lookup.findVirtual(kernel.getClass(), "reduceRows", REDUCE_ROWS).bindTo(kernel);
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
    public void runRows(Object[] arrays, int[] offsets, int[][] maps, int n, int[] rowStrides, int rows) {
        try {
            this.rows.invokeExact(arrays, offsets, maps, n, rowStrides, rows);
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

    @Override
    public void reduceRows(Object[] arrays, int[] offsets, int[][] maps, int[] lengths, int[] rowStrides, int rows, float[] results) {
        try {
            reduceRows.invokeExact(arrays, offsets, maps, lengths, rowStrides, rows, results);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
