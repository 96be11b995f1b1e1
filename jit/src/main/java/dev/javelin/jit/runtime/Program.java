package dev.javelin.jit.runtime;

import dev.javelin.jit.cpu.CpuKernel;
import dev.javelin.jit.cpu.RowGroups;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.jit.plan.PlanStep;
import dev.javelin.kernels.cpu.gemm.GemmEpilogue;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Debug;
import dev.javelin.tensor.spi.EagerEngine;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A compiled program: the optimized graph's steps with their generated kernels, ready to run many
 * times. Running needs no tracing and no code generation; it is safe from several threads at once
 * (each call has its own values; reusable buffers come from a pool, one set per concurrent call).
 */
public final class Program {
    /** {@code -Djavelin.jit.rowGroups=false} runs every kernel on its own: for measuring what row groups buy. */
    private static final boolean ROW_GROUPS = Boolean.parseBoolean(System.getProperty("javelin.jit.rowGroups", "true"));
    /** {@code -Djavelin.jit.epilogues=false} runs the kernel after a GEMM or convolution on its own: for measuring what epilogues buy. */
    private static final boolean EPILOGUES = Boolean.parseBoolean(System.getProperty("javelin.jit.epilogues", "true"));
    private final Graph graph;
    private final List<PlanStep> steps;
    private final CpuKernel[] kernels;
    private final Map<Node, Integer> index = new IdentityHashMap<>();
    private final BufferPlan buffers;
    private final ConcurrentLinkedQueue<Object[]> arenas = new ConcurrentLinkedQueue<>();
    private final Tensor[] constants;
    private final long compileNanos;
    /** Per step that starts a row group, one past its last member (see {@link RowGroups}). */
    private final int[] groupEnd;
    /** Per step, true when its result lives in its row group's scratch row. */
    private final boolean[] scratch;
    private final RowGroups rowGroups;
    private final OutputTargets targets;
    /** Per step, the kernel that runs it and the next step in one pass (see {@link #foldRowSums}), or null. */
    private final CpuKernel[] withNext;
    /** Per step, true for a GEMM whose next step runs as its epilogue (see {@link #gemmEpilogues}). */
    private final boolean[] epilogue;
    /** The executor of a program whose values live on a CUDA device; null on the CPU. */
    private final CudaSteps cuda;

    public Program(Graph graph, List<PlanStep> steps) {
        long start = System.nanoTime();
        this.graph = graph;
        this.steps = List.copyOf(steps);
        for (Node n : graph.nodes()) index.put(n, index.size());
        kernels = new CpuKernel[steps.size()];
        int debug = Debug.level();
        dev.javelin.tensor.Device gpu = CudaSteps.deviceOf(graph);
        cuda = gpu == null ? null : new CudaSteps(graph, this.steps, index, gpu);
        for (int t = 0; cuda == null && t < steps.size(); t++) {
            if (steps.get(t) instanceof PlanStep.Kernel k) {
                kernels[t] = new CpuKernel(k.ir(), k.launch());
                if (debug >= 1 && kernels[t].fresh()) {
                    System.err.printf("[javelin-jit] compiled %s in %.2f ms%n", k.ir().name(), kernels[t].compileNanos() / 1e6);
                }
                if (debug >= 2 && kernels[t].fresh()) System.err.println(kernels[t].bytecode());
            }
        }
        RowGroups groups = ROW_GROUPS && cuda == null ? RowGroups.find(this.steps, escaping(graph, this.steps), readers(this.steps))
                : RowGroups.none(this.steps.size());
        rowGroups = groups;
        groupEnd = groups.end();
        scratch = groups.scratch();
        withNext = foldRowSums();
        epilogue = gemmEpilogues();
        int[] groupStart = new int[steps.size()], groupLast = new int[steps.size()];
        for (int t = 0; t < steps.size(); t++) {
            int e = groupEnd[t];
            for (int u = t; u < e; u++) {
                groupStart[u] = t;
                groupLast[u] = e - 1;
            }
            t = e - 1;
        }
        buffers = new BufferPlan(graph, steps, groupStart, groupLast);
        targets = new OutputTargets(graph, this.steps);
        constants = new Tensor[graph.nodes().size()];
        for (Node n : graph.nodes()) if (n.isConstant()) constants[index.get(n)] = dense(n.constant());
        compileNanos = System.nanoTime() - start;
    }

    public List<PlanStep> steps() { return steps; }

    /**
     * A single-matrix GEMM or a float32 convolution followed by an elementwise kernel, outside any
     * row group, that reads its result position by position (bias, activation, residual): the
     * kernel runs on each block of the result as soon as it is final, while it is in cache.
     */
    private boolean[] gemmEpilogues() {
        boolean[] e = new boolean[steps.size()];
        for (int t = 0; EPILOGUES && cuda == null && t + 1 < steps.size(); t++) {
            if (!(steps.get(t) instanceof PlanStep.Backend g) || !(steps.get(t + 1) instanceof PlanStep.Kernel u) || groupEnd[t + 1] != t + 2) continue;
            Node c = g.node();
            boolean gemm = Gemm.takesEpilogue(c), conv = Convolutions.takeEpilogue(c);
            if (!gemm && !conv) continue;
            List<Integer> cSlots = new ArrayList<>();
            for (int s = 0; s < u.leaves().size(); s++) if (u.leaves().get(s) == c) cSlots.add(s);
            long rows = c.shape().size() / c.shape().dim(c.rank() - 1);
            e[t] = kernels[t + 1].epilogueOf(rows, c.shape().dim(c.rank() - 1), cSlots);
        }
        return e;
    }

    /**
     * Inside row groups, an elementwise kernel whose value lives in a scratch row and the row
     * reduction right after it that only reads that value become one kernel that reduces as it
     * stores (softmax's exp(x - max) and its sum: one pass over the row instead of two). The sum
     * is the same: the same values combined in the same order.
     */
    private CpuKernel[] foldRowSums() {
        CpuKernel[] folded = new CpuKernel[steps.size()];
        for (int t = 0; t < steps.size(); t++) {
            int end = groupEnd[t];
            for (int p = t; p + 1 < end; p++) {
                if (!(steps.get(p) instanceof PlanStep.Kernel e) || !(steps.get(p + 1) instanceof PlanStep.Kernel r) || !scratch[p]) continue;
                KernelIR rir = r.ir();
                boolean readsOnlyE = rir.mode() == KernelIR.Mode.REDUCE_ROW && !rir.storesValue() && rir.body().size() == 1
                        && rir.loads().size() == 1 && rir.loads().get(0).access() == KernelIR.Access.CONTIGUOUS
                        && r.leaves().size() == 1 && r.leaves().get(0) == e.node() && r.launch().innerStrides()[0] == 1
                        && r.launch().n() == e.launch().n() && Arrays.equals(r.launch().keptDims(), e.launch().keptDims());
                if (!readsOnlyE || e.ir().mode() != KernelIR.Mode.ELEMENTWISE || e.ir().outDtype() != DType.FLOAT32) continue;
                String name = "R_" + rir.reduceOp().label().replace("reduce_", "") + "_and_" + e.ir().name().replaceFirst("^E_", "");
                KernelIR both = e.ir().reducingAndStoring(rir.reduceOp(), name);
                folded[p] = new CpuKernel(both, e.launch().withSlotOf(r.launch(), r.launch().innerStrides().length - 1));
                p++;
            }
            t = end - 1;
        }
        return folded;
    }

    /** Which steps run together row by row, and which results live in a scratch row. */
    public RowGroups rowGroups() { return rowGroups; }

    /**
     * One line per row group, its kernels in the order they run on each row: a value kept in a
     * scratch row is marked {@code (scratch)}; an elementwise kernel and the row reduction of it
     * that run as one pass show as that one kernel.
     */
    public List<String> describeRowGroups() {
        List<String> lines = new ArrayList<>();
        for (int t = 0; t < steps.size(); t = groupEnd[t]) {
            if (groupEnd[t] == t + 1) continue;
            StringBuilder sb = new StringBuilder();
            for (int u = t; u < groupEnd[t]; u++) {
                if (u > t && withNext[u - 1] != null) continue;
                if (sb.length() > 0) sb.append(" + ");
                sb.append(withNext[u] != null ? withNext[u].ir().name() : stepName(steps.get(u)));
                if (scratch[u]) sb.append(" (scratch)");
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    /** True when every variable still has the shape and dtype it was traced with. */
    public boolean variablesMatch() {
        for (Node n : graph.nodes()) {
            if (n.kind() != Node.Kind.VARIABLE) continue;
            Tensor now = graph.variables().get(n.inputIndex()).stored();
            if (!now.shape().equals(n.shape()) || now.dtype() != n.dtype()) return false;
        }
        return true;
    }
    public Graph graph() { return graph; }

    /** Kernels whose classes were generated for this program (not found in the shared cache). */
    public int freshKernels() {
        int c = 0;
        for (CpuKernel k : kernels) if (k != null && k.fresh()) c++;
        return c;
    }

    /** Number of GEMM steps whose next kernel runs as their epilogue. */
    public int gemmEpilogueCount() {
        int c = 0;
        for (boolean e : epilogue) if (e) c++;
        return c;
    }

    /** Number of generated-kernel steps. */
    public int kernelCount() {
        if (cuda != null) return cuda.kernelCount();
        int c = 0;
        for (CpuKernel k : kernels) if (k != null) c++;
        return c;
    }

    /** Time spent building this program (code generation and loading included), in nanoseconds. */
    public long compileNanos() { return compileNanos; }

    /**
     * Runs the program on {@code args} and the current values of the graph's variables; stores the
     * variable writes back and returns the outputs.
     */
    public Tensor[] run(Tensor[] args) {
        return run(args, null);
    }

    /**
     * Runs like {@link #run(Tensor[])}, writing the outputs into {@code into} (one contiguous CPU
     * tensor per output, of its shape and dtype; see {@link OutputTargets}) when it is not null.
     * Returns {@code into} then.
     */
    public Tensor[] run(Tensor[] args, Tensor[] into) {
        if (cuda != null) return into == null ? cuda.run(args) : copyInto(cuda.run(args), into);
        boolean[] direct = null;
        Object[] provided = null;
        if (into != null) {
            OutputTargets.check(graph, into);
            direct = new boolean[into.length];
            provided = targets.arrays(steps.size(), into, args, graph.variables(), direct);
        }
        Tensor[] env = new Tensor[index.size()];
        for (Node n : graph.nodes()) {
            switch (n.kind()) {
                case ARGUMENT -> env[index.get(n)] = dense(args[n.inputIndex()]);
                case VARIABLE -> env[index.get(n)] = dense(graph.variables().get(n.inputIndex()).stored());
                case CONSTANT -> env[index.get(n)] = constants[index.get(n)];
                default -> { }
            }
        }
        Object[] arena = buffers.slots() == 0 ? null : arenas.poll();
        if (arena == null && buffers.slots() > 0) arena = new Object[buffers.slots()];
        boolean debug = Debug.level() >= 1;
        try {
            for (int t = 0; t < steps.size(); t++) {
                long start = debug ? System.nanoTime() : 0;
                PlanStep s = steps.get(t);
                if (groupEnd[t] > t + 1) {
                    runRowGroup(t, groupEnd[t], env, arena, provided);
                    if (debug) {
                        StringBuilder names = new StringBuilder();
                        for (int u = t; u < groupEnd[t]; u++) names.append(u > t ? " + " : "").append(stepName(steps.get(u)));
                        System.err.printf("[javelin-jit] %-40s %-7s %s  %.1f us (one pass over rows)%n", names, s.node().dtype(),
                                steps.get(groupEnd[t] - 1).node().shape(), (System.nanoTime() - start) / 1e3);
                    }
                    t = groupEnd[t] - 1;
                    continue;
                }
                if (epilogue[t] && runGemmWithEpilogue(t, env, arena, provided)) {
                    if (debug) {
                        System.err.printf("[javelin-jit] %-40s %-7s %s  %.1f us (epilogue per block of C)%n",
                                stepName(s) + " + " + stepName(steps.get(t + 1)), s.node().dtype(), steps.get(t + 1).node().shape(),
                                (System.nanoTime() - start) / 1e3);
                    }
                    t++;
                    continue;
                }
                env[index.get(s.node())] = switch (s) {
                    case PlanStep.Kernel k -> runKernel(t, k, env, arena, provided);
                    case PlanStep.Backend b -> Gemm.handles(b.node()) ? runGemm(t, b.node(), env, arena, provided)
                            : EagerEngine.INSTANCE.execute(b.node().call(inputs(b.node(), env)));
                    case PlanStep.View v -> EagerEngine.INSTANCE.execute(v.node().call(inputs(v.node(), env)));
                };
                if (debug && !(s instanceof PlanStep.View)) {
                    System.err.printf("[javelin-jit] %-40s %-7s %s  %.1f us%n", stepName(s), s.node().dtype(), s.node().shape(),
                            (System.nanoTime() - start) / 1e3);
                }
            }
        } finally {
            if (arena != null) arenas.offer(arena);
        }
        Tensor[] out = new Tensor[graph.outputs().size()];
        for (int i = 0; i < out.length; i++) out[i] = env[index.get(graph.outputs().get(i))];
        graph.variableWrites().forEach((v, node) -> {
            Variable var = graph.variables().get(v);
            var.store(env[index.get(node)]);
        });
        if (into == null) return out;
        OutputTargets.copyRest(out, into, direct);
        return into;
    }

    /**
     * Copies results computed without a program (eagerly) into {@code into}, with the checks of
     * {@link #run(Tensor[], Tensor[])}. Returns {@code into}.
     */
    public static Tensor[] copyInto(Tensor[] results, Tensor[] into) {
        OutputTargets.check(results, into);
        OutputTargets.copyRest(results, into, new boolean[into.length]);
        return into;
    }

    /** Values that leave the program: outputs, variable writes, and what they are run-time views of. */
    private static java.util.Set<Node> escaping(Graph graph, List<PlanStep> steps) {
        java.util.Set<Node> views = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (PlanStep s : steps) if (s instanceof PlanStep.View v) views.add(v.node());
        java.util.Set<Node> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
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
    private static Map<Node, List<Integer>> readers(List<PlanStep> steps) {
        Map<Node, List<Integer>> r = new IdentityHashMap<>();
        for (int t = 0; t < steps.size(); t++) {
            for (Node n : BufferPlan.reads(steps.get(t))) r.computeIfAbsent(n, k -> new ArrayList<>()).add(t);
        }
        return r;
    }

    /** A step's name for logs: the kernel name, or the backend op with its shapes. */
    public static String stepName(PlanStep s) {
        return switch (s) {
            case PlanStep.Kernel k -> k.ir().name();
            case PlanStep.Backend b -> "B_" + b.node().op().label();
            case PlanStep.View v -> "V_" + v.node().op().label();
        };
    }

    private Tensor runKernel(int t, PlanStep.Kernel k, Tensor[] env, Object[] arena, Object[] provided) {
        Object[] arrays = new Object[k.leaves().size() + 1];
        int[] base = new int[arrays.length];
        Tensor out = bind(t, k, env, arena, provided, arrays, base);
        kernels[t].run(arrays, base);
        return out;
    }

    private void runRowGroup(int from, int to, Tensor[] env, Object[] arena, Object[] provided) {
        int capacity = to - from, m = 0;
        CpuKernel[] members = new CpuKernel[capacity];
        Object[][] arrays = new Object[capacity][];
        int[][] base = new int[capacity][];
        boolean[] scratchMember = new boolean[capacity];
        for (int t = from; t < to; t++) {
            PlanStep.Kernel k = (PlanStep.Kernel) steps.get(t);
            Object[] a = new Object[k.leaves().size() + 1];
            int[] b = new int[a.length];
            env[index.get(k.node())] = bind(t, k, env, arena, provided, a, b);
            if (t > from && withNext[t - 1] != null) { // reduced by the previous member: its output becomes that member's last slot
                arrays[m - 1] = Arrays.copyOf(arrays[m - 1], arrays[m - 1].length + 1);
                arrays[m - 1][arrays[m - 1].length - 1] = a[a.length - 1];
                base[m - 1] = Arrays.copyOf(base[m - 1], base[m - 1].length + 1);
                base[m - 1][base[m - 1].length - 1] = b[b.length - 1];
                continue;
            }
            members[m] = withNext[t] != null ? withNext[t] : kernels[t];
            arrays[m] = a;
            base[m] = b;
            scratchMember[m++] = scratch[t];
        }
        CpuKernel.runRowGroup(Arrays.copyOf(members, m), Arrays.copyOf(arrays, m), Arrays.copyOf(base, m), Arrays.copyOf(scratchMember, m));
    }

    /**
     * Runs GEMM or convolution step {@code t} with step {@code t + 1} as its epilogue; false (nothing
     * run) when the epilogue's output is the memory of an operand, which it would overwrite while still read.
     */
    private boolean runGemmWithEpilogue(int t, Tensor[] env, Object[] arena, Object[] provided) {
        Node node = steps.get(t).node();
        Tensor a = env[index.get(node.input(0))], b = env[index.get(node.input(1))];
        PlanStep.Kernel u = (PlanStep.Kernel) steps.get(t + 1);
        // only a planned (reused) buffer can be an operand's memory; a fresh or caller's array never is
        if (buffers.slotOfStep[t + 1] >= 0) {
            Object uOut = output(t + 1, u.node(), arena, provided);
            if (uOut == ((HeapStorage) a.storage()).array() || uOut == ((HeapStorage) b.storage()).array()) return false;
        }
        boolean conv = node.isOp(Op.CONV2D);
        if (conv && !Convolutions.available()) return false; // the CPU backend was switched since planning
        float[] c = (float[]) output(t, node, arena, provided);
        env[index.get(node)] = Tensor.wrap(HeapStorage.wrap(c), node.shape(), node.shape().contiguousStrides(), 0);
        Object[] arrays = new Object[u.leaves().size() + 1];
        int[] base = new int[arrays.length];
        env[index.get(u.node())] = bind(t + 1, u, env, arena, provided, arrays, base);
        CpuKernel k = kernels[t + 1];
        int n = node.shape().dim(node.rank() - 1);
        GemmEpilogue epilogue = (row0, rows, col0, cols) -> k.runBlock(arrays, base, row0, rows, col0, cols, n);
        if (conv) Convolutions.run(node, a, b, env[index.get(node)], epilogue);
        else Gemm.run(a, b, c, epilogue);
        return true;
    }

    private Tensor runGemm(int t, Node node, Tensor[] env, Object[] arena, Object[] provided) {
        float[] out = (float[]) output(t, node, arena, provided);
        Gemm.run(env[index.get(node.input(0))], env[index.get(node.input(1))], out);
        return Tensor.wrap(HeapStorage.wrap(out), node.shape(), node.shape().contiguousStrides(), 0);
    }

    /**
     * The memory step {@code t} writes: a planned reusable buffer, the caller's array for an output
     * it supplied, or a fresh array for values that leave the program.
     */
    private Object output(int t, Node node, Object[] arena, Object[] provided) {
        if (provided != null && provided[t] != null) return provided[t];
        int slot = buffers.slotOfStep[t];
        if (slot < 0) return HeapStorage.allocate(node.dtype(), Math.toIntExact(node.size())).array();
        Object out = arena[slot];
        if (out == null) out = arena[slot] = HeapStorage.allocate(buffers.slotTypes.get(slot), buffers.slotSizes.get(slot)).array();
        return out;
    }

    /** Fills a kernel's arrays and offsets from the values it reads, and allocates its output. */
    private Tensor bind(int t, PlanStep.Kernel k, Tensor[] env, Object[] arena, Object[] provided, Object[] arrays, int[] base) {
        List<Node> leaves = k.leaves();
        for (int s = 0; s < leaves.size(); s++) {
            Tensor in = env[index.get(leaves.get(s))];
            arrays[s] = ((HeapStorage) in.storage()).array();
            base[s] = in.offset();
        }
        Node node = k.node();
        Object out = output(t, node, arena, provided);
        arrays[leaves.size()] = out;
        HeapStorage storage = HeapStorage.wrap(out);
        return Tensor.wrap(storage, node.shape(), node.shape().contiguousStrides(), 0);
    }

    private static List<Tensor> inputs(Node n, Tensor[] env, Map<Node, Integer> index) {
        List<Tensor> in = new ArrayList<>(n.inputs().size());
        for (Node i : n.inputs()) in.add(env[index.get(i)]);
        return in;
    }

    private List<Tensor> inputs(Node n, Tensor[] env) {
        return inputs(n, env, index);
    }

    /** {@code t} itself when dense from its offset, else a dense copy (kernels read inputs densely). */
    static Tensor dense(Tensor t) {
        if (t.isContiguous() && (t.storage() instanceof HeapStorage || !t.device().equals(dev.javelin.tensor.Device.CPU))) return t;
        return EagerEngine.INSTANCE.execute(new OpCall(Op.CONTIGUOUS, List.of(t), OpAttrs.NONE, t.shape(), t.dtype(), t.device()));
    }

    /** For tests: the dtype of each reusable buffer. */
    List<DType> bufferTypes() {
        return buffers.slotTypes;
    }
}
