package dev.javelin.highlevel.callbacks;

import java.util.Map;

/**
 * Stops training after the batch whose loss is NaN or infinite, as Keras's {@code TerminateOnNaN}:
 * the weights are already ruined, so further batches are wasted. The partial epoch ends as usual
 * (its logs, with the bad loss, reach the other callbacks and the History) and {@code fit} returns.
 *
 * <pre>{@code
 * model.fit(x, y, FitOptions.builder().epochs(50).callbacks(new TerminateOnNaN()).build());
 * }</pre>
 */
public final class TerminateOnNaN extends Callback {
    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        Double loss = logs.get("loss");
        if (loss != null && !Double.isFinite(loss)) {
            System.out.println("Batch " + batch + ": invalid loss " + loss + ", terminating training");
            model().stopTrainingAfterBatch();
        }
    }
}
