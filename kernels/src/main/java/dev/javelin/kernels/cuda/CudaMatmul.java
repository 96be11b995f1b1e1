package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.ptx.DgemmPtx;
import dev.javelin.kernels.cuda.ptx.MmaPtx;
import dev.javelin.kernels.cuda.ptx.SgemmPtx;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans batched matrix products: maps each operand onto (pointer, leading dimension, batch stride)
 * when its layout allows (row-major rows, one batch stride after coalescing; stride-0 broadcast
 * batches are free), copies it densely into scratch otherwise, then launches the tiled SGEMM (128
 * or 64 tiles by problem size; v4 loads when everything is 16-byte aligned), the tensor-core TF32
 * kernel when {@link MatmulPrecision#TF32} is set on sm_80+, or the float64 kernel.
 */
final class CudaMatmul {
    private static final int MAX_BATCH = 65535;

    private CudaMatmul() {}

    /** A matrix operand as the GEMM kernels read it. */
    record Operand(long address, int ld, int batchStride) {}

    /**
     * One GEMM problem: C[z] = A[z] @ B[z] for z < batch. {@code c} is null when only an epilogue's
     * result is stored (nothing reads C itself).
     */
    record Problem(DType dtype, int batch, int m, int n, int k, Operand a, Operand b, Operand c) {}

    static void matmul(KernelRunner r, Tensor a, Tensor b, Tensor out) {
        matmul(r, a, b, out.shape(), out, null);
    }

    /** True when {@code epilogue} can run in the store of a float32 GEMM with {@code batch} matrices (FP32 tiles, one matrix). */
    static boolean takes(GemmEpilogue epilogue, int batch) {
        return batch == 1 && CudaBackend.matmulPrecision() == MatmulPrecision.FP32 && epilogue.out().isContiguous();
    }

    /**
     * The product of {@code shape} into {@code out}, with {@code epilogue} (null: none; see {@link #takes})
     * applied as it is stored; {@code out} null (only with an epilogue): the product itself is not stored.
     */
    static void matmul(KernelRunner r, Tensor a, Tensor b, dev.javelin.tensor.Shape shape, Tensor out, GemmEpilogue epilogue) {
        if (out == null && epilogue == null) throw new IllegalArgumentException("cuda: matmul " + shape + " stores nothing: no output and no epilogue");
        int rank = shape.rank();
        int m = shape.dim(rank - 2);
        int n = shape.dim(rank - 1);
        int k = a.dim(-1);
        int[] batchDims = shape.sub(0, rank - 2).toArray();
        int batch = 1;
        for (int d : batchDims) batch *= d;
        int[] as = a.strides();
        int[] bs = b.strides();
        List<int[]> batchStrides = List.of(StridedLayout.dense(batchDims), java.util.Arrays.copyOf(as, rank - 2), java.util.Arrays.copyOf(bs, rank - 2));
        StridedLayout bl = StridedLayout.coalesce(batchDims, batchStrides);
        boolean oneBatchStride = bl.rank() == 1;
        Operand oa = operand(r, a, as[rank - 2], as[rank - 1], m, k, oneBatchStride ? bl.strides().get(1)[0] : -1);
        Operand ob = operand(r, b, bs[rank - 2], bs[rank - 1], k, n, oneBatchStride ? bl.strides().get(2)[0] : -1);
        Operand oc = out == null ? null : new Operand(CudaKernels.address(out, true), n, m * n);
        if (batch == 1) {
            oa = new Operand(oa.address(), oa.ld(), 0);
            ob = new Operand(ob.address(), ob.ld(), 0);
        }
        gemm(r, new Problem(out == null ? DType.FLOAT32 : out.dtype(), batch, m, n, k, oa, ob, oc), epilogue);
    }

    /**
     * The operand at its own address when rows are contiguous ({@code colStride == 1}, or one
     * column) and the batch has a single stride; otherwise a dense copy in scratch.
     */
    private static Operand operand(KernelRunner r, Tensor t, int rowStride, int colStride, int rows, int cols, int batchStride) {
        int es = t.dtype().byteSize();
        boolean rowsContiguous = colStride == 1 || cols == 1;
        int ld = rows == 1 ? Math.max(cols, 1) : rowStride;
        if (rowsContiguous && batchStride >= 0 && ld >= cols) {
            return new Operand(CudaKernels.address(t, false) + (long) t.offset() * es, ld, batchStride);
        }
        return new Operand(CudaKernels.denseCopy(r, t), cols, rows * cols);
    }

    static void gemm(KernelRunner r, Problem p) {
        gemm(r, p, null);
    }

    static void gemm(KernelRunner r, Problem p, GemmEpilogue epilogue) {
        if (epilogue != null && (p.dtype() != DType.FLOAT32 || !takes(epilogue, p.batch()))) {
            throw new IllegalArgumentException("cuda: an epilogue runs in one float32 FP32 GEMM, got " + p.dtype() + " x" + p.batch()
                    + " at " + CudaBackend.matmulPrecision());
        }
        if (epilogue != null) {
            if (p.m() > 0 && p.n() > 0) launch(r, p, epilogue);
            return;
        }
        if (p.c() == null) throw new IllegalArgumentException("cuda: a GEMM without an epilogue needs its C");
        if (p.m() == 0 || p.n() == 0 || p.batch() == 0) return;
        for (int z0 = 0; z0 < p.batch(); z0 += MAX_BATCH) { // grid z is limited; later batches start further in
            int nb = Math.min(MAX_BATCH, p.batch() - z0);
            int es = p.dtype().byteSize();
            Problem part = new Problem(p.dtype(), nb, p.m(), p.n(), p.k(), shift(p.a(), z0, es), shift(p.b(), z0, es), shift(p.c(), z0, es));
            launch(r, part, null);
        }
    }

    private static Operand shift(Operand o, int z0, int es) {
        return new Operand(o.address() + (long) z0 * o.batchStride() * es, o.ld(), o.batchStride());
    }

    private static void launch(KernelRunner r, Problem p, GemmEpilogue epilogue) {
        Operand c = p.c() != null ? p.c() : new Operand(0L, p.n(), 0); // not stored: the kernel never reads these
        List<Object> args = new ArrayList<>(List.of(p.a().address(), p.b().address(), c.address(), p.m(), p.n(), p.k(),
                p.a().ld(), p.b().ld(), c.ld(), p.a().batchStride(), p.b().batchStride(), c.batchStride()));
        if (p.dtype() == DType.FLOAT64) {
            String entry = PtxCache.entry(DgemmPtx.NAME, DgemmPtx::kernel);
            int grid = (int) (((long) p.m() * p.n() + DgemmPtx.BLOCK - 1) / DgemmPtx.BLOCK); // one thread per element
            r.launch(new Launch(DgemmPtx.NAME, entry, grid, 1, p.batch(), DgemmPtx.BLOCK, 0, args));
            return;
        }
        if (CudaBackend.matmulPrecision() == MatmulPrecision.TF32 && r.sm() >= 80) {
            String name = MmaPtx.name();
            String entry = PtxCache.entry(name, MmaPtx::kernel);
            r.launch(new Launch(name, entry, ceil(p.n(), MmaPtx.BN), ceil(p.m(), MmaPtx.BM), p.batch(), MmaPtx.THREADS, 0, args));
            return;
        }
        boolean vec = p.k() % 4 == 0 && p.n() % 4 == 0 && aligned(p.a()) && aligned(p.b()) && aligned(c)
                && (epilogue == null || epilogue.aligned(p.n()));
        long tiles = (long) p.batch() * ceil(p.m(), 128) * ceil(p.n(), 128);
        SgemmPtx.Tile tile = tiles >= 160 ? SgemmPtx.LARGE : SgemmPtx.SMALL;
        dev.javelin.kernels.cuda.ptx.EpiloguePtx.Shape shape = epilogue == null ? null : epilogue.shape(p.c() != null);
        String name = SgemmPtx.name(tile, vec, shape);
        String entry = PtxCache.entry(name, () -> SgemmPtx.kernel(tile, vec, shape));
        if (epilogue != null) args.addAll(epilogue.arguments(p.n()));
        r.launch(new Launch(name, entry, ceil(p.n(), tile.bn()), ceil(p.m(), tile.bm()), p.batch(), SgemmPtx.THREADS, 0, args));
    }

    private static boolean aligned(Operand o) {
        return o.address() % 16 == 0 && o.ld() % 4 == 0 && o.batchStride() % 4 == 0;
    }

    private static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }
}
