package dev.javelin.highlevel.callbacks;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A callback made of lambdas, as Keras's LambdaCallback; unset hooks do nothing.
 *
 * <pre>{@code
 * Callback c = LambdaCallback.builder()
 *         .onEpochEnd((epoch, logs) -> System.out.println(epoch + ": " + logs.get("loss")))
 *         .build();
 * }</pre>
 */
public final class LambdaCallback extends Callback {
    private final BiConsumer<Integer, Map<String, Double>> onEpochBegin;
    private final BiConsumer<Integer, Map<String, Double>> onEpochEnd;
    private final BiConsumer<Integer, Map<String, Double>> onBatchBegin;
    private final BiConsumer<Integer, Map<String, Double>> onBatchEnd;
    private final Consumer<Map<String, Double>> onTrainBegin;
    private final Consumer<Map<String, Double>> onTrainEnd;

    private LambdaCallback(Builder b) {
        this.onEpochBegin = b.onEpochBegin;
        this.onEpochEnd = b.onEpochEnd;
        this.onBatchBegin = b.onBatchBegin;
        this.onBatchEnd = b.onBatchEnd;
        this.onTrainBegin = b.onTrainBegin;
        this.onTrainEnd = b.onTrainEnd;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override public void onEpochBegin(int epoch, Map<String, Double> logs) { if (onEpochBegin != null) onEpochBegin.accept(epoch, logs); }
    @Override public void onEpochEnd(int epoch, Map<String, Double> logs) { if (onEpochEnd != null) onEpochEnd.accept(epoch, logs); }
    @Override public void onTrainBatchBegin(int batch, Map<String, Double> logs) { if (onBatchBegin != null) onBatchBegin.accept(batch, logs); }
    @Override public void onTrainBatchEnd(int batch, Map<String, Double> logs) { if (onBatchEnd != null) onBatchEnd.accept(batch, logs); }
    @Override public void onTrainBegin(Map<String, Double> logs) { if (onTrainBegin != null) onTrainBegin.accept(logs); }
    @Override public void onTrainEnd(Map<String, Double> logs) { if (onTrainEnd != null) onTrainEnd.accept(logs); }

    /** Collects the hooks. */
    public static final class Builder {
        private BiConsumer<Integer, Map<String, Double>> onEpochBegin;
        private BiConsumer<Integer, Map<String, Double>> onEpochEnd;
        private BiConsumer<Integer, Map<String, Double>> onBatchBegin;
        private BiConsumer<Integer, Map<String, Double>> onBatchEnd;
        private Consumer<Map<String, Double>> onTrainBegin;
        private Consumer<Map<String, Double>> onTrainEnd;

        public Builder onEpochBegin(BiConsumer<Integer, Map<String, Double>> f) { onEpochBegin = f; return this; }
        public Builder onEpochEnd(BiConsumer<Integer, Map<String, Double>> f) { onEpochEnd = f; return this; }
        public Builder onBatchBegin(BiConsumer<Integer, Map<String, Double>> f) { onBatchBegin = f; return this; }
        public Builder onBatchEnd(BiConsumer<Integer, Map<String, Double>> f) { onBatchEnd = f; return this; }
        public Builder onTrainBegin(Consumer<Map<String, Double>> f) { onTrainBegin = f; return this; }
        public Builder onTrainEnd(Consumer<Map<String, Double>> f) { onTrainEnd = f; return this; }

        public LambdaCallback build() {
            return new LambdaCallback(this);
        }
    }
}
