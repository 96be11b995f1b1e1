package dev.javelin.highlevel.layers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras 3's autocast at a layer's call: floating inputs take the layer's compute dtype, so a float32
 * layer fed float64 data (a Java {@code double[][]}) computes in float32 and returns float32, and a
 * layer whose weights were made float64 (a gradient check) computes in float64 whatever it is fed.
 * Javelin declares no dtype per layer: the compute dtype is the one its own floating weights share.
 * A layer without weights of its own (activations, pooling, a container whose sublayers cast for
 * themselves) or with weights of several floating dtypes leaves its inputs as they are. Integer and
 * bool inputs (ids, masks) are never cast.
 *
 * <pre>{@code
 * Dense d = new Dense(4);                                    // float32 weights
 * d.apply(Tensors.of(new double[][] {{1, 2}})).dtype();      // FLOAT32, as Keras
 * }</pre>
 */
final class Autocast {
    private Autocast() {}

    /** {@code inputs} with each floating one cast to the dtype {@code ownWeights} share (same list when nothing changes). */
    static List<Tensor> toComputeDtype(List<Variable> ownWeights, List<Tensor> inputs) {
        DType compute = computeDtype(ownWeights);
        if (compute == null) return inputs;
        List<Tensor> out = null;
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            if (t == null || !t.dtype().isFloating() || t.dtype() == compute) continue;
            if (out == null) out = new ArrayList<>(inputs);
            Tensor mask = Masks.of(t);
            Tensor cast = t.cast(compute);
            out.set(i, mask == null ? cast : Masks.attach(cast, mask)); // the padding mask travels with the value
        }
        return out == null ? inputs : out;
    }

    /** The floating dtype every floating weight has, or null (none, or several). */
    private static DType computeDtype(List<Variable> ownWeights) {
        DType compute = null;
        for (Variable v : ownWeights) {
            DType d = v.dtype();
            if (!d.isFloating()) continue;
            if (compute != null && compute != d) return null;
            compute = d;
        }
        return compute;
    }
}
