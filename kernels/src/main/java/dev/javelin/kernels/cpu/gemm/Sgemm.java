package dev.javelin.kernels.cpu.gemm;

import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.kernels.cpu.VectorSupport;
import dev.javelin.tensor.spi.BlockEpilogue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Single-precision matrix multiply, {@code C = A·B} or {@code C += A·B}, over operands addressed
 * through arbitrary strides, so transposed or sliced views need no copy.
 *
 * <p>Element {@code A[i][p]} is {@code a[aOffset + i*aRowStride + p*aColStride]}, likewise for B;
 * C is dense row-major with leading dimension {@code ldc}. Every {@code C[i][j]} is one fused
 * multiply-add chain over {@code p = 0..k-1}, started from 0 (or from the old {@code C[i][j]} when
 * accumulating), whatever the thread count or code path: results are bit-for-bit reproducible.
 * With the Vector API present this runs the packed, register-blocked kernel ({@link SgemmVector}), or
 * {@link TileGemm}'s one-row tiles for one row of A against row-major B; without it, with {@code -Djavelin.cpu.scalar=true}
 * ({@code VectorSupport}), or while that kernel is not compiled yet (a process's first products, below),
 * the same chain in scalar loops ({@link SgemmScalar}). C must not overlap A or B.
 *
 * <pre>{@code
 * // C (2x2) = A (2x3) times B (3x2), all row-major
 * float[] a = {1, 2, 3, 4, 5, 6}, b = {1, 0, 0, 1, 1, 1}, c = new float[4];
 * Sgemm.multiply(2, 2, 3, a, 0, 3, 1, b, 0, 2, 1, c, 0, 2, false); // c = {4, 5, 10, 11}
 * // A transposed without a copy: A is stored 3x2, read as 2x3 through swapped strides
 * Sgemm.multiply(2, 2, 3, at, 0, 1, 2, b, 0, 2, 1, c, 0, 2, false);
 * }</pre>
 */
public final class Sgemm {
    private static final boolean VECTOR = packedKernelLoads();
    /**
     * Below this many multiply-adds the scalar loop wins: packing costs more than it saves, and a
     * Vector API method still interpreted (cold) is far slower than a scalar one. Same bits either way.
     */
    private static final long TINY = 4096;
    /**
     * A one-row product of at least this many multiply-adds (1 MB of B) spreads its column blocks over the threads (the
     * bandwidth of both cores' caches: a decode step's weights do not fit one core's L2). Measured (perf/NOTES.md, decode4):
     * at 2^16 and 2^17 one thread took half the time of two (B from L3, 1.3-13 us a call), at 2^18 and 2^19 the two were
     * even: a hand-off costs a microsecond on a quiet host, and a worker descheduled mid-block stalls the caller far longer
     * on a busy one.
     */
    private static final long ONE_ROW_PARALLEL_FMAS = 1L << 18;
    /**
     * Multiply-adds a process's first products may still run in the scalar loops, 2^28 at the start (an MLP
     * 784-512-512-10 train step at batch 128 has 2.06e8; {@code -Djavelin.gemm.coldFmas}); negative once a product
     * overdrew it, and from the start with {@code -Djavelin.gemm.coldScalar=false}: from then on the packed kernel
     * runs every product. Until C2 has compiled that kernel's Vector API tiles they run interpreted or boxed (a
     * fresh JVM's first 128×784·784×512 product took 250-600 ms that way). Same bits either way.
     */
    private static final AtomicLong COLD_FMAS_LEFT = new AtomicLong(
            Boolean.parseBoolean(System.getProperty("javelin.gemm.coldScalar", "true")) ? Long.getLong("javelin.gemm.coldFmas", 1L << 28) : -1);

    /** The row of ones whose row of C is B's column sums (read through zero strides). */
    private static final float[] ONE = {1f};

    private Sgemm() {}

    /**
     * Multiplies the {@code m×k} matrix A by the {@code k×n} matrix B into the {@code m×n} matrix C.
     *
     * @param accumulate add into C's current values instead of overwriting them
     * @throws IllegalArgumentException for negative sizes, a too-small {@code ldc} or any index outside its array
     */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOffset, int aRowStride, int aColStride,
                                float[] b, int bOffset, int bRowStride, int bColStride,
                                float[] c, int cOffset, int ldc, boolean accumulate) {
        multiply(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, ldc, accumulate, null,
                null, 0);
    }

    /**
     * As {@link #multiply(int, int, int, float[], int, int, int, float[], int, int, int, float[], int, int, boolean)}, then
     * {@code epilogue} (when not null) on each block of C once that block is final, while it is in cache (called once per
     * block, blocks disjoint and covering C, from whichever thread finished the block); and, when
     * {@code sums} is not null, the sums of B's columns over k into {@code sums[sumsOffset + j]}, j < n: the row a
     * row of ones appended to A would give, {@code fma(1, B[p][j], s)} for p in order from 0 (from the old value when
     * accumulating), which is {@code s + B[p][j]}: the bits of a column sum that adds row after row. A weight gradient
     * {@code xᵀ·dY} so gets its bias gradient (dY summed over its rows) while it reads dY, not in a pass of its own.
     *
     * <pre>{@code
     * // dW (in x out) = x^T dY over 4096 rows, and db (out) = dY summed over its rows
     * Sgemm.multiply(in, out, 4096, x, 0, 1, in, dy, 0, out, 1, dw, 0, out, false, null, db, 0);
     * }</pre>
     */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOffset, int aRowStride, int aColStride,
                                float[] b, int bOffset, int bRowStride, int bColStride,
                                float[] c, int cOffset, int ldc, boolean accumulate, BlockEpilogue epilogue,
                                float[] sums, int sumsOffset) {
        check(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, ldc);
        if (sums != null) checkSpan("sums", 1, n, sums.length, sumsOffset, 0, 1);
        if (n == 0) return;
        long fmas = (long) m * n * k;
        if (VECTOR && fmas >= TINY && !(COLD_FMAS_LEFT.get() >= 0 && COLD_FMAS_LEFT.addAndGet(-fmas) >= 0)) {
            if (m == 1 && bColStride == 1 && sums == null) { // a weight gradient with its bias gradient has more than one row anyway
                oneRow(n, k, a, aOffset, aColStride, b, bOffset, bRowStride, c, cOffset, accumulate, epilogue);
                return;
            }
            SgemmVector.multiply(m, n, k, a, aOffset, aRowStride, aColStride,
                    b, bOffset, bRowStride, bColStride, c, cOffset, ldc, accumulate, epilogue, sums, sumsOffset);
        } else {
            SgemmScalar.multiply(m, n, k, a, aOffset, aRowStride, aColStride,
                    b, bOffset, bRowStride, bColStride, c, cOffset, ldc, accumulate);
            if (sums != null) { // the row of ones: fma(1, B[p][j], s) = s + B[p][j]
                SgemmScalar.multiply(1, n, k, ONE, 0, 0, 0, b, bOffset, bRowStride, bColStride, sums, sumsOffset, n, accumulate);
            }
            if (epilogue != null && m > 0) epilogue.apply(0, m, 0, n);
        }
    }

    /**
     * {@code c = a·B} for one row of A (a decode step's projections): the packed kernel would pad A's row to an 8-row panel,
     * and give a 128-column product one work item; here B is streamed once, row by row, through {@link TileGemm}'s one-row
     * tiles (eight or four vectors of accumulators), in column blocks of four vectors (eight from 16 on). The epilogue runs on
     * each block's columns as soon as they are final.
     */
    private static void oneRow(int n, int k, float[] a, int aOffset, int aColStride, float[] b, int bOffset, int bRowStride,
                               float[] c, int cOffset, boolean accumulate, BlockEpilogue epilogue) {
        int chunk = 4 * SgemmVector.L, width = n >= 4 * chunk ? 2 * chunk : chunk, blocks = (n + width - 1) / width;
        CpuThreads.parallelFor(blocks, (long) n * k < ONE_ROW_PARALLEL_FMAS ? blocks : 1, (from, to) -> {
            int j0 = from * width, j1 = Math.min(n, to * width);
            TileGemmVector.multiply(1, j1 - j0, k, a, aOffset, 0, aColStride, b, bOffset + j0, bRowStride, c, cOffset + j0, 0, accumulate);
            if (epilogue != null) epilogue.apply(0, 1, j0, j1 - j0);
        });
    }

    /** True when the packed Vector API kernel is in use (the JVM was started with {@code --add-modules jdk.incubator.vector}). */
    public static boolean vectorized() {
        return VECTOR;
    }

    private static void check(int m, int n, int k,
                              float[] a, int aOffset, int aRowStride, int aColStride,
                              float[] b, int bOffset, int bRowStride, int bColStride,
                              float[] c, int cOffset, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("Sgemm.multiply: sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        if (a == null || b == null || c == null) {
            throw new IllegalArgumentException("Sgemm.multiply: arrays a, b and c must not be null");
        }
        if (m > 1 && ldc < n) {
            throw new IllegalArgumentException("Sgemm.multiply: ldc=" + ldc + " is smaller than n=" + n
                    + " for an " + m + "x" + n + " C; expected ldc >= n");
        }
        checkSpan("A", m, k, a.length, aOffset, aRowStride, aColStride);
        checkSpan("B", k, n, b.length, bOffset, bRowStride, bColStride);
        checkSpan("C", m, n, c.length, cOffset, ldc, 1);
    }

    private static void checkSpan(String name, int rows, int cols, int length, int offset, int rowStride, int colStride) {
        if (rows == 0 || cols == 0) return;
        long lo = offset + Math.min(0L, (long) (rows - 1) * rowStride) + Math.min(0L, (long) (cols - 1) * colStride);
        long hi = offset + Math.max(0L, (long) (rows - 1) * rowStride) + Math.max(0L, (long) (cols - 1) * colStride);
        if (lo < 0 || hi >= length) {
            throw new IllegalArgumentException("Sgemm.multiply: " + name + " (" + rows + "x" + cols + ", offset " + offset
                    + ", strides [" + rowStride + ", " + colStride + "]) reaches indices " + lo + ".." + hi
                    + " of an array of length " + length + "; expected every index inside the array");
        }
    }

    /**
     * Whether the packed kernel runs: the Vector API is on ({@link VectorSupport#enabled()}) and its vectors hold at least
     * 4 floats. With the module present, a generated tile that fails to load is a bug, thrown here, not hidden behind the
     * scalar loops' speed.
     */
    private static boolean packedKernelLoads() {
        if (!VectorSupport.enabled()) return false;
        try {
            return SgemmVector.L >= 4; // loads the packed kernel's generated tiles
        } catch (LinkageError e) {
            throw new IllegalStateException("Sgemm: the Vector API module is present but the packed kernel's generated tiles"
                    + " failed to load: " + e, e);
        }
    }
}
