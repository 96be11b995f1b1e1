package dev.javelin.jit.runtime;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.jit.plan.Plan;
import dev.javelin.jit.plan.PlanStep;
import dev.javelin.jit.ptx.KernelIrAdapter;
import dev.javelin.jit.ptx.RowGroupPtx;
import dev.javelin.kernels.cuda.CudaBackend;
import dev.javelin.kernels.cuda.GemmEpilogue;
import dev.javelin.kernels.cuda.Launch;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.Debug;
import dev.javelin.tensor.spi.EagerEngine;
import dev.javelin.tensor.spi.Storage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CUDA executor of a {@link Plan}: the same plan the CPU's {@link Program} runs, from the same
 * fusion decisions, followed run by run. A kernel step is its kernel IR rendered as PTX ({@link KernelIrAdapter}, prepared once when the
 * program is built) and enqueued on the device's stream; a backend step (matmul, convolution,
 * gather, ...) is the CUDA backend's own kernels through the eager engine; a contraction with its
 * epilogue (bias, activation, residual) is one GEMM that applies the epilogue's kernel as it stores
 * its result ({@code CudaBackend.contractWithEpilogue}), or, where the backend cannot (a batch of
 * matrices, a grouped convolution, TF32), the GEMM and then the kernel; a view step is stride arithmetic. Buffers come from the CUDA caching allocator;
 * every intermediate the program made is handed back to it when the run ends (stream order makes
 * reuse safe), so a training loop's memory stays flat.
 *
 * <p>A row group that reduces (softmax, layer norm, cross-entropy) is one kernel, a block per row,
 * its members one after another over the row with the plan's folded row sums ({@link RowGroupPtx});
 * a row group of elementwise kernels over one long run runs as its members, each over the whole run.
 * Scratch rows stay a CPU notion: every value has its buffer here.
 */
final class CudaSteps {
    private final Plan plan;
    private final Graph graph;
    private final List<PlanStep> steps;
    private final Map<Node, Integer> index;
    private final Device device;
    private final KernelIrAdapter.Prepared[] prepared;
    /** Per run of the plan, the one-kernel form of a row group ({@link RowGroupPtx}), else null. */
    private final String[] groupEntries;
    private final Tensor[] constants;
    private volatile boolean released;

    CudaSteps(Plan plan, Map<Node, Integer> index, Device device) {
        this.plan = plan;
        this.graph = plan.graph();
        this.steps = plan.steps();
        this.index = index;
        this.device = device;
        prepared = new KernelIrAdapter.Prepared[steps.size()];
        for (int t = 0; t < steps.size(); t++) {
            if (!(steps.get(t) instanceof PlanStep.Kernel k)) continue;
            if (!k.node().device().equals(device)) {
                throw new IllegalArgumentException("Jit: kernel " + k.ir().name() + " computes on " + k.node().device() + " in a program on "
                        + device + "; a compiled program runs on one device (move every argument and variable there)");
            }
            prepared[t] = KernelIrAdapter.prepare(k);
        }
        groupEntries = new String[plan.runs().size()];
        for (int r = 0; r < groupEntries.length; r++) {
            if (plan.runs().get(r) instanceof Plan.RowGroup g && RowGroupPtx.applies(g)) groupEntries[r] = RowGroupPtx.entry(g.members());
        }
        constants = new Tensor[graph.nodes().size()];
        for (Node n : graph.nodes()) if (n.isConstant()) constants[index.get(n)] = Program.dense(n.constant()).to(n.device());
    }

    /** The device this program runs on: CUDA when any value of the graph lives there, else null. */
    static Device deviceOf(Graph graph) {
        for (Node n : graph.nodes()) if (n.device().type() == Device.Type.CUDA) return n.device();
        return null;
    }

    Tensor[] run(Tensor[] args) {
        if (released) throw new IllegalStateException("Jit: this program's device memory was released (CompiledFunction.release); call the function again to compile it anew");
        Tensor[] env = new Tensor[index.size()];
        Set<Storage> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : graph.nodes()) {
            Tensor given = switch (n.kind()) {
                case ARGUMENT -> args[n.inputIndex()];
                case VARIABLE -> graph.variables().get(n.inputIndex()).stored();
                case CONSTANT -> constants[index.get(n)];
                default -> null;
            };
            if (given == null) continue;
            keep.add(given.storage()); // a dense copy of a strided argument is this run's own, released with the rest
            env[index.get(n)] = Program.dense(given);
        }
        try {
            runAll(env);
        } catch (RuntimeException | Error e) {
            release(env, keep); // nothing leaves a failed run
            throw e;
        }
        Tensor[] out = new Tensor[graph.outputs().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = env[index.get(graph.outputs().get(i))];
            keep.add(out[i].storage());
        }
        graph.variableWrites().forEach((v, node) -> {
            Variable var = graph.variables().get(v);
            Tensor value = env[index.get(node)];
            keep.add(value.storage());
            var.store(value);
        });
        release(env, keep);
        return out;
    }

    /** The plan's runs in order, each value into {@code env}. */
    private void runAll(Tensor[] env) {
        boolean debug = Debug.level() >= 1;
        for (int run = 0; run < plan.runs().size(); run++) {
            Plan.Run r = plan.runs().get(run);
            long start = debug ? System.nanoTime() : 0;
            if (groupEntries[run] != null) {
                runRowGroup((Plan.RowGroup) r, groupEntries[run], env);
            } else if (!(r instanceof Plan.WithEpilogue e) || !runWithEpilogue(e, env)) {
                for (int t = r.first(); t < r.end(); t++) env[index.get(steps.get(t).node())] = runStep(t, env);
            }
            if (debug && !(steps.get(r.first()) instanceof PlanStep.View)) {
                CudaBackend.synchronize(device);
                StringBuilder names = new StringBuilder();
                for (int t = r.first(); t < r.end(); t++) names.append(t > r.first() ? " + " : "").append(Program.stepName(steps.get(t)));
                PlanStep last = steps.get(r.end() - 1);
                System.err.printf("[javelin-jit] %-40s %-7s %s  %.1f us (%s)%n", names, last.node().dtype(), last.node().shape(),
                        (System.nanoTime() - start) / 1e3, device);
            }
        }
    }

    /**
     * A contraction with its epilogue kernel applied in the GEMM's store ({@code CudaBackend.contractWithEpilogue}):
     * one pass over the result. The product itself gets a buffer and is stored only where the plan
     * reads it beyond the epilogue ({@link Plan.WithEpilogue#productRead}); otherwise the GEMM writes
     * the epilogue's result alone. False, having run nothing, where the backend cannot take it here.
     */
    private boolean runWithEpilogue(Plan.WithEpilogue e, Tensor[] env) {
        Node c = steps.get(e.contraction()).node();
        PlanStep.Kernel u = (PlanStep.Kernel) steps.get(e.epilogue());
        dev.javelin.jit.plan.Launch l = u.launch();
        int n = c.shape().dim(c.rank() - 1);
        long m = c.shape().size() / Math.max(1, n);
        boolean flat = l.keptCount() == 1 && l.n() == m * n;
        if (m == 0 || n == 0 || (!flat && !(l.keptCount() == m && l.n() == n)) || l.reducedDims().length > 0) return false;
        int[] rowDims = flat || l.keptDims().length == 0 ? new int[] {Math.toIntExact(m)} : l.keptDims();
        List<GemmEpilogue.Operand> operands = new ArrayList<>();
        for (int s = 0; s < u.leaves().size(); s++) {
            if (u.leaves().get(s) == c) {
                operands.add(null);
                continue;
            }
            int inner = l.innerStrides()[s];
            int[] rowStrides = flat || l.keptDims().length == 0 ? new int[] {flat ? n * inner : 0} : l.keptStrides()[s];
            operands.add(new GemmEpilogue.Operand(env[index.get(u.leaves().get(s))], l.offsets()[s], inner, rowStrides));
        }
        Tensor cOut = e.productRead() ? allocate(c) : null, uOut = allocate(u.node());
        GemmEpilogue epilogue = new GemmEpilogue(u.ir(), operands, rowDims, uOut);
        if (!CudaBackend.contractWithEpilogue(c.call(inputs(c, env)), cOut, epilogue)) {
            if (cOut != null) cOut.storage().close();
            uOut.storage().close();
            return false;
        }
        env[index.get(c)] = cOut;
        env[index.get(u.node())] = uOut;
        return true;
    }

    /** A row group as one kernel, a block per row: every member's output allocated first, then one launch. */
    private void runRowGroup(Plan.RowGroup g, String entry, Tensor[] env) {
        for (int t = g.first(); t < g.end(); t++) env[index.get(steps.get(t).node())] = allocate(steps.get(t).node());
        long[][] addresses = new long[g.members().size()][];
        for (int m = 0; m < addresses.length; m++) {
            Plan.Member member = g.members().get(m);
            PlanStep.Kernel k = (PlanStep.Kernel) steps.get(member.step());
            List<Node> leaves = k.leaves();
            long[] a = new long[member.launch().innerStrides().length];
            for (int s = 0; s < leaves.size(); s++) a[s] = CudaBackend.devicePointer(env[index.get(leaves.get(s))]);
            a[leaves.size()] = CudaBackend.outputPointer(env[index.get(k.node())]);
            if (member.folded() >= 0) a[leaves.size() + 1] = CudaBackend.outputPointer(env[index.get(steps.get(member.folded()).node())]);
            addresses[m] = a;
        }
        if (g.members().get(0).launch().keptCount() == 0) return; // no rows
        CudaBackend.launch(device, new Launch(RowGroupPtx.name(entry), entry, RowGroupPtx.grid(g.members()), 1, 1, RowGroupPtx.BLOCK, 0,
                RowGroupPtx.arguments(g.members(), addresses)));
    }

    private Tensor allocate(Node node) {
        return Tensor.wrap(Backends.forDevice(device).allocate(node.dtype(), Math.toIntExact(node.size()), device), node.shape());
    }

    private Tensor runStep(int t, Tensor[] env) {
        return switch (steps.get(t)) {
            case PlanStep.Kernel k -> runKernel(t, k, env);
            case PlanStep.Backend b -> EagerEngine.INSTANCE.execute(b.node().call(inputs(b.node(), env)));
            case PlanStep.View v -> EagerEngine.INSTANCE.execute(v.node().call(inputs(v.node(), env)));
        };
    }

    /** Hands every buffer this run made and nobody keeps back to the caching allocator. */
    private static void release(Tensor[] env, Set<Storage> keep) {
        Set<Storage> closed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : env) {
            if (t == null || t.storage() == null || keep.contains(t.storage()) || !closed.add(t.storage())) continue;
            t.storage().close();
        }
    }

    private Tensor runKernel(int t, PlanStep.Kernel k, Tensor[] env) {
        Tensor out = allocate(k.node());
        List<Node> leaves = k.leaves();
        long[] addresses = new long[leaves.size() + 1];
        for (int s = 0; s < leaves.size(); s++) addresses[s] = CudaBackend.devicePointer(env[index.get(leaves.get(s))]);
        addresses[leaves.size()] = CudaBackend.outputPointer(out);
        Launch launch = prepared[t].launch(addresses, new int[addresses.length]);
        if (launch != null) CudaBackend.launch(device, launch);
        return out;
    }

    private List<Tensor> inputs(Node n, Tensor[] env) {
        List<Tensor> in = new ArrayList<>(n.inputs().size());
        for (Node i : n.inputs()) in.add(env[index.get(i)]);
        return in;
    }

    /** How this executor runs the plan on its device, one line per run that is not a single step: for {@code Jit.explain}. */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("runs on " + device + ": kernels as PTX rendered from their IR, contractions and other ops by the CUDA backend");
        for (int r = 0; r < plan.runs().size(); r++) {
            Plan.Run run = plan.runs().get(r);
            String span = "%" + steps.get(run.first()).node().id() + ".." + "%" + steps.get(run.end() - 1).node().id();
            if (groupEntries[r] != null) {
                lines.add("row group " + span + ": one kernel " + RowGroupPtx.name(groupEntries[r]) + ", a block per row");
            } else if (run instanceof Plan.RowGroup) {
                lines.add("row group " + span + ": its kernels one after another (no reduction: each over the whole run)");
            } else if (run instanceof Plan.WithColumnSums) {
                lines.add("contraction " + span + ": the GEMM, then the column sums as a kernel of their own");
            } else if (run instanceof Plan.WithEpilogue e) {
                lines.add("contraction " + span + ": the epilogue in the GEMM's store where the backend takes it (one matrix,"
                        + " ungrouped, FP32), else its own kernel after the GEMM" + (e.productRead() ? "" : "; only the epilogue's result is stored"));
            }
        }
        return lines;
    }

    /**
     * Gives back the device copies of the graph's constants that this program made (a constant that
     * already lived densely on the device is the caller's and stays); a later {@link #run} throws.
     */
    void release() {
        released = true;
        for (Node n : graph.nodes()) {
            Tensor c = constants[index.get(n)];
            if (c != null && c.storage() != n.constant().storage()) c.release();
        }
    }

    /** Number of PTX kernels of the plan. */
    int kernelCount() {
        int c = 0;
        for (KernelIrAdapter.Prepared p : prepared) if (p != null) c++;
        return c;
    }
}
