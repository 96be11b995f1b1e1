package dev.javelin.highlevel;

import dev.javelin.highlevel.callbacks.History;

/**
 * Thrown by {@link Model#fit} when its thread is interrupted ({@code Thread.interrupt()},
 * {@code Future.cancel(true)}): training stops after the batch that was running, callbacks get
 * {@code onTrainEnd} and are closed, and this exception wraps an {@link InterruptedException}.
 * The thread's interrupt flag is left set. {@link #history()} holds the epochs that completed; an
 * epoch cut short (batches or its validation left) is not in it (its batches did update the weights).
 *
 * <pre>{@code
 * Future<History> run = executor.submit(() -> model.fit(x, y, 128, 50));
 * run.cancel(true);   // fit stops after the current batch
 * }</pre>
 */
public final class TrainingInterruptedException extends RuntimeException {
    private final transient History history;
    private final int epoch;
    private final int batchesDone;

    TrainingInterruptedException(History history, int epoch, int batchesDone, int stepsPerEpoch) {
        super("fit: interrupted in epoch " + epoch + " after " + batchesDone + " of " + stepsPerEpoch + " batches; "
                + history.epoch().size() + " whole epochs recorded", new InterruptedException("fit interrupted"));
        this.history = history;
        this.epoch = epoch;
        this.batchesDone = batchesDone;
    }

    /** The epochs that completed before the interrupt. */
    public History history() {
        return history;
    }

    /** The epoch that was running when training stopped (it is recorded only if its last batch had run). */
    public int epoch() {
        return epoch;
    }

    /** Batches of {@link #epoch()} that ran, the interrupted one included. */
    public int batchesDone() {
        return batchesDone;
    }
}
