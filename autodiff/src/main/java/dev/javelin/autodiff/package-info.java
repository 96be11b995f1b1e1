/**
 * Reverse-mode automatic differentiation.
 *
 * <ul>
 *   <li>{@link dev.javelin.autodiff.GradientTape}: TensorFlow's tape. It observes every op at the
 *       dispatch seam, keeps the ones that depend on watched tensors, and runs their rules backward.</li>
 *   <li>{@code Rules}: one vector-Jacobian rule per primitive {@link dev.javelin.tensor.Op}, in one
 *       file that reads as a table. Composite ops (softmax, layer norm, convolution, pooling, losses)
 *       have no rules of their own: they are made of primitives.</li>
 *   <li>{@link dev.javelin.autodiff.Autodiff}: JAX's {@code value_and_grad} and {@code grad},
 *       {@code stopGradient} and a no-grad scope.</li>
 *   <li>{@link dev.javelin.autodiff.CustomGradient}: a function with a backward rule of your own.</li>
 *   <li>{@link dev.javelin.autodiff.GradCheck}: finite differences in float64 against the tape.</li>
 * </ul>
 *
 * <pre>{@code
 * Tensor x = Tensors.of(new double[] {0.5, -1.0});
 * try (GradientTape tape = GradientTape.record()) {
 *     tape.watch(x);
 *     Tensor y = x.tanh().mul(x).sum();
 *     Tensor dx = tape.gradient(y, x)[0];   // tanh(x) + x (1 - tanh(x)^2)
 * }
 * }</pre>
 *
 * <p>Rules are ordinary tensor ops, so a backward pass is recorded by an enclosing tape (gradients
 * of gradients) and traced by the JIT like any other code.
 */
package dev.javelin.autodiff;
