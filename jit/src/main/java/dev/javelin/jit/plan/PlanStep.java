package dev.javelin.jit.plan;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.jit.graph.Node;
import java.util.List;

/**
 * One step of a compiled program, in the order the program runs them. A step writes the value of
 * its node; every value it reads was written by an earlier step or is a program input or constant.
 */
public sealed interface PlanStep {
    /** The value this step produces. */
    Node node();

    /**
     * A generated kernel: {@code leaves.get(k)} is the value read by input slot {@code k}; the output
     * is a fresh dense buffer of {@code node}'s shape.
     */
    record Kernel(Node node, KernelIR ir, List<Node> leaves, Launch launch) implements PlanStep {
        public Kernel {
            leaves = List.copyOf(leaves);
        }
    }

    /** An op with no generated code, run by the device's backend (matmul, gather, int ops, ...). */
    record Backend(Node node) implements PlanStep {}

    /** A view made by stride arithmetic on an earlier value (an output, or an input of a backend op). */
    record View(Node node) implements PlanStep {}
}
