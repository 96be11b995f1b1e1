package dev.javelin.autodiff;

import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.List;

/** One recorded step of the forward computation: the tensors it read and how to send a gradient back to them. */
interface Node {
    List<Tensor> inputs();

    /** The gradients of {@link #inputs()} given the gradient {@code g} of the result (null entries: none). */
    Tensor[] backward(Tensor g, boolean[] needs);

    /** A short name for error messages. */
    String label();

    /** A primitive op seen at the dispatch seam; its rule is in {@link Rules}. */
    record OpNode(OpCall call, Tensor result) implements Node {
        @Override public List<Tensor> inputs() { return call.inputs(); }
        @Override public Tensor[] backward(Tensor g, boolean[] needs) { return Rules.vjp(call, result, g, needs); }
        @Override public String label() { return call.toString(); }
    }

    /** A function wrapped with a user's backward rule ({@link CustomGradient}). */
    record CustomNode(List<Tensor> inputs, Tensor result, CustomGradient.Backward rule) implements Node {
        @Override public Tensor[] backward(Tensor g, boolean[] needs) {
            return rule.apply(g, inputs.toArray(Tensor[]::new), result);
        }
        @Override public String label() { return "custom gradient with " + inputs.size() + " inputs"; }
    }
}
