package dev.javelin.jit.ptx;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.jit.plan.Launch;
import dev.javelin.jit.plan.PlanStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the JIT's fused kernels ({@link PlanStep.Kernel}: a {@link KernelIR} and its {@link Launch})
 * into PTX and a ready-to-enqueue {@code dev.javelin.kernels.cuda.Launch}. The fusion decisions are
 * the JIT's own, so the GPU fuses exactly what the CPU does.
 *
 * <p>Geometry: the JIT's iteration space is its outer dimensions times the loop of length n. On the
 * GPU the loop is just one more dimension: kept for ELEMENTWISE and REDUCE_COLUMNS, reduced (the
 * innermost one) for REDUCE_ROW. Elementwise kernels then run one thread per element, reductions one
 * block per kept position.
 *
 * <pre>{@code
 * for (PlanStep s : Lowering.plan(graph)) {
 *     if (s instanceof PlanStep.Kernel k) {
 *         var launch = KernelIrAdapter.launch(k, slotAddresses, slotTensorOffsets);   // inputs, then the output
 *         if (launch != null) CudaBackend.launch(device, launch);
 *     }
 * }
 * }</pre>
 */
public final class KernelIrAdapter {
    private KernelIrAdapter() {}

    /** The GPU view of a launch: kept and reduced dimensions with every slot's strides (inputs, then output) and offsets. */
    public record GpuLayout(boolean reduce, int[] keptDims, int[] redDims, int[][] keptStrides, int[][] redStrides, int[] offsets) {
        public long keptCount() {
            long c = 1;
            for (int d : keptDims) c *= d;
            return c;
        }

        public long redCount() {
            long c = 1;
            for (int d : redDims) c *= d;
            return c;
        }
    }

    /** Moves the JIT's loop dimension to where the GPU kernels want it (see the class comment). */
    public static GpuLayout layout(KernelIR ir, Launch l) {
        if (ir.outputs() != 1) { // the planner's launches have one output slot; multi-result kernels are launched by their owner
            throw new IllegalArgumentException("KernelIrAdapter: " + ir.name() + " stores " + ir.outputs() + " results; a plan step's kernel stores one");
        }
        int slots = l.innerStrides().length;
        boolean loopKept = ir.mode() != KernelIR.Mode.REDUCE_ROW;
        int[] kept = loopKept ? append(l.keptDims(), l.n()) : l.keptDims();
        int[] red = loopKept ? l.reducedDims() : append(l.reducedDims(), l.n());
        int[][] ks = new int[slots][];
        int[][] rs = new int[slots][];
        for (int s = 0; s < slots; s++) {
            ks[s] = loopKept ? append(l.keptStrides()[s], l.innerStrides()[s]) : l.keptStrides()[s].clone();
            rs[s] = loopKept ? l.reducedStrides()[s].clone() : append(l.reducedStrides()[s], l.innerStrides()[s]);
        }
        if (kept.length == 0) { // a full reduction: one kept position
            kept = new int[] {1};
            for (int s = 0; s < slots; s++) ks[s] = new int[] {0};
        }
        boolean reduce = ir.mode() != KernelIR.Mode.ELEMENTWISE;
        if (reduce && red.length == 0) {
            red = new int[] {1};
            for (int s = 0; s < slots; s++) rs[s] = new int[] {0};
        }
        return new GpuLayout(reduce, kept, red, ks, rs, l.offsets().clone());
    }

    /** The PTX entry for {@code ir} at this layout's ranks. */
    public static String entry(KernelIR ir, GpuLayout l) {
        return l.reduce() ? PtxRenderer.reduce(ir, l.keptDims().length, l.redDims().length) : PtxRenderer.elementwise(ir, l.keptDims().length);
    }

    /**
     * Kernel arguments in {@link PtxRenderer}'s parameter order. {@code addresses[s]} is the device
     * address of slot s's storage (inputs, then the output) and {@code tensorOffsets[s]} its tensor's
     * offset in elements, added to the launch's own offset.
     */
    public static List<Object> arguments(GpuLayout l, long[] addresses, int[] tensorOffsets) {
        int slots = l.offsets().length;
        if (addresses.length != slots || tensorOffsets.length != slots) {
            throw new IllegalArgumentException("KernelIrAdapter: " + slots + " slots (inputs and output), got " + addresses.length
                    + " addresses and " + tensorOffsets.length + " offsets");
        }
        int out = slots - 1;
        List<Object> args = new ArrayList<>();
        args.add(addresses[out]);
        args.add(l.offsets()[out] + tensorOffsets[out]);
        for (int v : l.keptStrides()[out]) args.add(v);
        if (l.reduce()) {
            args.add((int) l.keptCount());
            args.add((int) l.redCount());
            for (int d = 1; d < l.keptDims().length; d++) args.add(l.keptDims()[d]);
            for (int d = 1; d < l.redDims().length; d++) args.add(l.redDims()[d]);
        } else {
            args.add((int) l.keptCount());
            for (int d = 1; d < l.keptDims().length; d++) args.add(l.keptDims()[d]);
        }
        for (int s = 0; s < out; s++) {
            args.add(addresses[s]);
            args.add(l.offsets()[s] + tensorOffsets[s]);
            for (int v : l.keptStrides()[s]) args.add(v);
            if (l.reduce()) for (int v : l.redStrides()[s]) args.add(v);
        }
        return args;
    }

    /**
     * A kernel step made ready to launch many times: its PTX rendered, its GPU layout and grid
     * computed once; only the addresses change between runs.
     */
    public record Prepared(String name, String entry, GpuLayout layout, int grid) {
        /** The launch over these slot addresses (inputs, then the output) and tensor offsets, or null when there is nothing to compute. */
        public dev.javelin.kernels.cuda.Launch launch(long[] addresses, int[] tensorOffsets) {
            if (layout.keptCount() == 0) return null;
            return new dev.javelin.kernels.cuda.Launch(name, entry, grid, 1, 1, PtxRenderer.BLOCK, 0, arguments(layout, addresses, tensorOffsets));
        }
    }

    /** Renders {@code k}'s PTX and computes its layout and grid. */
    public static Prepared prepare(PlanStep.Kernel k) {
        GpuLayout l = layout(k.ir(), k.launch());
        String entry = entry(k.ir(), l);
        String name = entry.substring(entry.indexOf(".entry ") + 7, entry.indexOf('('));
        int grid = l.reduce() ? (int) Math.max(1, l.keptCount())
                : (int) Math.max(1, Math.min(16384, (l.keptCount() + PtxRenderer.BLOCK - 1) / PtxRenderer.BLOCK));
        return new Prepared(name, entry, l, grid);
    }

    /** The complete launch of {@code k}, or null when it has nothing to compute. */
    public static dev.javelin.kernels.cuda.Launch launch(PlanStep.Kernel k, long[] addresses, int[] tensorOffsets) {
        return prepare(k).launch(addresses, tensorOffsets);
    }

    private static int[] append(int[] a, int v) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }
}
