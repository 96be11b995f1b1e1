package dev.javelin.highlevel.layers;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Joins inputs along one axis (the last by default), as Keras's Concatenate. Each input is padded
 * with zeros to its place in the result and the pieces are added, so the gradient of each input is
 * the matching slice (the adjoint of padding).
 *
 * <pre>{@code
 * Tensor merged = new Concatenate().apply(a, b);   // [N, 3] and [N, 5] to [N, 8]
 * }</pre>
 */
public final class Concatenate extends Layer implements MaskMerging {
    private final int axis;

    public Concatenate() {
        this(-1, null);
    }

    /** Joins along {@code axis} (negative counts from the last), as Keras's {@code Concatenate(axis=...)}. */
    public Concatenate(int axis) {
        this(axis, null);
    }

    public Concatenate(int axis, String name) {
        super(name);
        this.axis = axis;
    }

    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        if (inputs.size() < 2) {
            throw new IllegalArgumentException(name() + " (Concatenate): expected at least 2 inputs, got " + inputs.size());
        }
        Tensor first = inputs.get(0);
        int a = Shape.normalizeAxis(axis, first.rank(), name() + " (Concatenate)");
        int total = 0;
        for (Tensor t : inputs) {
            if (t.rank() != first.rank() || !t.shape().with(a, 1).equals(first.shape().with(a, 1))) {
                throw new IllegalArgumentException(name() + " (Concatenate): shapes " + first.shape() + " and " + t.shape()
                        + " differ outside axis " + axis);
            }
            total += t.dim(a);
        }
        Tensor out = null;
        int offset = 0;
        for (Tensor t : inputs) {
            int[] low = new int[t.rank()];
            int[] high = new int[t.rank()];
            low[a] = offset;
            high[a] = total - offset - t.dim(a);
            Tensor placed = Ops.pad(t, low, high, new int[t.rank()], 0);
            out = out == null ? placed : out.add(placed);
            offset += t.dim(a);
        }
        return out;
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        throw new IllegalArgumentException(name() + " (Concatenate): expected a list of at least 2 inputs, got one " + inputs.shape());
    }

    @Override
    public boolean supportsMasking() {
        return true;
    }

    /**
     * As Keras: each input's mask (all true where it has none) spread over its last axis, joined along
     * the axis and reduced with "any" over the last: masks joined in time along the time axis, and
     * along the features a step real in any input.
     */
    @Override
    public Tensor computeMask(List<Tensor> inputs, List<Tensor> masks) {
        if (masks.stream().allMatch(java.util.Objects::isNull)) return null;
        List<Tensor> full = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Tensor x = inputs.get(i), m = masks.get(i);
            if (m != null && m.rank() != x.rank() && m.rank() != x.rank() - 1) return null; // no mask of this input's axes
            full.add(m == null ? Tensors.ones(x.shape(), DType.BOOL) : m.rank() < x.rank() ? m.unsqueeze(-1).broadcastTo(x.shape()) : m);
        }
        return MathOps.any(ArrayOps.concat(full, axis), new int[] {-1}, false);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", axis);
        return c;
    }

    public static Concatenate fromConfig(Map<String, Object> c) {
        return new Concatenate(Config.integer(c, "axis", -1), Config.string(c, "name", null));
    }
}
