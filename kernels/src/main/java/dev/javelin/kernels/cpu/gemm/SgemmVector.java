package dev.javelin.kernels.cpu.gemm;

import static dev.javelin.kernels.cpu.gemm.SgemmMicroKernel.MR;
import static dev.javelin.kernels.cpu.gemm.SgemmMicroKernel.NR;

import dev.javelin.kernels.cpu.CpuThreads;

/**
 * The blocked SGEMM driver around {@link SgemmMicroKernel}, in the GotoBLAS/BLIS shape:
 * for each block of {@code KC} steps of k (in order, so every C element's sum has one fixed order),
 * pack A into {@code MR}-row panels and B into {@code NR}-column panels, then run tiles over
 * {@code MC×NC} blocks of C spread over {@link CpuThreads}. The split into blocks depends only on
 * the shape, never on the thread count.
 *
 * <p>Cache plan (Zen 4: L1d 32 KiB, L2 1 MiB per core, L3 32 MiB shared): a packed A panel
 * ({@code MR×KC}) stays in L1 while the tile walks a block's B panels, which stay in L2
 * ({@code KC×NC}); the packed blocks of A and B for one k step live in L3. Work items are taken
 * row block by row block, so consecutive items reuse their A rows from L2 (measured better than
 * the column-block order at N = 2048).
 * A row-major B is read in place instead of packed when few rows of A share it (packing it would
 * cost a noticeable fraction of the multiply).
 */
final class SgemmVector {
    /**
     * Steps of k per block: one A panel (MR·KC floats, 16 KiB) stays in L1 beside the streaming B.
     * 512 rather than 256 halves how often C is read and written back (measured +2-3% at N = 1024).
     */
    static final int KC = 512;
    /** Rows of C per work item. */
    static final int MC = 64;
    /** Columns of C per work item: its B panels (KC·NC floats, 512 KiB) stay in L2. */
    static final int NC = 256;
    /** Rows and columns handled per outer block, bounding the packed buffers (and their memory). */
    static final int M_OUTER = 4096, N_OUTER = 4096;
    /** A row-major B is read in place when A has at most this many rows. */
    static final int DIRECT_B_MAX_M = 256;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private SgemmVector() {}

    static int lanes() {
        return SgemmMicroKernel.L;
    }

    static void multiply(int m, int n, int k,
                         float[] a, int aOffset, int aRowStride, int aColStride,
                         float[] b, int bOffset, int bRowStride, int bColStride,
                         float[] c, int cOffset, int ldc, boolean accumulate) {
        Buffers buf = BUFFERS.get();
        boolean small = 2L * m * n * k < CpuThreads.SMALL_WORK;
        boolean directB = bColStride == 1 && m <= DIRECT_B_MAX_M;
        for (int jc = 0; jc < n; jc += N_OUTER) {
            int nc = Math.min(N_OUTER, n - jc);
            int strips = (nc + NR - 1) / NR;
            int firstPacked = directB ? nc / NR : 0;
            // Equal k blocks (784 = 4 x 196, not 3 x 256 + 16): a short last block would pay the C
            // tile loads and stores for little work. The split depends on k alone.
            int kBlocks = (k + KC - 1) / KC, kStep = (k + kBlocks - 1) / kBlocks;
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                boolean load = accumulate || pc > 0;
                float[] bp = buf.b((strips - firstPacked) * NR * kc);
                for (int ic = 0; ic < m; ic += M_OUTER) {
                    int mc = Math.min(M_OUTER, m - ic);
                    int panels = (mc + MR - 1) / MR;
                    float[] ap = buf.a(panels * MR * kc);
                    Block blk = new Block(a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                            c, cOffset, ldc, m, n, ic, mc, jc, nc, pc, kc, ap, bp, firstPacked, strips, load);
                    int packJobs = panels + (ic == 0 ? strips - firstPacked : 0);
                    CpuThreads.parallelFor(packJobs, small ? packJobs : Math.max(1, packJobs / 16), blk::pack);
                    int rowBlocks = (mc + MC - 1) / MC, colBlocks = (nc + NC - 1) / NC;
                    int items = rowBlocks * colBlocks;
                    CpuThreads.parallelFor(items, small ? items : 1, blk::compute);
                }
            }
        }
    }

    /** One (jc, pc, ic) block: its packing jobs and its compute items. */
    private record Block(float[] a, int aOffset, int aRowStride, int aColStride,
                         float[] b, int bOffset, int bRowStride, int bColStride,
                         float[] c, int cOffset, int ldc, int m, int n,
                         int ic, int mc, int jc, int nc, int pc, int kc,
                         float[] ap, float[] bp, int firstPacked, int strips, boolean load) {

        /** Jobs {@code [0, panels)} pack A panels; the rest pack the B strips not read in place. */
        void pack(int from, int to) {
            int panels = (mc + MR - 1) / MR;
            for (int t = from; t < to; t++) {
                if (t < panels) {
                    GemmPacking.packA(a, aOffset, aRowStride, aColStride, m, ic + t * MR, MR, pc, kc, ap, t * MR * kc);
                } else {
                    int s = firstPacked + (t - panels);
                    GemmPacking.packB(b, bOffset, bRowStride, bColStride, n, jc + s * NR, NR, pc, kc,
                            bp, (s - firstPacked) * NR * kc);
                }
            }
        }

        /** Items are {@code MC×NC} blocks of C, row block major. */
        void compute(int from, int to) {
            int colBlocks = (nc + NC - 1) / NC;
            for (int item = from; item < to; item++) {
                int r0 = (item / colBlocks) * MC, r1 = Math.min(mc, r0 + MC);
                int s0 = (item % colBlocks) * (NC / NR), s1 = Math.min(strips, s0 + NC / NR);
                for (int r = r0; r < r1; r += MR) {
                    int rows = Math.min(MR, mc - r);
                    int ai = (r / MR) * MR * kc;
                    int ci = cOffset + (ic + r) * ldc + jc;
                    for (int s = s0; s < s1; ) {
                        // A lone row over four full strips of the same kind: the matrix-vector kernel.
                        if (rows == 1 && s + 4 <= s1 && (s + 4) * NR <= nc && (s >= firstPacked || s + 4 <= firstPacked)) {
                            if (s < firstPacked) {
                                SgemmMicroKernel.row4Strips(kc, ap, ai, b, bOffset + pc * bRowStride + jc + s * NR, bRowStride, NR,
                                        c, ci + s * NR, load);
                            } else {
                                SgemmMicroKernel.row4Strips(kc, ap, ai, bp, (s - firstPacked) * NR * kc, NR, NR * kc,
                                        c, ci + s * NR, load);
                            }
                            s += 4;
                            continue;
                        }
                        int cols = Math.min(NR, nc - s * NR);
                        boolean inPlace = s < firstPacked;
                        float[] bArr = inPlace ? b : bp;
                        int bi = inPlace ? bOffset + pc * bRowStride + jc + s * NR : (s - firstPacked) * NR * kc;
                        int bStep = inPlace ? bRowStride : NR;
                        if (rows > 4) {
                            SgemmMicroKernel.tile(kc, ap, ai, bArr, bi, bStep, c, ci + s * NR, ldc, rows, cols, load);
                        } else {
                            SgemmMicroKernel.tile4(kc, ap, ai, bArr, bi, bStep, c, ci + s * NR, ldc, rows, cols, load);
                        }
                        s++;
                    }
                }
            }
        }
    }

    /** Packed-panel buffers kept per calling thread, grown on demand, so calls do not allocate. */
    private static final class Buffers {
        private float[] a = new float[0], b = new float[0];

        float[] a(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }

        float[] b(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }
    }
}
