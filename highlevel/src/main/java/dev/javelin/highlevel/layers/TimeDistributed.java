package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.LayerRegistry;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Applies one layer to every time step of {@code [batch, time, ...]} inputs with the same
 * weights, as Keras's TimeDistributed: batch and time are folded into one axis for the inner layer
 * and unfolded after. A padding mask passes through to the output.
 *
 * <pre>{@code
 * Layer perStep = new TimeDistributed(new Dense(10, "softmax"));   // [N, T, 64] -> [N, T, 10]
 * }</pre>
 */
public final class TimeDistributed extends Layer {
    private final Layer layer;

    public TimeDistributed(Layer layer) {
        this(layer, null);
    }

    public TimeDistributed(Layer layer, String name) {
        super(name);
        this.layer = layer;
        track(layer);
    }

    @Override
    public void build(Shape in) {
        requireSequence(in);
        layer.ensureBuilt(List.of(folded(in)));
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        requireSequence(inputs.shape());
        int n = inputs.dim(0);
        int steps = inputs.dim(1);
        Tensor y = layer.apply(inputs.reshape(folded(inputs.shape()).toArray()), training);
        return y.reshape(unfolded(y.shape(), n, steps).toArray());
    }

    private static Shape folded(Shape in) {
        int[] d = new int[in.rank() - 1];
        d[0] = Shape.dimension("TimeDistributed", (long) in.dim(0) * in.dim(1), "folding batch and steps of " + in);
        for (int i = 2; i < in.rank(); i++) d[i - 1] = in.dim(i);
        return Shape.of(d);
    }

    private static Shape unfolded(Shape out, int n, int steps) {
        int[] d = new int[out.rank() + 1];
        d[0] = n;
        d[1] = steps;
        for (int i = 1; i < out.rank(); i++) d[i + 1] = out.dim(i);
        return Shape.of(d);
    }

    private void requireSequence(Shape in) {
        if (in.rank() < 3) {
            throw new IllegalArgumentException(name() + " (TimeDistributed): expected inputs of rank >= 3 [batch, time, ...], got " + in);
        }
    }

    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        requireSequence(in);
        return unfolded(layer.computeOutputShape(folded(in)), in.dim(0), in.dim(1));
    }

    /** The layer applied at each step. */
    public Layer layer() {
        return layer;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("layer", Bidirectional.entry(layer));
        return c;
    }

    @SuppressWarnings("unchecked")
    public static TimeDistributed fromConfig(Map<String, Object> c) {
        if (!(c.get("layer") instanceof Map<?, ?> inner)) {
            throw new IllegalArgumentException("TimeDistributed.fromConfig: expected 'layer' as {class_name, config}, got " + c.get("layer"));
        }
        return new TimeDistributed(LayerRegistry.fromEntry((Map<String, Object>) inner), Config.string(c, "name", null));
    }
}
