/**
 * Optimizers as in Keras 3: {@link dev.javelin.highlevel.optimizers.Optimizer} holds clipping,
 * weight decay, the learning rate (a variable or a {@link dev.javelin.highlevel.optimizers.LearningRateSchedule})
 * and the step counter once; each optimizer writes only its slots and its update rule, in tensor
 * ops on {@link dev.javelin.tensor.Variable}s, so an update traces into a compiled train step.
 *
 * <pre>{@code
 * Optimizer opt = Adam.builder().learningRate(1e-3).clipNorm(1.0).build();
 * opt.apply(variables, gradients);
 * }</pre>
 */
package dev.javelin.highlevel.optimizers;
