package dev.javelin.jit.runtime;

import dev.javelin.jit.graph.Node;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.kernels.cpu.gemm.GemmEpilogue;
import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;

/**
 * Float32 MATMUL steps on the CPU, run by the kernels module's packed {@link Sgemm} straight from
 * the operands' strides: a transposed weight in the backward pass (a permute view) is read in place,
 * never copied. Batches (leading dimensions, broadcast ones at stride 0) run one GEMM each. The
 * elementwise kernel right after a single-matrix GEMM that reads C (bias, activation, residual)
 * runs as its epilogue, on each block of C as soon as that block is final.
 */
final class Gemm {
    private Gemm() {}

    /** True for the matmuls this class runs: float32 on the CPU. */
    static boolean handles(Node n) {
        return n.isOp(Op.MATMUL) && n.dtype() == DType.FLOAT32 && n.device().equals(Device.CPU);
    }

    /** {@code out = a @ b}; {@code out} is dense with offset 0. */
    static void run(Tensor a, Tensor b, float[] out) {
        run(a, b, out, null);
    }

    /** True when {@link #run} takes an epilogue for {@code n}: one matrix, not a batch. */
    static boolean takesEpilogue(Node n) {
        return handles(n) && n.rank() == 2;
    }

    /**
     * {@code out = a @ b}, then {@code epilogue} on each block of {@code out} once it is final
     * (see {@link GemmEpilogue}); only for a single matrix ({@link #takesEpilogue}).
     */
    static void run(Tensor a, Tensor b, float[] out, GemmEpilogue epilogue) {
        int rank = a.rank();
        int m = a.dim(rank - 2), k = a.dim(rank - 1), n = b.dim(rank - 1);
        int[] as = a.strides(), bs = b.strides();
        float[] av = ((HeapStorage) a.storage()).floats(), bv = ((HeapStorage) b.storage()).floats();
        int batch = Math.toIntExact(a.shape().sub(0, rank - 2).size());
        if (batch == 1) {
            Sgemm.multiply(m, n, k, av, a.offset(), as[rank - 2], as[rank - 1], bv, b.offset(), bs[rank - 2], bs[rank - 1],
                    out, 0, n, false, epilogue);
            return;
        }
        if (epilogue != null) throw new IllegalStateException("Jit: a batched matmul takes no epilogue");
        int[] batchDims = a.shape().sub(0, rank - 2).toArray();
        long flops = (long) m * n * Math.max(k, 1);
        int grain = (int) Math.max(1, CpuThreads.SMALL_WORK / Math.max(1, flops));
        CpuThreads.parallelFor(batch, grain, (from, to) -> {
            for (int i = from; i < to; i++) {
                int ao = a.offset(), bo = b.offset(), rest = i;
                for (int d = batchDims.length - 1; d >= 0; d--) {
                    int c = rest % batchDims[d];
                    rest /= batchDims[d];
                    ao += c * as[d];
                    bo += c * bs[d];
                }
                Sgemm.multiply(m, n, k, av, ao, as[rank - 2], as[rank - 1], bv, bo, bs[rank - 2], bs[rank - 1],
                        out, i * m * n, n, false);
            }
        });
    }
}
