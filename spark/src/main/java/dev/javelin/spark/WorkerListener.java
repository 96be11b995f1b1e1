package dev.javelin.spark;

import java.io.Serializable;

/**
 * Called on every worker after each training step: for monitoring a worker, or for injecting a
 * fault in a test. It travels to the executors, so it must be serializable.
 *
 * <pre>{@code
 * SparkTrainer.builder().workerListener((rank, attempt, step) -> {
 *     if (rank == 1 && attempt == 0 && step == 3) throw new IllegalStateException("injected fault");
 * });
 * }</pre>
 */
@FunctionalInterface
public interface WorkerListener extends Serializable {
    /**
     * @param rank the worker, 0 to workers - 1
     * @param attempt 0 for the first run of the job, 1 after the first restart from a checkpoint, ...
     * @param step the global step just finished, counting from 0 over all epochs
     */
    void onStepEnd(int rank, int attempt, long step);
}
