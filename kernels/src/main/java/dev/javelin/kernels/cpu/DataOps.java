package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;

/** float32 PAD, FOLD, GATHER and SCATTER_ADD: the data-moving ops that are not elementwise (other dtypes: the reference backend). */
final class DataOps {
    /**
     * Fills {@code out} with the pad value (in parallel: an [N, 10, 11, 64] pooling gradient's fill on one thread
     * took longer than its copy), then copies x into the strided view of out that skips the padding.
     */
    static void pad(Tensor x, OpAttrs.Pad p, Tensor out) {
        float[] o = Elementwise.heap(out).floats();
        CpuThreads.parallelFor(o.length, StridedLoop.CHUNK, (from, to) -> java.util.Arrays.fill(o, from, to, (float) p.value()));
        if (x.size() == 0 || o.length == 0) return;
        int[] dense = out.shape().contiguousStrides();
        int[] strides = new int[dense.length];
        int offset = 0;
        for (int d = 0; d < dense.length; d++) {
            strides[d] = dense[d] * (p.interior()[d] + 1);
            offset += p.low()[d] * dense[d];
        }
        Elementwise.copy(x, Tensor.wrap(out.storage(), x.shape(), strides, offset));
    }

    /**
     * Sums float32 windows [N,OH,OW,KH,KW,C] (any strides) into dense [N,H,W,C]: each image's windows walked in
     * row-major order (a fixed order of each output's sums), one task per image.
     */
    static void fold(Tensor win, OpAttrs.Window w, Tensor out) {
        int wdt = out.dim(2), c = out.dim(3), image = out.dim(1) * wdt * c, n = win.dim(0);
        int[] into = {w.strideH() * wdt * c, w.strideW() * c, w.dilationH() * wdt * c, w.dilationW() * c, 1}; // out's strides along [OH,OW,KH,KW,C]
        StridedLoop p = StridedLoop.of(win.shape().sub(1, 6), java.util.Arrays.copyOfRange(win.strides(), 1, 6), into);
        int ws = p.innerStride(0), os = p.innerStride(1);
        float[] wf = Elementwise.heap(win).floats(), of = Elementwise.heap(out).floats();
        CpuThreads.parallelFor(n, (int) Math.max(1, CpuThreads.SMALL_WORK / Math.max(1, win.size() / Math.max(1, n))), (from, to) -> {
            for (int b = from; b < to; b++) {
                p.forEachRowInOrder(new int[] {win.offset() + b * win.stride(0), b * image}, (o, len) -> {
                    if (os == 1) GeneratedLoops.accumulate(Op.REDUCE_SUM, wf, o[0], ws, of, o[1], len);
                    else for (int i = 0; i < len; i++) of[o[1] + i * os] += wf[o[0] + i * ws];
                });
            }
        });
    }

    /**
     * out[p] = x[p with coordinate {@code axis} replaced by idx[p]], walked by rows of idx: a row whose index is
     * one value (stride 0: an embedding's lookup, one token id per row of features) is one row copy.
     */
    static void gather(Tensor x, Tensor idx, int axis, Tensor out) {
        int size = x.dim(axis), axisStride = x.stride(axis);
        int[] xs = x.strides();
        xs[axis] = 0; // the index supplies this coordinate
        StridedLoop p = StridedLoop.of(idx.shape(), idx.strides(), xs, out.strides());
        int is = p.innerStride(0), xsIn = p.innerStride(1), os = p.innerStride(2);
        HeapStorage ih = Elementwise.heap(idx);
        float[] xf = Elementwise.heap(x).floats(), of = Elementwise.heap(out).floats();
        p.forEachRow(new int[] {idx.offset(), x.offset(), out.offset()}, (o, n) -> {
            for (int i = 0; i < (is == 0 ? 1 : n); i++) {
                int from = o[1] + i * xsIn + (int) checked("gather", ih.getLong(o[0] + i * is), size, axis, x.shape()) * axisStride;
                if (is == 0) Elementwise.copyRow(xf, from, xsIn, of, o[2], os, n);
                else of[o[2] + i * os] = xf[from];
            }
        });
    }

    /**
     * out = base; out[p with coordinate {@code axis} replaced by idx[p]] += src[p], in row-major order of idx, on
     * one thread (indices may repeat: a fixed order keeps the float sums reproducible). A row whose index is one
     * value (an embedding's gradient) is added as one row.
     */
    static void scatterAdd(Tensor base, Tensor idx, Tensor src, int axis, Tensor out) {
        Elementwise.copy(base, out);
        int size = out.dim(axis), axisStride = out.stride(axis);
        int[] os = out.strides();
        os[axis] = 0;
        StridedLoop p = StridedLoop.of(idx.shape(), idx.strides(), src.strides(), os);
        int is = p.innerStride(0), ss = p.innerStride(1), osIn = p.innerStride(2);
        HeapStorage ih = Elementwise.heap(idx);
        float[] sf = Elementwise.heap(src).floats(), of = Elementwise.heap(out).floats();
        p.forEachRowInOrder(new int[] {idx.offset(), src.offset(), out.offset()}, (o, n) -> {
            for (int i = 0; i < (is == 0 && osIn == 1 ? 1 : n); i++) {
                int to = o[2] + i * osIn + (int) checked("scatter_add", ih.getLong(o[0] + i * is), size, axis, out.shape()) * axisStride;
                if (is == 0 && osIn == 1) GeneratedLoops.accumulate(Op.REDUCE_SUM, sf, o[1], ss, of, to, n);
                else of[to] += sf[o[1] + i * ss];
            }
        });
    }

    private static long checked(String op, long k, int size, int axis, Shape shape) {
        if (k < 0 || k >= size) {
            throw new IndexOutOfBoundsException(op + ": index " + k + " is out of range for axis " + axis + " of size " + size
                    + " (shape " + shape + "; expected 0 <= index < " + size + ")");
        }
        return k;
    }
}
