package dev.javelin.jit.plan;

import dev.javelin.jit.graph.Node;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which contractions take the next kernel as their epilogue: a float32 matmul or a float32
 * convolution followed by an elementwise kernel, outside any row group, that reads the
 * contraction's result position by position (bias, activation, residual). The executor hands the
 * kernel to the backend's contraction, which runs it on each block of the result as soon as that
 * block is final, while it is in cache. {@code -Djavelin.jit.epilogues=false} turns this off, for measuring.
 */
public final class Epilogues {
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("javelin.jit.epilogues", "true"));
    /** {@code -Djavelin.jit.epilogueInPlace=false} gives every contraction its own buffer, for measuring. */
    static final boolean IN_PLACE = Boolean.parseBoolean(System.getProperty("javelin.jit.epilogueInPlace", "true"));

    private Epilogues() {}

    /**
     * True for a contraction that can take an epilogue: a float32 matmul (of one matrix, or a batch:
     * a batch whose weight is shared folds into one GEMM with the epilogue on its blocks, as a Linear
     * layer over [B, T, K]; another batch runs the epilogue after the last product), or a float32
     * convolution.
     */
    public static boolean takesEpilogue(Node n) {
        if (n.dtype() != DType.FLOAT32) return false;
        return (n.isOp(Op.MATMUL) && n.rank() >= 2) || n.isOp(Op.CONV2D);
    }

    /**
     * Per step, true for a contraction whose next step runs as its epilogue; {@code groupEnd} are
     * the row groups (a member of a group stays with its group).
     */
    static boolean[] find(List<PlanStep> steps, int[] groupEnd, List<String> decisions) {
        boolean[] e = new boolean[steps.size()];
        for (int t = 0; t + 1 < steps.size(); t++) {
            if (!(steps.get(t) instanceof PlanStep.Backend g) || !takesEpilogue(g.node())) continue;
            Node c = g.node();
            String why = whyNot(c, steps.get(t + 1), groupEnd[t + 1] != t + 2);
            if (why != null) {
                decisions.add("no epilogue for %" + c.id() + " (" + c.op().label() + "): " + why);
                continue;
            }
            e[t] = true;
            PlanStep.Kernel u = (PlanStep.Kernel) steps.get(t + 1);
            decisions.add("epilogue: %" + u.node().id() + " (" + u.ir().name() + ") runs on each finished block of %" + c.id()
                    + " (" + c.op().label() + " " + c.shape() + ")");
        }
        return e;
    }

    /**
     * Per step, true for a contraction with an epilogue that runs in place ({@link Plan.WithEpilogue#inPlace}):
     * a matmul whose result nothing but its epilogue reads (no other step, no view, not a result of
     * the program), with an epilogue writing float32 at the positions it reads. A convolution keeps
     * its own buffer: some of its kernels read back parts of their output before it is final.
     */
    static boolean[] inPlace(List<PlanStep> steps, boolean[] epilogue, Set<Node> escaping, Map<Node, List<Integer>> readers,
                             List<String> decisions) {
        boolean[] in = new boolean[steps.size()];
        for (int t = 0; t < steps.size(); t++) {
            if (!epilogue[t]) continue;
            Node c = steps.get(t).node();
            Node out = steps.get(t + 1).node();
            in[t] = IN_PLACE && c.isOp(Op.MATMUL) && !productRead(steps, t, escaping, readers)
                    && out.dtype() == DType.FLOAT32 && out.size() == c.size();
            if (in[t]) decisions.add("in place: %" + c.id() + " is written into %" + out.id() + "'s memory, which its epilogue rewrites block by block");
        }
        return in;
    }

    /**
     * True when contraction step {@code t}'s result is read by a step other than its epilogue (step
     * {@code t + 1}), a view included, or leaves the program ({@link Plan.WithEpilogue#productRead}).
     */
    static boolean productRead(List<PlanStep> steps, int t, Set<Node> escaping, Map<Node, List<Integer>> readers) {
        Node c = steps.get(t).node();
        return escaping.contains(c) || !readers.getOrDefault(c, List.of()).stream().allMatch(r -> r == t + 1);
    }

    private static String whyNot(Node c, PlanStep next, boolean grouped) {
        if (!ENABLED) return "epilogues are off (-Djavelin.jit.epilogues=false)";
        if (!(next instanceof PlanStep.Kernel u)) return "the next step is not a generated kernel";
        if (grouped) return "the next kernel runs in a row group";
        List<Integer> cSlots = new ArrayList<>();
        for (int s = 0; s < u.leaves().size(); s++) if (u.leaves().get(s) == c) cSlots.add(s);
        if (cSlots.isEmpty()) return "the next kernel does not read its result";
        long rows = c.shape().size() / c.shape().dim(c.rank() - 1);
        if (!blockwise(u.ir(), u.launch(), rows, c.shape().dim(c.rank() - 1), cSlots)) {
            return "the next kernel does not read and write it densely position by position";
        }
        return null;
    }

    /**
     * True when a kernel can run block by block as the epilogue of a contraction whose
     * {@code m x n} result it reads through slot(s) {@code cSlots}: elementwise over the rows of C
     * (its loop n wide, its kept dimensions the rows in row-major order) or over one flat run of
     * m·n, reading C and writing its output densely at the same positions.
     */
    static boolean blockwise(KernelIR ir, Launch launch, long m, int n, List<Integer> cSlots) {
        if (ir.mode() != KernelIR.Mode.ELEMENTWISE || cSlots.isEmpty()) return false;
        int out = launch.innerStrides().length - 1;
        boolean rowsKept = launch.keptCount() == m && launch.n() == n;
        boolean flat = launch.keptCount() == 1 && (long) launch.n() == m * n;
        if (!rowsKept && !flat) return false;
        List<Integer> dense = new ArrayList<>(cSlots);
        dense.add(out);
        int[] dims = launch.keptDims();
        for (int s : dense) {
            if (launch.innerStrides()[s] != 1 || launch.offsets()[s] != 0) return false;
            if (flat) continue;
            long stride = n; // row-major over the kept dimensions: kept index r is row r of C
            for (int d = dims.length - 1; d >= 0; d--) {
                if (dims[d] > 1 && launch.keptStrides()[s][d] != stride) return false;
                stride *= dims[d];
            }
        }
        return true;
    }
}
