package dev.javelin.tensor.reference;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.Arrays;
import java.util.Comparator;

/**
 * ARGSORT: each line along the axis sorted by {@link Arrays#sort(Object[], Comparator)}, which is
 * stable, so ties keep their input order in either direction. Floating values compare by
 * {@link Double#compare} after adding 0.0, which puts NaN above +inf and makes -0 equal 0 (PyTorch's order).
 */
final class Sorting {
    private Sorting() {}

    static void argsort(OpCall call, Tensor out) {
        Tensor x = call.input(0);
        OpAttrs.Sort s = call.attrs(OpAttrs.Sort.class);
        int n = x.dim(s.axis());
        int inner = 1;
        for (int d = s.axis() + 1; d < x.rank(); d++) inner *= x.dim(d);
        int lines = n == 0 ? 0 : (int) (x.size() / n);
        boolean floating = x.dtype().isFloating();
        double[] dv = floating ? Dense.doubles(x) : null;
        long[] lv = floating ? null : Dense.longs(x);
        long[] result = new long[(int) x.size()];
        Integer[] order = new Integer[n];
        for (int line = 0; line < lines; line++) {
            int base = (line / inner) * n * inner + line % inner;
            final int b = base, step = inner;
            Comparator<Integer> byValue = floating
                    ? (i, j) -> Double.compare(dv[b + i * step] + 0.0, dv[b + j * step] + 0.0)
                    : (i, j) -> Long.compare(lv[b + i * step], lv[b + j * step]);
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, s.descending() ? byValue.reversed() : byValue);
            for (int i = 0; i < n; i++) result[base + i * inner] = order[i];
        }
        Dense.store(out, result);
    }
}
