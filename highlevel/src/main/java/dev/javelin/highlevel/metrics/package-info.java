/**
 * Metrics as in Keras: running values over an epoch, computed on the host outside the compiled
 * step; {@link dev.javelin.highlevel.metrics.Metrics#get(String, dev.javelin.highlevel.losses.Loss)}
 * resolves {@code "accuracy"} the way Keras does.
 *
 * <pre>{@code
 * Metric acc = Metrics.get("accuracy", loss);
 * acc.updateState(labels, predictions);
 * }</pre>
 */
package dev.javelin.highlevel.metrics;
