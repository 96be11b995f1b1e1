package dev.javelin.kernels.cpu.gemm;

import dev.javelin.kernels.cpu.CpuThreads;

/**
 * The fallback SGEMM for JVMs without the Vector API: the same per-element fused multiply-add chain
 * over {@code p = 0..k-1} as {@link SgemmVector}, so both give identical bits. Rows are split over
 * {@link CpuThreads} (a row's result never depends on which thread computed it).
 */
final class SgemmScalar {
    private SgemmScalar() {}

    static void multiply(int m, int n, int k,
                         float[] a, int aOffset, int aRowStride, int aColStride,
                         float[] b, int bOffset, int bRowStride, int bColStride,
                         float[] c, int cOffset, int ldc, boolean accumulate) {
        long work = 2L * m * n * k;
        int grain = work < CpuThreads.SMALL_WORK ? m : Math.max(1, (int) Math.min(m, (1L << 20) / Math.max(1L, 2L * n * k)));
        CpuThreads.parallelFor(m, grain, (from, to) -> {
            for (int i = from; i < to; i++) {
                int ci = cOffset + i * ldc;
                if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0f);
                int ai = aOffset + i * aRowStride;
                // p outer, j inner: walks a row of B (contiguous when B is row-major) per step.
                for (int p = 0; p < k; p++) {
                    float av = a[ai + p * aColStride];
                    int bp = bOffset + p * bRowStride;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] = Math.fma(av, b[bp + j * bColStride], c[ci + j]);
                    }
                }
            }
        });
    }
}
