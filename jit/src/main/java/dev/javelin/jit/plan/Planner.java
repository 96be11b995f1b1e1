package dev.javelin.jit.plan;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a {@link Plan} from an optimized graph, one pass after another: {@link Lowering} (which
 * values live in memory, one step each), {@link ColumnSumPairs} (a bias gradient as the row of ones of its
 * weight gradient's GEMM), {@link RowGroups} (kernels that run row by row together),
 * {@link RowSumFolding} (a row reduction computed as its input is stored), {@link Epilogues} (a
 * kernel run on each finished block of a contraction), {@link BufferPlan} (which buffer each step
 * writes). Each pass records its decisions as lines of text in the plan.
 *
 * <pre>{@code
 * Plan plan = Planner.plan(graph);
 * Program program = new Program(plan);   // the CPU executor
 * }</pre>
 */
public final class Planner {
    /** {@code -Djavelin.jit.rowGroups=false} runs every kernel on its own: for measuring what row groups buy. */
    static final boolean ROW_GROUPS = Boolean.parseBoolean(System.getProperty("javelin.jit.rowGroups", "true"));

    private Planner() {}

    /** The plan for {@code graph}, its steps from {@link Lowering#plan}. */
    public static Plan plan(Graph graph) {
        List<String> decisions = new ArrayList<>();
        List<PlanStep> steps = Lowering.plan(graph, decisions);
        return plan(graph, steps, decisions);
    }

    /** The plan that runs {@code steps} (made by {@link Lowering} for {@code graph}). */
    public static Plan plan(Graph graph, List<PlanStep> steps) {
        return plan(graph, steps, new ArrayList<>());
    }

    private static Plan plan(Graph graph, List<PlanStep> lowered, List<String> decisions) {
        ColumnSumPairs.Result pairs = ColumnSumPairs.find(lowered, decisions);
        List<PlanStep> steps = pairs.steps();
        Set<Node> escaping = escaping(graph, steps);
        Map<Node, List<Integer>> readers = readers(steps);
        RowGroups groups = ROW_GROUPS ? RowGroups.find(steps, escaping, readers, decisions) : RowGroups.none(steps.size());
        if (!ROW_GROUPS) decisions.add("row groups are off (-Djavelin.jit.rowGroups=false)");
        PlanStep.Kernel[] folded = RowSumFolding.find(steps, groups, decisions);
        boolean[] epilogue = Epilogues.find(steps, groups.end(), decisions);
        boolean[] inPlace = Epilogues.inPlace(steps, epilogue, escaping, readers, decisions);
        List<Plan.Run> runs = new ArrayList<>();
        for (int t = 0; t < steps.size(); t++) {
            int end = groups.end()[t];
            if (end > t + 1) {
                List<Plan.Member> members = new ArrayList<>();
                for (int u = t; u < end; u++) {
                    if (u > t && folded[u - 1] != null) continue; // computed by the previous member
                    PlanStep.Kernel k = folded[u] != null ? folded[u] : (PlanStep.Kernel) steps.get(u);
                    Launch launch = folded[u] != null ? k.launch() : RowGroups.memberLaunch(((PlanStep.Kernel) steps.get(t)).launch(), k);
                    members.add(new Plan.Member(u, folded[u] != null ? u + 1 : -1, k.ir(), launch, groups.scratch()[u]));
                }
                runs.add(new Plan.RowGroup(t, end, members));
                t = end - 1;
            } else if (pairs.paired()[t] && groups.end()[t + 1] == t + 2) {
                runs.add(new Plan.WithColumnSums(t, t + 1));
                t++;
            } else if (epilogue[t]) {
                runs.add(new Plan.WithEpilogue(t, t + 1, inPlace[t], Epilogues.productRead(steps, t, escaping, readers)));
                t++;
            } else {
                runs.add(new Plan.Alone(t));
            }
        }
        Plan.Buffers buffers = BufferPlan.assign(graph, steps, runs, decisions);
        return new Plan(graph, steps, runs, buffers, decisions);
    }

    /** Values that leave the program: outputs, variable writes, and what they are run-time views of. */
    static Set<Node> escaping(Graph graph, List<PlanStep> steps) {
        Set<Node> views = Collections.newSetFromMap(new IdentityHashMap<>());
        for (PlanStep s : steps) if (s instanceof PlanStep.View v) views.add(v.node());
        Set<Node> out = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node r : graph.roots()) {
            Node c = r;
            out.add(c);
            while (views.contains(c)) {
                c = c.input(0);
                out.add(c);
            }
        }
        return out;
    }

    /** For each value, the steps that read it. */
    static Map<Node, List<Integer>> readers(List<PlanStep> steps) {
        Map<Node, List<Integer>> r = new IdentityHashMap<>();
        for (int t = 0; t < steps.size(); t++) {
            for (Node n : BufferPlan.reads(steps.get(t))) r.computeIfAbsent(n, k -> new ArrayList<>()).add(t);
        }
        return r;
    }
}
