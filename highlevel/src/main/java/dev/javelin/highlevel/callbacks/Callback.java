package dev.javelin.highlevel.callbacks;

import dev.javelin.highlevel.Model;
import java.util.Map;

/**
 * Hooks into {@code fit}, {@code evaluate} and {@code predict}, as Keras's callbacks: override the
 * methods you need; {@code logs} holds the running loss and metrics ({@code loss},
 * {@code accuracy}, {@code val_loss}, ...). Epochs and batches count from 0.
 *
 * <pre>{@code
 * model.fit(x, y, FitOptions.builder().epochs(5).callbacks(new Callback() {
 *     public void onEpochEnd(int epoch, Map<String, Double> logs) { System.out.println(logs); }
 * }).build());
 * }</pre>
 */
public abstract class Callback implements AutoCloseable {
    private Model model;
    private Map<String, Object> params = Map.of();

    /** Called by the trainer before training starts. */
    public void setModel(Model model) {
        this.model = model;
    }

    public Model model() {
        return model;
    }

    /** {@code epochs}, {@code steps} and {@code verbose} of the current run. */
    public void setParams(Map<String, Object> params) {
        this.params = Map.copyOf(params);
    }

    public Map<String, Object> params() {
        return params;
    }

    public void onTrainBegin(Map<String, Double> logs) {}

    public void onTrainEnd(Map<String, Double> logs) {}

    public void onEpochBegin(int epoch, Map<String, Double> logs) {}

    /** {@code logs} holds the epoch's training metrics and, with validation data, the {@code val_} ones. */
    public void onEpochEnd(int epoch, Map<String, Double> logs) {}

    public void onTrainBatchBegin(int batch, Map<String, Double> logs) {}

    /** {@code logs} holds the running means of the epoch so far. */
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {}

    public void onTestBegin(Map<String, Double> logs) {}

    public void onTestEnd(Map<String, Double> logs) {}

    public void onTestBatchBegin(int batch, Map<String, Double> logs) {}

    public void onTestBatchEnd(int batch, Map<String, Double> logs) {}

    public void onPredictBegin(Map<String, Double> logs) {}

    public void onPredictEnd(Map<String, Double> logs) {}

    public void onPredictBatchBegin(int batch, Map<String, Double> logs) {}

    public void onPredictBatchEnd(int batch, Map<String, Double> logs) {}

    /**
     * Releases what the callback holds (an open file): {@code fit} calls it on every callback when
     * it ends, normally, interrupted or by an exception, after {@code onTrainEnd} when that ran.
     * Must be safe to call more than once. Default: nothing.
     */
    @Override
    public void close() {}
}
