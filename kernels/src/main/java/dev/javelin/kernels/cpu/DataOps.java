package dev.javelin.kernels.cpu;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;

/** float32 PAD, FOLD, GATHER and SCATTER_ADD: the data-moving ops that are not elementwise (other dtypes: the reference backend). */
final class DataOps {
    /** Fills {@code out} with the pad value, then copies x into the strided view of out that skips the padding. */
    void pad(Tensor x, OpAttrs.Pad p, Tensor out) {
        HeapStorage oh = Elementwise.heap(out);
        int n = oh.length();
        if (x.size() > 0 && x.rank() > 0 && n == out.size() && java.util.Arrays.stream(p.interior()).allMatch(i -> i == 0)) {
            padRows(x, p, oh.floats(), out.shape().toArray());
            return;
        }
        java.util.Arrays.fill(oh.floats(), (float) p.value());
        if (x.size() == 0 || n == 0) return;
        int[] dense = out.shape().contiguousStrides();
        int[] strides = new int[dense.length];
        int offset = 0;
        for (int d = 0; d < dense.length; d++) {
            strides[d] = dense[d] * (p.interior()[d] + 1);
            offset += p.low()[d] * dense[d];
        }
        Elementwise.copy(x, out, strides, offset);
    }

    /**
     * A float32 pad without interior padding, one pass over the output's rows in parallel: each row is the
     * pad value, or the pad value around a copy of x's row (an attention gradient's [32, 4, 128, 32] to
     * [.., 33]: the fill of the whole output, on one thread, then a copy per row took 0.6 ms a call). The
     * same values as the fill-then-copy path.
     */
    private static void padRows(Tensor x, OpAttrs.Pad p, float[] out, int[] outDims) {
        int last = outDims.length - 1, outRow = outDims[last], xRow = x.dim(last), lowLast = p.low()[last];
        if (outRow == 0) return;
        float[] in = Elementwise.heap(x).floats();
        int[] xs = x.strides(), xDims = x.shape().toArray(), low = p.low();
        float value = (float) p.value();
        int rows = Math.toIntExact(java.util.Arrays.stream(outDims, 0, last).asLongStream().reduce(1, (a, b) -> a * b));
        CpuThreads.parallelFor(rows, Math.max(1, StridedLoop.CHUNK / outRow), (from, to) -> {
            int[] index = new int[last]; // the row's digits over the outer dimensions
            for (int d = last - 1, rest = from; d >= 0; d--) {
                index[d] = rest % outDims[d];
                rest /= outDims[d];
            }
            for (int row = from; row < to; row++) {
                int dst = row * outRow, src = x.offset();
                boolean inside = true;
                for (int d = 0; d < last && inside; d++) {
                    int i = index[d] - low[d];
                    inside = i >= 0 && i < xDims[d];
                    src += i * xs[d];
                }
                if (!inside) {
                    java.util.Arrays.fill(out, dst, dst + outRow, value);
                } else {
                    java.util.Arrays.fill(out, dst, dst + lowLast, value);
                    if (xs[last] == 1) System.arraycopy(in, src, out, dst + lowLast, xRow);
                    else for (int i = 0; i < xRow; i++) out[dst + lowLast + i] = in[src + i * xs[last]];
                    java.util.Arrays.fill(out, dst + lowLast + xRow, dst + outRow, value);
                }
                for (int d = last - 1; d >= 0 && ++index[d] == outDims[d]; d--) index[d] = 0;
            }
        });
    }

    /** Sums float32 windows [N,OH,OW,KH,KW,C] (any strides) into dense [N,H,W,C]; one task per image, fixed order inside. */
    void fold(Tensor win, OpAttrs.Window w, Tensor out) {
        int[] wd = win.shape().toArray();
        int[] ws = win.strides();
        int n = wd[0], oh = wd[1], ow = wd[2], kh = wd[3], kw = wd[4], c = wd[5];
        int h = out.dim(1), wdt = out.dim(2);
        HeapStorage wh = Elementwise.heap(win), outH = Elementwise.heap(out);
        long perImage = Math.max(1L, (long) oh * ow * kh * kw * c);
        CpuThreads.parallelFor(n, (int) Math.max(1, CpuThreads.SMALL_WORK / perImage), (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int y = 0; y < oh; y++) {
                    for (int x = 0; x < ow; x++) {
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = y * w.strideH() + ky * w.dilationH();
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = x * w.strideW() + kx * w.dilationW();
                                int src = win.offset() + b * ws[0] + y * ws[1] + x * ws[2] + ky * ws[3] + kx * ws[4];
                                int dst = ((b * h + iy) * wdt + ix) * c;
                                GeneratedLoops.accumulate(dev.javelin.tensor.Op.REDUCE_SUM, wh.floats(), src, ws[5], outH.floats(), dst, c);
                            }
                        }
                    }
                }
            }
        });
    }

    /** out[p] = x[p with coordinate {@code axis} replaced by idx[p]]. */
    void gather(Tensor x, Tensor idx, int axis, Tensor out) {
        if (wholeRows(idx, axis, out) && x.stride(-1) == 1) {
            gatherRows(x, idx, axis, out);
            return;
        }
        int size = x.dim(axis);
        int axisStride = x.stride(axis);
        int[] xs = x.strides();
        xs[axis] = 0; // the index supplies this coordinate
        StridedLoop p = StridedLoop.of(idx.shape(), idx.strides(), xs, out.strides());
        int is = p.innerStride(0), xsIn = p.innerStride(1), os = p.innerStride(2);
        HeapStorage ih = Elementwise.heap(idx);
        float[] xf = Elementwise.heap(x).floats(), of = Elementwise.heap(out).floats();
        p.forEachRow(new int[] {idx.offset(), x.offset(), out.offset()}, (o, n) -> {
            for (int i = 0; i < n; i++) {
                long k = checked("gather", ih.getLong(o[0] + i * is), size, axis, x.shape());
                of[o[2] + i * os] = xf[o[1] + i * xsIn + (int) k * axisStride];
            }
        });
    }

    /** out = base; out[p with coordinate {@code axis} replaced by idx[p]] += src[p], in row-major order of idx. */
    void scatterAdd(Tensor base, Tensor idx, Tensor src, int axis, Tensor out) {
        Elementwise.copy(base, out);
        if (wholeRows(idx, axis, out)) {
            scatterRows(idx, src, axis, out);
            return;
        }
        int size = out.dim(axis);
        int[] os = out.strides();
        int axisStride = os[axis];
        os[axis] = 0;
        HeapStorage ih = Elementwise.heap(idx);
        float[] sf = Elementwise.heap(src).floats(), of = Elementwise.heap(out).floats();
        int[] ii = stridedOffsets(idx), ss = stridedOffsets(src), oo = dev.javelin.tensor.spi.Strided.offsets(idx.shape(), os, 0);
        // Sequential on purpose: indices may repeat, and a fixed order keeps float sums reproducible.
        for (int e = 0; e < ii.length; e++) {
            long k = checked("scatter_add", ih.getLong(ii[e]), size, axis, out.shape());
            of[oo[e] + (int) k * axisStride] += sf[ss[e]];
        }
    }

    /**
     * True when the index is one value per row of the last axis (stride 0 there, another axis indexed,
     * out's rows dense): an embedding's lookup and gradient, one token id per row of features. Such a
     * call moves whole rows; element by element it spent most of its time on index bookkeeping
     * (the char-GPT's [4096, 128] gradient: 4.9 ms, on one thread).
     */
    private static boolean wholeRows(Tensor idx, int axis, Tensor out) {
        int last = idx.rank() - 1;
        return last >= 1 && axis != last && idx.dim(last) > 0 && idx.stride(last) == 0 && out.stride(last) == 1;
    }

    /** {@link #gather} row by row: each row of out is the row of x its index names. */
    private static void gatherRows(Tensor x, Tensor idx, int axis, Tensor out) {
        Shape rows = idx.shape().sub(0, idx.rank() - 1);
        int n = idx.dim(-1), size = x.dim(axis), axisStride = x.stride(axis);
        int[] xs = java.util.Arrays.copyOf(x.strides(), rows.rank());
        xs[axis] = 0;
        int[] io = rowOffsets(idx, rows), xo = dev.javelin.tensor.spi.Strided.offsets(rows, xs, x.offset()), oo = rowOffsets(out, rows);
        HeapStorage ih = Elementwise.heap(idx);
        float[] xf = Elementwise.heap(x).floats(), of = Elementwise.heap(out).floats();
        for (int e = 0; e < io.length; e++) {
            long k = checked("gather", ih.getLong(io[e]), size, axis, x.shape());
            System.arraycopy(xf, xo[e] + (int) k * axisStride, of, oo[e], n);
        }
    }

    /** {@link #scatterAdd} row by row, rows in idx's row-major order: each element gets its sums in the element loop's order. */
    private void scatterRows(Tensor idx, Tensor src, int axis, Tensor out) {
        Shape rows = idx.shape().sub(0, idx.rank() - 1);
        int n = idx.dim(-1), size = out.dim(axis), axisStride = out.stride(axis), srcStride = src.stride(-1);
        int[] os = java.util.Arrays.copyOf(out.strides(), rows.rank());
        os[axis] = 0;
        int[] io = rowOffsets(idx, rows), so = rowOffsets(src, rows), oo = dev.javelin.tensor.spi.Strided.offsets(rows, os, out.offset());
        HeapStorage ih = Elementwise.heap(idx);
        float[] sf = Elementwise.heap(src).floats(), of = Elementwise.heap(out).floats();
        for (int e = 0; e < io.length; e++) {
            long k = checked("scatter_add", ih.getLong(io[e]), size, axis, out.shape());
            GeneratedLoops.accumulate(dev.javelin.tensor.Op.REDUCE_SUM, sf, so[e], srcStride, of, oo[e] + (int) k * axisStride, n);
        }
    }

    /** Where each row (every axis but the last) of t starts. */
    private static int[] rowOffsets(Tensor t, Shape rows) {
        return dev.javelin.tensor.spi.Strided.offsets(rows, java.util.Arrays.copyOf(t.strides(), rows.rank()), t.offset());
    }

    private static int[] stridedOffsets(Tensor t) {
        return dev.javelin.tensor.spi.Strided.offsets(t.shape(), t.strides(), t.offset());
    }

    private static long checked(String op, long k, int size, int axis, Shape shape) {
        if (k < 0 || k >= size) {
            throw new IndexOutOfBoundsException(op + ": index " + k + " is out of range for axis " + axis + " of size " + size
                    + " (shape " + shape + "; expected 0 <= index < " + size + ")");
        }
        return k;
    }
}
