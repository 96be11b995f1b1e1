package dev.javelin.highlevel.layers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The padding masks that travel with tensors, as Keras's {@code _keras_mask}: a bool tensor
 * {@code [batch, time]} (true = a real step) attached to a layer's output. {@link Layer#apply}
 * reads the mask of a layer's first input, hands it to {@link Layer#call(Tensor, boolean, Tensor)},
 * and attaches {@link Layer#computeMask} to the output of a layer that {@link Layer#supportsMasking()}.
 * Producers are {@code Embedding(maskZero=true)} and {@link Masking}; recurrent layers, 1D global
 * pooling, attention and the built-in losses honour it.
 *
 * <pre>{@code
 * Tensor h = new Embedding(1000, 16, true).apply(ids);   // ids [N, T], 0 = padding
 * Tensor m = Masks.of(h);                                // bool [N, T]: ids != 0
 * }</pre>
 */
public final class Masks {
    /**
     * Keyed weakly by tensor identity (tensors compare by identity), so a mask lives exactly as
     * long as the tensor it describes; it works the same for eager, traced and symbolic tensors.
     */
    private static final Map<Tensor, Tensor> MASKS = Collections.synchronizedMap(new WeakHashMap<>());

    private Masks() {}

    /** The mask attached to {@code t}, or null when it has none. */
    public static Tensor of(Tensor t) {
        return t == null ? null : MASKS.get(t);
    }

    /** Attaches {@code mask} to {@code t} (null removes any); returns {@code t}. */
    public static Tensor attach(Tensor t, Tensor mask) {
        if (mask == null) MASKS.remove(t);
        else MASKS.put(t, mask);
        return t;
    }

    /** The mask a layer of several inputs attaches to its output: its {@link MaskMerging} rule, else none. */
    static Tensor merged(Layer layer, List<Tensor> inputs) {
        return layer instanceof MaskMerging m ? m.computeMask(inputs, inputs.stream().map(Masks::of).toList()) : null;
    }

    /** A step is real where every input that has a mask says so (Keras's merge layers); null when none has one. */
    static Tensor allOf(List<Tensor> masks) {
        Tensor all = null;
        for (Tensor m : masks) if (m != null) all = all == null ? m : MathOps.logicalAnd(all, m);
        return all;
    }

    /**
     * Checks that {@code mask} is a [batch, time] mask for a {@code [batch, time, ...]} input and
     * returns it as bool; the error names the layer, both shapes and what was expected.
     */
    public static Tensor check(String layer, Tensor inputs, Tensor mask) {
        if (mask == null) return null;
        boolean ok = inputs.rank() >= 2 && mask.rank() == 2 && mask.dim(0) == inputs.dim(0) && mask.dim(1) == inputs.dim(1);
        if (!ok) {
            throw new IllegalArgumentException(layer + ": mask " + mask.dtype() + mask.shape() + " does not match inputs "
                    + inputs.dtype() + inputs.shape() + " (expected a mask of shape [batch, time] = ["
                    + (inputs.rank() >= 1 ? inputs.dim(0) : "?") + ", " + (inputs.rank() >= 2 ? inputs.dim(1) : "?") + "])");
        }
        return mask.dtype() == DType.BOOL ? mask : mask.ne(Ops.scalarLike(mask, 0));
    }
}
