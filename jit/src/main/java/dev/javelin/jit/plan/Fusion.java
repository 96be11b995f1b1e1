package dev.javelin.jit.plan;

import dev.javelin.kernels.ir.Decompositions;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.spi.Views;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which values are materialized in memory; everything else is recomputed inside the loop
 * of the kernel that consumes it. This is the fusion pass: an elementwise chain (with the views
 * and broadcasts between its ops) becomes one loop; an elementwise chain feeding a reduction
 * becomes the reduction's prologue.
 *
 * <p>A value is materialized when it is a program input or constant, the result of an op with no
 * generated code (matmul, gather, an int op: run by the backend), a reduction, a program output or
 * variable write, an input of a backend op, or an elementwise value used by several consumers whose
 * recomputation would cost more than {@link #RECOMPUTE_LIMIT} (a weighted op count: a
 * transcendental counts {@value #TRANSCENDENTAL}), or that feeds a row reduction and costs at least a
 * transcendental (it will live in a row group's scratch row). Reductions are never recomputed.
 */
public final class Fusion {
    /**
     * Elementwise ops the kernel IR admits; every code generator implements all of them (pow, like
     * the other transcendentals, through its decomposition: the eager backend runs the same one).
     */
    public static final Set<Op> FUSIBLE = Collections.unmodifiableSet(EnumSet.of(
            Op.NEG, Op.ABS, Op.EXP, Op.LOG, Op.SQRT, Op.SIN, Op.COS, Op.TANH, Op.SIGMOID, Op.ERF, Op.RELU, Op.RECIPROCAL, Op.SIGN,
            Op.FLOOR, Op.CEIL, Op.ROUND,
            Op.LOGICAL_NOT, Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MAX, Op.MIN, Op.POW,
            Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.WHERE, Op.CAST));

    /** Reductions with a generated kernel. */
    public static final Set<Op> REDUCIBLE = Collections.unmodifiableSet(EnumSet.of(Op.REDUCE_SUM, Op.REDUCE_MAX, Op.REDUCE_MIN));

    /** Above this weighted cost a value with several consumers is stored rather than recomputed. */
    public static final int RECOMPUTE_LIMIT = 8;
    static final int TRANSCENDENTAL = 4;
    /**
     * The most machine-level instructions ({@link #heavyWeight}) one loop body may hold. A generated
     * kernel writes its body out two or three times (main loop, masked tail, row blocks), about ten
     * bytes of bytecode per instruction, and HotSpot never compiles a method over 8000 bytes
     * (HugeMethodLimit): this keeps every kernel well under it. About eight transcendentals fit.
     * {@code -Djavelin.jit.loopBodyLimit=N} changes it.
     */
    static final int HEAVY_BUDGET = Integer.getInteger("javelin.jit.loopBodyLimit", 300);

    private final Graph graph;
    private final Set<Node> materialized = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Node> runtimeViews = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Why each materialized op's value is stored rather than recomputed where it is read. */
    private final Map<Node, String> reasons = new IdentityHashMap<>();

    private Fusion(Graph graph) {
        this.graph = graph;
    }

    /** The fusion decisions for {@code graph}, with {@code forced} values materialized in addition (each with why). */
    public static Fusion decide(Graph graph, Map<Node, String> forced) {
        Fusion f = new Fusion(graph);
        f.run(forced);
        return f;
    }

    /** Values that live in memory between kernels (inputs and constants included). */
    public Set<Node> materialized() { return materialized; }

    /** Why {@code n} is stored in memory (null when it is recomputed inside the loops that read it). */
    public String reason(Node n) { return reasons.get(n); }

    /** Views made by stride arithmetic at run time: outputs, or inputs of backend ops. */
    public Set<Node> runtimeViews() { return runtimeViews; }

    /**
     * True when {@code n} is an elementwise op with generated code: float32 and bool values on a
     * device with generated kernels (see {@link #generated}), its inputs on the same device.
     */
    public static boolean isFusible(Node n) {
        if (!n.isOp() || !FUSIBLE.contains(n.op()) || !generated(n) || !loopType(n.dtype())) return false;
        for (Node in : n.inputs()) if (!loopType(in.dtype())) return false;
        return true;
    }

    /** True when {@code n} is a float32 sum/max/min reduction with a generated kernel. */
    public static boolean isReducible(Node n) {
        return n.isOp() && REDUCIBLE.contains(n.op()) && generated(n) && n.dtype() == DType.FLOAT32
                && n.input(0).dtype() == DType.FLOAT32;
    }

    /** True for a view a kernel can read through (its element type lives in a generated loop). */
    public static boolean isFusibleView(Node n) {
        return n.isView() && generated(n) && loopType(n.dtype());
    }

    /**
     * True when {@code n} computes where the JIT generates kernels, the CPU (bytecode) or a CUDA
     * device (PTX from the same kernel IR), with every input on that device: one plan serves both.
     */
    static boolean generated(Node n) {
        Device d = n.device();
        if (d.type() != Device.Type.CPU && d.type() != Device.Type.CUDA) return false;
        for (Node in : n.inputs()) if (!in.device().equals(d)) return false;
        return true;
    }

    private static boolean loopType(DType t) {
        return t == DType.FLOAT32 || t == DType.BOOL;
    }

    private void run(Map<Node, String> forced) {
        Map<Node, List<Node>> users = graph.users();
        forced.forEach(this::store);
        for (Node n : graph.nodes()) {
            if (!n.isOp()) {
                materialized.add(n);
            } else if (!n.isView() && !isFusible(n)) { // reductions and backend ops
                store(n, isReducible(n) ? "a reduction: its own kernel" : "no generated code for " + n.op().label() + " " + n.dtype() + " on " + n.device() + ": the backend runs it");
            }
        }
        for (Node r : graph.roots()) need(r, "it leaves the program (an output or a variable write)");
        for (Node n : graph.nodes()) {
            if (n.isOp() && !n.isView() && !isFusible(n) && !isReducible(n)) {
                for (Node in : n.inputs()) need(in, "backend op %" + n.id() + " (" + n.op().label() + ") reads it from memory");
            }
            if (n.isView() && !isFusibleView(n)) need(n, "a view of " + n.dtype() + ", which no generated loop reads");
        }
        Map<Node, Integer> cost = new IdentityHashMap<>();
        Map<Node, Integer> heavy = new IdentityHashMap<>();
        for (Node n : graph.nodes()) {
            if (!isFusible(n)) continue;
            limitHeavy(n, heavy); // stored values too: their kernel's body is their expression
            if (materialized.contains(n)) continue;
            int c = weight(n.op());
            for (Node in : n.inputs()) c += inlinedCost(in, cost);
            cost.put(n, c);
            int readers = consumers(n, users);
            if (readers > 1 && c > RECOMPUTE_LIMIT) {
                store(n, readers + " kernels read it and recomputing it costs " + c + " > " + RECOMPUTE_LIMIT);
            } else if (readers > 1 && c >= TRANSCENDENTAL && feedsRowReduction(n, users)) {
                store(n, readers + " kernels read it, it costs a transcendental (" + c + ") and feeds a row reduction (a row group keeps it in a scratch row)");
            }
        }
    }

    /** Marks {@code n} as needed in memory at run time: a view of a materialized value, or a value itself. */
    private void need(Node n, String why) {
        if (materialized.contains(n)) return;
        if (n.isView()) {
            for (Node copy = viewNeedingCopy(n); copy != null; copy = viewNeedingCopy(n)) {
                store(copy, "a view of it read from memory cannot be expressed by strides: a kernel copies it densely first");
            }
            if (runtimeViews.add(n)) need(n.input(0), why);
        } else {
            store(n, why);
        }
    }

    /**
     * For a view made at run time: the value under the lowest view of its chain that strides over the
     * chain's dense base cannot express (a reshape of a permuted value), when a generated kernel can copy
     * it; else null. Without this the eager engine copied it into a new array at every call (the char-GPT
     * step's head merge before the out-projection: 8 MB a step), memory the buffer plan could not give.
     */
    private Node viewNeedingCopy(Node n) {
        List<Node> chain = new java.util.ArrayList<>();
        Node base = n;
        while (base.isView() && !materialized.contains(base)) {
            chain.add(base);
            base = base.input(0);
        }
        int[] strides = base.shape().contiguousStrides();
        int offset = 0;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Views.Layout l = Views.layout(chain.get(i).symbolicCall(), strides, offset);
            if (l == null) {
                Node under = chain.get(i).input(0);
                return under.isView() && !materialized.contains(under) && isFusibleView(under) ? under : null;
            }
            strides = l.strides();
            offset = l.offset();
        }
        return null;
    }

    private void store(Node n, String why) {
        if (materialized.add(n) && n.isOp()) reasons.put(n, why);
    }

    /**
     * How many machine-level instructions an op adds to a loop body: its decomposition's, and at least
     * one for an op a code generator renders directly (a chain of thousands of adds or relus, as an
     * ONNX file may hold, is as long a body as a few tanh: counted as nothing, it made one kernel too
     * large to compile and lowering it overflowed the stack). {@code limitHeavy} keeps a loop body within
     * {@link #HEAVY_BUDGET}: while an expression would hold more, its heaviest input expression is
     * stored instead of recomputed (by its own kernel; {@code RowGroups} then runs the two block by
     * block, so the stored value stays in a cache-resident block when only they read it).
     *
     * <pre>{@code
     * Fusion.heavyWeight(Op.TANH);   // 33
     * }</pre>
     */
    public static int heavyWeight(Op op) {
        return Math.max(1, Decompositions.size(op));
    }

    /** Stores inputs of {@code n} until its loop body's heavy weight is within budget (see {@link #heavyWeight}). */
    private void limitHeavy(Node n, Map<Node, Integer> heavy) {
        while (true) {
            int h = heavyWeight(n.op());
            Node worst = null;
            int worstH = 0;
            for (Node in : n.inputs()) {
                Node c = fusedSource(in);
                int ih = c == null ? 0 : heavy.getOrDefault(c, 0);
                h += ih;
                // only float32 values are stored for this (a bool mask's heavy part is in its float inputs)
                if (ih > worstH && c.dtype() == DType.FLOAT32) {
                    worst = c;
                    worstH = ih;
                }
            }
            if (h <= HEAVY_BUDGET || worst == null) {
                heavy.put(n, h);
                return;
            }
            store(worst, "%" + n.id() + "'s loop body would hold " + h + " > " + HEAVY_BUDGET + " machine-level instructions");
        }
    }

    /** The fused value {@code n} reads through views, or null when it reads memory. */
    private Node fusedSource(Node n) {
        Node c = n;
        while (c.isView() && !runtimeViews.contains(c)) c = c.input(0);
        return materialized.contains(c) || c.isView() ? null : c;
    }

    private int inlinedCost(Node n, Map<Node, Integer> cost) {
        Node c = n;
        while (c.isView() && !runtimeViews.contains(c)) c = c.input(0);
        if (materialized.contains(c) || c.isView()) return 0;
        return cost.getOrDefault(c, 0);
    }

    /**
     * True when a row reduction (over the last axis only) reads {@code n} directly: then {@code n} is
     * stored rather than recomputed by each consumer, and the row group it joins keeps it in a
     * one-row scratch buffer, never in memory (softmax's {@code exp(x - max)}: one exp per element).
     */
    private static boolean feedsRowReduction(Node n, Map<Node, List<Node>> users) {
        if (n.rank() < 2) return false;
        for (Node u : users.getOrDefault(n, List.of())) {
            if (isReducible(u) && Arrays.equals(u.attrs(OpAttrs.Reduce.class).axes(), new int[] {n.rank() - 1})) return true;
        }
        return false;
    }

    /** Kernels that read {@code n}: its users, counting through views. */
    private static int consumers(Node n, Map<Node, List<Node>> users) {
        int c = 0;
        for (Node u : users.getOrDefault(n, List.of())) c += u.isView() ? consumers(u, users) : 1;
        return c;
    }

    static int weight(Op op) {
        return switch (op) {
            case EXP, LOG, TANH, SIGMOID, ERF, SIN, COS, SQRT -> TRANSCENDENTAL;
            case POW -> 2 * TRANSCENDENTAL; // a logarithm and an exponential
            case DIV, RECIPROCAL -> 2;
            default -> 1;
        };
    }
}
