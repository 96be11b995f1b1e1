package dev.javelin.kernels.cpu.gemm;

import dev.javelin.kernels.cpu.CpuThreads;

/**
 * The one-row product {@code c = a·B} (A has one row, B's rows are contiguous): a decode step's
 * projections. The packed GEMM would pad A's row to an 8-row panel (seven rows of zeros per k step)
 * and give a 128-column product one work item; here B is streamed once, row by row, through
 * {@link TileGemmVector}'s one-row tiles (eight or four vectors of accumulators), and the column blocks of
 * a product of at least {@link #PARALLEL_FMAS} multiply-adds are spread over {@link CpuThreads} (the bandwidth of both
 * cores' caches: the weights of a decode step do not fit one core's L2).
 *
 * <p>Every {@code c[j]} is {@code fma(a[p], B[p][j], c)} for p in order from 0 (or from the old
 * {@code c[j]}), the chain {@link SgemmMicroKernel} computes, so the bits equal the packed kernel's
 * at any thread count. The epilogue runs on each task's columns as soon as they are final.
 *
 * <pre>{@code
 * Sgemv.multiply(n, k, a, 0, 1, b, 0, n, c, 0, false, null);   // c[0..n) = a[0..k) · B[k][n]
 * }</pre>
 */
final class Sgemv {
    /** Columns per parallel block: four vectors (eight from {@code 4·CHUNK} columns on). */
    static final int CHUNK = 4 * SgemmMicroKernel.L;
    /**
     * Products below this many multiply-adds (1 MB of B) stay on the calling thread. Measured (perf/NOTES.md, decode4): at
     * 2^16 and 2^17 one thread took half the time of two (B from L3, 1.3-13 us a call), at 2^18 and 2^19 the two were
     * even: a hand-off costs a microsecond on a quiet host, and a worker descheduled mid-block stalls the caller far longer
     * on a busy one.
     */
    static final long PARALLEL_FMAS = 1L << 18;

    private Sgemv() {}

    static void multiply(int n, int k, float[] a, int aOffset, int aColStride, float[] b, int bOffset, int bRowStride,
                         float[] c, int cOffset, boolean accumulate, GemmEpilogue epilogue) {
        int width = n >= 4 * CHUNK ? 2 * CHUNK : CHUNK, blocks = (n + width - 1) / width;
        int grain = (long) n * k < PARALLEL_FMAS ? blocks : 1;
        CpuThreads.parallelFor(blocks, grain, (from, to) -> {
            int j0 = from * width, j1 = Math.min(n, to * width);
            TileGemmVector.multiply(1, j1 - j0, k, a, aOffset, 0, aColStride, b, bOffset + j0, bRowStride, c, cOffset + j0, 0, accumulate);
            if (epilogue != null) epilogue.apply(0, 1, j0, j1 - j0);
        });
    }
}
