package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Tensor;

/**
 * How a reduction walks its input: the kept dims (in output order) and the reduced dims, each with
 * size-1 dims dropped and neighbours merged where the input lays them out as one run. Whether the
 * kept or the reduced inner dim is contiguous decides the kernel: reduce along rows, or accumulate
 * whole rows of outputs (the pooling case, where channels are kept and contiguous).
 */
final class ReducePlan {
    final int[] keptDims, keptStrides;
    final int[] redDims, redStrides;
    final long outSize, redSize;

    private ReducePlan(int[] kd, int[] ks, int[] rd, int[] rs) {
        keptDims = kd;
        keptStrides = ks;
        redDims = rd;
        redStrides = rs;
        outSize = product(kd);
        redSize = product(rd);
    }

    static ReducePlan of(Tensor x, int[] axes) {
        return of(x.shape().toArray(), x.strides(), axes);
    }

    /** The plan of a dense (row-major) tensor of {@code shape}. */
    static ReducePlan ofDense(dev.javelin.tensor.Shape shape, int[] axes) {
        return of(shape.toArray(), shape.contiguousStrides(), axes);
    }

    private static ReducePlan of(int[] dims, int[] strides, int[] axes) {
        int rank = dims.length;
        boolean[] reduced = new boolean[rank];
        for (int a : axes) reduced[a] = true;
        int[][] kept = collapse(dims, strides, reduced, false);
        int[][] red = collapse(dims, strides, reduced, true);
        return new ReducePlan(kept[0], kept[1], red[0], red[1]);
    }

    /** Whether whole rows of outputs are accumulated: the kept inner dim is contiguous and the reduced one is not. */
    boolean accumulatesRows() {
        int k = keptDims.length, r = redDims.length;
        return k > 0 && keptStrides[k - 1] == 1 && (r == 0 || redStrides[r - 1] != 1);
    }

    /** Whether a reduction by this plan combines the elements in the same order as by {@code other}: the same dims, walked the same way. */
    boolean sameOrder(ReducePlan other) {
        return java.util.Arrays.equals(keptDims, other.keptDims) && java.util.Arrays.equals(redDims, other.redDims)
                && accumulatesRows() == other.accumulatesRows();
    }

    /** The dims whose reduced flag equals {@code which}, collapsed: {dims, strides}. */
    private static int[][] collapse(int[] dims, int[] strides, boolean[] reduced, boolean which) {
        int[] d = new int[dims.length];
        int[] s = new int[dims.length];
        int r = 0;
        for (int i = 0; i < dims.length; i++) {
            if (reduced[i] != which) continue;
            if (dims[i] == 0) return new int[][] {{0}, {0}};
            if (dims[i] == 1) continue;
            if (r > 0 && s[r - 1] == strides[i] * dims[i]) { // the previous dim steps over this one exactly
                d[r - 1] *= dims[i];
                s[r - 1] = strides[i];
            } else {
                d[r] = dims[i];
                s[r] = strides[i];
                r++;
            }
        }
        return new int[][] {java.util.Arrays.copyOf(d, r), java.util.Arrays.copyOf(s, r)};
    }

    /** Offset of element {@code index} (row-major) of the kept dims, else of the reduced ones, the inner {@code skip} dims left out. */
    int offset(boolean kept, long index, int skip) {
        int[] dims = kept ? keptDims : redDims, strides = kept ? keptStrides : redStrides;
        int off = 0;
        for (int d = dims.length - 1 - skip; d >= 0; d--) {
            off += (int) (index % dims[d]) * strides[d];
            index /= dims[d];
        }
        return off;
    }

    static long product(int[] d) {
        long p = 1;
        for (int v : d) p *= v;
        return p;
    }
}
