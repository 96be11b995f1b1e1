package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.BlockEpilogue;

/**
 * Batched MATMUL [B...,M,K] @ [B...,K,N] over any strides: each batch's operands are handed to the
 * GEMM with their row and column strides, so transposed views and broadcast (stride 0) batches need
 * no copy: float32, on the packed Vector API SGEMM (other dtypes run on the reference backend).
 */
final class MatMul {
    private MatMul() {}

    static void matmul(Tensor a, Tensor b, Tensor out) {
        matmul(a, b, out, null);
    }

    /**
     * As {@link #matmul(Tensor, Tensor, Tensor)}, then {@code epilogue} (when not null) on blocks of
     * the result: for one float32 matrix, on each block of C as soon as the GEMM has finished it;
     * for a batch, on the whole result at the end.
     */
    static void matmul(Tensor a, Tensor b, Tensor out, BlockEpilogue epilogue) {
        int rank = out.rank();
        int m = out.dim(rank - 2), n = out.dim(rank - 1), k = a.dim(rank - 1);
        if (m == 0 || n == 0) return;
        int[] as = a.strides(), bs = b.strides();
        int aRow = as[rank - 2], aCol = as[rank - 1], bRow = bs[rank - 2], bCol = bs[rank - 1];
        int rows = Math.toIntExact(out.size() / n), batch = rows / m;
        float[] af = Elementwise.heap(a).floats(), bf = Elementwise.heap(b).floats(), of = Elementwise.heap(out).floats();
        if (batch == 1 || rowsFold(a, b, out, m)) {
            // one matrix, or one weight for every batch (a Linear layer over [B, T, K]): one GEMM of B·M rows, which
            // packs the weight once and spreads its blocks over the threads, instead of B small ones
            Sgemm.multiply(rows, n, k, af, a.offset(), aRow, aCol, bf, b.offset(), bRow, bCol, of, out.offset(), n, false, epilogue, null, 0);
            return;
        }
        // each batch's matrices where AttentionOperand finds them: the same [B...,R,C] walk over the batch strides
        int[] aAt = AttentionOperand.of(a).batchOffsets(), bAt = AttentionOperand.of(b).batchOffsets();
        // Small products run one per task (GEMM inside a task stays on that thread); big ones use all threads each.
        int grain = (int) Math.max(1, CpuThreads.SMALL_WORK / ((long) m * n * Math.max(k, 1)));
        CpuThreads.parallelFor(batch, grain, (from, to) -> {
            for (int i = from; i < to; i++) {
                Sgemm.multiply(m, n, k, af, aAt[i], aRow, aCol, bf, bAt[i], bRow, bCol, of, out.offset() + i * m * n, n, false);
            }
        });
        if (epilogue != null) epilogue.apply(0, rows, 0, n);
    }

    /**
     * C = A·B for one matrix ({@code [m, k]·[k, n]} into a dense {@code [m, n]}), and {@code sums} (n dense floats) the sums of
     * B over its k rows, added row after row: the GEMM's row of ones ({@link Sgemm}).
     */
    static void matmulWithColumnSums(Tensor a, Tensor b, Tensor out, Tensor sums) {
        int m = out.dim(0), n = out.dim(1), k = a.dim(1);
        int[] as = a.strides(), bs = b.strides();
        Sgemm.multiply(m, n, k, Elementwise.heap(a).floats(), a.offset(), as[0], as[1], Elementwise.heap(b).floats(), b.offset(), bs[0], bs[1],
                Elementwise.heap(out).floats(), out.offset(), n, false, null, Elementwise.heap(sums).floats(), sums.offset());
    }

    /**
     * True when a batched product is one matrix product of {@code batch·m} rows: B the same matrix in
     * every batch (stride 0 over the batch axes), A's rows evenly spaced across batches (row r of
     * batch i at {@code (i·m + r)·aRow}), and the result dense. Each element keeps its FMA chain, so
     * the bits are the same either way.
     */
    private static boolean rowsFold(Tensor a, Tensor b, Tensor out, int m) {
        int rank = out.rank();
        int[] as = a.strides(), bs = b.strides();
        if (!out.isContiguous() || a.rank() != rank || b.rank() != rank) return false;
        long expected = (long) m * as[rank - 2];
        for (int d = rank - 3; d >= 0; d--) {
            int size = out.dim(d);
            if (size == 1) continue;
            if (bs[d] != 0 || as[d] != expected || a.dim(d) != size) return false;
            expected *= size;
        }
        return true;
    }
}
