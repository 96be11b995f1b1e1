package dev.javelin.jit.runtime;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.jit.plan.PlanStep;
import dev.javelin.tensor.DType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns the outputs of generated kernels to reusable buffers: a value's buffer is free again
 * after the last step that reads it (directly or through a view), and a later kernel output of the
 * same dtype that fits takes it. Values that leave the program (outputs, variable writes, and what
 * they are views of) get fresh memory at every call, since the caller keeps them.
 *
 * <p>A kernel never writes into a buffer it reads in the same step (a freed buffer is only reused by
 * a strictly later step), so no kernel needs to be safe in place.
 */
final class BufferPlan {
    /** Per step: the buffer slot its kernel writes, or -1 for a fresh allocation (or a non-kernel step). */
    final int[] slotOfStep;
    /** Per buffer slot: its dtype and capacity in elements. */
    final List<DType> slotTypes = new ArrayList<>();
    final List<Integer> slotSizes = new ArrayList<>();

    /**
     * @param groupStart per step, the first step of the row group it runs in (itself when alone)
     * @param groupLast  per step, the last step of its row group: a group's members run interleaved,
     *                   so what any member reads lives until the group ends, and a member's output
     *                   may only take a buffer freed before the group starts
     */
    BufferPlan(Graph graph, List<PlanStep> steps, int[] groupStart, int[] groupLast) {
        slotOfStep = new int[steps.size()];
        Map<Node, Integer> lastUse = new IdentityHashMap<>();
        for (int t = 0; t < steps.size(); t++) {
            for (Node read : reads(steps.get(t))) lastUse.merge(owner(read, steps), groupLast[t], Math::max);
        }
        Map<Node, Boolean> escaping = new IdentityHashMap<>();
        for (Node r : graph.roots()) escaping.put(owner(r, steps), true);
        List<Integer> free = new ArrayList<>();
        List<int[]> pending = new ArrayList<>(); // {slot, lastUse}
        for (int t = 0; t < steps.size(); t++) {
            int now = groupStart[t];
            pending.removeIf(p -> {
                if (p[1] < now) {
                    free.add(p[0]);
                    return true;
                }
                return false;
            });
            PlanStep s = steps.get(t);
            slotOfStep[t] = -1;
            if (!planned(s) || escaping.containsKey(s.node())) continue;
            Node k = s.node();
            int size = Math.toIntExact(k.size());
            int best = -1;
            for (int f : free) {
                if (slotTypes.get(f) == k.dtype() && slotSizes.get(f) >= size
                        && (best < 0 || slotSizes.get(f) < slotSizes.get(best))) best = f;
            }
            if (best < 0) {
                slotTypes.add(k.dtype());
                slotSizes.add(size);
                best = slotTypes.size() - 1;
            } else {
                free.remove(Integer.valueOf(best));
            }
            slotOfStep[t] = best;
            pending.add(new int[] {best, Math.max(groupLast[t], lastUse.getOrDefault(k, t))});
        }
    }

    /** True for steps whose output memory the program provides: generated kernels and GEMMs. */
    static boolean planned(PlanStep s) {
        return s instanceof PlanStep.Kernel || (s instanceof PlanStep.Backend b && Gemm.handles(b.node()));
    }

    /** The values a step reads. */
    static List<Node> reads(PlanStep s) {
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

    /** The number of reusable buffers. */
    int slots() {
        return slotTypes.size();
    }
}
