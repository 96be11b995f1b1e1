/**
 * Data: an in-memory {@link dev.javelin.highlevel.data.Dataset} (batching, seeded per-epoch
 * shuffling, map), a validating reader and writer for the IDX format, and the MNIST subset vendored
 * in this library's resources ({@link dev.javelin.highlevel.data.Mnist#load()}).
 *
 * <pre>{@code
 * Mnist mnist = Mnist.load();
 * for (Batch b : mnist.train().dataset().shuffle(42).batch(128)) { ... }
 * }</pre>
 */
package dev.javelin.highlevel.data;
