package dev.javelin.highlevel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the progress bar, the callbacks and {@code History} see during one epoch or evaluation: the
 * running mean of the loss (weighted by batch size), each output's loss and the metrics' current
 * results. Starting one resets the compiled loss and metrics.
 *
 * <pre>{@code
 * RunningLogs running = new RunningLogs(loss, metrics);
 * running.add(step(batch).item(), batch.size());
 * Map<String, Double> logs = running.logs();   // {loss=..., accuracy=...}
 * }</pre>
 */
final class RunningLogs {
    private final CompileLoss loss;
    private final CompileMetrics metrics;
    private double lossSum;
    private long count;

    RunningLogs(CompileLoss loss, CompileMetrics metrics) {
        this.loss = loss;
        this.metrics = metrics;
        loss.reset();
        metrics.reset();
    }

    void add(double batchLoss, int rows) {
        lossSum += batchLoss * rows;
        count += rows;
    }

    Map<String, Double> logs() {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", count == 0 ? Double.NaN : lossSum / count);
        loss.addLogs(logs);
        metrics.addLogs(logs);
        return logs;
    }
}
