package dev.javelin.jit.plan;

import dev.javelin.jit.graph.Node;
import dev.javelin.kernels.ir.KernelIR;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds row groups: consecutive kernels over the same rows that can run row by row together. A
 * group is row reductions and elementwise kernels with the same row length and rows, where a member
 * reads an earlier member's result only at the same row: a reduction's result as that row's scalar,
 * an elementwise result along the row. Each row then goes through every member while it is in
 * cache, so softmax, log-softmax, layer norm and cross-entropy read their input from memory once.
 *
 * <p>An elementwise member whose result only the group reads lives in a one-row scratch buffer
 * (softmax's {@code exp(x - max)}: computed once, never written to memory), or, when the group's
 * last member reads it position by position, in that member's output row, updated there in place
 * (see {@code cpu.CpuKernel.runRowGroup}).
 *
 * <p>Elementwise kernels over one long run (no kept rows) group the same way, with blocks of
 * {@link #BLOCK} positions as the rows: when {@code Fusion} splits a chain with several
 * heavy transcendentals into kernels, the value passed between them stays in a cache-resident
 * block and never goes to memory.
 *
 * @param end     per step that starts a group, one past its last member; otherwise the step + 1
 * @param scratch per step, true when its result lives in a scratch row of its group
 */
public record RowGroups(int[] end, boolean[] scratch) {
    /** Positions per row when a group of elementwise kernels over one long run goes block by block (8 KB of floats, so a block stays in L1). */
    public static final int BLOCK = 1 << 11;

    /** No groups: every step runs on its own. */
    public static RowGroups none(int steps) {
        int[] end = new int[steps];
        for (int t = 0; t < steps; t++) end[t] = t + 1;
        return new RowGroups(end, new boolean[steps]);
    }

    /** The groups of {@code steps}; {@code escaping} are values that leave the program; {@code readers} who reads each value. */
    public static RowGroups find(List<PlanStep> steps, Set<Node> escaping, Map<Node, List<Integer>> readers) {
        return find(steps, escaping, readers, new ArrayList<>());
    }

    /** As {@link #find(List, Set, Map)}, adding a line to {@code decisions} per group and per group cut short. */
    static RowGroups find(List<PlanStep> steps, Set<Node> escaping, Map<Node, List<Integer>> readers, List<String> decisions) {
        int[] end = new int[steps.size()];
        boolean[] scratch = new boolean[steps.size()];
        for (int t = 0; t < steps.size(); t++) end[t] = t + 1;
        for (int t = 0; t < steps.size(); t++) {
            if (!(steps.get(t) instanceof PlanStep.Kernel first) || !rowKernel(first)) continue;
            boolean blocks = first.launch().keptCount() == 1; // one long run: blocks of positions are the rows
            if (blocks && (first.ir().mode() != KernelIR.Mode.ELEMENTWISE || first.launch().n() <= BLOCK)) continue;
            Map<Node, Launch> members = new IdentityHashMap<>();
            members.put(first.node(), first.launch());
            int u = t + 1;
            while (u < steps.size() && steps.get(u) instanceof PlanStep.Kernel k && rowKernel(k)
                    && (!blocks || k.ir().mode() == KernelIR.Mode.ELEMENTWISE) && memberLaunch(first.launch(), k) != null
                    && readsMembersPerRow(memberLaunch(first.launch(), k), k, members)) {
                members.put(k.node(), memberLaunch(first.launch(), k));
                u++;
            }
            if (u < steps.size() && u > t && steps.get(u) instanceof PlanStep.Kernel k) {
                String why = whyNot(first, k, blocks, members);
                if (why != null) decisions.add("row group from %" + first.node().id() + " stops before %" + k.node().id() + ": " + why);
            }
            if (u - t < 2) continue;
            end[t] = u;
            for (int m = t; m < u; m++) {
                PlanStep.Kernel k = (PlanStep.Kernel) steps.get(m);
                if (k.ir().mode() != KernelIR.Mode.ELEMENTWISE || escaping.contains(k.node())) continue;
                List<Integer> r = readers.getOrDefault(k.node(), List.of());
                boolean inside = !r.isEmpty();
                for (int i : r) inside &= i > m && i < u;
                scratch[m] = inside;
            }
            StringBuilder line = new StringBuilder("row group (").append(blocks ? "blocks of " + BLOCK + " positions" : first.launch().keptCount() + " rows of " + first.launch().n()).append("):");
            for (int m = t; m < u; m++) {
                line.append(m > t ? " +" : "").append(" %").append(steps.get(m).node().id()).append(scratch[m] ? " (scratch row)" : "");
            }
            decisions.add(line.toString());
            t = u - 1;
        }
        return new RowGroups(end, scratch);
    }

    /** Why kernel {@code k} does not join the group that {@code first} starts, or null when it could. */
    private static String whyNot(PlanStep.Kernel first, PlanStep.Kernel k, boolean blocks, Map<Node, Launch> members) {
        if (!rowKernel(k)) return "it is not a row kernel (" + k.ir().mode().name().toLowerCase(java.util.Locale.ROOT) + ", reduced " + Arrays.toString(k.launch().reducedDims()) + ")";
        if (blocks && k.ir().mode() != KernelIR.Mode.ELEMENTWISE) return "a reduction does not join a group of blocks";
        Launch l = memberLaunch(first.launch(), k);
        if (l == null) return "other rows (n=" + k.launch().n() + " kept=" + Arrays.toString(k.launch().keptDims()) + ")";
        if (!readsMembersPerRow(l, k, members)) return "it reads a member's result outside its own row";
        return null;
    }

    /**
     * The launch kernel {@code k} runs with in a row group whose first member runs {@code rows}: its own
     * over the same rows; or, for an elementwise kernel over one position per row (layer norm's
     * {@code 1 / sqrt(var + eps)}, [R, 1]), {@link Launch#perRowOf} those rows, a loop of length 1; else null.
     */
    public static Launch memberLaunch(Launch rows, PlanStep.Kernel k) {
        if (sameRows(rows, k.launch())) return k.launch();
        if (k.ir().mode() != KernelIR.Mode.ELEMENTWISE || rows.keptCount() == 1 || rows.n() == 0) return null; // empty rows run no member
        for (KernelIR.Load in : k.ir().loads()) if (in.access() == KernelIR.Access.STRIDED) return null; // a gather map walks the flat run
        return k.launch().perRowOf(rows);
    }

    private static boolean rowKernel(PlanStep.Kernel k) {
        KernelIR.Mode m = k.ir().mode();
        return (m == KernelIR.Mode.REDUCE_ROW || m == KernelIR.Mode.ELEMENTWISE) && k.launch().reducedDims().length == 0;
    }

    private static boolean sameRows(Launch a, Launch b) {
        return a.n() == b.n() && Arrays.equals(a.keptDims(), b.keptDims());
    }

    /**
     * True when every read of a member's result by {@code k} (running {@code l}) is at the reader's own
     * row: along it for a value per position, as one broadcast scalar for a value per row (a reduction's,
     * or a member whose loop has length 1); a reader whose own loop has length 1 reads one position either way.
     */
    private static boolean readsMembersPerRow(Launch l, PlanStep.Kernel k, Map<Node, Launch> members) {
        for (int s = 0; s < k.leaves().size(); s++) {
            Launch p = members.get(k.leaves().get(s));
            if (p == null) continue;
            int out = p.innerStrides().length - 1;
            int expectedInner = p.n() == 1 || p.innerStrides()[out] == 0 ? 0 : 1;
            if (l.n() > 1 && l.innerStrides()[s] != expectedInner) return false;
            if (!Arrays.equals(l.keptStrides()[s], p.keptStrides()[out])) return false;
            if (l.offsets()[s] != p.offsets()[out]) return false;
        }
        return true;
    }
}
