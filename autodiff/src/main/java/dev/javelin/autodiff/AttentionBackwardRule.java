package dev.javelin.autodiff;

import dev.javelin.tensor.AttentionLayout;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The gradient of {@link Op#ATTENTION_BACKWARD}, so that second-order gradients (a gradient penalty,
 * a Hessian-vector product) go through the fused attention. The backward's math is written once more
 * with ordinary tensor ops, as the reference computes it (the weights recomputed from q and k, the
 * output and its logsumexp's gradient read from the operands), and a nested tape differentiates that.
 * The Tq×Tk weights are materialized, but only when a gradient of a gradient is asked for.
 *
 * <pre>{@code
 * try (GradientTape outer = GradientTape.record()) { ... inner.gradient(loss, q) ... outer.gradient(penalty, q) }
 * }</pre>
 */
final class AttentionBackwardRule {
    private AttentionBackwardRule() {}

    /** The gradients of the backward's operands (q, k, v, [mask], out, dO, g_lse) given {@code g} on its packed result; the mask gets none. */
    static Tensor[] gradients(OpCall call, Tensor g) {
        try (GradientTape tape = GradientTape.record()) {
            if (!GradientTape.active().contains(tape)) {
                throw new IllegalStateException(Op.ATTENTION_BACKWARD.label() + ": its gradient (second order) is computed by a"
                        + " nested tape, which cannot record inside a no-grad scope (Autodiff.noGrad, Dispatch.pauseObservers)");
            }
            List<Tensor> leaves = new ArrayList<>();
            for (Tensor t : call.inputs()) leaves.add(Autodiff.freshView(t)); // one leaf per operand, even if passed twice
            Tensor[] sources = leaves.toArray(Tensor[]::new);
            tape.watch(sources);
            Tensor packed = composed(call.attrs(OpAttrs.Attention.class), leaves);
            Tensor[] grads = tape.gradient(packed, sources, g);
            if (leaves.size() == 7) grads[3] = null; // the additive mask, as in the forward's rule
            return grads;
        }
    }

    /**
     * ATTENTION_BACKWARD in tensor ops: with {@code P} the weights, {@code dO} the output's gradient and
     * {@code g_lse} the logsumexp's, {@code dV = Pᵀ·dO}, {@code dS = P ∘ (dO·Vᵀ - rowsum(dO ∘ O) + g_lse)},
     * {@code dQ = scale·dS·K}, {@code dK = scale·dSᵀ·Q}, packed as {@link AttentionLayout} says.
     */
    static Tensor composed(OpAttrs.Attention a, List<Tensor> in) {
        boolean masked = in.size() == 7;
        Tensor q = in.get(0), k = in.get(1), v = in.get(2), mask = masked ? in.get(3) : null;
        Tensor out = in.get(masked ? 4 : 3), dO = in.get(masked ? 5 : 4), gLse = in.get(masked ? 6 : 5);
        AttentionLayout layout = AttentionLayout.of(q.shape(), k.shape(), v.shape(), a.timeMajor());
        Tensor o = layout.output(out);
        Tensor p = NN.attentionWeights(q, k, mask, a.causal(), a.scale()); // fully masked rows are zero
        Tensor delta = dO.mul(o).sum(new int[] {-1}, true).sub(gLse);
        Tensor ds = p.mul(dO.matmul(v.mT()).sub(delta)).mul(a.scale());
        return layout.packBackward(ds.matmul(k), ds.mT().matmul(q), p.mT().matmul(dO));
    }
}
