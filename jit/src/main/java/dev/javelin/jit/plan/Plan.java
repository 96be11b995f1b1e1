package dev.javelin.jit.plan;

import dev.javelin.jit.graph.Graph;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import java.util.List;

/**
 * Everything decided about a compiled program, as data: what an executor runs, in which order,
 * with which kernels and buffers. The planner ({@link Planner}) makes every decision; an executor
 * (the CPU's {@code runtime.Program}, or a GPU one) only follows it, so the same plan can run on any
 * device that can run its kernels and contractions.
 *
 * <pre>{@code
 * Plan plan = Planner.plan(graph);
 * for (Plan.Run r : plan.runs()) ...            // what runs, in order
 * plan.decisions().forEach(System.out::println); // why: fusion, row groups, epilogues, buffer reuse
 * }</pre>
 *
 * @param graph     the optimized graph the steps compute
 * @param steps     one step per value that lives in memory, in dependency order (see {@link PlanStep})
 * @param runs      how the executor runs the steps: each step is covered by exactly one run, in order
 * @param buffers   which reusable buffer each step writes
 * @param decisions one line per planning decision, for {@code Jit.explain} and {@code JAVELIN_DEBUG}
 */
public record Plan(Graph graph, List<PlanStep> steps, List<Run> runs, Buffers buffers, List<String> decisions) {
    public Plan {
        steps = List.copyOf(steps);
        runs = List.copyOf(runs);
        decisions = List.copyOf(decisions);
    }

    /** A unit of execution: one step, a row group, a contraction with its epilogue or with column sums. */
    public sealed interface Run {
        /** The first step this run covers. */
        int first();

        /** One past the last step this run covers. */
        int end();
    }

    /** Step {@code step} on its own. */
    public record Alone(int step) implements Run {
        @Override public int first() { return step; }
        @Override public int end() { return step + 1; }
    }

    /**
     * Steps {@code [first, end)}, all kernels over the same rows, run row by row: each row goes
     * through every member before the next row starts (see {@link RowGroups}). A member runs one
     * step, or two when a row reduction was folded into the elementwise kernel before it
     * ({@link KernelIR#storesValue()}: its value slot, then the reduction's output slot).
     */
    public record RowGroup(int first, int end, List<Member> members) implements Run {
        public RowGroup {
            members = List.copyOf(members);
        }
    }

    /**
     * One kernel of a row group.
     *
     * @param step    the step whose value the kernel writes
     * @param folded  the row-reduction step computed by the same pass, or -1
     * @param ir      the kernel to run (for a folded pair, the elementwise kernel that also reduces)
     * @param launch  its launch (for a folded pair, with the reduction's output as the last slot)
     * @param scratch true when the value lives in a one-row scratch buffer, never in memory
     */
    public record Member(int step, int folded, KernelIR ir, Launch launch, boolean scratch) {}

    /**
     * Contraction step {@code contraction} (a float32 matmul or convolution) with kernel step
     * {@code epilogue} run on each finished block of its result, while the block is in cache.
     * {@code inPlace}: the contraction's result is read by its epilogue alone, so the product is
     * written into the epilogue's output memory and the epilogue rewrites each block where it lies
     * (the result takes no buffer of its own, and the epilogue's stores touch no new cache lines).
     * {@code productRead}: a step other than the epilogue reads the contraction's result, or it
     * leaves the program; where false, an executor may skip storing it (the CUDA GEMM writes the
     * epilogue's result alone).
     */
    public record WithEpilogue(int contraction, int epilogue, boolean inPlace, boolean productRead) implements Run {
        @Override public int first() { return contraction; }
        @Override public int end() { return epilogue + 1; }
    }

    /**
     * Matmul step {@code contraction} (a weight gradient {@code xᵀ·dY}) with column-sum kernel step {@code sums}
     * (dY summed over its rows, right after it) computed by the same GEMM as a row of ones appended to A
     * ({@code Backend.contractWithColumnSums}; see {@link ColumnSumPairs}). An executor without that runs the two steps in turn.
     */
    public record WithColumnSums(int contraction, int sums) implements Run {
        @Override public int first() { return contraction; }
        @Override public int end() { return sums + 1; }
    }

    /**
     * Reusable memory: per step, the buffer slot it writes or -1 (fresh memory for values that leave
     * the program, or memory a backend op allocates itself).
     */
    public record Buffers(int[] slotOfStep, List<DType> slotTypes, List<Integer> slotSizes) {
        public Buffers {
            slotTypes = List.copyOf(slotTypes);
            slotSizes = List.copyOf(slotSizes);
        }

        /** The number of reusable buffers. */
        public int slots() { return slotTypes.size(); }
    }
}
