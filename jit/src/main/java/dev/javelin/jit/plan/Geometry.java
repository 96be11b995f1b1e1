package dev.javelin.jit.plan;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.jit.graph.Node;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.spi.Views;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses a kernel's loop: drops dimensions of size 1, merges neighbouring dimensions that every
 * slot addresses as one (so a dense elementwise op over [4096, 512] is one loop of 2M), and makes
 * the last remaining dimension the kernel's loop. Reduced dimensions are never merged with kept ones.
 */
final class Geometry {
    private Geometry() {}

    static PlanStep.Kernel kernel(Node root, String name, List<KernelIR.Instr> body, List<Node> leaves,
                                  List<Views.Layout> layouts, int[] outStrides, Shape space, boolean[] reducedAxes) {
        int slots = leaves.size() + 1;
        int[][] strides = new int[slots][];
        int[] offsets = new int[slots];
        for (int s = 0; s < leaves.size(); s++) {
            strides[s] = layouts.get(s).strides();
            offsets[s] = layouts.get(s).offset();
        }
        strides[slots - 1] = outStrides;
        // drop size-1 dimensions, then merge neighbours every slot walks as one
        List<Integer> dims = new ArrayList<>();
        List<Boolean> red = new ArrayList<>();
        List<int[]> cols = new ArrayList<>(); // per dimension, the stride of each slot
        boolean empty = space.size() == 0;
        for (int d = 0; d < space.rank(); d++) {
            if (space.dim(d) == 1) continue;
            int[] col = new int[slots];
            for (int s = 0; s < slots; s++) col[s] = strides[s][d];
            int last = dims.size() - 1;
            if (last >= 0 && red.get(last) == reducedAxes[d] && mergeable(cols.get(last), col, space.dim(d))) {
                dims.set(last, dims.get(last) * space.dim(d));
                cols.set(last, col);
            } else {
                dims.add(space.dim(d));
                red.add(reducedAxes[d]);
                cols.add(col);
            }
        }
        if (dims.isEmpty()) {
            dims.add(1);
            red.add(false);
            cols.add(new int[slots]);
        }
        if (Fusion.isReducible(root) && !red.contains(true)) {
            // every reduced dim has size 1: still a reduction, each output its identity combined with its one
            // value, as eager computes it (a sum of -0 is 0), not a copy
            dims.add(0, 1);
            red.add(0, true);
            cols.add(0, new int[slots]);
        }
        int last = dims.size() - 1;
        int n = empty ? 0 : dims.get(last);
        boolean anyReduced = red.contains(true);
        KernelIR.Mode mode = !anyReduced ? KernelIR.Mode.ELEMENTWISE
                : red.get(last) ? KernelIR.Mode.REDUCE_ROW : KernelIR.Mode.REDUCE_COLUMNS;
        int[] inner = cols.get(last).clone();
        List<Integer> kept = new ArrayList<>(), reduced = new ArrayList<>();
        for (int d = 0; d < last; d++) (red.get(d) ? reduced : kept).add(d);
        int[] keptDims = kept.stream().mapToInt(dims::get).toArray();
        int[] reducedDims = reduced.stream().mapToInt(dims::get).toArray();
        int[][] keptStrides = new int[slots][keptDims.length];
        int[][] reducedStrides = new int[slots][reducedDims.length];
        for (int s = 0; s < slots; s++) {
            for (int i = 0; i < keptDims.length; i++) keptStrides[s][i] = cols.get(kept.get(i))[s];
            for (int i = 0; i < reducedDims.length; i++) reducedStrides[s][i] = cols.get(reduced.get(i))[s];
        }
        List<KernelIR.Load> loads = new ArrayList<>();
        for (int s = 0; s < leaves.size(); s++) {
            KernelIR.Access a = n <= 1 || inner[s] == 0 ? KernelIR.Access.BROADCAST
                    : inner[s] == 1 ? KernelIR.Access.CONTIGUOUS : KernelIR.Access.STRIDED;
            loads.add(new KernelIR.Load(leaves.get(s).dtype(), a));
        }
        if (mode != KernelIR.Mode.REDUCE_ROW) inner[slots - 1] = 1; // dense output along the loop
        KernelIR ir = new KernelIR(name, mode, Fusion.isReducible(root) ? root.op() : null, loads, body, root.dtype());
        Launch launch = new Launch(n, inner, keptDims, keptStrides, reducedDims, reducedStrides, offsets, root.size());
        return new PlanStep.Kernel(root, ir, leaves, launch);
    }

    /** True when a slot's position along (outer, inner) is one linear index for every slot. */
    private static boolean mergeable(int[] outer, int[] inner, int innerSize) {
        for (int s = 0; s < outer.length; s++) if (outer[s] != inner[s] * innerSize) return false;
        return true;
    }
}
