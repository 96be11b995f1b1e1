package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.List;

/**
 * The elementwise merge layers (Multiply, Subtract, Average, Maximum, Minimum): a list of inputs
 * combined pairwise, left to right. Shapes broadcast, as in Keras 3.
 */
abstract class Merge extends Layer implements MaskMerging {
    private final int minInputs;
    private final int maxInputs;

    Merge(String name, int minInputs, int maxInputs) {
        super(name);
        this.minInputs = minInputs;
        this.maxInputs = maxInputs;
    }

    /** Combines the running result with the next input. */
    abstract Tensor combine(Tensor acc, Tensor next);

    /** The last step after combining all {@code n} inputs (Average divides). */
    Tensor finish(Tensor acc, int n) {
        return acc;
    }

    @Override
    public final Tensor call(List<Tensor> inputs, boolean training) {
        String type = getClass().getSimpleName();
        if (inputs.size() < minInputs || inputs.size() > maxInputs) {
            throw new IllegalArgumentException(name() + " (" + type + "): expected " + (minInputs == maxInputs ? "exactly " + minInputs
                    : "at least " + minInputs) + " inputs, got " + inputs.size());
        }
        Tensor acc = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            Tensor next = inputs.get(i);
            Shape.broadcast(name() + " (" + type + ")", acc.shape(), next.shape()); // names the layer when shapes do not fit
            acc = combine(acc, next);
        }
        return finish(acc, inputs.size());
    }

    /** As Keras's merge layers: a step is real where every input that has a mask says so. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor computeMask(List<Tensor> inputs, List<Tensor> masks) {
        return Masks.allOf(masks);
    }

    @Override
    public final Tensor call(Tensor inputs, boolean training) {
        throw new IllegalArgumentException(name() + " (" + getClass().getSimpleName() + "): expected a list of at least " + minInputs
                + " inputs, got one " + inputs.shape());
    }
}
