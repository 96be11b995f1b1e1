package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.ptx.ReductionPtx;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans REDUCE_SUM/MAX/MIN and ARGMAX/ARGMIN: splits the input's dimensions into kept and reduced
 * groups, coalesces each, and picks a thread-per-row kernel for short rows, a block-per-row kernel
 * for long ones, and a two-pass split (partials in scratch, then a second reduction) when a few
 * very long rows would leave the GPU idle. The split is fixed by the shape, so results repeat.
 */
final class CudaReductions {
    /** Rows up to this long are reduced by one thread each. */
    static final int THREAD_ROW_LIMIT = 128;
    /** Elements per block in the first pass of a split reduction. */
    static final int SPLIT_CHUNK = 8192;

    private CudaReductions() {}

    static void reduce(KernelRunner r, OpCall call, Tensor out) {
        Tensor x = call.input(0);
        int[] axes = call.attrs(OpAttrs.Reduce.class).axes();
        boolean[] reduced = new boolean[x.rank()];
        for (int a : axes) reduced[a] = true;
        int[] dims = x.shape().toArray();
        int[] strides = x.strides();
        List<Integer> kd = new ArrayList<>();
        List<Integer> ks = new ArrayList<>();
        List<Integer> rd = new ArrayList<>();
        List<Integer> rs = new ArrayList<>();
        for (int d = 0; d < dims.length; d++) {
            (reduced[d] ? rd : kd).add(dims[d]);
            (reduced[d] ? rs : ks).add(strides[d]);
        }
        StridedLayout kept = StridedLayout.coalesce(toArray(kd), List.of(toArray(ks)));
        StridedLayout red = StridedLayout.coalesce(toArray(rd), List.of(toArray(rs)));
        long nOut = out.size();
        long rowLength = 1;
        for (int d : rd) rowLength *= d;
        Op op = call.op();
        boolean arg = op == Op.ARGMAX || op == Op.ARGMIN;
        long outAddr = CudaKernels.address(out, true);
        long inAddr = CudaKernels.address(x, false);
        if (!arg && nOut < 64 && rowLength >= 4L * SPLIT_CHUNK) {
            int chunks = (int) Math.min(256, (rowLength + SPLIT_CHUNK - 1) / SPLIT_CHUNK);
            int chunk = (int) ((rowLength + chunks - 1) / chunks);
            long partials = r.scratch(nOut * chunks * x.dtype().byteSize());
            launch(r, op, x.dtype(), true, partials, inAddr, x.offset(), nOut, rowLength, chunk, chunks, kept, red);
            // second pass: rows of `chunks` contiguous partials
            StridedLayout rows = new StridedLayout(new int[] {(int) nOut}, List.of(new int[] {chunks}));
            StridedLayout within = new StridedLayout(new int[] {chunks}, List.of(new int[] {1}));
            launch(r, op, x.dtype(), false, outAddr, partials, 0, nOut, chunks, chunks, 1, rows, within);
            return;
        }
        boolean block = rowLength > THREAD_ROW_LIMIT;
        launch(r, op, x.dtype(), block, outAddr, inAddr, x.offset(), nOut, rowLength, (int) rowLength, 1, kept, red);
    }

    private static void launch(KernelRunner r, Op op, DType dtype, boolean block, long out, long in, int offset, long nOut,
                               long rowLength, int chunk, int chunks, StridedLayout kept, StridedLayout red) {
        int kr = kept.rank();
        int rr = red.rank();
        String name = ReductionPtx.name(op, dtype, kr, rr, block);
        String entry = PtxCache.entry(name, () -> block ? ReductionPtx.blockKernel(op, dtype, kr, rr) : ReductionPtx.threadKernel(op, dtype, kr, rr));
        List<Object> args = new ArrayList<>();
        args.add(out);
        args.add(in);
        args.add(offset);
        args.add((int) nOut);
        args.add((int) rowLength);
        args.add(chunk);
        for (int d = 1; d < kr; d++) args.add(kept.dims()[d]);
        for (int d = 0; d < kr; d++) args.add(kept.strides().get(0)[d]);
        for (int d = 1; d < rr; d++) args.add(red.dims()[d]);
        for (int d = 0; d < rr; d++) args.add(red.strides().get(0)[d]);
        if (block) {
            r.launch(new Launch(name, entry, (int) nOut, chunks, 1, ReductionPtx.BLOCK, 0, args));
        } else {
            r.launch(new Launch(name, entry, CudaKernels.gridFor(nOut, ReductionPtx.BLOCK), 1, 1, ReductionPtx.BLOCK, 0, args));
        }
    }

    private static int[] toArray(List<Integer> l) {
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }
}
