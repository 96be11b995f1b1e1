package dev.javelin.highlevel.callbacks;

import java.util.Map;

/**
 * Stops training when a monitored quantity has stopped improving for {@code patience} epochs, as
 * Keras 3's EarlyStopping: an epoch that improves never stops training, so patience 0 stops at the
 * first epoch without improvement; with {@code restoreBestWeights} the model ends with the weights of
 * its best epoch, whether training stopped early or ran to the end.
 *
 * <pre>{@code
 * new EarlyStopping("val_loss", 3, true)
 * }</pre>
 */
public final class EarlyStopping extends Callback {
    private final Monitor monitor;
    private final int patience;
    private final boolean restoreBestWeights;
    private final Double baseline;
    private int wait;
    private int stoppedEpoch = -1;
    private int bestEpoch = -1;
    private WeightSnapshot bestWeights;

    public EarlyStopping(String monitor, int patience, boolean restoreBestWeights) {
        this(monitor, 0, patience, "auto", null, restoreBestWeights);
    }

    /** @param baseline null for none; otherwise an improvement resets the patience count only when it also beats the baseline */
    public EarlyStopping(String monitor, double minDelta, int patience, String mode, Double baseline, boolean restoreBestWeights) {
        if (patience < 0) throw new IllegalArgumentException("EarlyStopping: patience must be >= 0, got " + patience);
        this.monitor = new Monitor("EarlyStopping", monitor, mode, minDelta);
        this.patience = patience;
        this.baseline = baseline;
        this.restoreBestWeights = restoreBestWeights;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        wait = 0;
        stoppedEpoch = -1;
        bestEpoch = -1;
        bestWeights = null;
        monitor.reset();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double v = monitor.value(logs);
        if (v == null) {
            System.err.println("EarlyStopping: '" + monitor.key + "' is not in the logs " + logs.keySet() + "; nothing to monitor");
            return;
        }
        // Keras 3's rule: the first monitored epoch's weights are the best until one improves on them
        if (restoreBestWeights && bestWeights == null) {
            bestWeights = new WeightSnapshot(model().weights());
            bestEpoch = epoch;
        }
        wait++;
        if (monitor.update(v)) {
            bestEpoch = epoch;
            if (restoreBestWeights) bestWeights = new WeightSnapshot(model().weights());
            // an improvement never stops training (so patience 0 stops at the first epoch without one); with a
            // baseline, one that does not beat it keeps counting toward patience, which the next epoch without
            // an improvement may then reach (Keras 3; tf.keras 2 could stop on the improving epoch itself)
            if (baseline == null || beatsBaseline(v)) wait = 0;
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model().setStopTraining(true);
            if (restoreBestWeights) bestWeights.restore();
        }
    }

    private boolean beatsBaseline(double v) {
        return monitor.improvesOn(v, baseline);
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (stoppedEpoch >= 0 && params().getOrDefault("verbose", 1) instanceof Integer vb && vb > 0) {
            System.out.printf("Epoch %d: early stopping (best %s = %.4f at epoch %d)%n", stoppedEpoch + 1, monitor.key, monitor.best(),
                    bestEpoch + 1);
        }
        // as Keras 3: the best epoch's weights come back whether training stopped early or ran to the end
        if (restoreBestWeights && bestWeights != null) bestWeights.restore();
    }

    /** The epoch training stopped at (from 0), or -1 when it ran to the end. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The epoch with the best monitored value (from 0), or -1 before any. */
    public int bestEpoch() {
        return bestEpoch;
    }
}
