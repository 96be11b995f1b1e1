package dev.javelin.jit.cpu;

import dev.javelin.jit.graph.Node;
import dev.javelin.jit.plan.KernelIR;
import dev.javelin.jit.plan.Launch;
import dev.javelin.jit.plan.PlanStep;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds row groups: consecutive kernels over the same rows that can run row by row together. A
 * group starts with a row reduction and continues with row reductions and at most one final
 * elementwise kernel, all with the same row length and rows, where a member reads an earlier
 * member's result only as that row's scalar (a broadcast along the row). Softmax, log-softmax,
 * layer norm and cross-entropy become one group each: two or three passes over a row that stays
 * in cache, one pass over memory.
 */
public final class RowGroups {
    private RowGroups() {}

    /** Per step, the index one past the last member of the group it starts; the step itself + 1 when alone. */
    public static int[] find(List<PlanStep> steps) {
        int[] end = new int[steps.size()];
        for (int t = 0; t < steps.size(); t++) end[t] = t + 1;
        for (int t = 0; t < steps.size(); t++) {
            if (!(steps.get(t) instanceof PlanStep.Kernel first) || !rowReduction(first) || first.launch().keptCount() < 2) continue;
            Map<Node, Launch> members = new IdentityHashMap<>();
            members.put(first.node(), first.launch());
            int u = t + 1;
            while (u < steps.size() && steps.get(u) instanceof PlanStep.Kernel k && sameRows(first.launch(), k)
                    && readsMembersPerRow(k, members)) {
                members.put(k.node(), k.launch());
                u++;
                if (k.ir().mode() == KernelIR.Mode.ELEMENTWISE) break;
            }
            if (u - t >= 2) {
                end[t] = u;
                t = u - 1;
            }
        }
        return end;
    }

    private static boolean rowReduction(PlanStep.Kernel k) {
        return k.ir().mode() == KernelIR.Mode.REDUCE_ROW && k.launch().reducedDims().length == 0;
    }

    private static boolean sameRows(Launch a, PlanStep.Kernel k) {
        KernelIR.Mode m = k.ir().mode();
        if (m != KernelIR.Mode.REDUCE_ROW && m != KernelIR.Mode.ELEMENTWISE) return false;
        Launch b = k.launch();
        return a.n() == b.n() && Arrays.equals(a.keptDims(), b.keptDims()) && b.reducedDims().length == 0;
    }

    /** True when every read of a member's result is that row's scalar: stride 0 along the row, the member's row strides. */
    private static boolean readsMembersPerRow(PlanStep.Kernel k, Map<Node, Launch> members) {
        for (int s = 0; s < k.leaves().size(); s++) {
            Launch producer = members.get(k.leaves().get(s));
            if (producer == null) continue;
            int out = producer.innerStrides().length - 1;
            if (k.launch().innerStrides()[s] != 0) return false;
            if (!Arrays.equals(column(k.launch().keptStrides(), s), column(producer.keptStrides(), out))) return false;
            if (k.launch().offsets()[s] != producer.offsets()[out]) return false;
        }
        return true;
    }

    private static int[] column(int[][] strides, int slot) {
        return strides[slot];
    }
}
