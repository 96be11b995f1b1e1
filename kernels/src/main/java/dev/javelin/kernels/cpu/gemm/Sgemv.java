package dev.javelin.kernels.cpu.gemm;

import dev.javelin.kernels.codegen.RegisterTile;
import dev.javelin.kernels.codegen.RegisterTiles;
import dev.javelin.kernels.codegen.RegisterTiles.Shape;
import dev.javelin.kernels.cpu.CpuThreads;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one-row product {@code c = a·B} (A has one row, B's rows are contiguous): a decode step's
 * projections. The packed GEMM would pad A's row to an 8-row panel (seven rows of zeros per k step)
 * and give a 128-column product one work item; here B is streamed once, row by row, into
 * blocks of eight or four vectors of accumulators, and the blocks of a product of at least
 * {@link #PARALLEL_FMAS} multiply-adds are spread over {@link CpuThreads} (the bandwidth of both
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
    private static final VectorSpecies<Float> S = SgemmMicroKernel.S;
    private static final int L = S.length();
    /** Columns per parallel block: four vectors (eight from {@code 4·CHUNK} columns on). */
    static final int CHUNK = 4 * L;
    /**
     * Products below this many multiply-adds (1 MB of B) stay on the calling thread. Measured (perf/NOTES.md, decode4): at
     * 2^16 and 2^17 one thread took half the time of two (B from L3, 1.3-13 us a call), at 2^18 and 2^19 the two were
     * even: a hand-off costs a microsecond on a quiet host, and a worker descheduled mid-block stalls the caller far longer
     * on a busy one.
     */
    static final long PARALLEL_FMAS = 1L << 18;

    /**
     * One row of C, eight or four vectors: the generated register tile ({@link RegisterTiles}), A's step a constant 1
     * (a contiguous row: the index's scale a constant, as C2 needs to take A's range checks out of the loop) or an argument.
     */
    private static final RegisterTile ROW8 = row(8, 1), ROW4 = row(4, 1), ROW8_STRIDED = row(8, RegisterTiles.ARG),
            ROW4_STRIDED = row(4, RegisterTiles.ARG);

    private Sgemv() {}

    private static RegisterTile row(int vectors, int aStep) {
        return RegisterTiles.of(new Shape(1, vectors, vectors, 0, aStep, false, true));
    }

    static void multiply(int n, int k, float[] a, int aOffset, int aColStride, float[] b, int bOffset, int bRowStride,
                         float[] c, int cOffset, boolean accumulate, GemmEpilogue epilogue) {
        int width = n >= 4 * CHUNK ? 2 * CHUNK : CHUNK, blocks = (n + width - 1) / width;
        int grain = (long) n * k < PARALLEL_FMAS ? blocks : 1;
        CpuThreads.parallelFor(blocks, grain, (from, to) -> {
            int j0 = from * width, j1 = Math.min(n, to * width);
            columns(j0, j1, k, a, aOffset, aColStride, b, bOffset, bRowStride, c, cOffset, accumulate);
            if (epilogue != null) epilogue.apply(0, 1, j0, j1 - j0);
        });
    }

    /**
     * Columns {@code [j0, j1)} of c: eight vectors at a time (the FMA latency needs eight chains in
     * flight), then four; the last up to four vectors as one group, where a partial vector ends at j1
     * when C is overwritten (its first lanes recompute columns already done), else as scalars.
     */
    private static void columns(int j0, int j1, int k, float[] a, int aOffset, int aColStride, float[] b, int bOffset, int bRowStride,
                                float[] c, int cOffset, boolean accumulate) {
        int j = j0;
        RegisterTile row8 = aColStride == 1 ? ROW8 : ROW8_STRIDED, row4 = aColStride == 1 ? ROW4 : ROW4_STRIDED;
        for (; j + 2 * CHUNK <= j1; j += 2 * CHUNK) row8.run(k, a, aOffset, 0, aColStride, b, bOffset + j, bRowStride, 0, c, cOffset + j, 0, accumulate);
        for (; j + CHUNK <= j1; j += CHUNK) row4.run(k, a, aOffset, 0, aColStride, b, bOffset + j, bRowStride, 0, c, cOffset + j, 0, accumulate);
        int vectors = (j1 - j) / L, rest = (j1 - j) % L;
        boolean overlap = rest > 0 && !accumulate && j1 - j0 >= L;
        if (vectors > 0 || overlap) {
            int[] at = new int[4];
            for (int v = 0; v < 4; v++) at[v] = v < vectors ? j + v * L : overlap ? j1 - L : j + (vectors - 1) * L;
            quad(at[0], at[1], at[2], at[3], k, a, aOffset, aColStride, b, bOffset, bRowStride, c, cOffset, accumulate);
            if (overlap) return;
            j += vectors * L;
        }
        if (j == j1) return;
        float[] acc = new float[j1 - j]; // no masked vectors (see SgemmMicroKernel#TILE): the columns' chains interleaved
        if (accumulate) System.arraycopy(c, cOffset + j, acc, 0, acc.length);
        for (int p = 0, ai = aOffset, bi = bOffset + j; p < k; p++, ai += aColStride, bi += bRowStride) {
            for (int t = 0; t < acc.length; t++) acc[t] = Math.fma(a[ai], b[bi + t], acc[t]);
        }
        System.arraycopy(acc, 0, c, cOffset + j, acc.length);
    }

    /**
     * Four vectors of columns from {@code j0..j3}, which may repeat or overlap columns already done (the
     * same chain gives the same values; C is read before any of them is written).
     */
    private static void quad(int j0, int j1, int j2, int j3, int k, float[] a, int aOffset, int aColStride, float[] b, int bOffset,
                             int bRowStride, float[] c, int cOffset, boolean accumulate) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
        if (accumulate) {
            c0 = FloatVector.fromArray(S, c, cOffset + j0); c1 = FloatVector.fromArray(S, c, cOffset + j1);
            c2 = FloatVector.fromArray(S, c, cOffset + j2); c3 = FloatVector.fromArray(S, c, cOffset + j3);
        }
        for (int p = 0, ai = aOffset, bi = bOffset; p < k; p++, ai += aColStride, bi += bRowStride) {
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c0 = FloatVector.fromArray(S, b, bi + j0).fma(av, c0);
            c1 = FloatVector.fromArray(S, b, bi + j1).fma(av, c1);
            c2 = FloatVector.fromArray(S, b, bi + j2).fma(av, c2);
            c3 = FloatVector.fromArray(S, b, bi + j3).fma(av, c3);
        }
        c0.intoArray(c, cOffset + j0); c1.intoArray(c, cOffset + j1);
        c2.intoArray(c, cOffset + j2); c3.intoArray(c, cOffset + j3);
    }
}
