package dev.javelin.jit.runtime;

import dev.javelin.jit.cpu.CpuKernel;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.jit.plan.BufferPlan;
import dev.javelin.jit.plan.Launch;
import dev.javelin.jit.plan.Lowering;
import dev.javelin.jit.plan.Plan;
import dev.javelin.jit.plan.PlanStep;
import dev.javelin.jit.plan.Planner;
import dev.javelin.jit.plan.RowGroups;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Backend;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.ConstantOperand;
import dev.javelin.tensor.spi.Debug;
import dev.javelin.tensor.spi.EagerEngine;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.tensor.spi.HostBuffers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The CPU executor of a {@link Plan}: binds the plan's kernels to generated classes once, then runs
 * the plan's runs in order, as many times as asked. Every decision (what fuses, which kernels run
 * row by row, which kernel is a contraction's epilogue, which buffer each value takes) is the
 * plan's; this class only follows it. Running needs no tracing and no code generation; it is safe
 * from several threads at once (each call has its own values; reusable buffers come from a pool,
 * one set per concurrent call).
 *
 * <p>Memory that leaves a call comes from {@link HostBuffers}; a variable value this program wrote
 * goes back there once a later call replaces it and nobody else can read it ({@link VariableLeases}),
 * so a train step that rewrites its weights and optimizer state allocates nothing for them.
 */
public final class Program {
    private final Plan plan;
    private final Graph graph;
    private final List<PlanStep> steps;
    private final CpuKernel[] kernels;
    /** Per run (in plan order), the kernels of a row group's members, else null. */
    private final CpuKernel[][] memberKernels;
    /** Every value's slot in a call's array of values, found once. */
    private final ValueSlots slots;
    private final Plan.Buffers buffers;
    private final ConcurrentLinkedQueue<Object[]> arenas = new ConcurrentLinkedQueue<>();
    private final Tensor[] constants;
    /** Per step, a contraction's constant weight (its derived forms kept across calls), else null. */
    private final ConstantOperand[] constantWeights;
    private final long compileNanos;
    private final OutputTargets targets;
    private final VariableLeases leases;
    /** The executor of a plan whose values live on a CUDA device; null on the CPU. */
    private final CudaSteps cuda;
    /** Whether the plan runs generated code (kernels, row groups, epilogues), which only a backend that allows it may see. */
    private final boolean generated;
    /** The same graph planned op by op, made on the first call under a backend that runs no generated kernels. */
    private volatile Program opByOp;

    /** The executor of {@code Planner.plan(graph, steps)}. */
    public Program(Graph graph, List<PlanStep> steps) {
        this(Planner.plan(graph, steps));
    }

    public Program(Plan plan) {
        long start = System.nanoTime();
        this.plan = plan;
        this.graph = plan.graph();
        this.steps = plan.steps();
        slots = new ValueSlots(graph, steps);
        kernels = new CpuKernel[steps.size()];
        dev.javelin.tensor.Device gpu = CudaSteps.deviceOf(graph);
        cuda = gpu == null ? null : new CudaSteps(plan, slots.index, gpu);
        for (int t = 0; cuda == null && t < steps.size(); t++) {
            if (steps.get(t) instanceof PlanStep.Kernel k) kernels[t] = bindKernel(k.ir(), k.launch());
        }
        memberKernels = new CpuKernel[plan.runs().size()][];
        for (int r = 0; cuda == null && r < memberKernels.length; r++) {
            if (!(plan.runs().get(r) instanceof Plan.RowGroup g)) continue;
            memberKernels[r] = new CpuKernel[g.members().size()];
            for (int m = 0; m < memberKernels[r].length; m++) {
                Plan.Member member = g.members().get(m);
                boolean asAlone = member.folded() < 0 && member.launch() == ((PlanStep.Kernel) steps.get(member.step())).launch();
                memberKernels[r][m] = asAlone ? kernels[member.step()] : bindKernel(member.ir(), member.launch()); // else folded, or one position per row
            }
        }
        generated = steps.stream().anyMatch(st -> st instanceof PlanStep.Kernel);
        buffers = plan.buffers();
        targets = new OutputTargets(graph, this.steps);
        leases = new VariableLeases(graph, this.steps, buffers);
        constants = new Tensor[graph.nodes().size()];
        // a CUDA program keeps its device constants in its executor: a second dense copy here would only hold device memory
        for (Node n : graph.nodes()) if (cuda == null && n.isConstant()) constants[slots.index.get(n)] = dense(n.constant());
        constantWeights = new ConstantOperand[steps.size()];
        for (int t = 0; t < steps.size(); t++) {
            Node n = steps.get(t).node();
            if (steps.get(t) instanceof PlanStep.Backend && BufferPlan.writesProvidedMemory(n) && derivesFromConstants(n.input(1))) {
                constantWeights[t] = new ConstantOperand(1);
            }
        }
        compileNanos = System.nanoTime() - start;
    }

    /** Whether {@code n} is a constant or a view of one: the same memory and values on every call. */
    private static boolean derivesFromConstants(Node n) {
        while (n.isView()) n = n.input(0);
        return n.isConstant();
    }

    private static CpuKernel bindKernel(KernelIR ir, Launch launch) {
        CpuKernel k = new CpuKernel(ir, launch);
        int debug = Debug.level();
        if (debug >= 1 && k.fresh()) System.err.printf("[javelin-jit] compiled %s in %.2f ms%n", ir.name(), k.compileNanos() / 1e6);
        if (debug >= 2 && k.fresh()) System.err.println(k.bytecode());
        return k;
    }

    /** The plan this program runs. */
    public Plan plan() { return plan; }

    public List<PlanStep> steps() { return steps; }

    /** Which steps run together row by row, and which results live in a scratch row. */
    public RowGroups rowGroups() {
        int[] end = new int[steps.size()];
        boolean[] scratch = new boolean[steps.size()];
        for (int t = 0; t < end.length; t++) end[t] = t + 1;
        for (Plan.Run r : plan.runs()) {
            if (!(r instanceof Plan.RowGroup g)) continue;
            end[g.first()] = g.end();
            for (Plan.Member m : g.members()) scratch[m.step()] = m.scratch();
        }
        return new RowGroups(end, scratch);
    }

    /**
     * One line per row group, its kernels in the order they run on each row: a value kept in a
     * scratch row is marked {@code (scratch)}; an elementwise kernel and the row reduction of it
     * that run as one pass show as that one kernel.
     */
    public List<String> describeRowGroups() {
        List<String> lines = new ArrayList<>();
        for (Plan.Run r : plan.runs()) {
            if (!(r instanceof Plan.RowGroup g)) continue;
            StringBuilder sb = new StringBuilder();
            for (Plan.Member m : g.members()) {
                if (sb.length() > 0) sb.append(" + ");
                sb.append(m.ir().name());
                if (m.scratch()) sb.append(" (scratch)");
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    /** True when every variable still has the shape, dtype and device it was traced with. */
    public boolean variablesMatch() {
        return slots.variablesMatch(graph.variables());
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
        for (Plan.Run r : plan.runs()) if (r instanceof Plan.WithEpilogue) c++;
        return c;
    }

    /** Number of generated-kernel steps. */
    public int kernelCount() {
        if (cuda != null) return cuda.kernelCount();
        int c = 0;
        for (CpuKernel k : kernels) if (k != null) c++;
        return c;
    }

    /** How the executor runs the plan where that is not the CPU's way (a CUDA program): lines for {@code Jit.explain}; empty on the CPU. */
    public List<String> executorNotes() {
        return cuda == null ? List.of() : cuda.describe();
    }

    /**
     * Gives back the device memory this program holds (a CUDA program's copies of its constants); a
     * later run of it throws. A CPU program holds heap memory only, the GC's: nothing to do.
     */
    public void release() {
        if (cuda != null) cuda.release();
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
        if (generated && !Backends.forDevice(dev.javelin.tensor.Device.CPU).runsGeneratedKernels()) return opByOp().run(args, into);
        if (into != null) OutputTargets.check(graph, into);
        Variable.Stored[] pinned = leases.pin();
        try {
            return runPinned(args, into, pinned);
        } finally {
            leases.unpin(pinned);
        }
    }

    /**
     * This program's graph with every op a backend step: what runs when the backend was switched,
     * after planning, to one that runs no generated kernels (the plan's backend is looked up per call,
     * as a contraction's is).
     */
    private Program opByOp() {
        Program p = opByOp;
        if (p == null) opByOp = p = new Program(Planner.plan(graph, Lowering.backendSteps(graph)));
        return p;
    }

    private Tensor[] runPinned(Tensor[] args, Tensor[] into, Variable.Stored[] pinned) {
        boolean[] direct = null;
        Object[] provided = null;
        if (into != null) {
            direct = new boolean[into.length];
            provided = targets.arrays(steps.size(), into, args, pinned, direct);
        }
        Tensor[] env = new Tensor[slots.size()];
        for (int i = 0; i < slots.argumentSlots.length; i++) env[slots.argumentSlots[i]] = dense(args[slots.argumentIndex[i]]);
        for (int i = 0; i < slots.variableSlots.length; i++) env[slots.variableSlots[i]] = dense(pinned[slots.variableIndex[i]].value());
        for (int c : slots.constantSlots) env[c] = constants[c];
        Object[] arena = buffers.slots() == 0 ? null : arenas.poll();
        if (arena == null && buffers.slots() > 0) arena = new Object[buffers.slots()];
        boolean debug = Debug.level() >= 1;
        try {
            List<Plan.Run> runs = plan.runs();
            for (int r = 0; r < runs.size(); r++) {
                long start = debug ? System.nanoTime() : 0;
                switch (runs.get(r)) {
                    case Plan.Alone one -> runAlone(one.step(), env, arena, provided, debug, start);
                    case Plan.RowGroup g -> {
                        runRowGroup(g, memberKernels[r], env, arena, provided);
                        if (debug) {
                            StringBuilder names = new StringBuilder();
                            for (int u = g.first(); u < g.end(); u++) names.append(u > g.first() ? " + " : "").append(stepName(steps.get(u)));
                            System.err.printf("[javelin-jit] %-40s %-7s %s  %.1f us (one pass over rows)%n", names, steps.get(g.first()).node().dtype(),
                                    steps.get(g.end() - 1).node().shape(), (System.nanoTime() - start) / 1e3);
                        }
                    }
                    case Plan.WithColumnSums p -> {
                        runWithColumnSums(p.contraction(), env, arena, provided);
                        if (debug) {
                            PlanStep c = steps.get(p.contraction()), u = steps.get(p.sums());
                            System.err.printf("[javelin-jit] %-40s %-7s %s  %.1f us (column sums as the GEMM's row of ones)%n",
                                    stepName(c) + " + " + stepName(u), c.node().dtype(), c.node().shape(), (System.nanoTime() - start) / 1e3);
                        }
                    }
                    case Plan.WithEpilogue e -> {
                        runWithEpilogue(e.contraction(), e.inPlace(), env, arena, provided);
                        if (debug) {
                            PlanStep c = steps.get(e.contraction()), u = steps.get(e.epilogue());
                            System.err.printf("[javelin-jit] %-40s %-7s %s  %.1f us (epilogue per block of C)%n",
                                    stepName(c) + " + " + stepName(u), c.node().dtype(), u.node().shape(), (System.nanoTime() - start) / 1e3);
                        }
                    }
                }
            }
        } finally {
            if (arena != null) arenas.offer(arena);
        }
        Tensor[] out = new Tensor[graph.outputs().size()];
        for (int i = 0; i < out.length; i++) out[i] = env[slots.outputs[i]];
        Tensor[] written = new Tensor[graph.variables().size()];
        for (int i = 0; i < slots.writtenVariables.length; i++) written[slots.writtenVariables[i]] = env[slots.writtenSlots[i]];
        leases.store(written, out, pinned);
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

    private void runAlone(int t, Tensor[] env, Object[] arena, Object[] provided, boolean debug, long start) {
        PlanStep s = steps.get(t);
        env[slots.step[t]] = switch (s) {
            case PlanStep.Kernel k -> runKernel(t, k, env, arena, provided);
            case PlanStep.Backend b -> BufferPlan.writesProvidedMemory(b.node()) ? runContraction(t, b.node(), env, arena, provided)
                    : BufferPlan.takesZeroedMemory(b.node()) ? runIntoZeroed(t, b.node(), env, arena, provided)
                    : EagerEngine.INSTANCE.execute(b.node().call(inputs(t, env)));
            case PlanStep.View v -> EagerEngine.INSTANCE.execute(v.node().call(inputs(t, env)));
        };
        if (debug && !(s instanceof PlanStep.View)) {
            System.err.printf("[javelin-jit] %-40s %-7s %s  %.1f us%n", stepName(s), s.node().dtype(), s.node().shape(),
                    (System.nanoTime() - start) / 1e3);
        }
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

    private void runRowGroup(Plan.RowGroup g, CpuKernel[] members, Tensor[] env, Object[] arena, Object[] provided) {
        int m = members.length;
        Object[][] arrays = new Object[m][];
        int[][] base = new int[m][];
        boolean[] scratchMember = new boolean[m];
        for (int i = 0; i < m; i++) {
            Plan.Member member = g.members().get(i);
            PlanStep.Kernel k = (PlanStep.Kernel) steps.get(member.step());
            Object[] a = new Object[k.leaves().size() + 1];
            int[] b = new int[a.length];
            env[slots.step[member.step()]] = bind(member.step(), k, env, arena, provided, a, b);
            if (member.folded() >= 0) { // the folded reduction's output becomes this member's last slot
                PlanStep.Kernel r = (PlanStep.Kernel) steps.get(member.folded());
                Object[] ra = new Object[r.leaves().size() + 1];
                int[] rb = new int[ra.length];
                env[slots.step[member.folded()]] = bind(member.folded(), r, env, arena, provided, ra, rb);
                a = Arrays.copyOf(a, a.length + 1);
                a[a.length - 1] = ra[ra.length - 1];
                b = Arrays.copyOf(b, b.length + 1);
                b[b.length - 1] = rb[rb.length - 1];
            }
            arrays[i] = a;
            base[i] = b;
            scratchMember[i] = member.scratch();
        }
        CpuKernel.runRowGroup(members, arrays, base, scratchMember);
    }

    /**
     * Runs contraction step {@code t} on its device's backend with kernel step {@code t + 1} as its
     * epilogue, on each block of the result the backend hands over (the buffer plan never gives the
     * epilogue's output an operand's memory). {@code inPlace}: the product is written into the
     * epilogue's output memory, which the epilogue then rewrites block by block.
     */
    private void runWithEpilogue(int t, boolean inPlace, Tensor[] env, Object[] arena, Object[] provided) {
        Node node = steps.get(t).node();
        PlanStep.Kernel u = (PlanStep.Kernel) steps.get(t + 1);
        Object uOut = inPlace ? output(t + 1, u.node(), arena, provided) : null;
        Tensor c = Tensor.wrap(HeapStorage.wrap(inPlace ? uOut : output(t, node, arena, provided)), node.shape(),
                node.shape().contiguousStrides(), 0);
        OpCall call = node.call(inputs(t, env));
        env[slots.step[t]] = c;
        Object[] arrays = new Object[u.leaves().size() + 1];
        int[] base = new int[arrays.length];
        env[slots.step[t + 1]] = bind(t + 1, u, env, arena, provided, arrays, base, uOut);
        CpuKernel k = kernels[t + 1];
        int n = node.shape().dim(node.rank() - 1);
        Backends.forDevice(node.device()).contract(call, c, (row0, rows, col0, cols) -> k.runBlock(arrays, base, row0, rows, col0, cols, n),
                constantWeights[t]);
    }

    /**
     * Matmul step {@code t} and column-sum kernel step {@code t + 1} (its B summed over its rows) in one GEMM on the
     * backend, the sums as a row of ones appended to A ({@link Plan.WithColumnSums}).
     */
    private void runWithColumnSums(int t, Tensor[] env, Object[] arena, Object[] provided) {
        Node node = steps.get(t).node(), sum = steps.get(t + 1).node();
        Tensor c = Tensor.wrap(HeapStorage.wrap(output(t, node, arena, provided)), node.shape(), node.shape().contiguousStrides(), 0);
        Tensor sums = Tensor.wrap(HeapStorage.wrap(output(t + 1, sum, arena, provided)), sum.shape(), sum.shape().contiguousStrides(), 0);
        Backends.forDevice(node.device()).contractWithColumnSums(node.call(inputs(t, env)), c, constantWeights[t], sums);
        env[slots.step[t]] = c;
        env[slots.step[t + 1]] = sums;
    }

    /** A contraction whose output memory the plan provides, on its device's backend. */
    private Tensor runContraction(int t, Node node, Tensor[] env, Object[] arena, Object[] provided) {
        Tensor out = Tensor.wrap(HeapStorage.wrap(output(t, node, arena, provided)), node.shape(), node.shape().contiguousStrides(), 0);
        Backends.forDevice(node.device()).contract(node.call(inputs(t, env)), out, null, constantWeights[t]);
        return out;
    }

    /**
     * Any other CPU backend op, into the memory the plan provides: zeroed as the eager engine's fresh memory is,
     * unless the backend writes every element of it anyway.
     */
    private Tensor runIntoZeroed(int t, Node node, Tensor[] env, Object[] arena, Object[] provided) {
        HeapStorage storage = HeapStorage.wrap(output(t, node, arena, provided));
        OpCall call = node.call(inputs(t, env));
        Backend backend = Backends.forDevice(node.device());
        if (!backend.writesEveryElement(call)) storage.clear(Math.toIntExact(node.size()));
        Tensor out = Tensor.wrap(storage, node.shape(), node.shape().contiguousStrides(), 0);
        backend.execute(call, out);
        return out;
    }

    /**
     * The memory step {@code t} writes: a planned reusable buffer, the caller's array for an output
     * it supplied, or a fresh array for values that leave the program.
     */
    private Object output(int t, Node node, Object[] arena, Object[] provided) {
        if (provided != null && provided[t] != null) return provided[t];
        int slot = buffers.slotOfStep()[t];
        if (slot < 0) return HostBuffers.take(node.dtype(), Math.toIntExact(node.size()));
        Object out = arena[slot];
        if (out == null) out = arena[slot] = HeapStorage.allocate(buffers.slotTypes().get(slot), buffers.slotSizes().get(slot)).array();
        return out;
    }

    /** Fills a kernel's arrays and offsets from the values it reads, and allocates its output. */
    private Tensor bind(int t, PlanStep.Kernel k, Tensor[] env, Object[] arena, Object[] provided, Object[] arrays, int[] base) {
        return bind(t, k, env, arena, provided, arrays, base, null);
    }

    /** As {@link #bind(int, PlanStep.Kernel, Tensor[], Object[], Object[], Object[], int[])}, the output in {@code out} when not null. */
    private Tensor bind(int t, PlanStep.Kernel k, Tensor[] env, Object[] arena, Object[] provided, Object[] arrays, int[] base, Object out) {
        int[] leaves = slots.leaves[t];
        for (int s = 0; s < leaves.length; s++) {
            Tensor in = env[leaves[s]];
            arrays[s] = ((HeapStorage) in.storage()).array();
            base[s] = in.offset();
        }
        Node node = k.node();
        if (out == null) out = output(t, node, arena, provided);
        arrays[leaves.length] = out;
        HeapStorage storage = HeapStorage.wrap(out);
        return Tensor.wrap(storage, node.shape(), node.shape().contiguousStrides(), 0);
    }

    /** Step {@code t}'s node's input values. */
    private List<Tensor> inputs(int t, Tensor[] env) {
        int[] in = slots.inputs[t];
        Tensor[] values = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) values[i] = env[in[i]];
        return Arrays.asList(values);
    }

    /** {@code t} itself when dense from its offset, else a dense copy (kernels read inputs densely). */
    static Tensor dense(Tensor t) {
        if (t.isContiguous() && (t.storage() instanceof HeapStorage || !t.device().equals(dev.javelin.tensor.Device.CPU))) return t;
        return EagerEngine.INSTANCE.execute(new OpCall(Op.CONTIGUOUS, List.of(t), OpAttrs.NONE, t.shape(), t.dtype(), t.device()));
    }

    /** For tests: the reusable buffer step {@code t} writes, or -1 (fresh memory, or none planned). */
    int bufferOfStep(int t) {
        return buffers.slotOfStep()[t];
    }

    /** For tests: the dtype of each reusable buffer. */
    List<DType> bufferTypes() {
        return buffers.slotTypes();
    }
}
