package dev.javelin.kernels.cpu;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Strided;

/**
 * float32 ARGSORT (other dtypes: the reference backend): each line along the axis becomes 64-bit
 * keys whose signed order is the sort order (the float's bit pattern with the sign folded, NaN above
 * +inf, -0 as 0; descending is the bitwise complement), then a bottom-up merge sort of the positions by key. Merging takes the left
 * run on equal keys, so the sort is stable in both directions. Lines run in parallel; each line's
 * result does not depend on the thread count.
 */
final class Sorting {
    private Sorting() {}

    static void argsort(Tensor x, OpAttrs.Sort s, Tensor out) {
        int n = x.dim(s.axis());
        if (n == 0 || x.size() == 0) return;
        int inner = 1;
        for (int d = s.axis() + 1; d < x.rank(); d++) inner *= x.dim(d);
        int lines = (int) (x.size() / n);
        int[] at = Strided.offsets(x.shape(), x.strides(), x.offset());
        float[] xf = Elementwise.heap(x).floats();
        long[] result = Elementwise.heap(out).longs();
        final int step = inner;
        long work = Math.max(1L, (long) n * (32 - Integer.numberOfLeadingZeros(n)));
        CpuThreads.parallelFor(lines, (int) Math.max(1, CpuThreads.SMALL_WORK / work), (from, to) -> {
            long[] keys = new long[n];
            int[] order = new int[n], scratch = new int[n];
            for (int line = from; line < to; line++) {
                int base = (line / step) * n * step + line % step;
                for (int i = 0; i < n; i++) {
                    long k = key(xf[at[base + i * step]]);
                    keys[i] = s.descending() ? ~k : k;
                    order[i] = i;
                }
                mergeSort(keys, order, scratch);
                for (int i = 0; i < n; i++) result[base + i * step] = order[i];
            }
        });
    }

    /** A long whose signed order is the value order of PyTorch's sort. */
    private static long key(float v) {
        if (v != v) return Long.MAX_VALUE;
        int bits = Float.floatToRawIntBits(v + 0f); // + 0 turns -0 into 0
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** Sorts {@code order} (positions) by {@code keys[position]}, stably, bottom-up. */
    private static void mergeSort(long[] keys, int[] order, int[] scratch) {
        int n = order.length;
        int[] src = order, dst = scratch;
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
                int i = lo, j = mid, k = lo;
                while (i < mid && j < hi) dst[k++] = keys[src[j]] < keys[src[i]] ? src[j++] : src[i++];
                while (i < mid) dst[k++] = src[i++];
                while (j < hi) dst[k++] = src[j++];
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != order) System.arraycopy(src, 0, order, 0, n);
    }
}
