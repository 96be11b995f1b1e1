package dev.javelin.autodiff;

import dev.javelin.tensor.Tensor;

/**
 * What {@link Autodiff#valueAndGrad} returns: the function's value and its gradients with respect
 * to the differentiated arguments, in order.
 *
 * <pre>{@code
 * ValueAndGrad vg = Autodiff.valueAndGrad(xs -> xs[0].mul(xs[0]).sum()).apply(new Tensor[] {x});
 * Tensor dx = vg.grad(0); // 2 * x
 * }</pre>
 */
public record ValueAndGrad(Tensor value, Tensor[] grads) {
    public ValueAndGrad {
        grads = grads.clone();
    }

    /** The gradient with respect to the {@code i}-th differentiated argument. */
    public Tensor grad(int i) {
        return grads[i];
    }

    @Override
    public Tensor[] grads() {
        return grads.clone();
    }
}
