package dev.javelin.jit.runtime;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.jit.plan.BufferPlan;
import dev.javelin.jit.plan.PlanStep;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Outputs the caller supplies ({@link Program#run(Tensor[], Tensor[])}, PyTorch's {@code out=}):
 * a result a kernel or the GEMM computes is written straight into the caller's array, so a call
 * allocates (and the JVM zeroes) nothing for it; any other result (a view, an argument, a backend
 * op's, one a variable also keeps) is copied in after the run. A supplied tensor that shares storage with an argument or a
 * variable is also filled after the run, so no kernel reads what another one overwrites.
 */
final class OutputTargets {
    /** Per graph output, the step whose kernel or GEMM writes it, or -1. */
    private final int[] producer;

    OutputTargets(Graph graph, List<PlanStep> steps) {
        producer = new int[graph.outputs().size()];
        for (int i = 0; i < producer.length; i++) {
            producer[i] = -1;
            Node out = graph.outputs().get(i);
            if (graph.variableWrites().containsValue(out)) continue; // a variable keeps that array: copy instead
            for (int t = 0; t < steps.size(); t++) {
                PlanStep s = steps.get(t);
                // a backend op other than a contraction may size its writes by its storage's length: not the caller's array
                boolean writes = BufferPlan.planned(s) && !(s instanceof PlanStep.Backend b && BufferPlan.takesZeroedMemory(b.node()));
                if (writes && s.node() == out) producer[i] = t;
            }
        }
    }

    /** Checks {@code into} against the outputs' shapes and dtypes; throws naming what differs. */
    static void check(Graph graph, Tensor[] into) {
        List<Node> outs = graph.outputs();
        check(outs.size(), i -> outs.get(i).shape(), i -> outs.get(i).dtype(), into);
    }

    /** Checks {@code into} against results computed some other way (eagerly). */
    static void check(Tensor[] results, Tensor[] into) {
        check(results.length, i -> results[i].shape(), i -> results[i].dtype(), into);
    }

    private static void check(int count, IntFunction<Shape> shape, IntFunction<DType> dtype, Tensor[] into) {
        if (into.length != count) {
            throw new IllegalArgumentException("callInto: the function returns " + count + " tensors, got " + into.length + " to write into");
        }
        for (int i = 0; i < count; i++) {
            Tensor t = into[i];
            if (!t.shape().equals(shape.apply(i)) || t.dtype() != dtype.apply(i)) {
                throw new IllegalArgumentException("callInto: output " + i + " is " + dtype.apply(i) + shape.apply(i)
                        + ", the tensor to write it into is " + t.dtype() + t.shape() + "; expected the same shape and dtype");
            }
            if (!(t.storage() instanceof HeapStorage) || !t.isContiguous()) {
                throw new IllegalArgumentException("callInto: output " + i + " must go into a contiguous CPU tensor, got "
                        + t.dtype() + t.shape() + " on " + t.device() + (t.isContiguous() ? "" : " (not contiguous)"));
            }
        }
    }

    /**
     * Per step, the caller's array its result goes into, or null; {@code direct[i]} is set for the
     * outputs written that way.
     */
    Object[] arrays(int steps, Tensor[] into, Tensor[] args, Variable.Stored[] variables, boolean[] direct) {
        Object[] perStep = new Object[steps];
        for (int i = 0; i < into.length; i++) {
            int t = producer[i];
            Tensor target = into[i];
            if (t < 0 || perStep[t] != null || target.offset() != 0 || aliases(target, args, variables)) continue;
            perStep[t] = ((HeapStorage) target.storage()).array();
            direct[i] = true;
        }
        return perStep;
    }

    /** Copies the results that were not written directly into their tensors. */
    static void copyRest(Tensor[] results, Tensor[] into, boolean[] direct) {
        for (int i = 0; i < into.length; i++) {
            if (direct[i]) continue;
            Tensor r = Program.dense(results[i].device().equals(Device.CPU) ? results[i] : results[i].to(Device.CPU));
            int n = Math.toIntExact(r.shape().size());
            System.arraycopy(((HeapStorage) r.storage()).array(), r.offset(), ((HeapStorage) into[i].storage()).array(), into[i].offset(), n);
        }
    }

    private static boolean aliases(Tensor target, Tensor[] args, Variable.Stored[] variables) {
        for (Tensor a : args) if (a.storage() == target.storage()) return true;
        for (Variable.Stored v : variables) if (v.value().storage() == target.storage()) return true;
        return false;
    }
}
