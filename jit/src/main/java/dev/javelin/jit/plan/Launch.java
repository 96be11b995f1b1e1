package dev.javelin.jit.plan;

import java.util.Arrays;

/**
 * Where a kernel's loop runs: the launch parameters that {@link KernelIR} leaves open. The
 * iteration space is {@code outer dims x n}; the kernel's loop covers the last dimension (length
 * {@code n}), a launcher walks the outer ones. Outer dimensions are either kept (they index the
 * output; launchers run them in parallel) or reduced (walked in a fixed order around the kernel
 * call, so results do not depend on the thread count).
 *
 * <p>Slots are the kernel's inputs followed by its output. Offsets are relative to each slot's
 * tensor offset, which is added when the program runs.
 *
 * @param n             length of the kernel's loop
 * @param innerStrides  per slot, the stride along the loop (0 broadcast, 1 contiguous)
 * @param keptDims      sizes of the kept outer dimensions, outermost first
 * @param keptStrides   per slot, its stride along each kept outer dimension
 * @param reducedDims   sizes of the reduced outer dimensions
 * @param reducedStrides per slot, its stride along each reduced outer dimension
 * @param offsets       per slot, the element offset of the first position
 * @param outputSize    elements of the output
 */
public record Launch(int n, int[] innerStrides, int[] keptDims, int[][] keptStrides, int[] reducedDims, int[][] reducedStrides,
                     int[] offsets, long outputSize) {

    /** Number of kept outer positions (product of {@link #keptDims}). */
    public long keptCount() {
        long c = 1;
        for (int d : keptDims) c *= d;
        return c;
    }

    /** Number of reduced outer positions. */
    public long reducedCount() {
        long c = 1;
        for (int d : reducedDims) c *= d;
        return c;
    }

    /**
     * This launch with slot {@code slot} of {@code other} (over the same rows) appended as its last
     * slot, and that launch's output size: where a row reduction folded into this kernel writes.
     */
    public Launch withSlotOf(Launch other, int slot) {
        int[][] kept = Arrays.copyOf(keptStrides, keptStrides.length + 1);
        kept[kept.length - 1] = other.keptStrides[slot];
        int[][] reduced = Arrays.copyOf(reducedStrides, reducedStrides.length + 1);
        reduced[reduced.length - 1] = other.reducedStrides[slot];
        return new Launch(n, append(innerStrides, other.innerStrides[slot]), keptDims, kept, reducedDims, reduced,
                append(offsets, other.offsets[slot]), other.outputSize);
    }

    /**
     * This launch, one flat run of one position per row of {@code rows} (a per-row value such as layer
     * norm's {@code 1 / sqrt(var + eps)} over {@code [R, 1]}), as a launch over those rows with a loop of
     * length 1: each slot's kept strides are its stride along the run times the rows after it. The same
     * positions in the same order; null when this launch is not such a run.
     */
    public Launch perRowOf(Launch rows) {
        if (keptDims.length > 0 || reducedDims.length > 0 || n != rows.keptCount() || rows.keptDims.length == 0) return null;
        int[] dims = rows.keptDims;
        int[][] kept = new int[innerStrides.length][dims.length];
        for (int s = 0; s < kept.length; s++) {
            long after = 1;
            for (int d = dims.length - 1; d >= 0; d--) {
                kept[s][d] = Math.toIntExact(innerStrides[s] * after);
                after *= dims[d];
            }
        }
        int[][] noReduced = new int[innerStrides.length][0];
        return new Launch(1, new int[innerStrides.length], dims.clone(), kept, new int[0], noReduced, offsets.clone(), outputSize);
    }

    private static int[] append(int[] a, int v) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }

    /** The offset of every slot at kept position {@code kept} and reduced position {@code reduced}, into {@code out}. */
    public void offsetsAt(long kept, long reduced, int[] base, int[] out) {
        for (int s = 0; s < out.length; s++) out[s] = base[s] + offsets[s];
        walk(kept, keptDims, keptStrides, out);
        walk(reduced, reducedDims, reducedStrides, out);
    }

    /**
     * Moves {@code offs}, the slots' offsets at kept position {@code index} (one digit per kept
     * dimension, outermost first), to the next kept position, and {@code index} with them: the
     * launchers' row loops step through rows with additions instead of {@link #offsetsAt}'s divisions.
     */
    public void nextKept(int[] index, int[] offs) {
        for (int d = keptDims.length - 1; d >= 0; d--) {
            if (++index[d] < keptDims[d]) {
                for (int s = 0; s < offs.length; s++) offs[s] += keptStrides[s][d];
                return;
            }
            index[d] = 0;
            for (int s = 0; s < offs.length; s++) offs[s] -= (keptDims[d] - 1) * keptStrides[s][d];
        }
    }

    /**
     * The one stride at which the reduced positions walk slot 0 (a column reduction's input), slot 1 (its
     * output) not moving along them, or -1 when they are not one stride apart: such a reduction's rows are
     * {@code rowStride} apart, which the plain column sums ({@code ColumnSumPairs}, the launcher) need.
     */
    public int reducedRowStride() {
        if (oneStride(reducedDims, reducedStrides, 1) != 0) return -1;
        long rowStride = oneStride(reducedDims, reducedStrides, 0);
        return rowStride >= 0 && rowStride <= Integer.MAX_VALUE ? (int) rowStride : -1;
    }

    /**
     * Per slot, the one stride between consecutive kept positions (rows), or null when some slot's kept
     * dimensions do not compose one stride: such rows can go to a kernel's own row loop
     * ({@code FusedKernel.runRows}) from the first row's offsets.
     */
    public int[] keptRowStrides() {
        int[] out = new int[innerStrides.length];
        for (int s = 0; s < out.length; s++) {
            long rowStride = oneStride(keptDims, keptStrides, s);
            if (rowStride < Integer.MIN_VALUE || rowStride > Integer.MAX_VALUE) return null;
            out[s] = (int) rowStride;
        }
        return out;
    }

    /**
     * The stride at which slot {@code slot} walks the positions of {@code dims} (innermost last) when they are
     * one run of equal steps, else {@link Long#MIN_VALUE}; 0 when it does not move along them.
     */
    private static long oneStride(int[] dims, int[][] strides, int slot) {
        long rowStride = 0, span = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            if (dims[d] == 1) continue;
            long stride = strides[slot][d];
            if (span == 1) rowStride = stride;
            else if (stride != rowStride * span) return Long.MIN_VALUE;
            span *= dims[d];
        }
        return rowStride;
    }

    /** The digits of kept position {@code kept}, one per kept dimension, outermost first. */
    public int[] keptIndex(long kept) {
        int[] index = new int[keptDims.length];
        long rest = kept;
        for (int d = keptDims.length - 1; d >= 0; d--) {
            index[d] = (int) (rest % keptDims[d]);
            rest /= keptDims[d];
        }
        return index;
    }

    private static void walk(long index, int[] dims, int[][] strides, int[] out) {
        long rest = index;
        for (int d = dims.length - 1; d >= 0; d--) {
            long i = d == 0 ? rest : rest % dims[d]; // the outermost index needs no division (a row group's rows: one kept dimension)
            if (d > 0) rest /= dims[d];
            if (i != 0) for (int s = 0; s < out.length; s++) out[s] += (int) (i * strides[s][d]);
        }
    }

    @Override
    public String toString() {
        return "n=" + n + " kept=" + Arrays.toString(keptDims) + " reduced=" + Arrays.toString(reducedDims)
                + " inner strides=" + Arrays.toString(innerStrides);
    }
}
