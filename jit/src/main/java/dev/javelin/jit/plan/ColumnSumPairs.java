package dev.javelin.jit.plan;

import dev.javelin.jit.graph.Node;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.spi.Views;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pairs a weight gradient {@code xᵀ·dY} with the bias gradient beside it, {@code dY} summed over its rows: the
 * backend computes the sums as a row of ones appended to the GEMM's A ({@code Backend.contractWithColumnSums}),
 * so dY is read once, by the GEMM, instead of again by a reduction of its own. The sum runs right after the
 * product ({@link Plan.WithColumnSums}); this pass moves it there. Its bits are the same: the GEMM adds
 * {@code fma(1, dY[p][j], s)} for p in order from 0, which is the plain sum's {@code s + dY[p][j]} row after row.
 *
 * <p>A sum qualifies when it is a plain float32 column sum (its kernel only loads one input, no prologue) of
 * exactly the positions the product reads as B (same stored value, offset and row stride; B's columns
 * contiguous), over all k rows; the product is a float32 matmul of one matrix whose output the program provides.
 */
final class ColumnSumPairs {
    /** {@code -Djavelin.jit.columnSums=false} leaves every column sum a kernel of its own, for measuring what pairing buys. */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("javelin.jit.columnSums", "true"));

    private ColumnSumPairs() {}

    /**
     * The steps with each paired sum moved right after its product, and {@code paired[t]} true for a product at t
     * whose sum is at t + 1.
     */
    record Result(List<PlanStep> steps, boolean[] paired) {}

    static Result find(List<PlanStep> in, List<String> decisions) {
        List<PlanStep> steps = new ArrayList<>(in);
        Set<PlanStep> products = new HashSet<>();
        if (!ENABLED) decisions.add("column sums are not paired with GEMMs (-Djavelin.jit.columnSums=false)");
        for (PlanStep candidate : ENABLED ? in : List.<PlanStep>of()) {
            if (!(candidate instanceof PlanStep.Kernel sum) || columnSumRowStride(sum) < 0) continue;
            int t = productOf(steps, sum), s = indexOf(steps, sum);
            if (t < 0 || products.contains(steps.get(t))) continue;
            PlanStep product = steps.get(t);
            String why = whyNot(steps, s, t);
            if (why != null) {
                decisions.add("no column sums in %" + product.node().id() + "'s GEMM for %" + sum.node().id() + ": " + why);
                continue;
            }
            steps.remove(s);
            steps.add(s < t ? t : t + 1, sum); // right after the product
            products.add(product);
            decisions.add("column sums: %" + sum.node().id() + " (" + sum.ir().name() + ") is the row of ones of %" + product.node().id()
                    + "'s GEMM (matmul " + product.node().shape() + "): B is read once");
        }
        boolean[] paired = new boolean[steps.size()];
        for (int t = 0; t + 1 < steps.size(); t++) paired[t] = products.contains(steps.get(t));
        return new Result(steps, paired);
    }

    /** Why sum step {@code s} cannot move right after product step {@code t}, or null. */
    private static String whyNot(List<PlanStep> steps, int s, int t) {
        Node sum = steps.get(s).node(), product = steps.get(t).node();
        for (int u = s + 1; u <= t; u++) {
            if (BufferPlan.reads(steps.get(u)).contains(sum)) return "step %" + steps.get(u).node().id() + " reads the sum before the product runs";
        }
        if (t + 1 < steps.size() && steps.get(t + 1) instanceof PlanStep.Kernel next && next.leaves().contains(product)) {
            return "the product's next kernel reads it (an epilogue's place)";
        }
        return null;
    }

    /** The first float32 matmul step of one matrix whose B the sum adds up, or -1. */
    private static int productOf(List<PlanStep> steps, PlanStep.Kernel sum) {
        for (int t = 0; t < steps.size(); t++) {
            if (!(steps.get(t) instanceof PlanStep.Backend b)) continue;
            Node c = b.node();
            if (!c.isOp(Op.MATMUL) || c.rank() != 2 || c.input(1).rank() != 2 || !BufferPlan.writesProvidedMemory(c)) continue;
            if (sumsB(steps, sum, c.input(1))) return t;
        }
        return -1;
    }

    /** True when {@code sum} adds up, over all its rows, exactly the positions the product reads as B. */
    private static boolean sumsB(List<PlanStep> steps, PlanStep.Kernel sum, Node b) {
        List<Node> views = new ArrayList<>(); // B's run-time views down to the stored value they read
        Node base = b;
        while (base.isView() && isViewStep(steps, base)) {
            views.add(base);
            base = base.input(0);
        }
        if (sum.leaves().get(0) != base) return false;
        int[] strides = base.shape().contiguousStrides();
        int offset = 0;
        for (int i = views.size() - 1; i >= 0; i--) {
            Views.Layout l = Views.layout(views.get(i).symbolicCall(), strides, offset);
            if (l == null) return false;
            strides = l.strides();
            offset = l.offset();
        }
        int k = b.shape().dim(0), n = b.shape().dim(1);
        Launch l = sum.launch();
        int rowStride = columnSumRowStride(sum);
        return l.n() == n && l.reducedCount() == k && l.offsets()[0] == offset && strides[1] == 1 && (k == 1 || strides[0] == rowStride);
    }

    private static int indexOf(List<PlanStep> steps, PlanStep step) {
        for (int i = 0; i < steps.size(); i++) if (steps.get(i) == step) return i;
        return -1;
    }

    private static boolean isViewStep(List<PlanStep> steps, Node n) {
        for (PlanStep s : steps) if (s instanceof PlanStep.View v && v.node() == n) return true;
        return false;
    }

    /**
     * The row stride of a plain float32 column sum (one input, loaded densely along the loop, nothing computed on it;
     * no kept rows; its reduced positions one stride apart; its output dense), or -1.
     */
    static int columnSumRowStride(PlanStep.Kernel k) {
        KernelIR ir = k.ir();
        Launch l = k.launch();
        if (ir.mode() != KernelIR.Mode.REDUCE_COLUMNS || ir.reduceOp() != Op.REDUCE_SUM || ir.outDtype() != DType.FLOAT32
                || ir.loads().size() != 1 || ir.loads().get(0).dtype() != DType.FLOAT32 || ir.body().size() != 1 || !ir.body().get(0).load()
                || k.leaves().size() != 1 || l.keptCount() != 1 || l.innerStrides()[0] != 1 || l.innerStrides()[1] != 1 || l.offsets()[1] != 0) {
            return -1;
        }
        return l.reducedRowStride();
    }
}
