package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.ptx.IndexPtx;
import dev.javelin.kernels.cuda.ptx.KernelIrPtx;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Plans PAD, GATHER and SCATTER_ADD (see {@link IndexPtx}); gather and scatter check indices on the device. */
final class CudaIndexing {
    private CudaIndexing() {}

    static void pad(KernelRunner r, OpCall call, Tensor out) {
        Tensor x = call.input(0);
        OpAttrs.Pad p = call.attrs(OpAttrs.Pad.class);
        int rank = Math.max(1, out.rank());
        int[] outDims = out.rank() == 0 ? new int[] {1} : out.shape().toArray();
        String name = IndexPtx.padName(x.dtype(), rank);
        String entry = PtxCache.entry(name, () -> IndexPtx.pad(x.dtype(), rank));
        List<Object> args = new ArrayList<>();
        args.add(CudaKernels.address(out, true));
        args.add(out.shape().sizeAsInt());
        for (int d = 1; d < rank; d++) args.add(outDims[d]);
        int[] inDims = x.rank() == 0 ? new int[] {1} : x.shape().toArray();
        int[] inStrides = x.rank() == 0 ? new int[] {0} : x.strides();
        for (int d = 0; d < rank; d++) args.add(x.rank() == 0 ? 0 : p.low()[d]);
        for (int d = 0; d < rank; d++) args.add(x.rank() == 0 ? 1 : p.interior()[d] + 1);
        for (int d = 0; d < rank; d++) args.add(inDims[d]);
        args.add(CudaKernels.address(x, false));
        args.add(x.offset());
        for (int d = 0; d < rank; d++) args.add(inStrides[d]);
        args.add(switch (x.dtype()) {
            case FLOAT32 -> (Object) (float) p.value();
            case FLOAT64 -> p.value();
            case INT32 -> (int) p.value();
            case INT64 -> (long) p.value();
            case BOOL -> p.value() != 0 ? 1 : 0;
        });
        int n = out.shape().sizeAsInt();
        r.launch(new Launch(name, entry, CudaKernels.gridFor(n, IndexPtx.BLOCK), 1, 1, IndexPtx.BLOCK, 0, args));
    }

    static void gather(KernelRunner r, OpCall call, Tensor out) {
        Tensor x = call.input(0);
        Tensor idx = call.input(1);
        int axis = call.attrs(OpAttrs.Axis.class).axis();
        int[] dims = out.shape().toArray();
        int[] xs = x.strides();
        int axisStride = xs[axis];
        xs[axis] = 0;
        StridedLayout l = StridedLayout.coalesce(dims, List.of(StridedLayout.dense(dims), xs, idx.strides()));
        int rank = l.rank();
        String name = IndexPtx.gatherName(x.dtype(), idx.dtype(), rank);
        String entry = PtxCache.entry(name, () -> IndexPtx.gather(x.dtype(), idx.dtype(), rank));
        long flag = flag(r);
        List<Object> args = new ArrayList<>();
        args.add(CudaKernels.address(out, true));
        args.add(out.shape().sizeAsInt());
        for (int d = 1; d < rank; d++) args.add(l.dims()[d]);
        args.add(CudaKernels.address(x, false));
        args.add(x.offset());
        for (int d = 0; d < rank; d++) args.add(l.strides().get(1)[d]);
        args.add(CudaKernels.address(idx, false));
        args.add(idx.offset());
        for (int d = 0; d < rank; d++) args.add(l.strides().get(2)[d]);
        args.add(x.dim(axis));
        args.add(axisStride);
        args.add(flag);
        int n = out.shape().sizeAsInt();
        r.launch(new Launch(name, entry, CudaKernels.gridFor(n, IndexPtx.BLOCK), 1, 1, IndexPtx.BLOCK, 0, args));
        checkFlag(r, flag, "gather", axis, x.dim(axis));
    }

    static void scatterAdd(KernelRunner r, OpCall call, Tensor out) {
        Tensor base = call.input(0);
        Tensor idx = call.input(1);
        Tensor src = call.input(2);
        int axis = call.attrs(OpAttrs.Axis.class).axis();
        long outAddr = CudaKernels.address(out, true);
        CudaKernels.elementwise(r, KernelIrPtx.copy(base.dtype()), List.of(base), outAddr, out);
        if (idx.size() == 0) return;
        int[] dims = idx.shape().toArray();
        int[] os = out.strides();
        int axisStride = os[axis];
        os[axis] = 0;
        StridedLayout l = StridedLayout.coalesce(dims, List.of(src.strides(), idx.strides(), os));
        int rank = l.rank();
        DType t = out.dtype();
        String name = IndexPtx.scatterName(t, idx.dtype(), rank);
        String entry = PtxCache.entry(name, () -> IndexPtx.scatterAdd(t, idx.dtype(), rank));
        long flag = flag(r);
        List<Object> args = new ArrayList<>();
        args.add(outAddr);
        args.add(idx.shape().sizeAsInt());
        for (int d = 1; d < rank; d++) args.add(l.dims()[d]);
        args.add(CudaKernels.address(src, false));
        args.add(src.offset());
        for (int d = 0; d < rank; d++) args.add(l.strides().get(0)[d]);
        args.add(CudaKernels.address(idx, false));
        args.add(idx.offset());
        for (int d = 0; d < rank; d++) args.add(l.strides().get(1)[d]);
        for (int d = 0; d < rank; d++) args.add(l.strides().get(2)[d]);
        args.add(out.dim(axis));
        args.add(axisStride);
        args.add(flag);
        int n = idx.shape().sizeAsInt();
        r.launch(new Launch(name, entry, CudaKernels.gridFor(n, IndexPtx.BLOCK), 1, 1, IndexPtx.BLOCK, 0, args));
        checkFlag(r, flag, "scatter_add", axis, out.dim(axis));
    }

    /** A zeroed 16-byte error word (flag, then the offending index) in scratch. */
    private static long flag(KernelRunner r) {
        long flag = r.scratch(16);
        Tensor view = Tensor.wrap(new RawStorage(dev.javelin.tensor.Device.cuda(0), DType.INT64, 2, flag), dev.javelin.tensor.Shape.of(2));
        CudaKernels.elementwise(r, KernelIrPtx.fill(DType.INT64, 0), List.of(), flag, view);
        return flag;
    }

    private static void checkFlag(KernelRunner r, long flag, String op, int axis, int size) {
        if (r.readInt(flag) != 0) {
            long bad = ((long) r.readInt(flag + 12) << 32) | (r.readInt(flag + 8) & 0xffffffffL);
            throw new IndexOutOfBoundsException(op + ": index " + bad + " is out of range for axis " + axis + " of size " + size);
        }
    }
}
