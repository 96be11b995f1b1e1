/**
 * Losses as in Keras: each returns the mean over the batch of a per-example error, built from
 * differentiable tensor ops ({@link dev.javelin.tensor.NN}, {@link dev.javelin.tensor.MathOps});
 * {@link dev.javelin.highlevel.losses.Losses#get} finds them by their Keras names.
 *
 * <pre>{@code
 * Tensor loss = new SparseCategoricalCrossentropy(true).call(labels, logits);
 * }</pre>
 */
package dev.javelin.highlevel.losses;
