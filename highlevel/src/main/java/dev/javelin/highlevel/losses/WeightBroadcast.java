package dev.javelin.highlevel.losses;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import java.util.Arrays;

/**
 * Sample weights spread over per-element values (a loss's per-example or per-step values, a metric's),
 * as Keras lines them up ({@code squeeze_or_expand_to_same_rank}, then broadcasting): one weight per
 * example ({@code [batch]} or {@code [batch, 1]}), or one per element of the leading axes, such as
 * {@code [batch, steps]} for a sequence output's per-step values (Keras's temporal sample weights).
 * Defined once for the losses and the metrics.
 *
 * <pre>{@code
 * Tensor w = WeightBroadcast.toShape("mse", sampleWeight, perStepLosses, perStepLosses.dtype());
 * }</pre>
 */
public final class WeightBroadcast {
    private WeightBroadcast() {}

    /**
     * {@code weights} as {@code dtype} in the shape of {@code values}: its first axis is the batch, each later
     * axis equals the values' axis or is 1, and it has at most the values' rank (a trailing axis of 1 beyond
     * it is dropped); anything else is an error naming {@code owner} and both shapes.
     */
    public static Tensor toShape(String owner, Tensor weights, Tensor values, DType dtype) {
        if (values.rank() == 0) {
            if (weights.size() != 1) throw mismatch(owner, weights, values);
            return weights.reshape().cast(dtype);
        }
        int[] w = weights.shape().toArray();
        if (w.length == values.rank() + 1 && w[w.length - 1] == 1) w = Arrays.copyOf(w, w.length - 1);
        if (w.length == 0 || w.length > values.rank() || w[0] != values.dim(0)) throw mismatch(owner, weights, values);
        for (int i = 1; i < w.length; i++) if (w[i] != values.dim(i) && w[i] != 1) throw mismatch(owner, weights, values);
        int[] dims = Arrays.copyOf(w, values.rank());
        Arrays.fill(dims, w.length, dims.length, 1);
        return weights.cast(dtype).reshape(dims).broadcastTo(values.shape());
    }

    private static IllegalArgumentException mismatch(String owner, Tensor weights, Tensor values) {
        int batch = values.rank() == 0 ? 1 : values.dim(0);
        return new IllegalArgumentException(owner + ": sample weights " + weights.shape() + " do not fit the values " + values.shape()
                + " (expected one weight per example, [" + batch + "], or per element of the leading axes, e.g. "
                + values.shape() + ")");
    }
}
