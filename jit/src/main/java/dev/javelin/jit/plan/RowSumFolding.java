package dev.javelin.jit.plan;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import java.util.Arrays;
import java.util.List;

/**
 * Inside row groups, an elementwise kernel whose value lives in a scratch row and the row reduction
 * right after it that only reads that value become one kernel that reduces as it stores (softmax's
 * exp(x - max) and its sum: one pass over the row instead of two). The sum is the same: the same
 * values combined in the same order.
 */
final class RowSumFolding {
    private RowSumFolding() {}

    /** Per step, the kernel that computes it and the next step in one pass, or null. */
    static PlanStep.Kernel[] find(List<PlanStep> steps, RowGroups groups, List<String> decisions) {
        PlanStep.Kernel[] folded = new PlanStep.Kernel[steps.size()];
        int[] groupEnd = groups.end();
        for (int t = 0; t < steps.size(); t++) {
            int end = groupEnd[t];
            for (int p = t; p + 1 < end; p++) {
                if (!(steps.get(p) instanceof PlanStep.Kernel e) || !(steps.get(p + 1) instanceof PlanStep.Kernel r) || !groups.scratch()[p]) continue;
                KernelIR rir = r.ir();
                boolean readsOnlyE = rir.mode() == KernelIR.Mode.REDUCE_ROW && !rir.storesValue() && rir.body().size() == 1
                        && rir.loads().size() == 1 && rir.loads().get(0).access() == KernelIR.Access.CONTIGUOUS
                        && r.leaves().size() == 1 && r.leaves().get(0) == e.node() && r.launch().innerStrides()[0] == 1
                        && r.launch().n() == e.launch().n() && Arrays.equals(r.launch().keptDims(), e.launch().keptDims());
                if (!readsOnlyE || e.ir().mode() != KernelIR.Mode.ELEMENTWISE || e.ir().outDtype() != DType.FLOAT32) continue;
                String name = "R_" + rir.reduceOp().label().replace("reduce_", "") + "_and_" + e.ir().name().replaceFirst("^E_", "");
                KernelIR both = e.ir().reducingAndStoring(rir.reduceOp(), name);
                folded[p] = new PlanStep.Kernel(e.node(), both, e.leaves(), e.launch().withSlotOf(r.launch(), r.launch().innerStrides().length - 1));
                decisions.add("one pass: %" + r.node().id() + " (" + rir.name() + ") reduces %" + e.node().id() + " as " + e.ir().name()
                        + " stores it: " + name);
                p++;
            }
            t = end - 1;
        }
        return folded;
    }
}
