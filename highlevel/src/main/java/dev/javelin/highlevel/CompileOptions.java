package dev.javelin.highlevel;

import dev.javelin.highlevel.losses.Loss;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.metrics.Metric;
import dev.javelin.highlevel.optimizers.Optimizer;
import dev.javelin.highlevel.optimizers.Optimizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Model#compile(CompileOptions)} takes: optimizer, loss, metrics, and whether the train
 * step runs through the JIT.
 *
 * <pre>{@code
 * model.compile(CompileOptions.builder()
 *         .optimizer(Adam.builder().learningRate(1e-3).build())
 *         .loss("sparse_categorical_crossentropy")
 *         .metrics("accuracy")
 *         .build());
 * }</pre>
 *
 * @param metrics    each a {@link Metric} or a Keras name ({@code "accuracy"} is resolved against the loss)
 * @param jitCompile run each step as one compiled program when the JIT is available
 */
public record CompileOptions(Optimizer optimizer, Loss loss, List<Object> metrics, boolean jitCompile) {
    public CompileOptions {
        Objects.requireNonNull(optimizer, "compile: optimizer");
        Objects.requireNonNull(loss, "compile: loss");
        metrics = List.copyOf(metrics);
        for (Object m : metrics) {
            if (!(m instanceof Metric) && !(m instanceof String)) {
                throw new IllegalArgumentException("compile: a metric must be a Metric or a name, got " + m);
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects the options; optimizer and loss are required. */
    public static final class Builder {
        private Optimizer optimizer;
        private Loss loss;
        private final List<Object> metrics = new ArrayList<>();
        private boolean jitCompile = true;

        public Builder optimizer(Optimizer o) { optimizer = o; return this; }
        /** By Keras name: {@code adam}, {@code sgd}, {@code rmsprop}, ... */
        public Builder optimizer(String name) { optimizer = Optimizers.get(name); return this; }
        public Builder loss(Loss l) { loss = l; return this; }
        /** By Keras name: {@code sparse_categorical_crossentropy}, {@code mse}, ... */
        public Builder loss(String name) { loss = Losses.get(name); return this; }
        public Builder metrics(Object... ms) { metrics.addAll(List.of(ms)); return this; }
        /**
         * Runs each train/test/predict step as one compiled program (the default, as in the issue);
         * {@code false} runs the steps op by op, with the same results within float tolerance.
         */
        public Builder jitCompile(boolean on) { jitCompile = on; return this; }

        public CompileOptions build() {
            return new CompileOptions(optimizer, loss, metrics, jitCompile);
        }
    }
}
