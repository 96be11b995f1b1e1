package dev.javelin.highlevel;

import dev.javelin.highlevel.losses.Loss;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.metrics.Metric;
import dev.javelin.highlevel.optimizers.Optimizer;
import dev.javelin.highlevel.optimizers.Optimizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Model#compile(CompileOptions)} takes: optimizer, loss (one for every output, or one
 * per output), loss weights, metrics, whether the steps run through the JIT, and the NaN check.
 *
 * <pre>{@code
 * model.compile(CompileOptions.builder()
 *         .optimizer(Adam.builder().learningRate(1e-3).build())
 *         .loss("sparse_categorical_crossentropy")
 *         .metrics("accuracy")
 *         .build());
 * twoHeads.compile(CompileOptions.builder().optimizer("adam")
 *         .losses(Map.of("digit", "sparse_categorical_crossentropy", "size", "mse"))
 *         .lossWeights(Map.of("digit", 1.0, "size", 0.5))
 *         .outputMetrics(Map.of("digit", List.of("accuracy")))
 *         .build());
 * }</pre>
 *
 * @param loss          the loss of every output; null when {@code outputLosses} is given
 * @param outputLosses  one loss per output (by position or output name); empty when {@code loss} is given
 * @param lossWeights   a factor per output on its loss in the total (default 1)
 * @param metrics       each a {@link Metric} or a Keras name ({@code "accuracy"} is resolved against the loss),
 *                      applied to every output; as in Keras, they ignore sample and class weights (a padding
 *                      mask still counts)
 * @param outputMetrics metrics of particular outputs (by position or output name), each list as {@code metrics}
 * @param weightedMetrics metrics of every output that weigh each example by its sample (and class) weight,
 *                      Keras's {@code weighted_metrics}; logged as {@code weighted_<name>} where a plain metric
 *                      has that name
 * @param jitCompile    run each step as one compiled program when the JIT is available
 * @param nanCheck      check every step for NaN or infinity and name the first op that produced one
 */
public record CompileOptions(Optimizer optimizer, Loss loss, PerOutput<Loss> outputLosses, PerOutput<Double> lossWeights,
                             List<Object> metrics, PerOutput<List<Object>> outputMetrics, List<Object> weightedMetrics,
                             boolean jitCompile, boolean nanCheck) {
    public CompileOptions {
        Objects.requireNonNull(optimizer, "compile: optimizer");
        Objects.requireNonNull(outputLosses, "compile: outputLosses");
        Objects.requireNonNull(lossWeights, "compile: lossWeights");
        Objects.requireNonNull(outputMetrics, "compile: outputMetrics");
        if ((loss == null) == outputLosses.isEmpty()) {
            throw new IllegalArgumentException("compile: give one loss for every output or one per output, "
                    + (loss == null ? "got neither" : "not both"));
        }
        metrics = List.copyOf(metrics);
        for (Object m : metrics) requireMetric(m);
        for (List<Object> ms : entries(outputMetrics)) for (Object m : ms) requireMetric(m);
        weightedMetrics = List.copyOf(weightedMetrics);
        for (Object m : weightedMetrics) requireMetric(m);
    }

    /** One loss for every output, no weights or per-output metrics, no NaN check. */
    public CompileOptions(Optimizer optimizer, Loss loss, List<Object> metrics, boolean jitCompile) {
        this(optimizer, Objects.requireNonNull(loss, "compile: loss"), PerOutput.none(), PerOutput.none(), metrics, PerOutput.none(),
                List.of(), jitCompile, false);
    }

    private static void requireMetric(Object m) {
        if (!(m instanceof Metric) && !(m instanceof String)) {
            throw new IllegalArgumentException("compile: a metric must be a Metric or a name, got " + m);
        }
    }

    private static <T> List<T> entries(PerOutput<T> p) {
        if (p.byPosition() != null) return p.byPosition();
        if (p.byName() != null) return new ArrayList<>(p.byName().values());
        return List.of();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects the options; the optimizer and a loss are required. */
    public static final class Builder {
        private Optimizer optimizer;
        private Loss loss;
        private PerOutput<Loss> outputLosses = PerOutput.none();
        private PerOutput<Double> lossWeights = PerOutput.none();
        private final List<Object> metrics = new ArrayList<>();
        private PerOutput<List<Object>> outputMetrics = PerOutput.none();
        private final List<Object> weightedMetrics = new ArrayList<>();
        private boolean jitCompile = true;
        private boolean nanCheck;

        public Builder optimizer(Optimizer o) { optimizer = o; return this; }
        /** By Keras name: {@code adam}, {@code sgd}, {@code rmsprop}, ... */
        public Builder optimizer(String name) { optimizer = Optimizers.get(name); return this; }
        /** The loss of every output. */
        public Builder loss(Loss l) { loss = l; return this; }
        /** By Keras name: {@code sparse_categorical_crossentropy}, {@code mse}, ... */
        public Builder loss(String name) { loss = Losses.get(name); return this; }
        /** One loss per output, in order: each a {@link Loss} or a Keras name. */
        public Builder losses(List<?> perOutput) {
            List<Loss> ls = new ArrayList<>();
            for (Object o : perOutput) ls.add(lossOf(o));
            outputLosses = PerOutput.byPosition(ls);
            return this;
        }
        /** Losses by output name: each a {@link Loss} or a Keras name. */
        public Builder losses(Map<String, ?> byOutput) {
            Map<String, Loss> ls = new LinkedHashMap<>();
            byOutput.forEach((k, v) -> ls.put(k, lossOf(v)));
            outputLosses = PerOutput.byName(ls);
            return this;
        }
        /** A factor per output on its loss in the total, in order (Keras's {@code loss_weights}). */
        public Builder lossWeights(double... perOutput) {
            List<Double> ws = new ArrayList<>();
            for (double w : perOutput) ws.add(w);
            lossWeights = PerOutput.byPosition(ws);
            return this;
        }
        /** Loss weights by output name; outputs left out weigh 1. */
        public Builder lossWeights(Map<String, Double> byOutput) { lossWeights = PerOutput.byName(byOutput); return this; }
        /** Metrics of every output: {@link Metric}s or Keras names; null means none (Keras's {@code metrics=None}). */
        public Builder metrics(Object... ms) {
            addMetrics(metrics, ms);
            return this;
        }
        /**
         * Metrics of every output that weigh each example by its sample weight (and class weight), as
         * Keras's {@code weighted_metrics}; those given to {@link #metrics} ignore the weights, as in Keras.
         */
        public Builder weightedMetrics(Object... ms) {
            addMetrics(weightedMetrics, ms);
            return this;
        }
        private static void addMetrics(List<Object> into, Object... ms) {
            if (ms == null) return;
            for (Object m : ms) {
                if (m == null) throw new IllegalArgumentException("compile: a metric is null in " + Arrays.toString(ms)
                        + "; expected Metric objects or Keras names such as \"accuracy\"");
                into.add(m);
            }
        }
        /** Metrics by output name (Keras's {@code metrics={"digit": ["accuracy"]}}). */
        public Builder outputMetrics(Map<String, List<Object>> byOutput) { outputMetrics = PerOutput.byName(byOutput); return this; }
        /** Metrics per output, in order. */
        public Builder outputMetrics(List<List<Object>> perOutput) { outputMetrics = PerOutput.byPosition(perOutput); return this; }
        /**
         * Runs each train/test/predict step as one compiled program (the default, as in the issue);
         * {@code false} runs the steps op by op, with the same results within float tolerance.
         */
        public Builder jitCompile(boolean on) { jitCompile = on; return this; }
        /**
         * Checks every step for NaN and infinity; the first one found stops training with an
         * {@link ArithmeticException} naming the op that produced it (compiled steps as
         * {@link dev.javelin.jit.JitOptions#nanCheck()}, op by op steps as they run). Slows training.
         */
        public Builder nanCheck(boolean on) { nanCheck = on; return this; }

        public CompileOptions build() {
            return new CompileOptions(optimizer, loss, outputLosses, lossWeights, metrics, outputMetrics, weightedMetrics, jitCompile, nanCheck);
        }

        private static Loss lossOf(Object o) {
            if (o instanceof Loss l) return l;
            if (o instanceof String s) return Losses.get(s);
            throw new IllegalArgumentException("compile: a loss must be a Loss or a name, got " + o);
        }
    }
}
