package dev.javelin.highlevel;

import dev.javelin.highlevel.callbacks.Callback;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The callbacks of one {@code fit} or {@code evaluate} run, called together (Keras's
 * {@code CallbackList}): each event goes to every callback in order, each begin event with its own
 * empty logs, and {@link #closeAll} releases them all however the run ended.
 *
 * <pre>{@code
 * CallbackList callbacks = new CallbackList(List.of(progbar, history), model, Map.of("epochs", 5, "steps", 100, "verbose", 1));
 * callbacks.onEpochBegin(0);
 * }</pre>
 */
final class CallbackList {
    private final List<Callback> callbacks;

    /** Gives each callback the model and the run's {@code params} ({@code epochs}, {@code steps}, {@code verbose}). */
    CallbackList(List<Callback> callbacks, Model model, Map<String, Object> params) {
        this.callbacks = List.copyOf(callbacks);
        for (Callback c : this.callbacks) {
            c.setModel(model);
            c.setParams(params);
        }
    }

    void onTrainBegin(Map<String, Double> logs) {
        for (Callback c : callbacks) c.onTrainBegin(logs);
    }

    void onTrainEnd(Map<String, Double> logs) {
        for (Callback c : callbacks) c.onTrainEnd(logs);
    }

    void onEpochBegin(int epoch) {
        for (Callback c : callbacks) c.onEpochBegin(epoch, new LinkedHashMap<>());
    }

    void onEpochEnd(int epoch, Map<String, Double> logs) {
        for (Callback c : callbacks) c.onEpochEnd(epoch, logs);
    }

    void onTrainBatchBegin(int step) {
        for (Callback c : callbacks) c.onTrainBatchBegin(step, new LinkedHashMap<>());
    }

    void onTrainBatchEnd(int step, Map<String, Double> logs) {
        for (Callback c : callbacks) c.onTrainBatchEnd(step, logs);
    }

    void onTestBegin() {
        for (Callback c : callbacks) c.onTestBegin(new LinkedHashMap<>());
    }

    void onTestEnd(Map<String, Double> logs) {
        for (Callback c : callbacks) c.onTestEnd(logs);
    }

    void onTestBatchBegin(int step) {
        for (Callback c : callbacks) c.onTestBatchBegin(step, new LinkedHashMap<>());
    }

    void onTestBatchEnd(int step, Map<String, Double> logs) {
        for (Callback c : callbacks) c.onTestBatchEnd(step, logs);
    }

    /**
     * Releases every callback's resources (CSVLogger's file), also when the run failed: then a
     * failure to close is added to {@code failure} as suppressed; otherwise the first one is thrown.
     */
    void closeAll(Throwable failure) {
        RuntimeException first = null;
        for (Callback c : callbacks) {
            try {
                c.close();
            } catch (RuntimeException e) {
                if (failure != null) failure.addSuppressed(e);
                else if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
