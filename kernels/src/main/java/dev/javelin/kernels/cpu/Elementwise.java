package dev.javelin.kernels.cpu;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;

/**
 * The float32 unary, binary and ternary kernels ({@link GeneratedLoops}: generated from the kernel IR),
 * float32 copies, and casts to and from float32. Other dtypes run on the reference backend
 * ({@link CpuBackend}).
 */
final class Elementwise {
    void unary(Op op, Tensor x, Tensor out) {
        StridedLoop p = StridedLoop.of(out.shape(), x.strides(), out.strides());
        int xs = p.innerStride(0), os = p.innerStride(1);
        if (strided(xs)) {
            unary(op, dense(x), out);
            return;
        }
        float[] xa = heap(x).floats(), oa = heap(out).floats();
        p.forEachRow(new int[] {x.offset(), out.offset()}, (o, n) -> GeneratedLoops.unary(op, xa, o[0], xs, oa, o[1], os, n));
    }

    void binary(Op op, Tensor a, Tensor b, Tensor out) {
        StridedLoop p = StridedLoop.of(out.shape(), a.strides(), b.strides(), out.strides());
        int as = p.innerStride(0), bs = p.innerStride(1), os = p.innerStride(2);
        if (strided(as) || strided(bs)) {
            binary(op, strided(as) ? dense(a) : a, strided(bs) ? dense(b) : b, out);
            return;
        }
        float[] x = heap(a).floats(), y = heap(b).floats();
        Object r = heap(out).array(); // float[], or boolean[] for a comparison
        p.forEachRow(new int[] {a.offset(), b.offset(), out.offset()}, (o, n) -> GeneratedLoops.binary(op, x, o[0], as, y, o[1], bs, r, o[2], os, n));
    }

    void where(Tensor c, Tensor a, Tensor b, Tensor out) {
        StridedLoop p = StridedLoop.of(out.shape(), c.strides(), a.strides(), b.strides(), out.strides());
        int cs = p.innerStride(0), as = p.innerStride(1), bs = p.innerStride(2), os = p.innerStride(3);
        if (strided(as) || strided(bs)) {
            where(c, strided(as) ? dense(a) : a, strided(bs) ? dense(b) : b, out);
            return;
        }
        boolean[] ca = heap(c).bools();
        float[] x = heap(a).floats(), y = heap(b).floats(), r = heap(out).floats();
        p.forEachRow(new int[] {c.offset(), a.offset(), b.offset(), out.offset()},
                (o, n) -> GeneratedLoops.where(ca, o[0], cs, x, o[1], as, y, o[2], bs, r, o[3], os, n));
    }

    /**
     * True for an inner stride other than dense (1) or broadcast (0): such an input (a transposed view) is
     * read from a dense copy (tiled), so the generated loops run over long dense rows, not over gathered
     * tiles of 8 (a transposed [1024, 1024] add: 4x the time of exp over its dense copy).
     */
    private static boolean strided(int innerStride) {
        return innerStride != 0 && innerStride != 1;
    }

    /** A copy of float32 {@code x} (any layout) into {@code out} (any layout) of the same shape. */
    static void copy(Tensor x, Tensor out) {
        copy(x, out, out.strides(), out.offset());
    }

    /** A copy of {@code x} into the view of {@code out}'s storage given by strides and offset (PAD writes so). */
    static void copy(Tensor x, Tensor out, int[] outStrides, int outOffset) {
        StridedLoop p = StridedLoop.of(x.shape(), x.strides(), outStrides);
        int xs = p.innerStride(0), os = p.innerStride(1);
        float[] xa = heap(x).floats(), oa = heap(out).floats();
        p.forEachRow(new int[] {x.offset(), outOffset}, (o, n) -> copyRow(xa, o[0], xs, oa, o[1], os, n));
    }

    /**
     * Converts {@code x} to {@code out}'s dtype, one side float32 (the reference backend casts the others). Between
     * bool and float32 (masks) the IR's CAST (1 or 0; {@code != 0}), generated as in a compiled program, a strided
     * input read from a dense copy; else Java's conversions, as the reference's: floats to ints truncate toward zero
     * and saturate (NaN gives 0), an integer to float32 rounds once from its long.
     */
    void cast(Tensor x, Tensor out) {
        StridedLoop p = StridedLoop.of(out.shape(), x.strides(), out.strides());
        int xs = p.innerStride(0), os = p.innerStride(1);
        HeapStorage xh = heap(x), oh = heap(out);
        DType from = x.dtype();
        if ((from == DType.BOOL || out.dtype() == DType.BOOL) && strided(xs)) {
            cast(from == DType.BOOL ? Tensor.wrap(x.toHost(), x.shape()) : dense(x), out);
        } else if (from == DType.BOOL || out.dtype() == DType.BOOL) {
            p.forEachRow(new int[] {x.offset(), out.offset()}, (o, n) -> GeneratedLoops.cast(xh.array(), o[0], xs, oh.array(), o[1], os, n));
        } else {
            p.forEachRow(new int[] {x.offset(), out.offset()}, (o, n) -> {
                for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += xs, b += os) {
                    if (from.isFloating()) oh.setDouble(b, xh.getDouble(a));
                    else oh.floats()[b] = xh.getLong(a);
                }
            });
        }
    }

    /** A dense copy of float32 {@code t}. */
    static Tensor dense(Tensor t) {
        Tensor d = Tensor.wrap(HeapStorage.allocate(t.dtype(), t.shape().sizeAsInt()), t.shape());
        copy(t, d);
        return d;
    }

    /**
     * A float32 tensor's elements in row-major order: its array itself when it is exactly that, else a
     * copy by rows (a broadcast upstream gradient, such as a tape's seed of ones, is a fill).
     */
    static float[] denseFloats(Tensor t) {
        float[] a = heap(t).floats();
        return t.isContiguous() && t.offset() == 0 && a.length == t.size() ? a : heap(dense(t)).floats();
    }

    /** {@code out[oo + i * os] = x[xo + i * xs]} for {@code i < n}. */
    static void copyRow(float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        if (xs == 1 && os == 1) {
            System.arraycopy(x, xo, out, oo, n);
        } else if (xs == 0 && os == 1) {
            java.util.Arrays.fill(out, oo, oo + n, x[xo]);
        } else {
            for (int i = 0; i < n; i++) out[oo + i * os] = x[xo + i * xs];
        }
    }

    static HeapStorage heap(Tensor t) {
        if (t.storage() instanceof HeapStorage h) return h;
        throw new IllegalArgumentException("cpu-vector: expected a tensor in CPU heap storage, got " + t.dtype() + t.shape()
                + " on " + t.device());
    }
}
