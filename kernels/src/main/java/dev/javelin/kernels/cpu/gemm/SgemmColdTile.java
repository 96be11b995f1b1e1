package dev.javelin.kernels.cpu.gemm;

/**
 * The scalar twin of {@link SgemmMicroKernel}'s tiles, used while the vector kernel is still cold
 * (see {@link VectorWarmth}): it reads the same packed A panel and B panel and gives each C element
 * the same fused multiply-add chain over p, continuing from the value stored in C, so the bits
 * match the vector kernel's. Plain scalar code is compiled by C1 within milliseconds, while the
 * Vector API runs boxed until C2 compiles it.
 */
final class SgemmColdTile {
    private SgemmColdTile() {}

    /**
     * Runs {@code kc} steps on {@code rows×cols} elements of C ({@code cols} a multiple of 4):
     * {@code c[r][j] = fma(ap[ai + p·mr + r], bArr[bi + p·bStep + j], c[r][j])} for p in order,
     * from the stored C when {@code load}, else from 0.
     */
    static void continueTile(int kc, float[] ap, int ai, int mr, float[] bArr, int bi, int bStep,
                             float[] c, int ci, int ldc, int rows, int cols, boolean load) {
        for (int r = 0; r < rows; r++) {
            int cr = ci + r * ldc;
            // four independent chains, so the loop is not bound by one FMA's latency
            for (int j = 0; j < cols; j += 4) {
                float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f;
                if (load) {
                    c0 = c[cr + j];
                    c1 = c[cr + j + 1];
                    c2 = c[cr + j + 2];
                    c3 = c[cr + j + 3];
                }
                for (int p = 0, ak = ai + r, bk = bi + j; p < kc; p++, ak += mr, bk += bStep) {
                    float av = ap[ak];
                    c0 = Math.fma(av, bArr[bk], c0);
                    c1 = Math.fma(av, bArr[bk + 1], c1);
                    c2 = Math.fma(av, bArr[bk + 2], c2);
                    c3 = Math.fma(av, bArr[bk + 3], c3);
                }
                c[cr + j] = c0;
                c[cr + j + 1] = c1;
                c[cr + j + 2] = c2;
                c[cr + j + 3] = c3;
            }
        }
    }
}
