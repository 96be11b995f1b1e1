package dev.javelin.autodiff;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The gradients that slices of one tensor send back, gathered and assembled once. SLICE's own
 * adjoint pads each slice's gradient to the full shape; a tensor cut into T pieces (the time steps
 * of a recurrent layer, the gate blocks of an LSTM) would then cost T full-size pads and T - 1
 * full-size additions, O(T²) work and memory for a loop over time. When the slices run along one
 * axis with step 1 (all other axes whole), the pieces and the zero gaps between them are instead
 * joined by one concatenation; anything else falls back to the pad-and-add of the rule.
 */
final class SliceGradients {
    private final List<Part> parts = new ArrayList<>();

    /** A slice's gradient {@code g} (the slice's shape) and where the slice sat in its input. */
    private record Part(OpAttrs.Slice slice, Tensor g) {}

    void add(OpAttrs.Slice slice, Tensor g) {
        parts.add(new Part(slice, g));
    }

    /** The sum of every part placed in a zero tensor of {@code shape}. */
    Tensor assemble(Shape shape) {
        int axis = commonAxis(shape);
        if (axis >= 0) {
            Tensor joined = joinAlong(axis, shape);
            if (joined != null) return joined;
        }
        Tensor sum = null;
        for (Part p : parts) {
            Tensor placed = padded(p, shape);
            sum = sum == null ? placed : sum.add(placed);
        }
        return sum;
    }

    /** The one axis every slice cuts (step 1, every other axis whole), or -1 if there is none. */
    private int commonAxis(Shape shape) {
        int axis = -1;
        for (Part p : parts) {
            for (int i = 0; i < shape.rank(); i++) {
                if (p.slice.step()[i] != 1) return -1;
                boolean whole = p.slice.start()[i] == 0 && p.slice.stop()[i] == shape.dim(i);
                if (whole) continue;
                if (axis >= 0 && axis != i) return -1;
                axis = i;
            }
        }
        return axis < 0 ? 0 : axis;
    }

    /** One concatenation of the pieces in order with zeros between them; null if two pieces overlap. */
    private Tensor joinAlong(int axis, Shape shape) {
        List<Part> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparingInt(p -> p.slice.start()[axis]));
        List<Tensor> pieces = new ArrayList<>(), real = new ArrayList<>();
        int at = 0, realStart = 0;
        Tensor like = sorted.get(0).g;
        for (int k = 0; k < sorted.size(); k++) {
            Part p = sorted.get(k);
            int start = p.slice.start()[axis];
            int stop = p.slice.stop()[axis];
            Tensor g = p.g;
            // the same range taken twice: add those first
            while (k + 1 < sorted.size() && sorted.get(k + 1).slice.start()[axis] == start && sorted.get(k + 1).slice.stop()[axis] == stop) {
                g = g.add(sorted.get(++k).g);
            }
            if (start < at) return null;
            if (start > at) pieces.add(zeros(like, shape.with(axis, start - at)));
            if (stop > start) {
                pieces.add(g);
                real.add(g);
                realStart = start;
            }
            at = Math.max(at, stop);
        }
        if (at < shape.dim(axis)) pieces.add(zeros(like, shape.with(axis, shape.dim(axis) - at)));
        if (real.size() == 1 && pieces.size() > 1) return placeAlong(real.get(0), axis, realStart, shape);
        return pieces.size() == 1 ? pieces.get(0) : ArrayOps.concat(pieces, axis);
    }

    /**
     * One piece among zero gaps: a single pad puts it in place, where a concatenation would pad the
     * gaps' zeros too and add them (a [B,T,H] gradient in an LSTM's [B,T,6H] result cost two more
     * full-size passes).
     */
    private static Tensor placeAlong(Tensor g, int axis, int start, Shape shape) {
        int[] low = new int[shape.rank()], high = new int[shape.rank()];
        low[axis] = start;
        high[axis] = shape.dim(axis) - start - g.dim(axis);
        return Ops.pad(g, low, high, new int[shape.rank()], 0.0);
    }

    private static Tensor zeros(Tensor like, Shape shape) {
        return Ops.expand(Ops.scalarLike(like, 0.0), shape);
    }

    /** SLICE's adjoint for one part: PAD with interior step - 1. */
    private static Tensor padded(Part p, Shape in) {
        int r = in.rank();
        int[] low = new int[r], high = new int[r], interior = new int[r];
        for (int i = 0; i < r; i++) {
            int n = in.dim(i), m = p.g.dim(i);
            if (m == 0) {
                low[i] = n;
                continue;
            }
            low[i] = p.slice.start()[i];
            interior[i] = p.slice.step()[i] - 1;
            high[i] = n - (low[i] + (m - 1) * p.slice.step()[i] + 1);
        }
        return Ops.pad(p.g, low, high, interior, 0.0);
    }
}
