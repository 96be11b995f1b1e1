package dev.javelin.jit.plan;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns the outputs of generated kernels and contractions to reusable buffers: a value's buffer
 * is free again after the last run that reads it (directly or through a view), and a later output
 * of the same dtype that fits takes it. Values that leave the program (outputs, variable writes,
 * and what they are views of) get fresh memory at every call, since the caller keeps them.
 *
 * <p>A step never writes into a buffer read by its own run (a freed buffer is only reused by a
 * strictly later run), so no kernel needs to be safe in place, and a contraction's epilogue never
 * overwrites an operand the contraction is still reading.
 */
public final class BufferPlan {
    private BufferPlan() {}

    /**
     * @param runs the runs: their members run interleaved, so what any member reads lives until the
     *             run ends, and a member's output may only take a buffer freed before the run starts
     */
    static Plan.Buffers assign(Graph graph, List<PlanStep> steps, List<Plan.Run> runs, List<String> decisions) {
        int[] runStart = new int[steps.size()], runLast = new int[steps.size()];
        for (Plan.Run r : runs) {
            for (int u = r.first(); u < r.end(); u++) {
                runStart[u] = r.first();
                runLast[u] = r.end() - 1;
            }
        }
        int[] slotOfStep = new int[steps.size()];
        List<DType> slotTypes = new ArrayList<>();
        List<Integer> slotSizes = new ArrayList<>();
        Map<Node, Integer> lastUse = new IdentityHashMap<>();
        for (int t = 0; t < steps.size(); t++) {
            for (Node read : reads(steps.get(t))) lastUse.merge(owner(read, steps), runLast[t], Math::max);
        }
        Map<Node, Boolean> escaping = new IdentityHashMap<>();
        for (Node r : graph.roots()) escaping.put(owner(r, steps), true);
        List<Integer> free = new ArrayList<>();
        List<int[]> pending = new ArrayList<>(); // {slot, lastUse}
        for (int t = 0; t < steps.size(); t++) {
            int now = runStart[t];
            pending.removeIf(p -> {
                if (p[1] < now) {
                    free.add(p[0]);
                    return true;
                }
                return false;
            });
            PlanStep s = steps.get(t);
            slotOfStep[t] = -1;
            if (!planned(s)) continue;
            Node k = s.node();
            if (escaping.containsKey(k)) {
                decisions.add("buffer: %" + k.id() + " leaves the program: fresh memory at each call");
                continue;
            }
            int size = Math.toIntExact(k.size());
            boolean exact = s instanceof PlanStep.Backend b && takesZeroedMemory(b.node());
            int best = -1;
            for (int f : free) {
                if (slotTypes.get(f) == k.dtype() && (exact ? slotSizes.get(f) == size : slotSizes.get(f) >= size)
                        && (best < 0 || slotSizes.get(f) < slotSizes.get(best))) best = f;
            }
            if (best < 0) {
                slotTypes.add(k.dtype());
                slotSizes.add(size);
                best = slotTypes.size() - 1;
                decisions.add("buffer: %" + k.id() + " takes new buffer " + best + " (" + k.dtype() + " x " + size + ")");
            } else {
                free.remove(Integer.valueOf(best));
                decisions.add("buffer: %" + k.id() + " reuses buffer " + best + " (" + slotTypes.get(best) + " x " + slotSizes.get(best) + ")");
            }
            slotOfStep[t] = best;
            pending.add(new int[] {best, Math.max(runLast[t], lastUse.getOrDefault(k, t))});
        }
        return new Plan.Buffers(slotOfStep, slotTypes, slotSizes);
    }

    /** True for steps whose output memory the program provides: generated kernels and backend ops on the CPU. */
    public static boolean planned(PlanStep s) {
        return s instanceof PlanStep.Kernel || (s instanceof PlanStep.Backend b && (writesProvidedMemory(b.node()) || takesZeroedMemory(b.node())));
    }

    /**
     * True for any other backend op on the CPU (attention and its gradient, pad, gather, scatter-add, ...):
     * the executor gives it planned memory of exactly its size, zeroed, which is what the eager engine's
     * fresh array would be (some of these ops accumulate into their output). Without it each call allocated
     * them new: in a char-GPT train step ~45 MB of 1-6 MB arrays, each a humongous object for G1.
     */
    public static boolean takesZeroedMemory(Node n) {
        return !writesProvidedMemory(n) && n.device().equals(Device.CPU);
    }

    /**
     * True for a backend op the executor gives planned memory to write: a float32 matmul or
     * convolution on the CPU, which {@code Backend.contract} overwrites whole (the SPI's default
     * computes into fresh memory and copies).
     */
    public static boolean writesProvidedMemory(Node n) {
        return (n.isOp(Op.MATMUL) || n.isOp(Op.CONV2D)) && n.dtype() == DType.FLOAT32 && n.device().equals(Device.CPU);
    }

    /** The values a step reads. */
    public static List<Node> reads(PlanStep s) {
        return switch (s) {
            case PlanStep.Kernel k -> k.leaves();
            case PlanStep.Backend b -> b.node().inputs();
            case PlanStep.View v -> v.node().inputs();
        };
    }

    /** The value whose memory {@code n} lives in: itself, or for a run-time view the value under it. */
    private static Node owner(Node n, List<PlanStep> steps) {
        Node c = n;
        while (c.isView() && isRuntimeView(c, steps)) c = c.input(0);
        return c;
    }

    private static boolean isRuntimeView(Node n, List<PlanStep> steps) {
        for (PlanStep s : steps) if (s instanceof PlanStep.View v && v.node() == n) return true;
        return false;
    }
}
