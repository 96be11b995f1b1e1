package dev.javelin.kernels.cpu;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backend;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.EagerEngine;
import dev.javelin.tensor.spi.Engine;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.SplittableRandom;

/**
 * Runs every non-view op twice, on cpu-vector and on the reference backend, and fails with the seed,
 * the call and the first differing element when they disagree beyond the op's tolerance. Tests make
 * inputs with {@link #random} (any layout: dense with an offset, transposed, strided, broadcast) and
 * call ordinary {@code Ops} under {@code Dispatch.use(harness)}.
 */
final class KernelHarness implements Engine {
    /** Fresh values each run; rerun one with -Djavelin.test.seed=N. */
    static final long SEED = Long.getLong("javelin.test.seed", System.nanoTime());

    enum Layout { DENSE, TRANSPOSED, STRIDED, BROADCAST }

    final SplittableRandom rng = new SplittableRandom(SEED);
    final Backend cpu = new CpuBackend();
    final Backend reference = Backends.reference();
    int compared;

    @Override
    public Tensor execute(OpCall call) {
        if (call.op().isView()) return EagerEngine.INSTANCE.execute(call);
        Tensor actual = run(cpu, call);
        Tensor expected = run(reference, call);
        assertClose(call, expected, actual);
        if (cpu.writesEveryElement(call)) assertWritesEveryElement(call, actual);
        compared++;
        return actual;
    }

    /** The call again into memory full of garbage (NaN, -1, true): the same bits as into zeroed memory. */
    private void assertWritesEveryElement(OpCall call, Tensor zeroed) {
        HeapStorage dirty = HeapStorage.allocate(call.dtype(), call.shape().sizeAsInt());
        switch (dirty.array()) {
            case float[] a -> java.util.Arrays.fill(a, Float.NaN);
            case double[] a -> java.util.Arrays.fill(a, Double.NaN);
            case int[] a -> java.util.Arrays.fill(a, -1);
            case long[] a -> java.util.Arrays.fill(a, -1L);
            case boolean[] a -> java.util.Arrays.fill(a, true);
            default -> throw new IllegalStateException();
        }
        cpu.execute(call, Tensor.wrap(dirty, call.shape()));
        Object z = ((HeapStorage) zeroed.storage()).array(), d = dirty.array();
        boolean same = switch (z) {
            case float[] a -> java.util.Arrays.equals(a, (float[]) d); // by floatToIntBits: a NaN equals a NaN
            case double[] a -> java.util.Arrays.equals(a, (double[]) d);
            case int[] a -> java.util.Arrays.equals(a, (int[]) d);
            case long[] a -> java.util.Arrays.equals(a, (long[]) d);
            case boolean[] a -> java.util.Arrays.equals(a, (boolean[]) d);
            default -> false;
        };
        org.junit.jupiter.api.Assertions.assertTrue(same, "seed " + SEED + ": " + call + " claims to write every element of its output,"
                + " but into memory that held garbage it gives other values than into zeroed memory");
    }

    /**
     * Runs {@code op} on a fresh CPU backend alone (views through the eager engine) at 1 and then 2
     * threads and asserts the same raw bits; the caller restores its thread count.
     */
    static void assertSameBitsAtOneAndTwoThreads(java.util.function.Supplier<Tensor> op, String what) {
        CpuBackend cpu = new CpuBackend();
        Engine cpuOnly = call -> call.op().isView() ? EagerEngine.INSTANCE.execute(call) : run(cpu, call);
        float[] one, two;
        int threadsBefore = CpuThreads.threads();
        try (var s = dev.javelin.tensor.spi.Dispatch.use(cpuOnly)) {
            CpuThreads.setThreads(1);
            one = op.get().toFloatArray();
            CpuThreads.setThreads(2);
            two = op.get().toFloatArray();
        } finally {
            CpuThreads.setThreads(threadsBefore);
        }
        int[] b1 = new int[one.length], b2 = new int[two.length];
        for (int i = 0; i < one.length; i++) b1[i] = Float.floatToRawIntBits(one[i]);
        for (int i = 0; i < two.length; i++) b2[i] = Float.floatToRawIntBits(two[i]);
        org.junit.jupiter.api.Assertions.assertArrayEquals(b1, b2, "seed " + SEED + ": " + what + " differ between 1 and 2 threads");
    }

    static Tensor run(Backend backend, OpCall call) {
        Tensor out = Tensor.wrap(backend.allocate(call.dtype(), call.shape().sizeAsInt(), call.device()), call.shape());
        backend.execute(call, out);
        return out;
    }

    /** {rtol, atol} for comparing cpu-vector with the reference on one op. */
    static double[] tolerance(OpCall call) {
        Op op = call.op();
        boolean f64 = call.dtype() == DType.FLOAT64;
        double k = 1;
        switch (op) {
            case MATMUL -> k = call.input(0).dim(-1);
            case REDUCE_SUM -> k = Math.max(1, call.input(0).size() / Math.max(1, call.shape().size()));
            case FOLD -> k = 9;
            case ATTENTION, ATTENTION_BACKWARD -> k = call.input(1).dim(-2) * (double) (call.input(0).dim(-1) + call.input(2).dim(-1));
            case CONV2D, CONV2D_BACKWARD_INPUT, CONV2D_BACKWARD_FILTER ->
                    k = Math.max(1, call.input(0).size() * (double) call.input(1).size() / Math.max(1, call.shape().size()) / 16);
            // a step's error feeds the next: the longest chain is T steps of a units-long product
            case RECURRENCE -> k = 16.0 * call.input(0).dim(1) * call.input(1).dim(0);
            case RECURRENCE_BACKWARD -> k = 16.0 * call.input(call.inputs().size() - 2).dim(1) * call.input(0).dim(0);
            default -> { }
        }
        return switch (op) {
            case EXP, LOG, SIN, COS, TANH, SIGMOID, POW -> f64 ? new double[] {1e-13, 1e-13} : new double[] {2e-6, 1e-6};
            case ERF -> f64 ? new double[] {1e-12, 1e-12} : new double[] {2e-6, 1e-6};
            case REDUCE_SUM, MATMUL, CONV2D, CONV2D_BACKWARD_INPUT, CONV2D_BACKWARD_FILTER, FOLD, SCATTER_ADD, ATTENTION, ATTENTION_BACKWARD,
                 RECURRENCE, RECURRENCE_BACKWARD ->
                    f64 ? new double[] {1e-12, 1e-12 * Math.sqrt(k)} : new double[] {1e-5, 2e-6 * Math.sqrt(k) * 4};
            default -> new double[] {0, 0}; // exact: the same IEEE operations in the same order
        };
    }

    void assertClose(OpCall call, Tensor expected, Tensor actual) {
        double[] tol = tolerance(call);
        HeapStorage e = expected.toHost(), a = actual.toHost();
        for (int i = 0; i < e.length(); i++) {
            double x = e.getDouble(i), y = a.getDouble(i);
            if (Double.compare(x, y) == 0 || (Double.isNaN(x) && Double.isNaN(y))) continue;
            if (Math.abs(x - y) <= tol[1] + tol[0] * Math.abs(x)) continue;
            throw new AssertionError("seed " + SEED + " (rerun with -Djavelin.test.seed=" + SEED + "): " + call
                    + " differs at flat index " + i + ": reference " + x + ", cpu-vector " + y
                    + " (rtol " + tol[0] + ", atol " + tol[1] + ")");
        }
    }

    Layout anyLayout() {
        return Layout.values()[rng.nextInt(Layout.values().length)];
    }

    Tensor random(DType dtype, Shape shape) {
        return random(dtype, shape, anyLayout(), -2, 2);
    }

    /** Random values in [lo, hi) (ints: integers in that range) laid out as {@code layout}. */
    Tensor random(DType dtype, Shape shape, Layout layout, double lo, double hi) {
        int rank = shape.rank();
        int[] dims = shape.toArray();
        int[] strides;
        int offset = rng.nextInt(3);
        switch (layout) {
            case TRANSPOSED -> {
                int[] phys = new int[rank];
                for (int i = 0; i < rank; i++) phys[i] = dims[rank - 1 - i];
                int[] ps = Shape.of(phys).contiguousStrides();
                strides = new int[rank];
                for (int i = 0; i < rank; i++) strides[i] = ps[rank - 1 - i];
            }
            case STRIDED -> {
                int[] phys = dims.clone();
                if (rank > 0) phys[rank - 1] = 2 * dims[rank - 1] + 1;
                strides = Shape.of(phys).contiguousStrides();
                if (rank > 0) strides[rank - 1] = 2;
            }
            case BROADCAST -> {
                strides = shape.contiguousStrides();
                for (int i = 0; i < rank; i++) if (rng.nextBoolean()) strides[i] = 0;
            }
            default -> strides = shape.contiguousStrides();
        }
        long span = offset + 1;
        for (int i = 0; i < rank; i++) span += (long) Math.max(0, dims[i] - 1) * strides[i];
        HeapStorage h = HeapStorage.allocate(dtype, (int) span);
        for (int i = 0; i < span; i++) {
            double v = lo + (hi - lo) * rng.nextDouble();
            switch (dtype) {
                case BOOL -> h.setDouble(i, rng.nextBoolean() ? 1 : 0);
                case INT32, INT64 -> h.setLong(i, (long) Math.floor(v));
                default -> h.setDouble(i, v);
            }
        }
        return Tensor.wrap(h, shape, strides, offset);
    }

    /** A shape of rank 1..maxRank, dims in [0, maxDim] favouring odd sizes, 1 and the odd 0. */
    Shape shape(int maxRank, int maxDim) {
        int rank = 1 + rng.nextInt(maxRank);
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            int pick = rng.nextInt(12);
            d[i] = pick == 0 ? 0 : pick < 3 ? 1 : pick < 7 ? (1 + rng.nextInt(maxDim)) | 1 : 1 + rng.nextInt(maxDim);
            d[i] = Math.min(d[i], maxDim);
        }
        return Shape.of(d);
    }
}
