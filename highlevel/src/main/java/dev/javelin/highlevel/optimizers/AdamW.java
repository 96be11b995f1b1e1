package dev.javelin.highlevel.optimizers;

import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): {@link Adam} with decoupled weight decay, as Keras 3 does it:
 * before each Adam step, {@code w -= w * weightDecay * lr}. Default weight decay 0.004, as in Keras;
 * {@link Builder#excludeFromWeightDecay} spares e.g. biases.
 *
 * <pre>{@code
 * Optimizer opt = AdamW.builder().learningRate(1e-3).weightDecay(0.01).excludeFromWeightDecay("bias").build();
 * }</pre>
 */
public final class AdamW extends Adam {
    /** AdamW with Keras's defaults (lr 0.001, weight decay 0.004). */
    public AdamW() {
        this(builder());
    }

    /** AdamW with this learning rate and weight decay. */
    public AdamW(double learningRate, double weightDecay) {
        this(builder().learningRate(learningRate).weightDecay(weightDecay));
    }

    private AdamW(Builder b) {
        super(b);
    }

    /** A builder with Keras's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** AdamW's settings: Adam's, with weight decay on by default. */
    public static final class Builder extends Adam.Builder<Builder> {
        Builder() {
            weightDecay(0.004);
        }

        Builder config(Map<String, Object> c) {
            return adamConfig(c);
        }

        @Override
        public AdamW build() {
            return new AdamW(this);
        }
    }
}
