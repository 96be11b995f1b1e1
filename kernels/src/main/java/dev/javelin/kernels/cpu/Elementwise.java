package dev.javelin.kernels.cpu;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;

/**
 * The float32 unary, binary and ternary kernels ({@link GeneratedLoops}: generated from the kernel IR),
 * and cast and copy for every dtype. Other dtypes' arithmetic runs on the reference backend
 * ({@link CpuBackend}).
 */
final class Elementwise {
    /** Ops whose scalar form costs far more than a copy: worth making a strided input dense first. */
    private static final java.util.Set<Op> EXPENSIVE = java.util.EnumSet.of(Op.EXP, Op.LOG, Op.SQRT, Op.SIN, Op.COS, Op.TANH,
            Op.SIGMOID, Op.ERF, Op.POW, Op.FLOOR, Op.CEIL, Op.ROUND, Op.SIGN);

    void unary(Op op, Tensor x, Tensor out) {
        StridedLoop p = StridedLoop.of(out.shape(), x.strides(), out.strides());
        int xs = p.innerStride(0), os = p.innerStride(1);
        if (xs != 0 && xs != 1 && EXPENSIVE.contains(op) && out.size() >= CpuThreads.SMALL_WORK) {
            // A strided input (a transposed view) would run scalar transcendentals: one tiled copy, then the vector loop.
            unary(op, dense(x), out);
            return;
        }
        float[] xa = heap(x).floats(), oa = heap(out).floats();
        p.forEachRow(new int[] {x.offset(), out.offset()}, (o, n) -> GeneratedLoops.unary(op, xa, o[0], xs, oa, o[1], os, n));
    }

    void binary(Op op, Tensor a, Tensor b, Tensor out) {
        StridedLoop p = StridedLoop.of(out.shape(), a.strides(), b.strides(), out.strides());
        int as = p.innerStride(0), bs = p.innerStride(1), os = p.innerStride(2);
        if (EXPENSIVE.contains(op) && out.size() >= CpuThreads.SMALL_WORK && ((as != 0 && as != 1) || (bs != 0 && bs != 1))) {
            binary(op, as != 0 && as != 1 ? dense(a) : a, bs != 0 && bs != 1 ? dense(b) : b, out);
            return;
        }
        float[] x = heap(a).floats(), y = heap(b).floats();
        HeapStorage oh = heap(out);
        int[] base = {a.offset(), b.offset(), out.offset()};
        p.forEachRow(base, op.isComparison()
                ? (o, n) -> GeneratedLoops.compare(op, x, o[0], as, y, o[1], bs, oh.bools(), o[2], os, n)
                : (o, n) -> GeneratedLoops.binary(op, x, o[0], as, y, o[1], bs, oh.floats(), o[2], os, n));
    }

    void where(Tensor c, Tensor a, Tensor b, Tensor out) {
        StridedLoop p = StridedLoop.of(out.shape(), c.strides(), a.strides(), b.strides(), out.strides());
        int cs = p.innerStride(0), as = p.innerStride(1), bs = p.innerStride(2), os = p.innerStride(3);
        boolean[] ca = heap(c).bools();
        float[] x = heap(a).floats(), y = heap(b).floats(), r = heap(out).floats();
        p.forEachRow(new int[] {c.offset(), a.offset(), b.offset(), out.offset()},
                (o, n) -> GeneratedLoops.where(ca, o[0], cs, x, o[1], as, y, o[2], bs, r, o[3], os, n));
    }

    /** A copy of {@code x} (any layout) into {@code out} (any layout) of the same shape and dtype. */
    void copy(Tensor x, Tensor out) {
        copy(x, out, out.strides(), out.offset());
    }

    /** A copy of {@code x} into the view of {@code out}'s storage given by strides and offset (PAD writes so). */
    void copy(Tensor x, Tensor out, int[] outStrides, int outOffset) {
        StridedLoop p = StridedLoop.of(x.shape(), x.strides(), outStrides);
        int xs = p.innerStride(0), os = p.innerStride(1);
        HeapStorage xh = heap(x), oh = heap(out);
        int[] base = {x.offset(), outOffset};
        if (x.dtype() == DType.FLOAT32) {
            p.forEachRow(base, (o, n) -> copyRow(xh.floats(), o[0], xs, oh.floats(), o[1], os, n));
        } else {
            p.forEachRow(base, (o, n) -> {
                if (xs == 1 && os == 1) {
                    System.arraycopy(xh.array(), o[0], oh.array(), o[1], n);
                } else {
                    for (int i = 0; i < n; i++) copyElement(xh, o[0] + i * xs, oh, o[1] + i * os);
                }
            });
        }
    }

    /**
     * Converts {@code x} to {@code out}'s dtype: floats to ints truncate toward zero and saturate
     * (NaN gives 0), anything to bool is {@code != 0}, integers to float round once.
     */
    void cast(Tensor x, Tensor out) {
        StridedLoop p = StridedLoop.of(out.shape(), x.strides(), out.strides());
        int xs = p.innerStride(0), os = p.innerStride(1);
        HeapStorage xh = heap(x), oh = heap(out);
        int[] base = {x.offset(), out.offset()};
        DType from = x.dtype(), to = out.dtype();
        if (from == DType.FLOAT32 && to == DType.FLOAT64) {
            p.forEachRow(base, (o, n) -> {
                float[] a = xh.floats();
                double[] r = oh.doubles();
                for (int i = 0; i < n; i++) r[o[1] + i * os] = a[o[0] + i * xs];
            });
        } else if (from == DType.FLOAT64 && to == DType.FLOAT32) {
            p.forEachRow(base, (o, n) -> {
                double[] a = xh.doubles();
                float[] r = oh.floats();
                for (int i = 0; i < n; i++) r[o[1] + i * os] = (float) a[o[0] + i * xs];
            });
        } else if (from == DType.BOOL && to == DType.FLOAT32) { // masks, the common case in training
            p.forEachRow(base, (o, n) -> {
                boolean[] a = xh.bools();
                float[] r = oh.floats();
                for (int i = 0; i < n; i++) r[o[1] + i * os] = a[o[0] + i * xs] ? 1f : 0f;
            });
        } else if (from == DType.INT32 && to == DType.FLOAT32) {
            p.forEachRow(base, (o, n) -> {
                int[] a = xh.ints();
                float[] r = oh.floats();
                for (int i = 0; i < n; i++) r[o[1] + i * os] = a[o[0] + i * xs];
            });
        } else if (from == DType.FLOAT32 && to == DType.BOOL) {
            p.forEachRow(base, (o, n) -> {
                float[] a = xh.floats();
                boolean[] r = oh.bools();
                for (int i = 0; i < n; i++) r[o[1] + i * os] = a[o[0] + i * xs] != 0;
            });
        } else if (from.isFloating()) { // to an integer or bool: toward zero, saturating, NaN to 0 (Java's cast, as the reference)
            p.forEachRow(base, (o, n) -> {
                for (int i = 0; i < n; i++) oh.setDouble(o[1] + i * os, xh.getDouble(o[0] + i * xs));
            });
        } else if (to == DType.FLOAT32) { // from an integer or bool: round the long once, straight to float
            p.forEachRow(base, (o, n) -> {
                float[] r = oh.floats();
                for (int i = 0; i < n; i++) r[o[1] + i * os] = (float) xh.getLong(o[0] + i * xs);
            });
        } else {
            p.forEachRow(base, (o, n) -> {
                for (int i = 0; i < n; i++) oh.setLong(o[1] + i * os, xh.getLong(o[0] + i * xs));
            });
        }
    }

    /** A dense copy of {@code t}. */
    Tensor dense(Tensor t) {
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
        if (t.isContiguous() && t.offset() == 0 && a.length == t.size()) return a;
        float[] out = new float[Math.toIntExact(t.size())];
        StridedLoop p = StridedLoop.of(t.shape(), t.strides(), t.shape().contiguousStrides());
        int xs = p.innerStride(0), os = p.innerStride(1);
        p.forEachRow(new int[] {t.offset(), 0}, (o, n) -> copyRow(a, o[0], xs, out, o[1], os, n));
        return out;
    }

    /** {@code out[oo + i * os] = x[xo + i * xs]} for {@code i < n}. */
    private static void copyRow(float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        if (xs == 1 && os == 1) {
            System.arraycopy(x, xo, out, oo, n);
        } else if (xs == 0 && os == 1) {
            java.util.Arrays.fill(out, oo, oo + n, x[xo]);
        } else {
            for (int i = 0; i < n; i++) out[oo + i * os] = x[xo + i * xs];
        }
    }

    /** One element between two storages of the same dtype. */
    static void copyElement(HeapStorage from, int i, HeapStorage to, int j) {
        switch (from.dtype()) {
            case FLOAT32 -> to.floats()[j] = from.floats()[i];
            case FLOAT64 -> to.doubles()[j] = from.doubles()[i];
            case INT32 -> to.ints()[j] = from.ints()[i];
            case INT64 -> to.longs()[j] = from.longs()[i];
            case BOOL -> to.bools()[j] = from.bools()[i];
        }
    }

    static HeapStorage heap(Tensor t) {
        if (t.storage() instanceof HeapStorage h) return h;
        throw new IllegalArgumentException("cpu-vector: expected a tensor in CPU heap storage, got " + t.dtype() + t.shape()
                + " on " + t.device());
    }
}
