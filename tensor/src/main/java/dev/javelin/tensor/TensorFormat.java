package dev.javelin.tensor;

import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints tensors the way NumPy and PyTorch do: nested brackets, one row per line, columns aligned,
 * the middle elided with {@code ...} past {@link #THRESHOLD} elements, then shape and dtype.
 *
 * <pre>{@code
 * tensor([[1., 2.],
 *         [3., 4.]], shape=[2, 2], dtype=float32)
 * }</pre>
 *
 * Floats print as whole numbers ({@code 3.}) when all shown values are whole, in scientific notation
 * when magnitudes span too far for four decimals, else with four decimals. A symbolic tensor prints
 * its shape and dtype only.
 */
final class TensorFormat {
    /** More elements than this and only the first and last {@link #EDGE} of each axis print. */
    static final int THRESHOLD = 1000;
    static final int EDGE = 3;
    private static final String PREFIX = "tensor(";

    private TensorFormat() {}

    static String format(Tensor t) {
        String tail = ", shape=" + t.shape() + ", dtype=" + t.dtype()
                + (t.device().equals(Device.CPU) ? "" : ", device=" + t.device()) + ")";
        if (t.isSymbolic()) return PREFIX + "<symbolic>" + tail;
        HeapStorage h = t.toHost();
        int[] dims = t.shape().toArray();
        int[] strides = t.shape().contiguousStrides();
        boolean elide = t.size() > THRESHOLD;
        List<Integer> shown = new ArrayList<>();
        collect(dims, strides, elide, 0, 0, shown);
        Cells cells = new Cells(h, shown);
        StringBuilder sb = new StringBuilder(PREFIX);
        build(sb, dims, strides, elide, 0, 0, cells);
        return sb.append(tail).toString();
    }

    /** The flat indices that will print, in order. */
    private static void collect(int[] dims, int[] strides, boolean elide, int d, int base, List<Integer> out) {
        if (d == dims.length) {
            out.add(base);
            return;
        }
        for (int i : shownIndices(dims[d], elide)) {
            if (i >= 0) collect(dims, strides, elide, d + 1, base + i * strides[d], out);
        }
    }

    /** Indices along an axis of size n, with -1 where "..." goes. */
    private static int[] shownIndices(int n, boolean elide) {
        if (!elide || n <= 2 * EDGE) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int[] few = new int[2 * EDGE + 1];
        for (int i = 0; i < EDGE; i++) {
            few[i] = i;
            few[EDGE + 1 + i] = n - EDGE + i;
        }
        few[EDGE] = -1;
        return few;
    }

    private static void build(StringBuilder sb, int[] dims, int[] strides, boolean elide, int d, int base, Cells cells) {
        int rank = dims.length;
        if (rank == 0) {
            sb.append(cells.text(base));
            return;
        }
        sb.append('[');
        int[] idx = shownIndices(dims[d], elide);
        for (int k = 0; k < idx.length; k++) {
            if (k > 0) {
                sb.append(',');
                if (d == rank - 1) {
                    sb.append(' ');
                } else {
                    sb.append("\n".repeat(rank - 1 - d)).append(" ".repeat(PREFIX.length() + d + 1));
                }
            }
            if (idx[k] < 0) {
                sb.append("...");
            } else if (d == rank - 1) {
                sb.append(cells.text(base + idx[k] * strides[d]));
            } else {
                build(sb, dims, strides, elide, d + 1, base + idx[k] * strides[d], cells);
            }
        }
        sb.append(']');
    }

    /** Decides one number style for all shown values and pads every cell to one width. */
    private static final class Cells {
        private enum Style { INTEGER, BOOL, WHOLE, FIXED, SCIENTIFIC }

        private final HeapStorage h;
        private final Style style;
        private final int width;

        Cells(HeapStorage h, List<Integer> shown) {
            this.h = h;
            this.style = chooseStyle(h, shown);
            int w = 0;
            for (int i : shown) w = Math.max(w, raw(i).length());
            this.width = w;
        }

        private static Style chooseStyle(HeapStorage h, List<Integer> shown) {
            if (h.dtype() == DType.BOOL) return Style.BOOL;
            if (!h.dtype().isFloating()) return Style.INTEGER;
            boolean whole = true;
            double maxAbs = 0, minAbs = Double.POSITIVE_INFINITY;
            for (int i : shown) {
                double v = h.getDouble(i);
                if (!Double.isFinite(v)) continue;
                double a = Math.abs(v);
                whole &= v == Math.rint(v);
                maxAbs = Math.max(maxAbs, a);
                if (a > 0) minAbs = Math.min(minAbs, a);
            }
            if (maxAbs >= 1e8 || (!whole && (minAbs < 1e-4 || maxAbs / minAbs >= 1e3 && minAbs < 1e-2))) return Style.SCIENTIFIC;
            return whole ? Style.WHOLE : Style.FIXED;
        }

        private String raw(int i) {
            if (style == Style.BOOL) return h.getDouble(i) != 0 ? "true" : "false";
            if (style == Style.INTEGER) return Long.toString(h.getLong(i));
            double v = h.getDouble(i);
            if (Double.isNaN(v)) return "nan";
            if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
            return switch (style) {
                case WHOLE -> String.format(Locale.ROOT, "%.0f.", v);
                case FIXED -> String.format(Locale.ROOT, "%.4f", v);
                default -> String.format(Locale.ROOT, "%.4e", v);
            };
        }

        String text(int i) {
            String s = raw(i);
            return " ".repeat(width - s.length()) + s;
        }
    }
}
