package dev.javelin.kernels.cpu.gemm;

/**
 * Products of small cache-resident tiles, {@code C = A·B} or {@code C += A·B}, on the calling thread
 * and without packing: the inner products of a tiled kernel (attention's score, weight and gradient
 * tiles), where a packed SGEMM would repack the same operands for every tile and fork threads that
 * the caller already runs on.
 *
 * <p>A is read in place through any strides ({@code A[i][p] = a[aOffset + i*aRowStride + p*aColStride]},
 * so a transposed tile costs nothing); B must have contiguous rows ({@code B[p][j] = b[bOffset + p*ldb + j]}),
 * C is row-major with leading dimension {@code ldc}. Every {@code C[i][j]} is one fused multiply-add
 * chain over {@code p = 0..k-1} in order, from 0 or from the old C, as {@link Sgemm}'s: the same bits
 * with or without the Vector API.
 *
 * <pre>{@code
 * // s (64x128) = q (64x64, rows 512 apart) times kt (64x1024, a transposed key block)
 * TileGemm.multiply(64, 128, 64, q, q0, 512, 1, kt, k0, 1024, s, 0, 128, false);
 * }</pre>
 */
public final class TileGemm {
    private static final boolean VECTOR = Sgemm.vectorized();

    private TileGemm() {}

    /**
     * @param accumulate add into C's current values instead of overwriting them
     * @throws IllegalArgumentException for negative sizes or a C row shorter than n (B's rows may repeat: ldb 0 broadcasts one)
     */
    public static void multiply(int m, int n, int k, float[] a, int aOffset, int aRowStride, int aColStride,
                                float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc, boolean accumulate) {
        if (m < 0 || n < 0 || k < 0 || (m > 1 && ldc < n)) {
            throw new IllegalArgumentException("TileGemm.multiply: expected sizes >= 0 and ldc >= n, got m=" + m + " n=" + n
                    + " k=" + k + " ldc=" + ldc);
        }
        if (m == 0 || n == 0) return;
        if (VECTOR) {
            TileGemmVector.multiply(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, ldb, c, cOffset, ldc, accumulate);
        } else {
            SgemmScalar.rows(0, m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, ldb, c, cOffset, ldc, accumulate);
        }
    }

    /** Columns {@code [j0, n)} of one row of C, one element at a time (the vector kernels' column tail). */
    static void scalarRow(int n, int j0, int k, float[] a, int ai, int acs, float[] b, int bi, int ldb,
                          float[] c, int ci, boolean accumulate) {
        for (int j = j0; j < n; j++) {
            float acc = accumulate ? c[ci + j] : 0f;
            for (int p = 0; p < k; p++) acc = Math.fma(a[ai + p * acs], b[bi + p * ldb + j], acc);
            c[ci + j] = acc;
        }
    }
}
