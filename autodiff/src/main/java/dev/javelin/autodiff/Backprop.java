package dev.javelin.autodiff;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backward pass over a recording: a topological order of what the target depends on, then each
 * node's rule in reverse, adding up the gradients of tensors used more than once.
 */
final class Backprop {
    private Backprop() {}

    /**
     * The gradients, by tensor identity, of every tensor on a path from a source to the target.
     * Only nodes on such paths run their rules, and a rule is told which inputs need a gradient.
     */
    static Map<Tensor, Tensor> run(Map<Tensor, Node> producers, Tensor target, Tensor seed, List<Tensor> sources) {
        Set<Tensor> sourceSet = Collections.newSetFromMap(new IdentityHashMap<>());
        sourceSet.addAll(sources);
        List<Tensor> order = postOrder(producers, target);

        // a tensor matters when it is a source or was computed from one
        Set<Tensor> relevant = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : order) {
            if (sourceSet.contains(t)) {
                relevant.add(t);
                continue;
            }
            Node n = producers.get(t);
            if (n == null) continue;
            for (Tensor in : n.inputs()) {
                if (relevant.contains(in) || sourceSet.contains(in)) {
                    relevant.add(t);
                    break;
                }
            }
        }

        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        if (!relevant.contains(target)) return grads;
        grads.put(target, seed);
        // gradients that slices send back, assembled once per tensor (see SliceGradients)
        Map<Tensor, SliceGradients> sliced = new IdentityHashMap<>();
        for (int k = order.size() - 1; k >= 0; k--) {
            Tensor t = order.get(k);
            Node node = producers.get(t);
            gather(grads, sliced, t);
            Tensor g = grads.get(t);
            if (node == null || g == null || !relevant.contains(t)) continue;
            List<Tensor> inputs = node.inputs();
            boolean[] needs = new boolean[inputs.size()];
            boolean any = false;
            for (int i = 0; i < needs.length; i++) {
                Tensor in = inputs.get(i);
                needs[i] = in.dtype().isFloating() && (relevant.contains(in) || sourceSet.contains(in));
                any |= needs[i];
            }
            if (!any) continue;
            if (node instanceof Node.OpNode op && op.call().op() == Op.SLICE) {
                Tensor in = inputs.get(0);
                Tensor gs = g.dtype() == in.dtype() ? g : g.cast(in.dtype());
                sliced.computeIfAbsent(in, x -> new SliceGradients()).add(op.call().attrs(OpAttrs.Slice.class), gs);
                if (!sourceSet.contains(t)) grads.remove(t);
                continue;
            }
            Tensor[] gi = node.backward(g, needs);
            if (gi.length != inputs.size()) {
                throw new IllegalStateException("autodiff: the rule of " + node.label() + " gave " + gi.length
                        + " gradients for " + inputs.size() + " inputs");
            }
            for (int i = 0; i < needs.length; i++) {
                if (needs[i] && gi[i] != null) accumulate(grads, inputs.get(i), fit(gi[i], inputs.get(i), node));
            }
            if (!sourceSet.contains(t)) grads.remove(t); // no longer needed: free it early
        }
        for (Tensor t : List.copyOf(sliced.keySet())) gather(grads, sliced, t); // sources never visited as nodes
        return grads;
    }

    /** Adds the slices' assembled gradient of {@code t}, if any, to its accumulated gradient. */
    private static void gather(Map<Tensor, Tensor> grads, Map<Tensor, SliceGradients> sliced, Tensor t) {
        SliceGradients s = sliced.remove(t);
        if (s != null) accumulate(grads, t, s.assemble(t.shape()));
    }

    /** Checks a rule's answer against its input and brings it to the input's dtype. */
    private static Tensor fit(Tensor grad, Tensor input, Node node) {
        if (!grad.shape().equals(input.shape())) {
            throw new IllegalStateException("autodiff: the rule of " + node.label() + " gave a gradient of shape "
                    + grad.shape() + " for an input of shape " + input.shape());
        }
        return grad.dtype() == input.dtype() ? grad : grad.cast(input.dtype());
    }

    private static void accumulate(Map<Tensor, Tensor> grads, Tensor t, Tensor g) {
        Tensor prev = grads.get(t);
        grads.put(t, prev == null ? g : prev.add(g));
    }

    /** Every tensor the target was computed from (through recorded nodes), each after all of its inputs. */
    private static List<Tensor> postOrder(Map<Tensor, Node> producers, Tensor target) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        // iterative DFS: recorded graphs can be far deeper than the Java stack
        Deque<Frame> stack = new ArrayDeque<>();
        visited.add(target);
        stack.push(new Frame(target, producers.get(target)));
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            if (f.node != null && f.next < f.node.inputs().size()) {
                Tensor in = f.node.inputs().get(f.next++);
                if (visited.add(in)) stack.push(new Frame(in, producers.get(in)));
            } else {
                stack.pop();
                order.add(f.tensor);
            }
        }
        return order;
    }

    /** A tensor being visited and the index of its next input to visit. */
    private static final class Frame {
        final Tensor tensor;
        final Node node;
        int next;

        Frame(Tensor tensor, Node node) {
            this.tensor = tensor;
            this.node = node;
        }
    }
}
