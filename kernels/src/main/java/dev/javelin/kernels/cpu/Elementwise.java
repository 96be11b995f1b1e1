package dev.javelin.kernels.cpu;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;

/**
 * The float32 unary, binary and ternary kernels and the casts between bool and float32 ({@link GeneratedLoops}:
 * generated from the kernel IR), and float32 copies. Other dtypes and casts run on the reference backend
 * ({@link CpuBackend}).
 */
final class Elementwise {
    /**
     * A unary, binary or ternary op (WHERE: the bool condition first; CAST between bool and float32) of
     * {@code in} into {@code out}, the inputs broadcast to its shape. An input whose inner stride is neither
     * dense (1) nor broadcast (0), a transposed view, is read from a dense copy (tiled), so the generated
     * loops run over long dense rows, not over gathered tiles of 8 (a transposed [1024, 1024] add: 4x the
     * time of exp over its dense copy).
     */
    static void run(Op op, Tensor out, Tensor... in) {
        int k = in.length;
        int[][] strides = new int[k + 1][];
        for (int i = 0; i < k; i++) strides[i] = in[i].strides();
        strides[k] = out.strides();
        StridedLoop p = StridedLoop.of(out.shape(), strides);
        int[] s = new int[k + 1], offsets = new int[k + 1];
        Object[] a = new Object[k + 1];
        for (int i = 0; i <= k; i++) {
            Tensor t = i < k ? in[i] : out;
            if ((s[i] = p.innerStride(i)) != 0 && s[i] != 1 && i < k) {
                Tensor[] read = in.clone(); // the caller's array stays as it was
                read[i] = t.dtype() == DType.FLOAT32 ? dense(t) : Tensor.wrap(t.toHost(), t.shape());
                run(op, out, read);
                return;
            }
            a[i] = heap(t).array();
            offsets[i] = t.offset();
        }
        p.forEachRow(offsets, (o, n) -> {
            switch (k) {
                case 1 -> {
                    if (op == Op.CAST) GeneratedLoops.cast(a[0], o[0], s[0], a[1], o[1], s[1], n);
                    else GeneratedLoops.unary(op, (float[]) a[0], o[0], s[0], (float[]) a[1], o[1], s[1], n);
                }
                case 2 -> GeneratedLoops.binary(op, (float[]) a[0], o[0], s[0], (float[]) a[1], o[1], s[1], a[2], o[2], s[2], n);
                default -> GeneratedLoops.where((boolean[]) a[0], o[0], s[0], (float[]) a[1], o[1], s[1], (float[]) a[2], o[2], s[2],
                        (float[]) a[3], o[3], s[3], n);
            }
        });
    }

    /** A copy of float32 {@code x} (any layout) into {@code out} (any layout, PAD's a view that skips the padding) of the same shape. */
    static void copy(Tensor x, Tensor out) {
        StridedLoop p = StridedLoop.of(x.shape(), x.strides(), out.strides());
        int xs = p.innerStride(0), os = p.innerStride(1);
        float[] xa = heap(x).floats(), oa = heap(out).floats();
        p.forEachRow(new int[] {x.offset(), out.offset()}, (o, n) -> copyRow(xa, o[0], xs, oa, o[1], os, n));
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
