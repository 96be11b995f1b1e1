package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.List;

/**
 * A layer of several inputs whose output carries a padding mask made from its inputs' masks (Keras's
 * {@code compute_mask} given a list): {@link Add} and the other merge layers keep a step where every
 * masked input does, {@link Concatenate} joins or combines the masks along its axis. {@link Layer#apply}
 * attaches the result when the layer {@link Layer#supportsMasking()}.
 *
 * <pre>{@code
 * Tensor e = new Embedding(vocab, 64, true).apply(ids);                // mask: ids != 0
 * Tensor x = new Add().apply(e, new PositionEmbedding(128).apply(e));  // keeps e's mask
 * }</pre>
 */
public interface MaskMerging {
    /** The output's mask from the inputs and their masks ({@code null} where an input has none); null for none. */
    Tensor computeMask(List<Tensor> inputs, List<Tensor> masks);
}
